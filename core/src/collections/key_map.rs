//! [`WeakKeyMap`]: Python's `WeakKeyDictionary`; and the iterators and
//! entries it shares with [`PtrWeakKeyMap`](super::PtrWeakKeyMap).

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;
use core::mem;

use hashbrown::hash_table;

use super::family::WeakFamily;
use super::raw::{Cached, Extract, KeyTable, Pick, RawEntry, Shown, Slot, StrongOf, WeakOf};
use crate::Strong;
use crate::count::RawCount;
use crate::storage::Global;

/// A hash map whose keys are held weakly and compared by value: an entry
/// disappears once the last strong handle to its key is dropped (Python's
/// `WeakKeyDictionary`). **[`len`](Self::len) is not Python's `len()`**:
/// it is O(1) and counts the entries in the table, including dead ones
/// not yet purged; [`live_len`](Self::live_len) counts the live ones (in
/// O(capacity)), and [`is_empty`](Self::is_empty) and the `Debug` output
/// see live entries only (`Debug` shows both counts).
///
/// Keys go in as strong handles (`&Strong<K>`: the map keeps a weak one)
/// and are hashed and compared through `K`'s `Hash` and `Eq`; the hash is
/// computed once, at insert, and kept, so the entry of a dead key can still
/// be moved when the table grows. Values are owned by the map; a dead key's
/// value is dropped when its entry is purged.
///
/// * **Equal but distinct keys share one entry**: inserting with a key equal
///   to a live stored one replaces the value and keeps the stored key, so
///   the entry goes when *that* key dies (Python's rule). For identity keys,
///   see [`PtrWeakKeyMap`](super::PtrWeakKeyMap).
/// * **A dead key is never returned**, and never matches a lookup.
/// * **[`len`](Self::len) counts dead entries not yet purged**;
///   [`live_len`](Self::live_len) counts the live ones (see the
///   [module docs](super#dead-entries-len-and-purging)).
///
/// # Examples
///
/// Data attached to objects without touching them, gone with the object.
/// [`insert_new`](Self::insert_new) takes the key itself and returns the
/// strong handle that keeps the entry alive (`insert(&Rc::new(k), v)`
/// would store an entry that is dead at once).
///
/// ```
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let mut visits: WeakKeyMap<String, u32> = WeakKeyMap::default();
/// let page = visits.insert_new("/index.html".to_owned(), 1);
/// *visits.get_or_insert_with(&page, || 0) += 1;
/// assert_eq!(visits.get("/index.html"), Some(&2));
///
/// drop(page);
/// assert_eq!(visits.get("/index.html"), None);
/// assert!(visits.is_empty()); // no live entry...
/// assert_eq!(visits.len(), 1); // ...but the dead one is not purged yet
/// ```
///
/// # Iterator items
///
/// What the map holds weakly comes out upgraded, as a new strong handle;
/// what it owns comes out by reference (the rule of every weak collection,
/// see [`WeakValueMap`](super::WeakValueMap#iterator-items)). Here the keys
/// are weak and the values owned: [`iter`](Self::iter) yields
/// `(Strong<K>, &V)`, [`keys`](Self::keys) `Strong<K>`,
/// [`values`](Self::values) `&V`.
#[doc(alias = "WeakKeyDictionary")]
pub struct WeakKeyMap<K: ?Sized, V, C: WeakFamily, S> {
    raw: KeyTable<K, V, C>,
    hash_builder: S,
}

/// Whether the weak key `stored` is alive and equal to `key`.
#[inline]
fn key_eq<K, Q, C>(stored: &WeakOf<K, C>, key: &Q) -> bool
where
    K: ?Sized + Borrow<Q>,
    Q: ?Sized + Eq,
    C: WeakFamily,
{
    C::upgrade(stored).is_some_and(|stored| (*stored).borrow() == key)
}

/// The stored key, upgraded, if it is alive and equal to `key`.
#[inline]
fn key_match<K, Q, C>(stored: &WeakOf<K, C>, key: &Q) -> Option<StrongOf<K, C>>
where
    K: ?Sized + Borrow<Q>,
    Q: ?Sized + Eq,
    C: WeakFamily,
{
    C::upgrade(stored).filter(|stored| (**stored).borrow() == key)
}

#[cfg(feature = "std")]
impl<K: ?Sized, V, C: WeakFamily> WeakKeyMap<K, V, C, std::hash::RandomState> {
    /// An empty map with std's `RandomState` hasher; it allocates nothing
    /// until the first insert.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let map: WeakKeyMap<str, u32> = WeakKeyMap::new();
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
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let map: WeakKeyMap<str, u32> = WeakKeyMap::with_capacity(10);
    /// assert!(map.capacity() >= 10);
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, std::hash::RandomState::new())
    }
}

impl<K: ?Sized, V, C: WeakFamily, S> WeakKeyMap<K, V, C, S> {
    /// An empty map that hashes with `hash_builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::WeakKeyMap;
    /// use weakref_core::count::LocalCount;
    /// let map = WeakKeyMap::<str, u8, LocalCount, _>::with_hasher(RandomState::new());
    /// assert!(map.is_empty());
    /// ```
    #[must_use]
    pub const fn with_hasher(hash_builder: S) -> Self {
        WeakKeyMap {
            raw: KeyTable::new(),
            hash_builder,
        }
    }

