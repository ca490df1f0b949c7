//! [`WeakCache`]: a weak-valued map shared by `&self` between threads.

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use super::raw::StrongOf;
use super::sharded::{DEFAULT_SHARDS, Shards};
use super::value_map::WeakValueMap;
use crate::count::RawCount;

/// A weak-valued map that many threads use at once through `&self`: a
/// cache or an interning table. Each key maps weakly to a value; an entry
/// stops being returned when its value's last strong handle is dropped.
///
/// The map is split into shards (by the key's hash), each a
/// [`WeakValueMap`] behind its own lock, so threads working on different
/// keys rarely wait for each other (weak-table and `Mutex<HashMap>` need one
/// lock for everything). A lock is held for one map operation; the user
/// code that runs under it is the keys' `Hash`, `Eq` and `Drop` (of keys
/// replaced or purged) and [`get_or_insert_with`](Self::get_or_insert_with)'s
/// `make`, see there: like any `Mutex<HashMap>`'s, they must not use this
/// same cache (the shard's lock is not re-entrant). Values are never dropped
/// under a lock (the map holds them weakly).
///
/// Python's weak dictionaries had thread bugs this design rules out (each
/// is a named test in `weakref-tests`): `get_or_insert_with` never returns
/// a dead value; after `insert(k, v)`, `k` maps to `v` even if the previous
/// value of `k` dies at that moment (no callback can remove the new entry:
/// dead entries are purged only under the shard's lock, by value identity);
/// [`snapshot`](Self::snapshot) never fails because entries die meanwhile.
///
/// `len` counts entries not yet purged, like [`WeakValueMap::len`];
/// [`live_len`](Self::live_len) is exact. Each shard purges by its size
/// alone (before an insert, once its entries reach twice the live ones of
/// its last purge), not on the count of deaths that bounds a lone
/// `WeakValueMap`'s dead entries after every insert: that count is
/// process-wide, and 32 shards would each rescan after every few dozen
/// deaths anywhere.
///
/// # Examples
///
/// ```
/// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
/// use std::hash::RandomState;
/// use weakref_core::collections::WeakCache;
/// use weakref_core::count::AtomicCount;
///
/// let cache: WeakCache<u32, String, AtomicCount, RandomState> =
///     WeakCache::with_hasher(RandomState::new());
/// let value = std::thread::scope(|s| {
///     let a = s.spawn(|| cache.get_or_insert_with(7, || Arc::new("seven".to_owned())));
///     let b = s.spawn(|| cache.get_or_insert_with(7, || Arc::new("seven".to_owned())));
///     let (a, b) = (a.join().unwrap(), b.join().unwrap());
///     assert!(Arc::ptr_eq(&a, &b)); // one live value per key
///     a
/// });
/// assert_eq!(cache.get(&7).as_deref().map(String::as_str), Some("seven"));
/// drop(value);
/// assert!(cache.get(&7).is_none());
/// ```
pub struct WeakCache<K, V: ?Sized, C: RawCount, S> {
    shards: Shards<WeakValueMap<K, V, C, S>, S>,
}

#[cfg(feature = "std")]
impl<K, V: ?Sized, C: RawCount> WeakCache<K, V, C, std::hash::RandomState> {
    /// An empty cache with std's `RandomState` hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::new();
    /// assert!(cache.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::with_hasher(std::hash::RandomState::new())
    }
}

impl<K, V: ?Sized, C: RawCount, S: BuildHasher + Clone> WeakCache<K, V, C, S> {
    /// An empty cache hashing with `hash_builder`, with the default number
    /// of shards (32).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::with_hasher(RandomState::new());
    /// assert_eq!(cache.shards(), 32);
    /// ```
    pub fn with_hasher(hash_builder: S) -> Self {
        Self::with_shards_and_hasher(DEFAULT_SHARDS, hash_builder)
    }

    /// An empty cache with `shards` shards (rounded up to a power of two):
    /// more shards, fewer threads waiting on one lock; fewer shards,
    /// cheaper [`len`](Self::len) and [`snapshot`](Self::snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> =
    ///     WeakCache::with_shards_and_hasher(6, RandomState::new());
    /// assert_eq!(cache.shards(), 8);
    /// ```
    pub fn with_shards_and_hasher(shards: usize, hash_builder: S) -> Self {
        let make = || WeakValueMap::with_hasher(hash_builder.clone()).for_shard();
        WeakCache {
            shards: Shards::new(shards, hash_builder.clone(), make),
        }
    }
}

impl<K, V: ?Sized, C: RawCount, S> WeakCache<K, V, C, S> {
    /// The number of shards.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::new();
    /// assert!(cache.shards().is_power_of_two());
    /// ```
    pub fn shards(&self) -> usize {
        self.shards.count()
    }

    /// The hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::with_hasher(RandomState::new());
    /// let _hasher: &RandomState = cache.hasher();
    /// ```
    pub fn hasher(&self) -> &S {
        self.shards.hasher()
    }

