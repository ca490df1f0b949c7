//! [`WeakLruCache`]: a [`WeakCache`] that also keeps its most recently
//! used values alive.

use alloc::borrow::ToOwned;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::mem;

use hashbrown::HashTable;
use hashbrown::hash_table::OccupiedEntry;

use super::WeakCache;
use super::family::WeakFamily;
use super::raw::StrongOf;
use crate::count::RawCount;
use crate::shim;

/// A [`WeakCache`] that also holds its `keep_recent` most recently used
/// values strongly, and the rest weakly: a value whose last handle the
/// callers drop stays cached while it is among the `keep_recent` most
/// recently used, so a value dropped and asked for again a moment later
/// is not made twice (an image is not decoded twice).
///
/// A *use* is a lookup that returns the value (`get`, the
/// `get_or_insert_with` family, hit or miss) or an
/// [`insert`](Self::insert). The recent values form one list for the
/// whole cache, exact LRU order, behind one lock taken once per use after
/// the shard's (never while any user code runs: not `make`, not a key's
/// `Hash` or `Eq`, not a value's `Drop`). Values are compared by identity
/// (their allocation), so a value stored under two keys is held once. A
/// value that falls out of the list is dropped after the lock is
/// released, by the thread whose use pushed it out; if that was its last
/// strong handle, it dies and its entry is dead as in the plain cache.
///
/// **The plain [`WeakCache`] pays nothing for this layer**: it is a
/// separate type that wraps one, and the plain type's code is unchanged.
/// With `keep_recent == 0` this type behaves as the plain cache (nothing
/// is held), at the cost of the lock on each use.
///
/// Counts: the held values are live, so [`len`](Self::len),
/// [`live_len`](Self::live_len) and [`is_empty`](Self::is_empty) count
/// them as any live entry (as the plain cache's do);
/// [`recent_len`](Self::recent_len) is the number of values held, and
/// `Debug` shows both the entries and the held count. Dropping the cache,
/// [`clear`](Self::clear), [`clear_recent`](Self::clear_recent) and
/// [`set_keep_recent`](Self::set_keep_recent) release held values (each
/// dropped with no lock held, so a value's `Drop` may use this cache).
///
/// What the layer buys, measured with `benches/recent.rs` (a Zipf(1) trace
/// over 4096 keys, each request's handle dropped four requests later): the
/// plain cache hits 7.3 % of the requests (the other 92.7 % reload); with
/// `keep_recent` 16, 64 and 256, 20.9 %, 38.8 % and 57.5 %. What it costs:
/// on a hit, one lock and an O(1) list update, 144 -> 333 instructions a
/// request at `keep_recent` 64 (BENCHMARKS.md, "Keep-recent layer"). The
/// list is one lock for the whole cache (exact LRU order): every use of
/// every thread takes it.
///
/// # Examples
///
/// ```
/// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
/// use std::hash::RandomState;
/// use weakref_core::collections::WeakLruCache;
/// use weakref_core::count::AtomicCount;
///
/// let cache: WeakLruCache<&str, Vec<u8>, AtomicCount, RandomState> = WeakLruCache::new(2);
/// let decode = |_name: &str| Arc::new(vec![0x7f_u8; 600 * 1200]);
/// drop(cache.get_or_insert_with("kitty.png", || decode("kitty.png")));
/// // The caller dropped its handle, but the cache still holds the image:
/// let again = cache.get_or_insert_with("kitty.png", || unreachable!("not decoded twice"));
/// assert_eq!(again.len(), 600 * 1200);
/// // Two other images push it out of the 2 most recent:
/// drop(cache.get_or_insert_with("a.png", || decode("a.png")));
/// drop(cache.get_or_insert_with("b.png", || decode("b.png")));
/// drop(again);
/// assert!(cache.get("kitty.png").is_none());
/// ```
pub struct WeakLruCache<K, V: ?Sized, C: RawCount, S> {
    cache: WeakCache<K, V, C, S>,
    recent: shim::Mutex<Recent<V, C>>,
}