    /// An empty map with room for `capacity` entries, hashing with
    /// `hash_builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::WeakKeyMap;
    /// use weakref_core::count::LocalCount;
    /// let map = WeakKeyMap::<str, u8, LocalCount, _>::with_capacity_and_hasher(10, RandomState::new());
    /// assert!(map.capacity() >= 10);
    /// ```
    #[must_use]
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        WeakKeyMap {
            raw: KeyTable::with_capacity(capacity),
            hash_builder,
        }
    }

    /// This map as a shard (see `Table::for_shard`).
    pub(super) fn for_shard(self) -> Self {
        WeakKeyMap {
            raw: self.raw.for_shard(),
            hash_builder: self.hash_builder,
        }
    }

    /// The map's hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use std::hash::BuildHasher;
    /// let map: WeakKeyMap<str, u8> = WeakKeyMap::default();
    /// let _ = map.hasher().hash_one("key");
    /// ```
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// How many entries the map can hold before it allocates again (dead
    /// entries not yet purged take room too).
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let map: WeakKeyMap<str, u8> = WeakKeyMap::default();
    /// assert_eq!(map.capacity(), 0);
    /// ```
    pub fn capacity(&self) -> usize {
        self.raw.capacity()
    }

    /// The number of entries, **including dead ones not yet purged**, in
    /// O(1); see [`live_len`](Self::live_len) for the exact number of live
    /// entries, and the [module docs](super#dead-entries-len-and-purging)
    /// for when dead entries go.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakKeyMap<str, u8> = WeakKeyMap::default();
    /// let key: Rc<str> = Rc::from("k");
    /// map.insert(&key, 1);
    /// drop(key);
    /// assert_eq!((map.len(), map.live_len()), (1, 0));
    /// ```
    #[doc(alias = "__len__")]
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether no entry is alive (Python's `not d`): `live_len() == 0`,
    /// which may hold while `len() > 0` (dead entries not yet purged). It
    /// stops at the first live entry: O(1) when the map has no entry or
    /// its live entries are not rare, O(capacity) at worst.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakKeyMap<u8, u8> = WeakKeyMap::default();
    /// assert!(map.is_empty());
    /// let key = map.insert_new(1, 1);
    /// assert!(!map.is_empty());
    /// drop(key);
    /// assert!(map.is_empty() && map.len() == 1); // dead, not yet purged
    /// ```
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The exact number of live entries, in O(capacity) (a snapshot under
    /// `Arc`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key: Rc<str> = Rc::from("k");
    /// let mut map: WeakKeyMap<str, u8> = WeakKeyMap::default();
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
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakKeyMap<str, Vec<u8>> = WeakKeyMap::default();
    /// map.insert(&Rc::from("gone"), vec![0; 1024]);
    /// map.purge(); // frees the vector
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
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key: Rc<str> = Rc::from("k");
    /// let mut map: WeakKeyMap<str, u8> = WeakKeyMap::default();
    /// map.insert(&key, 1);
    /// map.clear();
    /// assert!(map.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.raw.clear();
    }

    /// Keeps only the live entries for which `f` returns `true`; dead
    /// entries are removed too.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let keys: Vec<Rc<u32>> = (0..6).map(Rc::new).collect();
    /// let mut map: WeakKeyMap<u32, u32> = keys.iter().map(|k| (k, **k * 10)).collect();
    /// map.retain(|k, v| {
    ///     *v += 1;
    ///     **k % 2 == 0
    /// });
    /// assert_eq!(map.get(&2), Some(&21));
    /// assert_eq!(map.live_len(), 3);
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
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, &str> = WeakKeyMap::default();
    /// map.insert(&key, "one");
    /// map.insert(&Rc::new(2), "dead");
    /// let (k, v) = map.pop_any().unwrap();
    /// assert!(Rc::ptr_eq(&k, &key) && v == "one");
    /// assert!(map.pop_any().is_none());
    /// ```
    #[doc(alias = "popitem")]
    pub fn pop_any(&mut self) -> Option<(StrongOf<K, C>, V)> {
        self.raw.pop_any()
    }

    /// An iterator over the live entries: a new strong handle to each key,
    /// with its value. Keys are upgraded when reached: one that dies during
    /// the loop is skipped.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, &str> = WeakKeyMap::default();
    /// map.insert(&key, "one");
    /// for (k, v) in map.iter() {
    ///     assert_eq!((*k, *v), (1, "one"));
    /// }
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
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// map.insert(&key, 10);
    /// for (_, v) in map.iter_mut() {
    ///     *v += 1;
    /// }
    /// assert_eq!(map.get(&1), Some(&11));
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
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, ()> = WeakKeyMap::default();
    /// map.insert(&key, ());
    /// assert!(map.keys().all(|k| Rc::ptr_eq(&k, &key)));
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
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// map.insert(&key, 10);
    /// map.insert(&Rc::new(2), 20); // dead
    /// assert_eq!(map.values().collect::<Vec<_>>(), [&10]);
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
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// map.insert(&key, 10);
    /// map.values_mut().for_each(|v| *v *= 2);
    /// assert_eq!(map.get(&1), Some(&20));
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
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, ()> = WeakKeyMap::default();
    /// map.insert(&key, ());
    /// let weak = map.key_refs().next().unwrap().clone();
    /// drop(key);
    /// assert!(weak.upgrade().is_none());
    /// ```
    #[doc(alias = "keyrefs")]
    pub fn key_refs(&self) -> KeyRefs<'_, K, V, C> {
        self.raw.key_refs()
    }

    /// Removes every entry, yielding the live ones; the map is empty
    /// afterwards even if the iterator is not run to the end.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// map.insert(&key, 10);
    /// assert_eq!(map.drain().map(|(_, v)| v).collect::<Vec<_>>(), [10]);
    /// assert!(map.is_empty());
    /// ```
    pub fn drain(&mut self) -> Drain<'_, K, V, C> {
        self.raw.drain_live()
    }
}

/// The methods the two weak-keyed maps share word for word, in an `impl`
/// block of `$map` (a map with fields `raw: KeyTable` and `hash_builder`);
/// `$alias` is its doctests' hidden alias line, naming it `Map`.
macro_rules! weak_keyed_methods {
    ($map:ident, $alias:literal) => {
        impl<K: ?Sized, V, C: WeakFamily, S> $map<K, V, C, S> {
            /// An iterator that removes and yields the live entries for which
            /// `pred` returns `true` (std's `HashMap::extract_if`; `pred` sees the
            /// key as a strong handle). Dead entries met on the way are removed and
            /// dropped, never yielded; if the iterator is dropped early, the
            /// entries it has not reached stay.
            ///
            /// # Examples
            ///
            /// ```
            /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
            #[doc = $alias]
            /// let keys: Vec<Rc<u32>> = (0..6).map(Rc::new).collect();
            /// let mut map: Map<u32, u32> = keys.iter().map(|k| (k, **k * 10)).collect();
            /// let mut big: Vec<u32> = map.extract_if(|_, v| *v >= 30).map(|(_, v)| v).collect();
            /// big.sort();
            /// assert_eq!(big, [30, 40, 50]);
            /// assert_eq!(map.live_len(), 3);
            /// ```
            pub fn extract_if<F>(&mut self, pred: F) -> super::key_map::ExtractIf<'_, K, V, C, F>
            where
                F: FnMut(&super::raw::StrongOf<K, C>, &mut V) -> bool,
            {
                self.raw.extract_if(pred)
            }

            /// Strong handles to the live keys, consuming the map (std's
            /// `into_keys`); dead entries are dropped on the way.
            ///
            /// # Examples
            ///
            /// ```
            /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
            #[doc = $alias]
            /// let mut map: Map<u8, &str> = Map::default();
            /// let key = map.insert_new(1, "one");
            /// let keys: Vec<Rc<u8>> = map.into_keys().collect();
            /// assert!(Rc::ptr_eq(&keys[0], &key));
            /// ```
            pub fn into_keys(self) -> super::key_map::IntoKeys<K, V, C> {
                self.raw.into_live().into_keys()
            }

            /// The values of the live entries, by value, consuming the map (std's
            /// `into_values`); dead entries are dropped on the way.
            ///
            /// # Examples
            ///
            /// ```
            /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
            #[doc = $alias]
            /// let mut map: Map<u8, String> = Map::default();
            /// let _key = map.insert_new(1, "one".to_owned());
            /// map.insert(&Rc::new(2), "dead at once".to_owned());
            /// assert_eq!(map.into_values().collect::<Vec<_>>(), ["one"]);
            /// ```
            pub fn into_values(self) -> super::key_map::IntoValues<K, V, C> {
                self.raw.into_live().into_values()
            }

            /// Purges the dead entries, then shrinks the allocation to fit the
            /// live ones, keeping room for at least `min_capacity` entries (std's
            /// `shrink_to`).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = $alias]
            /// let mut map: Map<u8, u8> = Map::with_capacity(100);
            /// map.shrink_to(10);
            /// assert!(map.capacity() >= 10 && map.capacity() < 100);
            /// ```
            pub fn shrink_to(&mut self, min_capacity: usize) {
                self.raw.shrink_to(min_capacity, Slot::hash);
            }

            /// [`reserve`](Self::reserve), returning an error instead of aborting
            /// if the capacity overflows or the allocator fails (the map is then
            /// unchanged).
            ///
            /// # Errors
            ///
            /// [`TryReserveError`](super::TryReserveError) when the new capacity
            /// overflows or cannot be allocated.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = $alias]
            /// let mut map: Map<u8, u8> = Map::default();
            /// map.try_reserve(10).expect("10 entries fit");
            /// assert!(map.try_reserve(usize::MAX).is_err());
            /// ```
            pub fn try_reserve(&mut self, additional: usize) -> Result<(), super::TryReserveError> {
                self.raw.try_reserve(additional, Slot::hash)
            }

            /// The map's table (for the sets built on it).
            pub(super) fn raw(&self) -> &super::raw::KeyTable<K, V, C> {
                &self.raw
            }

            /// The map's table, mutably (for the sets built on it).
            pub(super) fn raw_mut(&mut self) -> &mut super::raw::KeyTable<K, V, C> {
                &mut self.raw
            }
        }
    };
}
pub(super) use weak_keyed_methods;

