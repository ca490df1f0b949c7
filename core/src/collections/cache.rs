//! [`WeakCache`]: a weak-valued map shared by `&self` between threads.

use alloc::borrow::ToOwned;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::convert::Infallible;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use super::raw::StrongOf;
use super::sharded::{DEFAULT_SHARDS, ShardIter, Shards};
use super::value_map::{Entry, WeakValueMap};
use crate::count::RawCount;

/// A weak-valued map that many threads use at once through `&self`: a
/// cache or an interning table. Each key maps weakly to a value; an entry
/// stops being returned when its value's last strong handle is dropped.
///
/// The map is split into shards (by the key's hash), each a
/// [`WeakValueMap`] behind its own reader-writer lock (std's `RwLock`; a
/// spin lock without the `std` feature), so threads working on different
/// keys rarely wait for each other, and lookups of one shard (`get`,
/// `contains_key`, the hits of `get_or_insert_with`) share its lock
/// (weak-table and `Mutex<HashMap>` need one lock for everything). The key
/// is hashed once, for the shard and its table. A lock is held for one map
/// operation; the user code that runs under it is the keys' `Hash`, `Eq`
/// and `Drop` (of keys replaced or purged), the closures of
/// [`get_or_insert_with`](Self::get_or_insert_with) (`make`, see there),
/// [`entry`](Self::entry), [`for_each`](Self::for_each) and
/// [`retain`](Self::retain): like any `Mutex<HashMap>`'s, they must not use
/// this same cache (the shard's lock is not re-entrant). Values are never
/// dropped under a lock (the map holds them weakly; the visits keep the
/// handles they lend until the lock is released), except by an `entry`
/// closure that drops the last handle itself.
///
/// Python's weak dictionaries had thread bugs this design rules out (each
/// is a named test in `weakref-tests`): `get_or_insert_with` never returns
/// a dead value; after `insert(k, v)`, `k` maps to `v` even if the previous
/// value of `k` dies at that moment (no callback can remove the new entry:
/// dead entries are purged only under the shard's lock, by value identity);
/// [`snapshot`](Self::snapshot) never fails because entries die meanwhile.
///
/// # Values that die right after each lookup
///
/// The cache holds its values weakly: a value lives only as long as some
/// caller keeps a strong handle. A caller that drops the handle right
/// after each lookup leaves the value dead by the next one, so **every
/// such `get_or_insert_with` is a miss and runs `make` again** (a reload,
/// not a cache hit). Measured with `benches/cache.rs -- icount`
/// (`get_or_insert_with` on one `u64` key, `make` allocating an `Arc<u64>`):
/// 106 instructions a call while a handle is kept, 421 when each call's
/// handle is dropped at once (a lookup under the shared lock, a second one
/// under the exclusive lock, `make`, the insert, the value's death and
/// free), before whatever `make` itself costs: a decoded image is decoded
/// again on every call. Keep a strong handle for as long as the value
/// should stay cached: in the caller, or with a
/// [`WeakLruCache`](super::WeakLruCache), this cache with a layer that
/// holds the most recently used values.
///
/// `len` counts entries not yet purged, like [`WeakValueMap::len`];
/// [`live_len`](Self::live_len) is exact. Each shard purges by its size
/// alone (before an insert, once its entries reach four times the live
/// ones of its last purge), not on the count of deaths that bounds a lone
/// `WeakValueMap`'s dead entries after every insert: that count is
/// process-wide, and 32 shards would each rescan after every few dozen
/// deaths anywhere. Four times, not twice: dead entries (a key and a dead
/// block each) may reach three times the live ones, for half the purges
/// (measured on `benches/cache.rs`'s 1-thread mix, where values die all
/// the time: 123.7 -> 119.0 instructions an operation).
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

    /// An empty cache with room for `capacity` entries (spread over its
    /// shards) before any shard grows, with std's `RandomState` hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::with_capacity(1000);
    /// assert!(cache.capacity() >= 1000);
    /// ```
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, std::hash::RandomState::new())
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
        Self::with_shards_capacity_and_hasher(shards, 0, hash_builder)
    }

    /// An empty cache with room for `capacity` entries (spread over its
    /// shards) before any shard grows, hashing with `hash_builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> =
    ///     WeakCache::with_capacity_and_hasher(1000, RandomState::new());
    /// assert!(cache.capacity() >= 1000);
    /// ```
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        Self::with_shards_capacity_and_hasher(DEFAULT_SHARDS, capacity, hash_builder)
    }

    fn with_shards_capacity_and_hasher(shards: usize, capacity: usize, hash_builder: S) -> Self {
        let make = |capacity| {
            WeakValueMap::with_capacity_and_hasher(capacity, hash_builder.clone()).for_shard()
        };
        WeakCache {
            shards: Shards::new(shards, capacity, hash_builder.clone(), make),
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

    /// The number of entries the shards hold without growing (their sum).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::with_capacity(64);
    /// assert!(cache.capacity() >= 64);
    /// ```
    pub fn capacity(&self) -> usize {
        let mut capacity = 0;
        self.shards.for_each(|map| capacity += map.capacity());
        capacity
    }

    /// Calls `f` on each live entry. Shard by shard: each shard is seen
    /// at one moment, under its shared lock (lookups go on meanwhile;
    /// changes to that shard wait), but the shards are not seen at the
    /// same moment, unlike [`snapshot`](Self::snapshot): an entry moved
    /// between keys meanwhile may be seen twice or not at all. `f` runs
    /// under the lock, so it must not use this cache; the values it sees
    /// are kept alive until the shard's lock is released, so none is
    /// dropped under it.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u32, AtomicCount, _> = WeakCache::new();
    /// let values: Vec<Arc<u32>> = (0..4).map(Arc::new).collect();
    /// for (k, v) in values.iter().enumerate() {
    ///     cache.insert(k as u8, v);
    /// }
    /// cache.insert(9, &Arc::new(9)); // dead at once: not visited
    /// let mut sum = 0;
    /// cache.for_each(|_key, value| sum += **value);
    /// assert_eq!(sum, 6);
    /// ```
    pub fn for_each(&self, mut f: impl FnMut(&K, &StrongOf<V, C>)) {
        self.shards.visit(|map, held| {
            for (key, value) in map.iter() {
                f(key, &value);
                held.push(value);
            }
        });
    }

    /// An iterator over the live entries, each key cloned with a strong
    /// handle to its value. It copies one shard at a time, under that
    /// shard's shared lock, and yields the copy after releasing it: the
    /// loop body may use the cache. As with [`for_each`](Self::for_each),
    /// each shard is seen at one moment, the shards one after another.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<String, u32, AtomicCount, _> = WeakCache::new();
    /// let one = Arc::new(1);
    /// cache.insert("one".to_owned(), &one);
    /// for (key, value) in cache.iter() {
    ///     cache.remove(&key); // the cache is not locked here
    ///     assert_eq!(*value, 1);
    /// }
    /// assert!(cache.get("one").is_none());
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V, C, S>
    where
        K: Clone,
    {
        Iter {
            inner: self.shards.iter(|map| {
                map.iter()
                    .map(|(key, value)| (key.clone(), value))
                    .collect()
            }),
        }
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

    /// Whether no entry is alive: [`live_len`](Self::live_len) is 0, as
    /// for the weak maps, which may hold while [`len`](Self::len) is not
    /// (dead entries not yet purged). Each shard stops at its first live
    /// entry.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u8, u8, AtomicCount, _> = WeakCache::new();
    /// assert!(cache.is_empty());
    /// let one = Arc::new(1);
    /// cache.insert(1, &one);
    /// assert!(!cache.is_empty());
    /// drop(one);
    /// assert!(cache.is_empty() && cache.len() == 1); // dead, not yet purged
    /// ```
    pub fn is_empty(&self) -> bool {
        let mut empty = true;
        self.shards.for_each(|map| empty &= map.is_empty());
        empty
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
        self.shards.for_each_mut(WeakValueMap::clear);
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
        let locked = self.shards.read_all();
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
    /// Keeps only the live entries for which `f` returns `true`; dead
    /// entries are removed too. Shard by shard, each under its exclusive
    /// lock (see [`for_each`](Self::for_each) for what that means, and for
    /// `f`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u32, u32, AtomicCount, _> = WeakCache::new();
    /// let values: Vec<Arc<u32>> = (0..6).map(Arc::new).collect();
    /// for v in &values {
    ///     cache.insert(**v, v);
    /// }
    /// cache.retain(|_key, value| **value % 2 == 0);
    /// assert_eq!(cache.live_len(), 3);
    /// assert!(cache.get(&1).is_none());
    /// ```
    pub fn retain(&self, mut f: impl FnMut(&K, &StrongOf<V, C>) -> bool) {
        self.shards.visit_mut(|map, held| {
            map.retain(|key, value| {
                held.push(value.clone());
                f(key, value)
            });
        });
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
            self.shards.for_each_mut(|shard| {
                let before = shard.len();
                shard.purge();
                erased |= shard.len() < before;
            });
            if !erased || (deaths.is_some() && C::weak_deaths() == deaths) {
                break;
            }
        }
    }

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
    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<StrongOf<V, C>>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.shards.hash(key);
        self.shards.read(hash).get_hashed(hash, key)
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
    #[inline]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.shards.hash(key);
        self.shards.read(hash).contains_key_hashed(hash, key)
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
        self.shards.write(hash).insert_hashed(hash, key, value)
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
        let removed = self.shards.write(hash).remove_entry_hashed(hash, key);
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
    /// (that would wait on its own lock forever). A hit takes the shard's
    /// lock shared only.
    ///
    /// To look up by a borrowed key (a `&str` for a `String` key), see
    /// [`get_or_insert_with_key`](Self::get_or_insert_with_key).
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
        let Ok(value) = self.try_get_or_insert_with(key, || Ok::<_, Infallible>(make()));
        value
    }

    /// [`get_or_insert_with`](Self::get_or_insert_with) with a `make` that
    /// can fail: its error is returned, and nothing is stored (the next
    /// lookup of `key` is a miss again).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<u32, String, AtomicCount, _> = WeakCache::new();
    /// let failed = cache.try_get_or_insert_with(7, || Err("disk on fire"));
    /// assert_eq!(failed.unwrap_err(), "disk on fire");
    /// assert!(cache.is_empty());
    /// let seven = cache.try_get_or_insert_with(7, || Ok::<_, &str>(Arc::new("7".to_owned())));
    /// assert_eq!(seven.unwrap().as_str(), "7");
    /// ```
    pub fn try_get_or_insert_with<E>(
        &self,
        key: K,
        make: impl FnOnce() -> Result<StrongOf<V, C>, E>,
    ) -> Result<StrongOf<V, C>, E> {
        let hash = match self.probe(&key) {
            Ok(found) => return Ok(found),
            Err(hash) => hash,
        };
        fill(self.shards.write(hash).entry_hashed(hash, key), make)
    }

    /// The live value of the key equal to `key`, or the one `make` builds
    /// from `key`, stored under `key.to_owned()` and returned: the owned
    /// key is made only on a miss (a `String`-keyed cache looked up by
    /// `&str` allocates nothing on a hit). Otherwise as
    /// [`get_or_insert_with`](Self::get_or_insert_with): `make` runs at most
    /// once per miss, under the shard's lock, and must not use this cache.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<String, usize, AtomicCount, _> = WeakCache::new();
    /// let len = cache.get_or_insert_with_key("sunset.png", |name| Arc::new(name.len()));
    /// let again = cache.get_or_insert_with_key("sunset.png", |_| unreachable!("cached"));
    /// assert!(Arc::ptr_eq(&len, &again));
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
        let Ok(value) = self.try_get_or_insert_with_key(key, |key| Ok::<_, Infallible>(make(key)));
        value
    }

    /// [`get_or_insert_with_key`](Self::get_or_insert_with_key) with a
    /// `make` that can fail: its error is returned, and nothing is stored
    /// (nor is the owned key made).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<String, u64, AtomicCount, _> = WeakCache::new();
    /// let parse = |text: &str| text.parse().map(Arc::new);
    /// let twelve = cache.try_get_or_insert_with_key("12", parse).unwrap();
    /// assert_eq!(*twelve, 12);
    /// assert!(cache.try_get_or_insert_with_key("x", parse).is_err());
    /// assert!(cache.contains_key("12") && !cache.contains_key("x"));
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
        let hash = match self.probe(key) {
            Ok(found) => return Ok(found),
            Err(hash) => hash,
        };
        let mut shard = self.shards.write(hash);
        if let Some(found) = shard.get_hashed(hash, key) {
            return Ok(found);
        }
        let value = make(key)?;
        shard.insert_hashed(hash, key.to_owned(), &value);
        Ok(value)
    }

    /// Runs `f` on the [`Entry`] of `key`, under the exclusive lock of its
    /// shard, and returns what `f` returns: an entry whose value is alive
    /// is [`Entry::Occupied`] (holding a strong handle), a missing or dead
    /// one [`Entry::Vacant`]. For what [`get_or_insert_with`] cannot
    /// express: read and decide, replace a live value, remove it.
    ///
    /// `f` runs under the lock: it must not use this cache, and the other
    /// keys of the shard wait for it. A value whose last strong handle is
    /// dropped inside `f` is dropped under the lock; return the handle
    /// from `f` to drop it after.
    ///
    /// [`get_or_insert_with`]: Self::get_or_insert_with
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakCache;
    /// use weakref_core::collections::value_map::Entry;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let cache: WeakCache<&str, u32, AtomicCount, _> = WeakCache::new();
    /// let v1 = Arc::new(1);
    /// cache.insert("version", &v1);
    /// // Replace the value only if the cached one is older than 2.
    /// let v2 = Arc::new(2);
    /// let replaced = cache.entry("version", |entry| match entry {
    ///     Entry::Occupied(mut e) if **e.get() < 2 => Some(e.insert(Arc::clone(&v2))),
    ///     _ => None,
    /// });
    /// assert!(Arc::ptr_eq(&replaced.unwrap(), &v1));
    /// assert_eq!(cache.get("version").as_deref(), Some(&2));
    /// ```
    pub fn entry<R>(&self, key: K, f: impl FnOnce(Entry<'_, K, V, C>) -> R) -> R {
        let hash = self.shards.hash(&key);
        f(self.shards.write(hash).entry_hashed(hash, key))
    }

    /// The live value of `key` (under its shard's shared lock), or the
    /// hash of `key` to insert with.
    #[inline]
    fn probe<Q>(&self, key: &Q) -> Result<StrongOf<V, C>, u64>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.shards.hash(key);
        self.shards.read(hash).get_hashed(hash, key).ok_or(hash)
    }
}

