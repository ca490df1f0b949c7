//! [`PtrWeakKeyMap`]: a weak-keyed map whose keys are compared by identity.

use core::fmt;
use core::hash::BuildHasher;
use core::ptr;

use super::family::WeakFamily;
use super::key_map::{
    Drain, Entry, IntoIter, Iter, IterMut, KeyRefs, Keys, Values, ValuesMut, submap_len,
};
use super::raw::{KeyTable, Shown, Slot, StrongOf, WeakOf};
use crate::Strong;
use crate::count::RawCount;
use crate::storage::Global;

/// A hash map whose keys are held weakly and compared by **identity** (the
/// allocation a handle points to), not by value: a Rust addition to
/// Python's `WeakKeyDictionary`, for keys that are not `Hash`/`Eq` or whose
/// equality is not the point (attaching data to objects).
/// **[`len`](Self::len) is not Python's `len()`**: it is O(1) and counts
/// the entries in the table, including dead ones not yet purged;
/// [`live_len`](Self::live_len) counts the live ones (in O(capacity)), and
/// [`is_empty`](Self::is_empty) and the `Debug` output see live entries
/// only (`Debug` shows both counts).
///
/// Two equal but distinct keys are two entries. A dead key's allocation is
/// kept by the map's weak handle until its entry is purged, so no new value
/// can reuse its address meanwhile: identity is never confused.
///
/// The rest is [`WeakKeyMap`](super::WeakKeyMap)'s: keys go in as
/// `&Strong<K>`, dead entries are never returned, dead entries are purged
/// in bulk (see the [module docs](super#dead-entries-len-and-purging)),
/// and iterators yield the weak keys upgraded, as `Strong<K>`, and the
/// owned values by reference (see
/// [`WeakValueMap`](super::WeakValueMap#iterator-items)).
///
/// # Examples
///
/// [`insert_new`](Self::insert_new) takes the key itself and returns the
/// strong handle that keeps the entry alive (`insert(&Rc::new(k), v)`
/// would store an entry that is dead at once).
///
/// ```
/// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// struct Widget; // neither Hash nor Eq
///
/// let mut labels: PtrWeakKeyMap<Widget, &str> = PtrWeakKeyMap::default();
/// let ok = labels.insert_new(Widget, "ok button");
/// let cancel = labels.insert_new(Widget, "cancel button");
/// assert_eq!(labels.get(&ok), Some(&"ok button"));
/// drop(cancel);
/// assert_eq!(labels.live_len(), 1);
/// ```
pub struct PtrWeakKeyMap<K: ?Sized, V, C: WeakFamily, S> {
    raw: KeyTable<K, V, C>,
    hash_builder: S,
}

/// Whether `stored` is a handle to `key`'s allocation.
#[inline]
fn same<K: ?Sized, C: WeakFamily>(stored: &WeakOf<K, C>, key: &StrongOf<K, C>) -> bool {
    ptr::eq(C::weak_addr(stored), C::strong_addr(key))
}

#[cfg(feature = "std")]
impl<K: ?Sized, V, C: WeakFamily> PtrWeakKeyMap<K, V, C, std::hash::RandomState> {
    /// An empty map with std's `RandomState` hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::new();
    /// assert!(map.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(std::hash::RandomState::new())
    }

    /// An empty map with room for `capacity` entries, with std's
    /// `RandomState` hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::with_capacity(10);
    /// assert!(map.capacity() >= 10);
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, std::hash::RandomState::new())
    }
}

impl<K: ?Sized, V, C: WeakFamily, S> PtrWeakKeyMap<K, V, C, S> {
    /// An empty map that hashes addresses with `hash_builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::PtrWeakKeyMap;
    /// use weakref_core::count::LocalCount;
    /// let map = PtrWeakKeyMap::<u8, u8, LocalCount, _>::with_hasher(RandomState::new());
    /// assert!(map.is_empty());
    /// ```
    #[must_use]
    pub const fn with_hasher(hash_builder: S) -> Self {
        PtrWeakKeyMap {
            raw: KeyTable::new(),
            hash_builder,
        }
    }