weak_keyed_methods!(
    WeakKeyMap,
    " # type Map<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;"
);

impl<K, V, C, S> WeakKeyMap<K, V, C, S>
where
    K: ?Sized + Hash + Eq,
    C: WeakFamily,
    S: BuildHasher,
{
    #[inline]
    fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        super::raw::hash_one(&self.hash_builder, key)
    }

    /// Maps `key` (held weakly) to `value`, returning the previous value.
    /// If a live stored key is equal to `key`, its value is replaced and the
    /// stored key kept (Python's rule: the entry still goes when the *stored*
    /// key dies).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let first: Rc<str> = Rc::from("k");
    /// let second: Rc<str> = Rc::from("k"); // equal, distinct
    /// let mut map: WeakKeyMap<str, u8> = WeakKeyMap::default();
    /// assert_eq!(map.insert(&first, 1), None);
    /// assert_eq!(map.insert(&second, 2), Some(1));
    /// drop(second);
    /// assert_eq!(map.get("k"), Some(&2)); // `first` is the stored key
    /// drop(first);
    /// assert_eq!(map.get("k"), None);
    /// ```
    #[doc(alias = "__setitem__")]
    #[inline]
    pub fn insert(&mut self, key: &StrongOf<K, C>, value: V) -> Option<V> {
        let hash = self.hash(&**key);
        self.raw
            .insert(hash, key, value, |stored| key_eq::<K, _, C>(stored, &**key))
    }

    /// Moves `key` into a new strong handle, maps it to `value`, and
    /// returns the strong handle to the key the entry holds: the entry
    /// lives as long as that handle (or a clone) does. The insert that
    /// cannot store a dead entry.
    ///
    /// If a live stored key is equal to `key`, the entry keeps it, as
    /// [`insert`](Self::insert) does: its value is replaced (the old one
    /// dropped), `key` is dropped, and the handle returned is the stored
    /// key's.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut sizes: WeakKeyMap<String, usize> = WeakKeyMap::default();
    /// let name = sizes.insert_new("ada".to_owned(), 3);
    /// assert_eq!(sizes.get("ada"), Some(&3));
    /// let again = sizes.insert_new("ada".to_owned(), 4); // equal: `name` stays the key
    /// assert!(Rc::ptr_eq(&again, &name) && sizes.get("ada") == Some(&4));
    /// drop((name, again));
    /// assert_eq!(sizes.get("ada"), None);
    /// ```
    #[must_use = "the map holds the key weakly: dropping the returned handle kills the entry"]
    pub fn insert_new(&mut self, key: K, value: V) -> StrongOf<K, C>
    where
        K: Sized,
    {
        let key = C::new(key);
        match self.entry(&key) {
            Entry::Occupied(mut entry) => {
                entry.insert(value);
                Clone::clone(entry.key())
            }
            Entry::Vacant(entry) => {
                entry.insert(value);
                key
            }
        }
    }

    /// The value of `key`, if a live stored key is equal to it.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key: Rc<String> = Rc::new("k".to_owned());
    /// let mut map: WeakKeyMap<String, u8> = WeakKeyMap::default();
    /// map.insert(&key, 1);
    /// assert_eq!(map.get("k"), Some(&1));
    /// ```
    #[doc(alias = "__getitem__")]
    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.get_hashed(self.hash(key), key)
    }

    /// `get` with the key's hash already computed (by this map's hasher,
    /// or one that hashes identically: the concurrent interner's).
    #[inline]
    pub(super) fn get_hashed<Q>(&self, hash: u64, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.raw
            .find(hash, |stored| key_eq::<K, _, C>(stored, key))
            .map(|slot| &slot.value)
    }

    /// The value of `key`, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, Vec<u8>> = WeakKeyMap::default();
    /// map.insert(&key, vec![]);
    /// map.get_mut(&1).unwrap().push(9);
    /// assert_eq!(map.get(&1), Some(&vec![9]));
    /// ```
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.hash(key);
        self.raw
            .find_mut(hash, |stored| key_eq::<K, _, C>(stored, key))
            .map(|slot| &mut slot.value)
    }

    /// A new strong handle to the stored key equal to `key`, with its
    /// value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key: Rc<str> = Rc::from("k");
    /// let mut map: WeakKeyMap<str, u8> = WeakKeyMap::default();
    /// map.insert(&key, 1);
    /// let (stored, value) = map.get_key_value("k").unwrap();
    /// assert!(Rc::ptr_eq(&stored, &key) && *value == 1);
    /// ```
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(StrongOf<K, C>, &V)>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.get_key_value_hashed(self.hash(key), key)
    }

    /// `get_key_value` with the hash computed (see `get_hashed`).
    pub(super) fn get_key_value_hashed<Q>(&self, hash: u64, key: &Q) -> Option<(StrongOf<K, C>, &V)>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let mut found = None;
        let slot = self.raw.find(hash, |stored| {
            found = key_match::<K, _, C>(stored, key);
            found.is_some()
        })?;
        Some((found?, &slot.value))
    }

    /// Whether a live stored key is equal to `key` (Python's `key in d`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, ()> = WeakKeyMap::default();
    /// map.insert(&key, ());
    /// assert!(map.contains_key(&1));
    /// drop(key);
    /// assert!(!map.contains_key(&1));
    /// ```
    #[doc(alias = "__contains__")]
    #[inline]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.get(key).is_some()
    }

    /// Removes the entry of `key`, returning its value (Python's `pop`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, &str> = WeakKeyMap::default();
    /// map.insert(&key, "one");
    /// assert_eq!(map.remove(&1), Some("one"));
    /// assert_eq!(map.remove(&1), None);
    /// ```
    #[doc(alias = "pop", alias = "__delitem__")]
    #[inline]
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.hash(key);
        self.raw
            .remove(hash, |stored| key_eq::<K, _, C>(stored, key))
            .map(|slot| slot.value)
    }

    /// Removes the entry of `key`, returning the stored key and its value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, &str> = WeakKeyMap::default();
    /// map.insert(&key, "one");
    /// let (k, v) = map.remove_entry(&1).unwrap();
    /// assert!(Rc::ptr_eq(&k, &key) && v == "one");
    /// ```
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(StrongOf<K, C>, V)>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.remove_entry_hashed(self.hash(key), key)
    }

    /// `remove_entry` with the hash computed (see `get_hashed`).
    pub(super) fn remove_entry_hashed<Q>(
        &mut self,
        hash: u64,
        key: &Q,
    ) -> Option<(StrongOf<K, C>, V)>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let mut found = None;
        let slot = self.raw.remove(hash, |stored| {
            found = key_match::<K, _, C>(stored, key);
            found.is_some()
        })?;
        Some((found?, slot.value))
    }

    /// The entry of `key`, to read or fill in place.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key: Rc<str> = Rc::from("word");
    /// let mut counts: WeakKeyMap<str, u32> = WeakKeyMap::default();
    /// for _ in 0..3 {
    ///     *counts.entry(&key).or_insert(0) += 1;
    /// }
    /// assert_eq!(counts.get("word"), Some(&3));
    /// ```
    pub fn entry(&mut self, key: &StrongOf<K, C>) -> Entry<'_, K, V, C> {
        self.entry_hashed(self.hash(&**key), key)
    }

    /// `entry` with the hash computed (see `get_hashed`).
    pub(super) fn entry_hashed(&mut self, hash: u64, key: &StrongOf<K, C>) -> Entry<'_, K, V, C> {
        let entry = self
            .raw
            .entry(hash, |stored| key_match::<K, _, C>(stored, &**key));
        Entry::new(entry, key, hash)
    }

    /// The value of `key`, or `make()` stored under `key` and returned
    /// (Python's `setdefault`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, Vec<&str>> = WeakKeyMap::default();
    /// map.get_or_insert_with(&key, Vec::new).push("a");
    /// map.get_or_insert_with(&key, Vec::new).push("b");
    /// assert_eq!(map.get(&1).unwrap(), &["a", "b"]);
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
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakKeyMap<str, u8> = WeakKeyMap::default();
    /// map.reserve(10);
    /// assert!(map.capacity() >= 10);
    /// ```
    pub fn reserve(&mut self, additional: usize) {
        self.raw.reserve(additional, Slot::hash);
    }

    /// The live entries of `self` if each has a match in `other` (see
    /// [`is_submap_with`](Self::is_submap_with)), counted on the way.
    fn submap_len<W, S2>(
        &self,
        other: &WeakKeyMap<K, W, C, S2>,
        value_eq: impl FnMut(&V, &W) -> bool,
    ) -> Option<usize>
    where
        S2: BuildHasher,
    {
        submap_len(self.iter(), |key| other.get(&**key), value_eq)
    }

    /// Purges the dead entries, then shrinks the allocation to fit the
    /// live ones.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakKeyMap<str, u8> = WeakKeyMap::with_capacity(100);
    /// map.shrink_to_fit();
    /// assert_eq!(map.capacity(), 0);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.raw.shrink_to(0, Slot::hash);
    }
}