#[cfg(feature = "std")]
impl<K, V: ?Sized, C: RawCount> WeakLruCache<K, V, C, std::hash::RandomState> {
    /// An empty cache holding its `keep_recent` most recently used values,
    /// with std's `RandomState` hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(16);
    /// assert_eq!(cache.keep_recent(), 16);
    /// ```
    pub fn new(keep_recent: usize) -> Self {
        Self::from_cache(WeakCache::new(), keep_recent)
    }
}

impl<K, V: ?Sized, C: RawCount, S: BuildHasher + Clone> WeakLruCache<K, V, C, S> {
    /// An empty cache holding its `keep_recent` most recently used values,
    /// hashing with `hash_builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> =
    ///     WeakLruCache::with_hasher(16, RandomState::new());
    /// assert!(cache.is_empty());
    /// ```
    pub fn with_hasher(keep_recent: usize, hash_builder: S) -> Self {
        Self::from_cache(WeakCache::with_hasher(hash_builder), keep_recent)
    }
}

impl<K, V: ?Sized, C: RawCount, S> WeakLruCache<K, V, C, S> {
    /// `cache` (built with any of [`WeakCache`]'s constructors: shards,
    /// capacity, hasher), now holding its `keep_recent` most recently used
    /// values. Values it already maps are not held until they are used.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::{WeakCache, WeakLruCache};
    /// use weakref_core::count::AtomicCount;
    ///
    /// let plain: WeakCache<u8, u8, AtomicCount, _> =
    ///     WeakCache::with_shards_and_hasher(4, RandomState::new());
    /// let cache = WeakLruCache::from_cache(plain, 64);
    /// assert_eq!(cache.as_cache().shards(), 4);
    /// ```
    pub fn from_cache(cache: WeakCache<K, V, C, S>, keep_recent: usize) -> Self {
        WeakLruCache {
            cache,
            recent: shim::Mutex::new(Recent::new(keep_recent)),
        }
    }

    /// The weak cache underneath, for what this type does not wrap
    /// (`iter`, `for_each`, `snapshot`, `retain`, `entry`, `purge`, ...).
    /// Its operations bypass the recent list: its `get` looks up without
    /// marking a use (the `peek` of LRU caches), and its `remove` and
    /// `clear` leave held values held until they fall out of the list.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(1);
    /// drop(cache.get_or_insert_with(1, || Arc::new(10)));
    /// drop(cache.as_cache().get(&1)); // a peek: not a use
    /// drop(cache.get_or_insert_with(2, || Arc::new(20)));
    /// assert!(cache.as_cache().get(&1).is_none()); // pushed out, dead
    /// ```
    pub fn as_cache(&self) -> &WeakCache<K, V, C, S> {
        &self.cache
    }

    /// How many recently used values the cache holds at most.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(8);
    /// assert_eq!(cache.keep_recent(), 8);
    /// ```
    pub fn keep_recent(&self) -> usize {
        self.recent.lock().capacity
    }

    /// Holds at most `keep_recent` recently used values from now on: the
    /// least recently used beyond it are released (dropped after the lock
    /// is released); `0` releases them all and holds nothing more, as the
    /// plain cache.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(4);
    /// for k in 0..4 {
    ///     drop(cache.get_or_insert_with(k, || Arc::new(k)));
    /// }
    /// cache.set_keep_recent(1);
    /// assert_eq!(cache.recent_len(), 1);
    /// assert!(cache.get(&3).is_some()); // the most recent stays
    /// assert!(cache.get(&0).is_none());
    /// ```
    pub fn set_keep_recent(&self, keep_recent: usize) {
        let released = self.recent.lock().set_capacity(keep_recent);
        drop(released);
    }

    /// Releases every held value (each one dies now if no caller holds
    /// it); the cache goes on holding the values used from now on.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(4);
    /// drop(cache.get_or_insert_with(1, || Arc::new(1)));
    /// assert!(cache.contains_key(&1));
    /// cache.clear_recent();
    /// assert!(!cache.contains_key(&1));
    /// ```
    pub fn clear_recent(&self) {
        let released = self.recent.lock().clear();
        drop(released);
    }