    /// An empty map with room for `capacity` entries, hashing addresses
    /// with `hash_builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::PtrWeakKeyMap;
    /// use weakref_core::count::LocalCount;
    /// let map = PtrWeakKeyMap::<u8, u8, LocalCount, _>::with_capacity_and_hasher(4, RandomState::new());
    /// assert!(map.capacity() >= 4);
    /// ```
    #[must_use]
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        PtrWeakKeyMap {
            raw: KeyTable::with_capacity(capacity),
            hash_builder,
        }
    }

    /// The map's hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use std::hash::BuildHasher;
    /// let map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// let _ = map.hasher().hash_one(0usize);
    /// ```
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// How many entries the map can hold before it allocates again.
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// assert_eq!(map.capacity(), 0);
    /// ```
    pub fn capacity(&self) -> usize {
        self.raw.capacity()
    }

    /// The number of entries, **including dead ones not yet purged**, in
    /// O(1); [`live_len`](Self::live_len) is exact.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// map.insert(&Rc::new(1), 1); // dies at once
    /// assert_eq!((map.len(), map.live_len()), (1, 0));
    /// ```
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether no entry is alive: `live_len() == 0`, which may hold while
    /// `len() > 0` (dead entries not yet purged). It stops at the first
    /// live entry: O(1) when the map has no entry or its live entries are
    /// not rare, O(capacity) at worst.
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// assert!(map.is_empty());
    /// let key = map.insert_new(1, 1);
    /// assert!(!map.is_empty());
    /// drop(key);
    /// assert!(map.is_empty() && map.len() == 1); // dead, not yet purged
    /// ```
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The exact number of live entries, in O(capacity).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// map.insert(&key, 1);
    /// assert_eq!(map.live_len(), 1);
    /// ```
    pub fn live_len(&self) -> usize {
        self.raw.live_len()
    }

    /// Removes every dead entry now, dropping their values.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// map.insert(&Rc::new(1), 1);
    /// map.purge();
    /// assert!(map.is_empty());
    /// ```
    #[doc(alias = "remove_expired")]
    pub fn purge(&mut self) {
        self.raw.purge(Slot::hash);
    }

    /// Removes every entry, keeping the allocation.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// map.insert(&key, 1);
    /// map.clear();
    /// assert!(map.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.raw.clear();
    }

    /// Keeps only the live entries for which `f` returns `true`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let keys: Vec<Rc<u8>> = (0..4).map(Rc::new).collect();
    /// let mut map: PtrWeakKeyMap<u8, u8> = keys.iter().map(|k| (k, **k)).collect();
    /// map.retain(|_, v| *v < 2);
    /// assert_eq!(map.live_len(), 2);
    /// ```
    pub fn retain(&mut self, f: impl FnMut(&StrongOf<K, C>, &mut V) -> bool) {
        self.raw.retain_live(f);
    }

    /// Removes and returns one live entry, dropping the dead ones it meets
    /// (Python's `popitem`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// map.insert(&key, 10);
    /// assert_eq!(map.pop_any().map(|(_, v)| v), Some(10));
    /// ```
    #[doc(alias = "popitem")]
    pub fn pop_any(&mut self) -> Option<(StrongOf<K, C>, V)> {
        self.raw.pop_any()
    }

    /// An iterator over the live entries (see [`Iter`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// map.insert(&key, 10);
    /// assert!(map.iter().all(|(k, v)| Rc::ptr_eq(&k, &key) && *v == 10));
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V, C> {
        self.raw.iter()
    }

    /// An iterator over the live entries with mutable values.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// map.insert(&key, 10);
    /// map.iter_mut().for_each(|(_, v)| *v += 1);
    /// assert_eq!(map.get(&key), Some(&11));
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V, C> {
        self.raw.iter_mut()
    }

    /// An iterator over new strong handles to the live keys.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// map.insert(&key, 10);
    /// assert_eq!(map.keys().count(), 1);
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V, C> {
        self.raw.keys()
    }

    /// An iterator over the values of the live entries.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// map.insert(&key, 10);
    /// assert_eq!(map.values().copied().collect::<Vec<_>>(), [10]);
    /// ```
    pub fn values(&self) -> Values<'_, K, V, C> {
        self.raw.values()
    }

    /// An iterator over the values of the live entries, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// map.insert(&key, 10);
    /// map.values_mut().for_each(|v| *v = 0);
    /// assert_eq!(map.get(&key), Some(&0));
    /// ```
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V, C> {
        self.raw.values_mut()
    }

    /// An iterator over the weak handles of the live keys (Python's
    /// `keyrefs()`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// map.insert(&key, 10);
    /// assert!(map.key_refs().all(|w| w.upgrade().is_some()));
    /// ```
    #[doc(alias = "keyrefs")]
    pub fn key_refs(&self) -> KeyRefs<'_, K, V, C> {
        self.raw.key_refs()
    }

    /// Removes every entry, yielding the live ones.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// map.insert(&key, 10);
    /// assert_eq!(map.drain().count(), 1);
    /// assert!(map.is_empty());
    /// ```
    pub fn drain(&mut self) -> Drain<'_, K, V, C> {
        self.raw.drain_live()
    }
}