impl<K: ?Sized, V, C: WeakFamily, S: Default> Default for WeakKeyMap<K, V, C, S> {
    /// An empty map with the default hasher.
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<K: ?Sized, V: Clone, C: WeakFamily, S: Clone> Clone for WeakKeyMap<K, V, C, S> {
    /// A copy holding the live entries only (Python's `copy()`): the keys
    /// are shared, the values cloned.
    fn clone(&self) -> Self {
        WeakKeyMap {
            raw: self.raw.clone(),
            hash_builder: self.hash_builder.clone(),
        }
    }
}

impl<K: ?Sized + fmt::Debug, V: fmt::Debug, C: WeakFamily, S> fmt::Debug
    for WeakKeyMap<K, V, C, S>
{
    /// `len`, `live_len` and the live entries, as a map: `WeakKeyMap {
    /// len: 2, live_len: 1, entries: {1: 10} }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.debug(f, "WeakKeyMap", |f| {
            f.debug_map()
                .entries(self.iter().map(|(k, v)| (Shown(k), v)))
                .finish()
        })
    }
}

impl<K, V, C, S> PartialEq for WeakKeyMap<K, V, C, S>
where
    K: ?Sized + Hash + Eq,
    V: PartialEq,
    C: WeakFamily,
    S: BuildHasher,
{
    /// Whether the two maps have equal live keys, with equal values
    /// (Python's `==` on the dictionaries). Dead entries do not count.
    /// Under `Arc`, keys dying on other threads meanwhile may make the
    /// answer reflect neither the state before nor after.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let (mut a, mut b): (WeakKeyMap<u8, u8>, WeakKeyMap<u8, u8>) = Default::default();
    /// let _x = a.insert_new(1, 5);
    /// let _y = b.insert_new(1, 5); // another allocation, an equal key
    /// b.insert(&Rc::new(2), 6); // dead at once: does not count
    /// assert_eq!(a, b);
    /// ```
    fn eq(&self, other: &Self) -> bool {
        self.submap_len(other, |v, w| *v == *w) == Some(other.live_len())
    }
}

impl<K, V, C, S> Eq for WeakKeyMap<K, V, C, S>
where
    K: ?Sized + Hash + Eq,
    V: Eq,
    C: WeakFamily,
    S: BuildHasher,
{
}

/// `is_submap` and `is_submap_with` of the two weak-keyed maps, in an
/// `impl` block of `$map` under the bounds `$($bound)*`, over the map's own
/// `submap_len`; `$alias` names the map `Map` in the doctests.
macro_rules! weak_keyed_submap {
    ($map:ident, $alias:literal, $($bound:tt)*) => {
        impl<K: ?Sized, V, C: WeakFamily, S: BuildHasher> $map<K, V, C, S>
        where
            $($bound)*
        {
            /// Whether every live entry of `self` has a live entry under the same
            /// key (an equal key; for the identity map, the same allocation) in
            /// `other`, with an equal value (weak-table's `is_submap`).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = $alias]
            /// let (mut small, mut big): (Map<u8, u8>, Map<u8, u8>) = Default::default();
            /// let one = small.insert_new(1, 10);
            /// big.insert(&one, 10);
            /// let _two = big.insert_new(2, 20);
            /// assert!(small.is_submap(&big) && !big.is_submap(&small));
            /// ```
            pub fn is_submap<W, S2>(&self, other: &$map<K, W, C, S2>) -> bool
            where
                V: PartialEq<W>,
                S2: BuildHasher,
            {
                self.is_submap_with(other, |v, w| *v == *w)
            }

            /// Whether every live entry of `self` has a live entry under the same
            /// key in `other` whose value `value_eq` accepts (weak-table's
            /// `is_submap_with`).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = $alias]
            /// let (mut names, mut lengths): (Map<u8, &str>, Map<u8, usize>) = Default::default();
            /// let key = names.insert_new(1, "Ada");
            /// lengths.insert(&key, 3);
            /// assert!(names.is_submap_with(&lengths, |name, len| name.len() == *len));
            /// ```
            pub fn is_submap_with<W, S2>(
                &self,
                other: &$map<K, W, C, S2>,
                value_eq: impl FnMut(&V, &W) -> bool,
            ) -> bool
            where
                S2: BuildHasher,
            {
                self.submap_len(other, value_eq).is_some()
            }
        }
    };
}
pub(super) use weak_keyed_submap;

weak_keyed_submap!(
    WeakKeyMap,
    " # type Map<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;",
    K: Hash + Eq,
);