    /// The held values, most recently used first (strong handles, cloned
    /// under the lock).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(4);
    /// for k in [1, 2, 3] {
    ///     drop(cache.get_or_insert_with(k, || Arc::new(k)));
    /// }
    /// drop(cache.get(&1));
    /// let order: Vec<u8> = cache.recent().iter().map(|v| **v).collect();
    /// assert_eq!(order, [1, 3, 2]);
    /// ```
    pub fn recent(&self) -> Vec<StrongOf<V, C>> {
        let recent = self.recent.lock();
        let mut values = Vec::with_capacity(recent.nodes.len());
        let mut at = recent.head;
        while at != NIL {
            values.push(recent.nodes[at].value.clone());
            at = recent.nodes[at].older;
        }
        values
    }

    /// How many values the cache holds strongly now (at most
    /// [`keep_recent`](Self::keep_recent)).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(2);
    /// for k in 0..5 {
    ///     drop(cache.get_or_insert_with(k, || Arc::new(k)));
    /// }
    /// assert_eq!(cache.recent_len(), 2);
    /// assert_eq!(cache.live_len(), 2); // the others died with their handles
    /// ```
    pub fn recent_len(&self) -> usize {
        self.recent.lock().nodes.len()
    }

    /// The number of entries, including dead ones not yet purged, as
    /// [`WeakCache::len`]; held values are live entries.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(1);
    /// drop(cache.get_or_insert_with(1, || Arc::new(1))); // held
    /// assert_eq!(cache.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.cache.len()
    }

    /// The exact number of live entries, as [`WeakCache::live_len`]: held
    /// values count, as any live value does.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(0);
    /// drop(cache.get_or_insert_with(1, || Arc::new(1))); // not held: dead
    /// assert_eq!((cache.len(), cache.live_len()), (1, 0));
    /// ```
    pub fn live_len(&self) -> usize {
        self.cache.live_len()
    }

    /// Whether no entry is alive, as [`WeakCache::is_empty`]: `false` while
    /// a value is held.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(1);
    /// drop(cache.get_or_insert_with(1, || Arc::new(1)));
    /// assert!(!cache.is_empty());
    /// cache.clear_recent();
    /// assert!(cache.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }

    /// Removes every entry and releases every held value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(4);
    /// let one = cache.get_or_insert_with(1, || Arc::new(1));
    /// cache.clear();
    /// assert!(cache.get(&1).is_none() && cache.recent_len() == 0);
    /// assert_eq!(Arc::strong_count(&one), 1); // only ours is left
    /// ```
    pub fn clear(&self) {
        self.cache.clear();
        self.clear_recent();
    }

    /// Marks `value` as the most recently used, holding it; drops what
    /// falls out of the list once the lock is released.
    fn touch(&self, value: &StrongOf<V, C>) {
        let released = self.recent.lock().touch(value);
        drop(released);
    }
}