super::key_map::weak_keyed_methods!(
    PtrWeakKeyMap,
    " # type Map<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;"
);

impl<K: ?Sized, V, C: WeakFamily, S: BuildHasher> PtrWeakKeyMap<K, V, C, S> {
    #[inline]
    fn hash(&self, key: &StrongOf<K, C>) -> u64 {
        super::raw::hash_one(&self.hash_builder, &C::strong_addr(key))
    }

    /// Maps `key`'s allocation (held weakly) to `value`, returning the
    /// previous value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let (a, b) = (Rc::new(1), Rc::new(1)); // equal, distinct
    /// let mut map: PtrWeakKeyMap<i32, &str> = PtrWeakKeyMap::default();
    /// assert_eq!(map.insert(&a, "a"), None);
    /// assert_eq!(map.insert(&b, "b"), None);
    /// assert_eq!(map.insert(&a, "A"), Some("a"));
    /// assert_eq!(map.live_len(), 2);
    /// ```
    #[inline]
    pub fn insert(&mut self, key: &StrongOf<K, C>, value: V) -> Option<V> {
        let hash = self.hash(key);
        self.raw
            .insert(hash, key, value, |stored| same::<K, C>(stored, key))
    }

    /// Moves `key` into a new allocation, maps it to `value`, and returns
    /// the strong handle: the entry lives as long as it (or a clone) does.
    /// The insert that cannot store a dead entry (a new allocation is
    /// never already a key).
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: PtrWeakKeyMap<u8, &str> = PtrWeakKeyMap::default();
    /// let (a, b) = (map.insert_new(1, "a"), map.insert_new(1, "b")); // two keys
    /// assert_eq!((map.get(&a), map.get(&b)), (Some(&"a"), Some(&"b")));
    /// drop(a);
    /// assert_eq!(map.live_len(), 1);
    /// ```
    #[must_use = "the map holds the key weakly: dropping the returned handle kills the entry"]
    pub fn insert_new(&mut self, key: K, value: V) -> StrongOf<K, C>
    where
        K: Sized,
    {
        let key = C::new(key);
        self.insert(&key, value);
        key
    }

    /// The value stored for `key`'s allocation.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let (a, b) = (Rc::new(1), Rc::new(1));
    /// let mut map: PtrWeakKeyMap<i32, &str> = PtrWeakKeyMap::default();
    /// map.insert(&a, "a");
    /// assert_eq!(map.get(&a), Some(&"a"));
    /// assert_eq!(map.get(&b), None);
    /// ```
    #[inline]
    pub fn get(&self, key: &StrongOf<K, C>) -> Option<&V> {
        let hash = self.hash(key);
        self.raw
            .find(hash, |stored| same::<K, C>(stored, key))
            .map(|slot| &slot.value)
    }

    /// The value stored for `key`'s allocation, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let a = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<i32, i32> = PtrWeakKeyMap::default();
    /// map.insert(&a, 1);
    /// *map.get_mut(&a).unwrap() += 1;
    /// assert_eq!(map.get(&a), Some(&2));
    /// ```
    #[inline]
    pub fn get_mut(&mut self, key: &StrongOf<K, C>) -> Option<&mut V> {
        let hash = self.hash(key);
        self.raw
            .find_mut(hash, |stored| same::<K, C>(stored, key))
            .map(|slot| &mut slot.value)
    }

    /// Whether `key`'s allocation has an entry.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let a = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<i32, ()> = PtrWeakKeyMap::default();
    /// map.insert(&a, ());
    /// assert!(map.contains_key(&a));
    /// assert!(!map.contains_key(&Rc::new(1)));
    /// ```
    #[inline]
    pub fn contains_key(&self, key: &StrongOf<K, C>) -> bool {
        self.get(key).is_some()
    }