/// How many live entries `entries` yields, if `find` finds a value for
/// each key that `value_eq` accepts (the weak-keyed maps' `is_submap_with`
/// and `==`).
pub(super) fn submap_len<'a, K, V, W, C>(
    entries: Iter<'a, K, V, C>,
    mut find: impl FnMut(&StrongOf<K, C>) -> Option<&'a W>,
    mut value_eq: impl FnMut(&V, &W) -> bool,
) -> Option<usize>
where
    K: ?Sized + 'a,
    V: 'a,
    W: 'a,
    C: WeakFamily + 'a,
{
    let mut len = 0;
    for (key, value) in entries {
        if !value_eq(value, find(&key)?) {
            return None;
        }
        len += 1;
    }
    Some(len)
}

impl<'a, K, V, C, S> Extend<(&'a StrongOf<K, C>, V)> for WeakKeyMap<K, V, C, S>
where
    K: ?Sized + Hash + Eq + 'a,
    C: WeakFamily + 'a,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (&'a StrongOf<K, C>, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key, value);
        }
    }
}

impl<K, V, C, S> Extend<(Strong<K, C, Global>, V)> for WeakKeyMap<K, V, C, S>
where
    K: ?Sized + Hash + Eq,
    C: RawCount,
    S: BuildHasher,
{
    /// Inserts each pair; the map holds the keys weakly, so a key whose
    /// only strong handle was the one passed in dies at once.
    fn extend<I: IntoIterator<Item = (Strong<K, C, Global>, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(&key, value);
        }
    }
}

impl<'a, K, V, C, S> FromIterator<(&'a StrongOf<K, C>, V)> for WeakKeyMap<K, V, C, S>
where
    K: ?Sized + Hash + Eq + 'a,
    C: WeakFamily + 'a,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (&'a StrongOf<K, C>, V)>>(iter: I) -> Self {
        let mut map = Self::default();
        map.extend(iter);
        map
    }
}

impl<K, V, C, S> FromIterator<(Strong<K, C, Global>, V)> for WeakKeyMap<K, V, C, S>
where
    K: ?Sized + Hash + Eq,
    C: RawCount,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (Strong<K, C, Global>, V)>>(iter: I) -> Self {
        let mut map = Self::default();
        map.extend(iter);
        map
    }
}

impl<'a, K: ?Sized, V, C: WeakFamily, S> IntoIterator for &'a WeakKeyMap<K, V, C, S> {
    type Item = (StrongOf<K, C>, &'a V);
    type IntoIter = Iter<'a, K, V, C>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K: ?Sized, V, C: WeakFamily, S> IntoIterator for &'a mut WeakKeyMap<K, V, C, S> {
    type Item = (StrongOf<K, C>, &'a mut V);
    type IntoIter = IterMut<'a, K, V, C>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<K: ?Sized, V, C: WeakFamily, S> IntoIterator for WeakKeyMap<K, V, C, S> {
    type Item = (StrongOf<K, C>, V);
    type IntoIter = IntoIter<K, V, C>;

    /// The live entries, by value; dead ones are dropped on the way.
    fn into_iter(self) -> Self::IntoIter {
        self.raw.into_live()
    }
}

// ---------------------------------------------------------------------------
// Iterators and entries, shared with `PtrWeakKeyMap` (and, through `Keys`,
// `IntoIter` and `Drain`, with the sets).

impl<K: ?Sized, V, C: WeakFamily> KeyTable<K, V, C> {
    pub(super) fn iter(&self) -> Iter<'_, K, V, C> {
        Iter {
            inner: self.table.iter(),
        }
    }

    pub(super) fn iter_mut(&mut self) -> IterMut<'_, K, V, C> {
        IterMut {
            inner: self.table.iter_mut(),
        }
    }

    pub(super) fn keys(&self) -> Keys<'_, K, V, C> {
        Keys {
            inner: self.table.iter(),
        }
    }

    pub(super) fn values(&self) -> Values<'_, K, V, C> {
        Values {
            inner: self.table.iter(),
        }
    }

    pub(super) fn values_mut(&mut self) -> ValuesMut<'_, K, V, C> {
        ValuesMut {
            inner: self.table.iter_mut(),
        }
    }

    pub(super) fn key_refs(&self) -> KeyRefs<'_, K, V, C> {
        KeyRefs {
            inner: self.table.iter(),
        }
    }

    pub(super) fn drain_live(&mut self) -> Drain<'_, K, V, C> {
        Drain {
            inner: self.drain(),
        }
    }

    pub(super) fn into_live(self) -> IntoIter<K, V, C> {
        IntoIter {
            inner: self.into_entries(),
        }
    }

    pub(super) fn extract_if<F>(&mut self, pred: F) -> ExtractIf<'_, K, V, C, F>
    where
        F: FnMut(&StrongOf<K, C>, &mut V) -> bool,
    {
        ExtractIf {
            inner: Extract::new(self),
            pred,
        }
    }
}

/// Upgrades a slot's key, or `None` if it is dead.
#[inline]
fn live<K: ?Sized, V, C: WeakFamily>(slot: Slot<K, V, C>) -> Option<(StrongOf<K, C>, V)> {
    Some((C::upgrade(&slot.key)?, slot.value))
}

/// The live entries of a weak-keyed map: `(Strong<K>, &V)`, made by
/// [`WeakKeyMap::iter`] and [`PtrWeakKeyMap::iter`](super::PtrWeakKeyMap::iter).
/// Keys are upgraded when reached, so a key that dies during the loop is
/// skipped.
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let key = Rc::new(2);
/// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
/// map.insert(&key, 3);
/// assert_eq!(map.iter().map(|(k, v)| *k * v).sum::<i32>(), 6);
/// ```
pub struct Iter<'a, K: ?Sized, V, C: WeakFamily> {
    inner: hash_table::Iter<'a, Slot<K, V, C>>,
}

impl<'a, K: ?Sized, V, C: WeakFamily> Iterator for Iter<'a, K, V, C> {
    type Item = (StrongOf<K, C>, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner
            .find_map(|slot| Some((C::upgrade(&slot.key)?, &slot.value)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K: ?Sized, V, C: WeakFamily> FusedIterator for Iter<'_, K, V, C> {}

impl<K: ?Sized, V, C: WeakFamily> Clone for Iter<'_, K, V, C> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
        }
    }
}

impl<K: ?Sized, V, C: WeakFamily> fmt::Debug for Iter<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").finish_non_exhaustive()
    }
}

/// The live entries of a weak-keyed map with mutable values, made by
/// [`WeakKeyMap::iter_mut`] and
/// [`PtrWeakKeyMap::iter_mut`](super::PtrWeakKeyMap::iter_mut).
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let key = Rc::new(2);
/// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
/// map.insert(&key, 3);
/// for (k, v) in &mut map {
///     *v *= *k;
/// }
/// assert_eq!(map.get(&2), Some(&6));
/// ```
pub struct IterMut<'a, K: ?Sized, V, C: WeakFamily> {
    inner: hash_table::IterMut<'a, Slot<K, V, C>>,
}