    /// The number of entries, including dead ones not yet purged (an upper
    /// bound on the live ones). Locks each shard in turn.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::new();
    /// let one = Arc::new(1);
    /// cache.insert(1, &one);
    /// assert_eq!(cache.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        let mut len = 0;
        self.shards.for_each(|map| len += map.len());
        len
    }

    /// Whether [`len`](Self::len) is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::new();
    /// assert!(cache.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The exact number of live entries (each shard at the moment it is
    /// looked at).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::new();
    /// let one = Arc::new(1);
    /// cache.insert(1, &one);
    /// cache.insert(2, &Arc::new(2)); // dead at once
    /// assert_eq!(cache.live_len(), 1);
    /// ```
    pub fn live_len(&self) -> usize {
        let mut len = 0;
        self.shards.for_each(|map| len += map.live_len());
        len
    }

    /// Removes every dead entry now.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::new();
    /// cache.insert(1, &Arc::new(1)); // dead at once
    /// cache.purge();
    /// assert_eq!(cache.len(), 0);
    /// ```
    pub fn purge(&self) {
        // A dead entry's key, dropped by one shard's purge, may own values
        // of entries in shards already purged: purge them all again while
        // a round erased an entry and the tally moved meanwhile (as a
        // lone map's scan does, see `raw.rs`).
        loop {
            let deaths = C::weak_deaths();
            let mut erased = false;
            self.shards.for_each(|shard| {
                let before = shard.len();
                shard.purge();
                erased |= shard.len() < before;
            });
            if !erased || (deaths.is_some() && C::weak_deaths() == deaths) {
                break;
            }
        }
    }

    /// Removes every entry.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::new();
    /// let one = Arc::new(1);
    /// cache.insert(1, &one);
    /// cache.clear();
    /// assert!(cache.get(&1).is_none());
    /// ```
    pub fn clear(&self) {
        self.shards.for_each(WeakValueMap::clear);
    }

    /// The live entries at one moment: every shard is locked (in order)
    /// while they are copied out, so the snapshot is consistent across
    /// shards. The returned strong handles keep the values alive.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::new();
    /// let (one, two) = (Arc::new(1), Arc::new(2));
    /// cache.insert(1, &one);
    /// cache.insert(2, &two);
    /// drop(two);
    /// let snapshot = cache.snapshot();
    /// assert_eq!(snapshot.len(), 1);
    /// assert_eq!((snapshot[0].0, *snapshot[0].1), (1, 1));
    /// ```
    pub fn snapshot(&self) -> Vec<(K, StrongOf<V, C>)>
    where
        K: Clone,
    {
        let locked = self.shards.lock_all();
        let mut live = Vec::new();
        for map in &locked {
            live.extend(map.iter().map(|(k, v)| (k.clone(), v)));
        }
        live
    }
}

impl<K, V, C, S> WeakCache<K, V, C, S>
where
    K: Hash + Eq,
    V: ?Sized,
    C: RawCount,
    S: BuildHasher,
{
    /// The live value of `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<String, str, AtomicCount, _> = WeakCache::new();
    /// let v: Arc<str> = Arc::from("v");
    /// cache.insert("k".to_owned(), &v);
    /// assert_eq!(cache.get("k").as_deref(), Some("v"));
    /// ```
    pub fn get<Q>(&self, key: &Q) -> Option<StrongOf<V, C>>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.shards.hash(key);
        self.shards.lock(hash).get_hashed(hash, key)
    }

    /// Whether `key` has a live value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::new();
    /// let one = Arc::new(1);
    /// cache.insert(1, &one);
    /// assert!(cache.contains_key(&1));
    /// drop(one);
    /// assert!(!cache.contains_key(&1));
    /// ```
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.shards.hash(key);
        self.shards.lock(hash).contains_key_hashed(hash, key)
    }

    /// Maps `key` to `value` (weakly); returns the previous live value.
    /// The previous value, if any, is dropped after the lock is released.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::new();
    /// let (one, uno) = (Arc::new(1), Arc::new(1));
    /// assert!(cache.insert(1, &one).is_none());
    /// assert!(Arc::ptr_eq(&cache.insert(1, &uno).unwrap(), &one));
    /// ```
    pub fn insert(&self, key: K, value: &StrongOf<V, C>) -> Option<StrongOf<V, C>> {
        let hash = self.shards.hash(&key);
        self.shards.lock(hash).insert_hashed(hash, key, value)
    }

    /// Removes `key`; returns its live value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::new();
    /// let one = Arc::new(1);
    /// cache.insert(1, &one);
    /// assert_eq!(cache.remove(&1).map(|v| *v), Some(1));
    /// assert!(cache.remove(&1).is_none());
    /// ```
    pub fn remove<Q>(&self, key: &Q) -> Option<StrongOf<V, C>>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.shards.hash(key);
        let removed = self.shards.lock(hash).remove_entry_hashed(hash, key);
        removed.map(|(_, value)| value)
    }

    /// The live value of `key`, or the one `make` builds, stored and
    /// returned (Python's `setdefault`, never returning a dead value).
    ///
    /// **`make` runs at most once per miss, under the lock of `key`'s
    /// shard**: callers racing on the same key wait for it and all get the
    /// same value, so at most one value per key is ever live through the
    /// cache (a resource is loaded once). The other keys of that shard wait
    /// too, so keep `make` short, and **`make` must not use this cache**
    /// (that would wait on its own lock forever).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<&str, Vec<u8>, AtomicCount, _> = WeakCache::new();
    /// let image = cache.get_or_insert_with("logo.png", || Arc::new(vec![0; 16]));
    /// let again = cache.get_or_insert_with("logo.png", || unreachable!("cached"));
    /// assert!(Arc::ptr_eq(&image, &again));
    /// ```
    #[doc(alias = "setdefault")]
    pub fn get_or_insert_with(
        &self,
        key: K,
        make: impl FnOnce() -> StrongOf<V, C>,
    ) -> StrongOf<V, C> {
        let hash = self.shards.hash(&key);
        let mut shard = self.shards.lock(hash);
        shard.entry_hashed(hash, key).or_insert_with(make)
    }
}

#[cfg(feature = "std")]
impl<K, V: ?Sized, C: RawCount> Default for WeakCache<K, V, C, std::hash::RandomState> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V: ?Sized, C: RawCount, S> fmt::Debug for WeakCache<K, V, C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakCache")
            .field("shards", &self.shards.count())
            .field("len", &self.len())
            .finish()
    }
}