    /// A new strong handle to `key`'s allocation, with its value, if it has
    /// an entry (std's `get_key_value`; the key is `key`'s allocation
    /// itself).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: PtrWeakKeyMap<u8, &str> = PtrWeakKeyMap::default();
    /// let a = map.insert_new(1, "a");
    /// let (key, value) = map.get_key_value(&a).unwrap();
    /// assert!(Rc::ptr_eq(&key, &a) && *value == "a");
    /// assert!(map.get_key_value(&Rc::new(1)).is_none());
    /// ```
    pub fn get_key_value(&self, key: &StrongOf<K, C>) -> Option<(StrongOf<K, C>, &V)> {
        Some((Clone::clone(key), self.get(key)?))
    }

    /// Removes the entry of `key`'s allocation, returning a strong handle
    /// to the key and the value (std's `remove_entry`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: PtrWeakKeyMap<u8, &str> = PtrWeakKeyMap::default();
    /// let a = map.insert_new(1, "a");
    /// let (key, value) = map.remove_entry(&a).unwrap();
    /// assert!(Rc::ptr_eq(&key, &a) && value == "a");
    /// assert!(map.remove_entry(&a).is_none());
    /// ```
    pub fn remove_entry(&mut self, key: &StrongOf<K, C>) -> Option<(StrongOf<K, C>, V)> {
        Some((Clone::clone(key), self.remove(key)?))
    }

    /// Removes the entry of `key`'s allocation, returning its value
    /// (Python's `pop`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let a = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<i32, &str> = PtrWeakKeyMap::default();
    /// map.insert(&a, "a");
    /// assert_eq!(map.remove(&a), Some("a"));
    /// assert!(map.is_empty());
    /// ```
    #[doc(alias = "pop")]
    #[inline]
    pub fn remove(&mut self, key: &StrongOf<K, C>) -> Option<V> {
        let hash = self.hash(key);
        self.raw
            .remove(hash, |stored| same::<K, C>(stored, key))
            .map(|slot| slot.value)
    }

    /// The entry of `key`'s allocation, to read or fill in place.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let a = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<i32, u32> = PtrWeakKeyMap::default();
    /// *map.entry(&a).or_default() += 1;
    /// *map.entry(&a).or_default() += 1;
    /// assert_eq!(map.get(&a), Some(&2));
    /// ```
    pub fn entry(&mut self, key: &StrongOf<K, C>) -> Entry<'_, K, V, C> {
        let hash = self.hash(key);
        // A match is `key`'s own allocation, alive since `key` is.
        let entry = self.raw.entry(hash, |stored| {
            same::<K, C>(stored, key).then(|| Clone::clone(key))
        });
        Entry::new(entry, key, hash)
    }

    /// The value of `key`'s allocation, or `make()` stored and returned
    /// (Python's `setdefault`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let a = Rc::new(1);
    /// let mut map: PtrWeakKeyMap<i32, Vec<u8>> = PtrWeakKeyMap::default();
    /// map.get_or_insert_with(&a, Vec::new).push(1);
    /// assert_eq!(map.get(&a), Some(&vec![1]));
    /// ```
    #[doc(alias = "setdefault")]
    pub fn get_or_insert_with(&mut self, key: &StrongOf<K, C>, make: impl FnOnce() -> V) -> &mut V {
        self.entry(key).or_insert_with(make)
    }

    /// Makes room for at least `additional` more entries without growing.
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::default();
    /// map.reserve(8);
    /// assert!(map.capacity() >= 8);
    /// ```
    pub fn reserve(&mut self, additional: usize) {
        self.raw.reserve(additional, Slot::hash);
    }

    /// The live entries of `self` if each has a match in `other` (see
    /// [`is_submap_with`](Self::is_submap_with)), counted on the way.
    fn submap_len<W, S2>(
        &self,
        other: &PtrWeakKeyMap<K, W, C, S2>,
        value_eq: impl FnMut(&V, &W) -> bool,
    ) -> Option<usize>
    where
        S2: BuildHasher,
    {
        submap_len(self.iter(), |key| other.get(key), value_eq)
    }

    /// Purges the dead entries, then shrinks the allocation to fit.
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: PtrWeakKeyMap<u8, u8> = PtrWeakKeyMap::with_capacity(64);
    /// map.shrink_to_fit();
    /// assert_eq!(map.capacity(), 0);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.raw.shrink_to(0, Slot::hash);
    }
}