/// The live value of `entry`, or `make()`'s stored in it: the miss path of
/// the `get_or_insert` family, under the shard's exclusive lock (a hit
/// that `probe` missed: another thread filled the entry meanwhile).
fn fill<K, V: ?Sized, C: RawCount, E>(
    entry: Entry<'_, K, V, C>,
    make: impl FnOnce() -> Result<StrongOf<V, C>, E>,
) -> Result<StrongOf<V, C>, E> {
    match entry {
        Entry::Occupied(entry) => Ok(entry.into_value()),
        Entry::Vacant(entry) => Ok(entry.insert(make()?)),
    }
}

/// An iterator over a [`WeakCache`]'s live entries, one shard's copy at a
/// time (see [`WeakCache::iter`]).
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
/// let entries: Vec<(u8, Arc<u8>)> = cache.iter().collect();
/// assert_eq!(entries.len(), 1);
/// ```
pub struct Iter<'a, K, V: ?Sized, C: RawCount, S> {
    inner: Copies<'a, K, V, C, S>,
}

/// A live entry: its key and a strong handle to its value.
type Live<K, V, C> = (K, StrongOf<V, C>);

/// The shards' copies of their live entries, one after another.
type Copies<'a, K, V, C, S> = ShardIter<'a, WeakValueMap<K, V, C, S>, S, Live<K, V, C>>;

impl<K, V: ?Sized, C: RawCount, S> Iterator for Iter<'_, K, V, C, S> {
    type Item = Live<K, V, C>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

impl<K, V: ?Sized, C: RawCount, S> fmt::Debug for Iter<'_, K, V, C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").finish_non_exhaustive()
    }
}

#[cfg(feature = "std")]
impl<K, V: ?Sized, C: RawCount> Default for WeakCache<K, V, C, std::hash::RandomState> {
    fn default() -> Self {
        Self::new()
    }
}

/// The live entries, as a map (shard by shard, see
/// [`WeakCache::for_each`]).
impl<K: fmt::Debug, V: ?Sized + fmt::Debug, C: RawCount, S> fmt::Debug for WeakCache<K, V, C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        self.for_each(|key, value| {
            map.entry(key, &&**value);
        });
        map.finish()
    }
}