impl<K, V, C, S> WeakLruCache<K, V, C, S>
where
    K: Hash + Eq,
    V: ?Sized,
    C: RawCount,
    S: BuildHasher,
{
    /// The live value of `key`, marked as the most recently used.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<String, str, AtomicCount, _> = WeakLruCache::new(4);
    /// cache.insert("k".to_owned(), &Arc::from("v")); // held: alive
    /// assert_eq!(cache.get("k").as_deref(), Some("v"));
    /// ```
    pub fn get<Q>(&self, key: &Q) -> Option<StrongOf<V, C>>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let value = self.cache.get(key)?;
        self.touch(&value);
        Some(value)
    }

    /// Whether `key` has a live value (held or not); not a use.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(4);
    /// cache.insert(1, &Arc::new(1));
    /// assert!(cache.contains_key(&1));
    /// ```
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.cache.contains_key(key)
    }

    /// Maps `key` to `value` (weakly), marks `value` as the most recently
    /// used (holding it), and returns the previous live value. The list
    /// lets the previous value go if it held it, as [`remove`](Self::remove)
    /// does (even if it is also mapped under another key): it takes none of
    /// the `keep_recent` places from the values the cache returns.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(4);
    /// assert!(cache.insert(1, &Arc::new(1)).is_none());
    /// let one = cache.insert(1, &Arc::new(2)).unwrap();
    /// assert_eq!((*one, Arc::strong_count(&one)), (1, 1)); // let go
    /// assert_eq!(cache.recent_len(), 1);
    /// ```
    pub fn insert(&self, key: K, value: &StrongOf<V, C>) -> Option<StrongOf<V, C>> {
        let previous = self.cache.insert(key, value);
        let released = self.recent.lock().replace(previous.as_ref(), value);
        drop(released);
        previous
    }

    /// Removes `key` and releases its value if held (even if it is also
    /// mapped under another key); returns its live value. A use on another
    /// thread that found the value before the removal and marks it after
    /// holds it again (the lookup and the mark are two steps): it is then
    /// let go as any held value, when it falls out of the list.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u8, u8, AtomicCount, _> = WeakLruCache::new(4);
    /// cache.insert(1, &Arc::new(1));
    /// let one = cache.remove(&1).unwrap();
    /// assert_eq!((Arc::strong_count(&one), cache.recent_len()), (1, 0));
    /// ```
    pub fn remove<Q>(&self, key: &Q) -> Option<StrongOf<V, C>>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let value = self.cache.remove(key)?;
        let released = self.recent.lock().remove(&value);
        drop(released);
        Some(value)
    }

    /// The live value of `key`, or the one `make` builds, stored and
    /// returned; either way marked as the most recently used. As
    /// [`WeakCache::get_or_insert_with`]: `make` runs at most once per
    /// miss, under the lock of `key`'s shard, and must not use this cache
    /// (the recent list's lock is not held while it runs).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<&str, Vec<u8>, AtomicCount, _> = WeakLruCache::new(8);
    /// drop(cache.get_or_insert_with("logo.png", || Arc::new(vec![0; 16])));
    /// let again = cache.get_or_insert_with("logo.png", || unreachable!("held"));
    /// assert_eq!(again.len(), 16);
    /// ```
    #[doc(alias = "setdefault")]
    pub fn get_or_insert_with(
        &self,
        key: K,
        make: impl FnOnce() -> StrongOf<V, C>,
    ) -> StrongOf<V, C> {
        let value = self.cache.get_or_insert_with(key, make);
        self.touch(&value);
        value
    }

    /// [`get_or_insert_with`](Self::get_or_insert_with) with a `make` that
    /// can fail: its error is returned, nothing is stored and nothing is
    /// marked.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<u32, String, AtomicCount, _> = WeakLruCache::new(8);
    /// assert!(cache.try_get_or_insert_with(7, || Err("disk on fire")).is_err());
    /// assert_eq!(cache.recent_len(), 0);
    /// let seven = cache.try_get_or_insert_with(7, || Ok::<_, &str>(Arc::new("7".to_owned())));
    /// assert_eq!((seven.unwrap().as_str(), cache.recent_len()), ("7", 1));
    /// ```
    pub fn try_get_or_insert_with<E>(
        &self,
        key: K,
        make: impl FnOnce() -> Result<StrongOf<V, C>, E>,
    ) -> Result<StrongOf<V, C>, E> {
        let value = self.cache.try_get_or_insert_with(key, make)?;
        self.touch(&value);
        Ok(value)
    }

    /// [`get_or_insert_with`](Self::get_or_insert_with) by borrowed key,
    /// as [`WeakCache::get_or_insert_with_key`]: the owned key is made
    /// only on a miss.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<String, usize, AtomicCount, _> = WeakLruCache::new(8);
    /// drop(cache.get_or_insert_with_key("sunset.png", |name| Arc::new(name.len())));
    /// let len = cache.get_or_insert_with_key("sunset.png", |_| unreachable!("held"));
    /// assert_eq!(*len, 10);
    /// ```
    pub fn get_or_insert_with_key<Q>(
        &self,
        key: &Q,
        make: impl FnOnce(&Q) -> StrongOf<V, C>,
    ) -> StrongOf<V, C>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq + ToOwned<Owned = K>,
    {
        let value = self.cache.get_or_insert_with_key(key, make);
        self.touch(&value);
        value
    }

    /// [`get_or_insert_with_key`](Self::get_or_insert_with_key) with a
    /// `make` that can fail: its error is returned, nothing is stored and
    /// nothing is marked.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakLruCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakLruCache<String, u64, AtomicCount, _> = WeakLruCache::new(8);
    /// let parse = |text: &str| text.parse().map(Arc::new);
    /// drop(cache.try_get_or_insert_with_key("12", parse));
    /// assert!(cache.try_get_or_insert_with_key("x", parse).is_err());
    /// assert_eq!(cache.recent_len(), 1);
    /// ```
    pub fn try_get_or_insert_with_key<Q, E>(
        &self,
        key: &Q,
        make: impl FnOnce(&Q) -> Result<StrongOf<V, C>, E>,
    ) -> Result<StrongOf<V, C>, E>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq + ToOwned<Owned = K>,
    {
        let value = self.cache.try_get_or_insert_with_key(key, make)?;
        self.touch(&value);
        Ok(value)
    }
}