impl<'a, K: ?Sized, V, C: WeakFamily> Iterator for IterMut<'a, K, V, C> {
    type Item = (StrongOf<K, C>, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner
            .find_map(|slot| Some((C::upgrade(&slot.key)?, &mut slot.value)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K: ?Sized, V, C: WeakFamily> FusedIterator for IterMut<'_, K, V, C> {}

impl<K: ?Sized, V, C: WeakFamily> fmt::Debug for IterMut<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IterMut").finish_non_exhaustive()
    }
}

/// New strong handles to the live keys of a weak-keyed map, made by
/// [`WeakKeyMap::keys`] and [`PtrWeakKeyMap::keys`](super::PtrWeakKeyMap::keys).
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let key = Rc::new(2);
/// let mut map: WeakKeyMap<i32, ()> = WeakKeyMap::default();
/// map.insert(&key, ());
/// assert_eq!(map.keys().map(|k| *k).collect::<Vec<_>>(), [2]);
/// ```
pub struct Keys<'a, K: ?Sized, V, C: WeakFamily> {
    inner: hash_table::Iter<'a, Slot<K, V, C>>,
}

impl<K: ?Sized, V, C: WeakFamily> Iterator for Keys<'_, K, V, C> {
    type Item = StrongOf<K, C>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.find_map(|slot| C::upgrade(&slot.key))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K: ?Sized, V, C: WeakFamily> FusedIterator for Keys<'_, K, V, C> {}

impl<K: ?Sized, V, C: WeakFamily> Clone for Keys<'_, K, V, C> {
    fn clone(&self) -> Self {
        Keys {
            inner: self.inner.clone(),
        }
    }
}

impl<K: ?Sized, V, C: WeakFamily> fmt::Debug for Keys<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys").finish_non_exhaustive()
    }
}

/// The values of the live entries of a weak-keyed map, made by
/// [`WeakKeyMap::values`] and
/// [`PtrWeakKeyMap::values`](super::PtrWeakKeyMap::values).
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let key = Rc::new(2);
/// let mut map: WeakKeyMap<i32, &str> = WeakKeyMap::default();
/// map.insert(&key, "two");
/// assert_eq!(map.values().collect::<Vec<_>>(), [&"two"]);
/// ```
pub struct Values<'a, K: ?Sized, V, C: WeakFamily> {
    inner: hash_table::Iter<'a, Slot<K, V, C>>,
}

impl<'a, K: ?Sized, V, C: WeakFamily> Iterator for Values<'a, K, V, C> {
    type Item = &'a V;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner
            .find(|slot| slot.is_alive())
            .map(|slot| &slot.value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K: ?Sized, V, C: WeakFamily> FusedIterator for Values<'_, K, V, C> {}

impl<K: ?Sized, V, C: WeakFamily> fmt::Debug for Values<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Values").finish_non_exhaustive()
    }
}

/// The values of the live entries of a weak-keyed map, mutably, made by
/// [`WeakKeyMap::values_mut`] and
/// [`PtrWeakKeyMap::values_mut`](super::PtrWeakKeyMap::values_mut).
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let key = Rc::new(2);
/// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
/// map.insert(&key, 1);
/// for v in map.values_mut() {
///     *v = 5;
/// }
/// assert_eq!(map.get(&2), Some(&5));
/// ```
pub struct ValuesMut<'a, K: ?Sized, V, C: WeakFamily> {
    inner: hash_table::IterMut<'a, Slot<K, V, C>>,
}

impl<'a, K: ?Sized, V, C: WeakFamily> Iterator for ValuesMut<'a, K, V, C> {
    type Item = &'a mut V;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner
            .find(|slot| slot.is_alive())
            .map(|slot| &mut slot.value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K: ?Sized, V, C: WeakFamily> FusedIterator for ValuesMut<'_, K, V, C> {}

impl<K: ?Sized, V, C: WeakFamily> fmt::Debug for ValuesMut<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValuesMut").finish_non_exhaustive()
    }
}

/// The weak handles of the live keys of a weak-keyed map, made by
/// [`WeakKeyMap::key_refs`] and
/// [`PtrWeakKeyMap::key_refs`](super::PtrWeakKeyMap::key_refs).
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let key = Rc::new(2);
/// let mut map: WeakKeyMap<i32, ()> = WeakKeyMap::default();
/// map.insert(&key, ());
/// assert_eq!(map.key_refs().count(), 1);
/// ```
pub struct KeyRefs<'a, K: ?Sized, V, C: WeakFamily> {
    inner: hash_table::Iter<'a, Slot<K, V, C>>,
}

impl<'a, K: ?Sized, V, C: WeakFamily> Iterator for KeyRefs<'a, K, V, C> {
    type Item = &'a WeakOf<K, C>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner
            .find(|slot| slot.is_alive())
            .map(|slot| &slot.key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K: ?Sized, V, C: WeakFamily> FusedIterator for KeyRefs<'_, K, V, C> {}

impl<K: ?Sized, V, C: WeakFamily> fmt::Debug for KeyRefs<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRefs").finish_non_exhaustive()
    }
}

/// The live entries of a weak-keyed map, by value (its `into_iter`); dead
/// entries are dropped as they are passed.
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let key = Rc::new(2);
/// let mut map: WeakKeyMap<i32, String> = WeakKeyMap::default();
/// map.insert(&key, "two".to_owned());
/// let owned: Vec<(Rc<i32>, String)> = map.into_iter().collect();
/// assert_eq!(owned[0].1, "two");
/// ```
pub struct IntoIter<K: ?Sized, V, C: WeakFamily> {
    inner: hash_table::IntoIter<Slot<K, V, C>>,
}

impl<K: ?Sized, V, C: WeakFamily> Iterator for IntoIter<K, V, C> {
    type Item = (StrongOf<K, C>, V);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.find_map(live)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K: ?Sized, V, C: WeakFamily> FusedIterator for IntoIter<K, V, C> {}

impl<K: ?Sized, V, C: WeakFamily> fmt::Debug for IntoIter<K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoIter").finish_non_exhaustive()
    }
}

impl<K: ?Sized, V, C: WeakFamily> IntoIter<K, V, C> {
    pub(super) fn into_keys(self) -> IntoKeys<K, V, C> {
        IntoKeys { inner: self }
    }

    pub(super) fn into_values(self) -> IntoValues<K, V, C> {
        IntoValues { inner: self }
    }
}

/// Strong handles to the live keys of a weak-keyed map, made by
/// [`WeakKeyMap::into_keys`] and
/// [`PtrWeakKeyMap::into_keys`](super::PtrWeakKeyMap::into_keys).
///
/// # Examples
///
/// ```
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let mut map: WeakKeyMap<u8, u8> = WeakKeyMap::default();
/// let _key = map.insert_new(3, 1);
/// assert_eq!(map.into_keys().map(|k| *k).sum::<u8>(), 3);
/// ```
pub struct IntoKeys<K: ?Sized, V, C: WeakFamily> {
    inner: IntoIter<K, V, C>,
}

impl<K: ?Sized, V, C: WeakFamily> Iterator for IntoKeys<K, V, C> {
    type Item = StrongOf<K, C>;