impl<K: ?Sized, V, C: WeakFamily, S: Default> Default for PtrWeakKeyMap<K, V, C, S> {
    /// An empty map with the default hasher.
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<K: ?Sized, V: Clone, C: WeakFamily, S: Clone> Clone for PtrWeakKeyMap<K, V, C, S> {
    /// A copy holding the live entries only; keys shared, values cloned.
    fn clone(&self) -> Self {
        PtrWeakKeyMap {
            raw: self.raw.clone(),
            hash_builder: self.hash_builder.clone(),
        }
    }
}

impl<K: ?Sized + fmt::Debug, V: fmt::Debug, C: WeakFamily, S> fmt::Debug
    for PtrWeakKeyMap<K, V, C, S>
{
    /// `len`, `live_len` and the live entries, as a map.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.debug(f, "PtrWeakKeyMap", |f| {
            f.debug_map()
                .entries(self.iter().map(|(k, v)| (Shown(k), v)))
                .finish()
        })
    }
}

super::key_map::weak_keyed_submap!(
    PtrWeakKeyMap,
    " # type Map<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;",
);

impl<K: ?Sized, V: PartialEq, C: WeakFamily, S: BuildHasher> PartialEq
    for PtrWeakKeyMap<K, V, C, S>
{
    /// Whether the two maps have the same live keys (the same
    /// allocations), with equal values. Dead entries do not count. Under
    /// `Arc`, keys dying on other threads meanwhile may make the answer
    /// reflect neither the state before nor after.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakKeyMap<K, V> = weakref_core::collections::PtrWeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let (mut a, mut b): (PtrWeakKeyMap<u8, u8>, PtrWeakKeyMap<u8, u8>) = Default::default();
    /// let key = a.insert_new(1, 5);
    /// b.insert(&key, 5);
    /// b.insert(&Rc::new(2), 6); // dead at once: does not count
    /// assert_eq!(a, b);
    /// a.insert(&Rc::new(1), 5); // dead too
    /// let _other = b.insert_new(1, 5); // an equal key, another allocation
    /// assert_ne!(a, b);
    /// ```
    fn eq(&self, other: &Self) -> bool {
        self.submap_len(other, |v, w| *v == *w) == Some(other.live_len())
    }
}

impl<K: ?Sized, V: Eq, C: WeakFamily, S: BuildHasher> Eq for PtrWeakKeyMap<K, V, C, S> {}

impl<'a, K, V, C, S> Extend<(&'a StrongOf<K, C>, V)> for PtrWeakKeyMap<K, V, C, S>
where
    K: ?Sized + 'a,
    C: WeakFamily + 'a,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (&'a StrongOf<K, C>, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key, value);
        }
    }
}

impl<K: ?Sized, V, C: RawCount, S: BuildHasher> Extend<(Strong<K, C, Global>, V)>
    for PtrWeakKeyMap<K, V, C, S>
{
    /// Inserts each pair; a key whose only strong handle was the one passed
    /// in dies at once.
    fn extend<I: IntoIterator<Item = (Strong<K, C, Global>, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(&key, value);
        }
    }
}

impl<'a, K, V, C, S> FromIterator<(&'a StrongOf<K, C>, V)> for PtrWeakKeyMap<K, V, C, S>
where
    K: ?Sized + 'a,
    C: WeakFamily + 'a,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (&'a StrongOf<K, C>, V)>>(iter: I) -> Self {
        let mut map = Self::default();
        map.extend(iter);
        map
    }
}

impl<K: ?Sized, V, C: RawCount, S: BuildHasher + Default> FromIterator<(Strong<K, C, Global>, V)>
    for PtrWeakKeyMap<K, V, C, S>
{
    fn from_iter<I: IntoIterator<Item = (Strong<K, C, Global>, V)>>(iter: I) -> Self {
        let mut map = Self::default();
        map.extend(iter);
        map
    }
}

impl<'a, K: ?Sized, V, C: WeakFamily, S> IntoIterator for &'a PtrWeakKeyMap<K, V, C, S> {
    type Item = (StrongOf<K, C>, &'a V);
    type IntoIter = Iter<'a, K, V, C>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K: ?Sized, V, C: WeakFamily, S> IntoIterator for &'a mut PtrWeakKeyMap<K, V, C, S> {
    type Item = (StrongOf<K, C>, &'a mut V);
    type IntoIter = IterMut<'a, K, V, C>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<K: ?Sized, V, C: WeakFamily, S> IntoIterator for PtrWeakKeyMap<K, V, C, S> {
    type Item = (StrongOf<K, C>, V);
    type IntoIter = IntoIter<K, V, C>;

    /// The live entries, by value; dead ones are dropped on the way.
    fn into_iter(self) -> Self::IntoIter {
        self.raw.into_live()
    }
}