/// `WeakLruCache { keep_recent: 4, recent_len: 1, entries: {1: 10} }`:
/// the live entries (held or not), shard by shard as the plain cache's
/// `Debug`, after the counts.
impl<K: fmt::Debug, V: ?Sized + fmt::Debug, C: RawCount, S> fmt::Debug
    for WeakLruCache<K, V, C, S>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (keep_recent, recent_len) = {
            let recent = self.recent.lock();
            (recent.capacity, recent.nodes.len())
        };
        f.debug_struct("WeakLruCache")
            .field("keep_recent", &keep_recent)
            .field("recent_len", &recent_len)
            .field("entries", &self.cache)
            .finish()
    }
}

/// "No node": the end of the list.
const NIL: usize = usize::MAX;

/// One held value, linked to its neighbours in the list by index.
struct Node<T> {
    value: T,
    /// The next more recently used node, or [`NIL`] at the head.
    newer: usize,
    /// The next less recently used node, or [`NIL`] at the tail.
    older: usize,
}

/// The recently used values, held strongly: a doubly linked list in
/// recency order, its nodes in a `Vec` (no allocation per node, no
/// `unsafe`), indexed by the values' addresses. Every operation is O(1)
/// (amortized) and runs no user code: values are found by address, not by
/// a key's `Hash`/`Eq`, and the values it lets go are returned to the
/// caller to drop once the lock is released.
struct Recent<V: ?Sized, C: RawCount> {
    /// The held values; `nodes.len() <= capacity`.
    nodes: Vec<Node<StrongOf<V, C>>>,
    /// The index of each node in `nodes`, hashed by its value's address.
    index: HashTable<usize>,
    /// The most recently used node, or [`NIL`].
    head: usize,
    /// The least recently used node (the next to go), or [`NIL`].
    tail: usize,
    capacity: usize,
}

/// The hash of an address: a multiply spreads it to the top bits (which
/// hashbrown's tags read), the shift folds them back into the low bits
/// (which pick its buckets; an aligned address's own are zero).
fn addr_hash(addr: *const ()) -> u64 {
    let x = (addr.addr() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 32)
}

impl<V: ?Sized, C: RawCount> Recent<V, C> {
    fn new(capacity: usize) -> Self {
        Recent {
            nodes: Vec::new(),
            index: HashTable::new(),
            head: NIL,
            tail: NIL,
            capacity,
        }
    }

    /// The hash of `nodes[at]`'s value's address.
    fn hash_at(nodes: &[Node<StrongOf<V, C>>], at: usize) -> u64 {
        addr_hash(C::strong_addr(&nodes[at].value))
    }

    /// The node holding the value at `addr`.
    fn find(&self, addr: *const ()) -> Option<usize> {
        let nodes = &self.nodes;
        let found = self.index.find(addr_hash(addr), |&at| {
            C::strong_addr(&nodes[at].value) == addr
        });
        found.copied()
    }