    fn next(&mut self) -> Option<StrongOf<K, C>> {
        self.inner.next().map(|(key, _)| key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K: ?Sized, V, C: WeakFamily> FusedIterator for IntoKeys<K, V, C> {}

impl<K: ?Sized, V, C: WeakFamily> fmt::Debug for IntoKeys<K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoKeys").finish_non_exhaustive()
    }
}

/// The values of the live entries of a weak-keyed map, by value, made by
/// [`WeakKeyMap::into_values`] and
/// [`PtrWeakKeyMap::into_values`](super::PtrWeakKeyMap::into_values).
///
/// # Examples
///
/// ```
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let mut map: WeakKeyMap<u8, u8> = WeakKeyMap::default();
/// let _key = map.insert_new(3, 1);
/// assert_eq!(map.into_values().sum::<u8>(), 1);
/// ```
pub struct IntoValues<K: ?Sized, V, C: WeakFamily> {
    inner: IntoIter<K, V, C>,
}

impl<K: ?Sized, V, C: WeakFamily> Iterator for IntoValues<K, V, C> {
    type Item = V;

    fn next(&mut self) -> Option<V> {
        self.inner.next().map(|(_, value)| value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K: ?Sized, V, C: WeakFamily> FusedIterator for IntoValues<K, V, C> {}

impl<K: ?Sized, V, C: WeakFamily> fmt::Debug for IntoValues<K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoValues").finish_non_exhaustive()
    }
}

/// The live entries of a weak-keyed map that a predicate picks, removed as
/// they are yielded; made by [`WeakKeyMap::extract_if`] and
/// [`PtrWeakKeyMap::extract_if`](super::PtrWeakKeyMap::extract_if).
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let mut map: WeakKeyMap<u8, u8> = WeakKeyMap::default();
/// let (_one, two) = (map.insert_new(1, 10), map.insert_new(2, 20));
/// let taken: Vec<(Rc<u8>, u8)> = map.extract_if(|k, _| **k == 2).collect();
/// assert!(taken.len() == 1 && Rc::ptr_eq(&taken[0].0, &two));
/// assert!(map.contains_key(&1) && !map.contains_key(&2));
/// ```
pub struct ExtractIf<'a, K: ?Sized, V, C: WeakFamily, F> {
    inner: Extract<'a, Slot<K, V, C>>,
    pred: F,
}

impl<K, V, C, F> Iterator for ExtractIf<'_, K, V, C, F>
where
    K: ?Sized,
    C: WeakFamily,
    F: FnMut(&StrongOf<K, C>, &mut V) -> bool,
{
    type Item = (StrongOf<K, C>, V);

    fn next(&mut self) -> Option<Self::Item> {
        let pred = &mut self.pred;
        let (slot, key) = self.inner.next(|slot| match C::upgrade(&slot.key) {
            None => Pick::Dead,
            Some(key) if pred(&key, &mut slot.value) => Pick::Take(key),
            Some(_) => Pick::Keep,
        })?;
        Some((key, slot.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V, C, F> FusedIterator for ExtractIf<'_, K, V, C, F>
where
    K: ?Sized,
    C: WeakFamily,
    F: FnMut(&StrongOf<K, C>, &mut V) -> bool,
{
}

impl<K: ?Sized, V, C: WeakFamily, F> fmt::Debug for ExtractIf<'_, K, V, C, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractIf").finish_non_exhaustive()
    }
}

/// The live entries drained out of a weak-keyed map, made by
/// [`WeakKeyMap::drain`] and [`PtrWeakKeyMap::drain`](super::PtrWeakKeyMap::drain).
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let key = Rc::new(2);
/// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
/// map.insert(&key, 4);
/// assert_eq!(map.drain().count(), 1);
/// ```
pub struct Drain<'a, K: ?Sized, V, C: WeakFamily> {
    inner: hash_table::Drain<'a, Slot<K, V, C>>,
}

impl<K: ?Sized, V, C: WeakFamily> Iterator for Drain<'_, K, V, C> {
    type Item = (StrongOf<K, C>, V);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.find_map(live)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K: ?Sized, V, C: WeakFamily> FusedIterator for Drain<'_, K, V, C> {}

impl<K: ?Sized, V, C: WeakFamily> fmt::Debug for Drain<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drain").finish_non_exhaustive()
    }
}

/// One key's place in a weak-keyed map, from [`WeakKeyMap::entry`] or
/// [`PtrWeakKeyMap::entry`](super::PtrWeakKeyMap::entry).
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// use weakref_core::collections::key_map::Entry;
/// let key = Rc::new(1);
/// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
/// match map.entry(&key) {
///     Entry::Vacant(e) => *e.insert(1) += 1,
///     Entry::Occupied(_) => unreachable!(),
/// }
/// assert_eq!(map.get(&1), Some(&2));
/// ```
pub enum Entry<'a, K: ?Sized, V, C: WeakFamily> {
    /// A live stored key matches (kept alive by the entry).
    Occupied(OccupiedEntry<'a, K, V, C>),
    /// No live stored key matches.
    Vacant(VacantEntry<'a, K, V, C>),
}

impl<'a, K: ?Sized, V, C: WeakFamily> Entry<'a, K, V, C> {
    pub(super) fn new(raw: RawEntry<'a, K, V, C>, key: &StrongOf<K, C>, hash: u64) -> Self {
        match raw {
            RawEntry::Occupied(inner, key) => Entry::Occupied(OccupiedEntry { inner, key }),
            RawEntry::Vacant(inner) => Entry::Vacant(VacantEntry {
                inner,
                key: Clone::clone(key),
                hash,
            }),
        }
    }

    /// The value, or `default` stored and returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// *map.entry(&key).or_insert(10) += 1;
    /// assert_eq!(map.get(&1), Some(&11));
    /// ```
    pub fn or_insert(self, default: V) -> &'a mut V {
        match self {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(default),
        }
    }

    /// The value, or `make()` stored and returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, Vec<u8>> = WeakKeyMap::default();
    /// map.entry(&key).or_insert_with(Vec::new).push(1);
    /// assert_eq!(map.get(&1), Some(&vec![1]));
    /// ```
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V {
        match self {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(make()),
        }
    }

    /// The value, or `make(&key)` stored and returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(4);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// assert_eq!(*map.entry(&key).or_insert_with_key(|k| **k * 2), 8);
    /// ```
    pub fn or_insert_with_key(self, make: impl FnOnce(&StrongOf<K, C>) -> V) -> &'a mut V {
        match self {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let value = make(&entry.key);
                entry.insert(value)
            }
        }
    }

    /// The value, or `V::default()` stored and returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, u32> = WeakKeyMap::default();
    /// *map.entry(&key).or_default() += 1;
    /// assert_eq!(map.get(&1), Some(&1));
    /// ```
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    /// Runs `f` on the value if the entry is occupied.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, u32> = WeakKeyMap::default();
    /// for _ in 0..3 {
    ///     map.entry(&key).and_modify(|n| *n += 1).or_insert(1);
    /// }
    /// assert_eq!(map.get(&1), Some(&3));
    /// ```
    pub fn and_modify(self, f: impl FnOnce(&mut V)) -> Self {
        match self {
            Entry::Occupied(mut entry) => {
                f(entry.get_mut());
                Entry::Occupied(entry)
            }
            vacant => vacant,
        }
    }

    /// Stores `value` under the key, whether the entry was occupied (the
    /// old value is dropped; the stored key stays) or vacant, and returns
    /// the occupied entry.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, u32> = WeakKeyMap::default();
    /// map.insert(&key, 1);
    /// let entry = map.entry(&key).insert_entry(2);
    /// assert_eq!(*entry.get(), 2);
    /// ```
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V, C> {
        match self {
            Entry::Occupied(mut entry) => {
                entry.insert(value);
                entry
            }
            Entry::Vacant(entry) => entry.insert_entry(value),
        }
    }

    /// The entry's key: the stored one if occupied, the one asked for
    /// otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, u32> = WeakKeyMap::default();
    /// assert!(Rc::ptr_eq(map.entry(&key).key(), &key));
    /// ```
    pub fn key(&self) -> &StrongOf<K, C> {
        match self {
            Entry::Occupied(entry) => entry.key(),
            Entry::Vacant(entry) => entry.key(),
        }
    }
}

impl<K: ?Sized + fmt::Debug, V: fmt::Debug, C: WeakFamily> fmt::Debug for Entry<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Occupied(entry) => f.debug_tuple("Occupied").field(entry).finish(),
            Entry::Vacant(entry) => f.debug_tuple("Vacant").field(entry).finish(),
        }
    }
}

/// A live key of a weak-keyed map, kept alive by this entry.
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// use weakref_core::collections::key_map::Entry;
/// let key = Rc::new(1);
/// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
/// map.insert(&key, 5);
/// if let Entry::Occupied(e) = map.entry(&key) {
///     assert_eq!(*e.get(), 5);
/// }
/// ```
pub struct OccupiedEntry<'a, K: ?Sized, V, C: WeakFamily> {
    inner: hash_table::OccupiedEntry<'a, Slot<K, V, C>>,
    key: StrongOf<K, C>,
}

impl<'a, K: ?Sized, V, C: WeakFamily> OccupiedEntry<'a, K, V, C> {
    /// The stored key.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::key_map::Entry;
    /// let (stored, other) = (Rc::new(1), Rc::new(1));
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// map.insert(&stored, 5);
    /// if let Entry::Occupied(e) = map.entry(&other) {
    ///     assert!(Rc::ptr_eq(e.key(), &stored));
    /// }
    /// ```
    pub fn key(&self) -> &StrongOf<K, C> {
        &self.key
    }

    /// The value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::key_map::Entry;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// map.insert(&key, 5);
    /// if let Entry::Occupied(e) = map.entry(&key) {
    ///     assert_eq!(*e.get(), 5);
    /// }
    /// ```
    pub fn get(&self) -> &V {
        &self.inner.get().value
    }

    /// The value, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::key_map::Entry;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// map.insert(&key, 5);
    /// if let Entry::Occupied(mut e) = map.entry(&key) {
    ///     *e.get_mut() += 1;
    /// }
    /// assert_eq!(map.get(&1), Some(&6));
    /// ```
    pub fn get_mut(&mut self) -> &mut V {
        &mut self.inner.get_mut().value
    }

    /// The value, mutably, for as long as the map is borrowed.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::key_map::Entry;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// map.insert(&key, 5);
    /// if let Entry::Occupied(e) = map.entry(&key) {
    ///     *e.into_mut() = 7;
    /// }
    /// assert_eq!(map.get(&1), Some(&7));
    /// ```
    pub fn into_mut(self) -> &'a mut V {
        &mut self.inner.into_mut().value
    }

    /// Replaces the value, returning the old one.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::key_map::Entry;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// map.insert(&key, 5);
    /// if let Entry::Occupied(mut e) = map.entry(&key) {
    ///     assert_eq!(e.insert(6), 5);
    /// }
    /// ```
    pub fn insert(&mut self, value: V) -> V {
        mem::replace(self.get_mut(), value)
    }

    /// Removes the entry, returning its value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::key_map::Entry;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// map.insert(&key, 5);
    /// if let Entry::Occupied(e) = map.entry(&key) {
    ///     assert_eq!(e.remove(), 5);
    /// }
    /// assert!(map.is_empty());
    /// ```
    pub fn remove(self) -> V {
        self.remove_entry().1
    }

    /// Removes the entry, returning the stored key and the value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::key_map::Entry;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// map.insert(&key, 5);
    /// if let Entry::Occupied(e) = map.entry(&key) {
    ///     let (k, v) = e.remove_entry();
    ///     assert!(Rc::ptr_eq(&k, &key) && v == 5);
    /// }
    /// ```
    pub fn remove_entry(self) -> (StrongOf<K, C>, V) {
        let (slot, _) = self.inner.remove();
        (self.key, slot.value)
    }
}

impl<K: ?Sized + fmt::Debug, V: fmt::Debug, C: WeakFamily> fmt::Debug
    for OccupiedEntry<'_, K, V, C>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OccupiedEntry")
            .field("key", &Shown(&*self.key))
            .field("value", self.get())
            .finish()
    }
}

/// A key with no live match in a weak-keyed map.
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// use weakref_core::collections::key_map::Entry;
/// let key = Rc::new(1);
/// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
/// if let Entry::Vacant(e) = map.entry(&key) {
///     e.insert(3);
/// }
/// assert_eq!(map.get(&1), Some(&3));
/// ```
pub struct VacantEntry<'a, K: ?Sized, V, C: WeakFamily> {
    inner: hash_table::VacantEntry<'a, Slot<K, V, C>>,
    key: StrongOf<K, C>,
    hash: u64,
}

impl<'a, K: ?Sized, V, C: WeakFamily> VacantEntry<'a, K, V, C> {
    /// The key this entry would store (weakly).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::key_map::Entry;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// if let Entry::Vacant(e) = map.entry(&key) {
    ///     assert!(Rc::ptr_eq(e.key(), &key));
    /// }
    /// ```
    pub fn key(&self) -> &StrongOf<K, C> {
        &self.key
    }

    /// Gives back the strong handle to the key, storing nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::key_map::Entry;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// if let Entry::Vacant(e) = map.entry(&key) {
    ///     assert_eq!(*e.into_key(), 1);
    /// }
    /// assert!(map.is_empty());
    /// ```
    pub fn into_key(self) -> StrongOf<K, C> {
        self.key
    }

    /// Stores the key (weakly) with `value`, returning the value mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::key_map::Entry;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// if let Entry::Vacant(e) = map.entry(&key) {
    ///     *e.insert(3) += 1;
    /// }
    /// assert_eq!(map.get(&1), Some(&4));
    /// ```
    pub fn insert(self, value: V) -> &'a mut V {
        self.insert_entry(value).into_mut()
    }

    /// Stores the key (weakly) with `value` and returns the occupied entry.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakKeyMap<K, V> = weakref_core::collections::WeakKeyMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::key_map::Entry;
    /// let key = Rc::new(1);
    /// let mut map: WeakKeyMap<i32, i32> = WeakKeyMap::default();
    /// if let Entry::Vacant(e) = map.entry(&key) {
    ///     let e = e.insert_entry(3);
    ///     assert!(Rc::ptr_eq(e.key(), &key) && *e.get() == 3);
    /// }
    /// ```
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V, C> {
        let slot = Slot {
            hash: self.hash,
            key: C::downgrade(&self.key),
            value,
        };
        OccupiedEntry {
            inner: self.inner.insert(slot),
            key: self.key,
        }
    }
}

impl<K: ?Sized + fmt::Debug, V, C: WeakFamily> fmt::Debug for VacantEntry<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VacantEntry")
            .field(&Shown(&*self.key))
            .finish()
    }
}