    /// Makes `value` the most recently used, holding a clone of it; returns
    /// the least recently used value if that made the list too long.
    fn touch(&mut self, value: &StrongOf<V, C>) -> Option<StrongOf<V, C>> {
        if self.capacity == 0 {
            return None;
        }
        let addr = C::strong_addr(value);
        if let Some(at) = self.find(addr) {
            if at != self.head {
                self.unlink(at);
                self.push_front(at);
            }
            return None;
        }
        // Full: the least recently used node's slot takes the new value.
        let (at, released) = if self.nodes.len() < self.capacity {
            self.nodes.push(Node {
                value: value.clone(),
                newer: NIL,
                older: NIL,
            });
            (self.nodes.len() - 1, None)
        } else {
            let at = self.tail;
            self.unlink(at);
            self.index_entry(at).remove();
            (
                at,
                Some(mem::replace(&mut self.nodes[at].value, value.clone())),
            )
        };
        let nodes = &self.nodes;
        self.index
            .insert_unique(addr_hash(addr), at, |&i| Self::hash_at(nodes, i));
        self.push_front(at);
        released
    }

    /// Stops holding `previous` (unless it is `value`), then
    /// [`touch`](Self::touch)es `value`; returns the values let go.
    fn replace(
        &mut self,
        previous: Option<&StrongOf<V, C>>,
        value: &StrongOf<V, C>,
    ) -> [Option<StrongOf<V, C>>; 2] {
        let replaced = previous
            .filter(|previous| C::strong_addr(previous) != C::strong_addr(value))
            .and_then(|previous| self.remove(previous));
        [replaced, self.touch(value)]
    }

    /// Holds at most `capacity` values from now on; returns those let go,
    /// least recently used first.
    fn set_capacity(&mut self, capacity: usize) -> Vec<StrongOf<V, C>> {
        self.capacity = capacity;
        let mut released = Vec::new();
        while self.nodes.len() > capacity {
            released.push(self.remove_at(self.tail));
        }
        released
    }

    /// Stops holding `value`; returns the held handle.
    fn remove(&mut self, value: &StrongOf<V, C>) -> Option<StrongOf<V, C>> {
        let at = self.find(C::strong_addr(value))?;
        Some(self.remove_at(at))
    }

    /// Unlinks `nodes[at]` and takes it out of `nodes` and the index (the
    /// last node moves into its slot); returns its value.
    fn remove_at(&mut self, at: usize) -> StrongOf<V, C> {
        self.unlink(at);
        self.index_entry(at).remove();
        let last = self.nodes.len() - 1;
        if at != last {
            *self.index_entry(last).into_mut() = at;
        }
        let node = self.nodes.swap_remove(at);
        if at != last {
            // The node that was last is now at `at`: its neighbours point
            // at `at`.
            let Node { newer, older, .. } = self.nodes[at];
            self.point(newer, older, at, at);
        }
        node.value
    }

    /// The index entry of `nodes[at]`.
    fn index_entry(&mut self, at: usize) -> OccupiedEntry<'_, usize> {
        let hash = Self::hash_at(&self.nodes, at);
        let Ok(entry) = self.index.find_entry(hash, |&i| i == at) else {
            unreachable!("every held node is indexed")
        };
        entry
    }

    /// Takes `nodes[at]` out of the list (its links are left stale).
    fn unlink(&mut self, at: usize) {
        let Node { newer, older, .. } = self.nodes[at];
        self.point(newer, older, older, newer);
    }

    /// Sets the older link of `newer` (or the head, if `newer` is [`NIL`])
    /// to `to_older`, and the newer link of `older` (or the tail) to
    /// `to_newer`.
    fn point(&mut self, newer: usize, older: usize, to_older: usize, to_newer: usize) {
        match newer {
            NIL => self.head = to_older,
            newer => self.nodes[newer].older = to_older,
        }
        match older {
            NIL => self.tail = to_newer,
            older => self.nodes[older].newer = to_newer,
        }
    }

    /// Links `nodes[at]` in as the most recently used.
    fn push_front(&mut self, at: usize) {
        self.nodes[at].newer = NIL;
        self.nodes[at].older = self.head;
        match self.head {
            NIL => self.tail = at,
            head => self.nodes[head].newer = at,
        }
        self.head = at;
    }

    /// Stops holding anything; returns the held values.
    fn clear(&mut self) -> Vec<Node<StrongOf<V, C>>> {
        self.index.clear();
        self.head = NIL;
        self.tail = NIL;
        mem::take(&mut self.nodes)
    }
}
