//! [`WeakValueMap`]: Python's `WeakValueDictionary`, and its iterators and
//! entries.

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;
use core::mem;

use hashbrown::hash_table;

use super::family::WeakFamily;
use super::raw::{Cached, Extract, Pick, Shown, StrongOf, Table, WeakOf};
use crate::Strong;
use crate::count::RawCount;
use crate::storage::Global;

/// A hash map whose values are held weakly: an entry disappears once the
/// last strong handle to its value is dropped (Python's
/// `WeakValueDictionary`). **[`len`](Self::len) is not Python's `len()`**:
/// it is O(1) and counts the entries in the table, including dead ones
/// not yet purged; [`live_len`](Self::live_len) counts the live ones (in
/// O(capacity)), and [`is_empty`](Self::is_empty) and the `Debug` output
/// see live entries only (`Debug` shows both counts).
///
/// Keys are owned and compared by value, like a `HashMap`'s. Values go in
/// as strong handles (`&Strong<V>`: the map keeps only a weak one) and come
/// out as new strong handles, so a value the map returns stays alive while
/// you use it.
///
/// * **A dead entry is never returned**: [`get`](Self::get),
///   [`contains_key`](Self::contains_key), [`remove`](Self::remove), the
///   iterators and [`entry`](Self::entry) treat an entry whose value died as
///   missing.
/// * **A replaced value stays**: dead entries are removed only while they
///   are dead, so a death never removes a value stored since under the
///   same key.
/// * **[`len`](Self::len) counts dead entries not yet purged**;
///   [`live_len`](Self::live_len) counts the live ones. Dead entries are
///   purged in bulk, before an insert, once the deaths counted since the
///   last purge could make them outnumber the live ones, or the table
///   outgrew the live entries of the last purge: after any insert, dead
///   entries are at most the live ones + 8 (see the
///   [module docs](super#dead-entries-len-and-purging)).
///
/// `C` is the counter of the handles (`LocalCount` for `Rc`, `AtomicCount`
/// for `Arc`), `S` the hasher. The adapters export it with both filled in:
/// `weakref_std::WeakValueMap<K, V>` and `weakref_sync::WeakValueMap<K, V>`.
///
/// # Examples
///
/// The seed's image cache: the cache never keeps an image alive.
/// [`insert_new`](Self::insert_new) takes the value itself and returns the
/// strong handle that keeps the entry alive (`insert(k, &Rc::new(v))`
/// would store an entry that is dead at once).
///
/// ```
/// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// struct Image {
///     pixels: Vec<u8>,
/// }
///
/// let mut cache: WeakValueMap<&str, Image> = WeakValueMap::default();
/// let image = cache.insert_new("sunset.png", Image { pixels: vec![0; 600 * 1200] });
/// assert_eq!(cache.get("sunset.png").map(|i| i.pixels.len()), Some(720_000));
///
/// drop(image); // the last strong handle
/// assert!(cache.get("sunset.png").is_none());
/// assert_eq!(cache.live_len(), 0);
/// assert!(cache.is_empty()); // no live entry...
/// assert_eq!(cache.len(), 1); // ...but the dead one is not purged yet
/// ```
///
/// # Iterator items
///
/// One rule for every weak collection: **what the collection holds weakly
/// comes out upgraded, as a new strong handle; what it owns comes out by
/// reference.** Here the values are weak and the keys owned, so
/// [`iter`](Self::iter) yields `(&K, Strong<V>)`, [`keys`](Self::keys)
/// `&K` and [`values`](Self::values) `Strong<V>`; a
/// [`WeakKeyMap`](super::WeakKeyMap) yields `(Strong<K>, &V)`. A strong
/// handle is what keeps the item from dying while you use it.
#[doc(alias = "WeakValueDictionary")]
pub struct WeakValueMap<K, V: ?Sized, C: WeakFamily, S> {
    table: Table<ValueSlot<K, V, C>>,
    hash_builder: S,
}

/// One entry: the key and the weak value. No hash: the map owns its keys,
/// so growing or shrinking the table hashes them again (with the map's
/// hasher, see [`WeakValueMap::rehash`]), and a slot is a key and a
/// pointer (16 bytes for a `u64` key, as in a plain map of `Weak`) instead
/// of 24 bytes with a stored hash. Slots of 16 bytes (or 32 for a
/// `String` key) never straddle a cache line: no `repr(C)` needed, as the
/// 24-byte slots with the hash between key and value needed.
struct ValueSlot<K, V: ?Sized, C: WeakFamily> {
    key: K,
    value: WeakOf<V, C>,
}

impl<K: Clone, V: ?Sized, C: WeakFamily> Clone for ValueSlot<K, V, C> {
    fn clone(&self) -> Self {
        ValueSlot {
            key: self.key.clone(),
            value: self.value.clone(),
        }
    }
}

impl<K, V: ?Sized, C: WeakFamily> Cached for ValueSlot<K, V, C> {
    #[inline]
    fn is_alive(&self) -> bool {
        C::is_alive(&self.value)
    }

    #[inline]
    fn prefetch(&self) {
        C::prefetch(&self.value);
    }

    #[inline]
    fn weak_deaths() -> Option<usize> {
        C::weak_deaths()
    }
}

impl<K, V: ?Sized, C: WeakFamily> ValueSlot<K, V, C> {
    /// The key and a new strong handle to the value, if it is alive.
    #[inline]
    fn upgrade(&self) -> Option<(&K, StrongOf<V, C>)> {
        Some((&self.key, C::upgrade(&self.value)?))
    }

    /// The same, by value.
    #[inline]
    fn into_live(self) -> Option<(K, StrongOf<V, C>)> {
        let value = C::upgrade(&self.value)?;
        Some((self.key, value))
    }
}

#[cfg(feature = "std")]
impl<K, V: ?Sized, C: WeakFamily> WeakValueMap<K, V, C, std::hash::RandomState> {
    /// An empty map with std's `RandomState` hasher; it allocates nothing
    /// until the first insert.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let map: WeakValueMap<u32, String> = WeakValueMap::new();
    /// assert!(map.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(std::hash::RandomState::new())
    }

    /// An empty map with room for `capacity` entries before it grows (or
    /// purges), with std's `RandomState` hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let map: WeakValueMap<u32, String> = WeakValueMap::with_capacity(100);
    /// assert!(map.capacity() >= 100);
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, std::hash::RandomState::new())
    }
}

impl<K, V: ?Sized, C: WeakFamily, S> WeakValueMap<K, V, C, S> {
    /// An empty map that hashes with `hash_builder`; it allocates nothing
    /// until the first insert.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use std::hash::RandomState;
    /// use weakref_core::collections::WeakValueMap;
    /// use weakref_core::count::LocalCount;
    ///
    /// let mut map = WeakValueMap::<u8, str, LocalCount, _>::with_hasher(RandomState::new());
    /// let name: Rc<str> = Rc::from("Ada");
    /// map.insert(1, &name);
    /// assert_eq!(map.get(&1).as_deref(), Some("Ada"));
    /// ```
    #[must_use]
    pub const fn with_hasher(hash_builder: S) -> Self {
        WeakValueMap {
            table: Table::new(),
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
    /// use weakref_core::collections::WeakValueMap;
    /// use weakref_core::count::LocalCount;
    ///
    /// let map = WeakValueMap::<u8, u8, LocalCount, _>::with_capacity_and_hasher(10, RandomState::new());
    /// assert!(map.capacity() >= 10);
    /// ```
    #[must_use]
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        WeakValueMap {
            table: Table::with_capacity(capacity),
            hash_builder,
        }
    }

    /// This map as a shard of a [`WeakCache`](super::WeakCache) (see
    /// `Table::for_shard`).
    pub(super) fn for_shard(self) -> Self {
        WeakValueMap {
            table: self.table.for_shard(),
            hash_builder: self.hash_builder,
        }
    }

    /// The map's hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use std::hash::BuildHasher;
    /// let map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// let _same_hash_as_the_map = map.hasher().hash_one(1u8);
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
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// assert_eq!(map.capacity(), 0);
    /// ```
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// The number of entries, **including dead ones not yet purged**: an
    /// upper bound on the live entries, in O(1). For the exact number, see
    /// [`live_len`](Self::live_len).
    ///
    /// This differs from Python, whose `len()` drops dead entries as their
    /// callbacks run: here nothing runs when a value dies; its entry stays,
    /// invisible to lookups and iteration, until a purge (before an insert,
    /// once the deaths since the last one could make dead entries
    /// outnumber live ones by more than 8 or the table outgrew the live
    /// entries of the last one, or an explicit [`purge`](Self::purge))
    /// removes it.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// let value = Rc::new(1);
    /// map.insert(1, &value);
    /// drop(value);
    /// assert_eq!(map.len(), 1); // dead, not yet purged
    /// assert_eq!(map.live_len(), 0);
    /// map.purge();
    /// assert_eq!(map.len(), 0);
    /// ```
    #[doc(alias = "__len__")]
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no entry is alive (Python's `not d`): `live_len() == 0`,
    /// which may hold while `len() > 0` (dead entries not yet purged). It
    /// stops at the first live entry: O(1) when the map has no entry or
    /// its live entries are not rare, O(capacity) at worst.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// assert!(map.is_empty());
    /// let kept = map.insert_new(1, 1);
    /// assert!(!map.is_empty());
    /// drop(kept);
    /// assert!(map.is_empty() && map.len() == 1); // dead, not yet purged
    /// ```
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The exact number of live entries, in O(capacity). Under `Arc`, a
    /// snapshot: other threads may drop values meanwhile.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// let kept = Rc::new(1);
    /// map.insert(1, &kept);
    /// map.insert(2, &Rc::new(2));
    /// assert_eq!((map.len(), map.live_len()), (2, 1));
    /// ```
    pub fn live_len(&self) -> usize {
        self.table.live_len()
    }

    /// Removes every entry, keeping the allocation.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// let value = Rc::new(1);
    /// map.insert(1, &value);
    /// map.clear();
    /// assert!(map.is_empty());
    /// assert_eq!(Rc::weak_count(&value), 0);
    /// ```
    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// Removes and returns one live entry, dropping the dead ones it meets
    /// (Python's `popitem`); `None` when no live entry is left.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// let kept = Rc::new(7);
    /// map.insert(1, &Rc::new(1)); // dead
    /// map.insert(2, &kept);
    /// assert_eq!(map.pop_any().map(|(k, v)| (k, *v)), Some((2, 7)));
    /// assert!(map.pop_any().is_none());
    /// ```
    #[doc(alias = "popitem")]
    pub fn pop_any(&mut self) -> Option<(K, StrongOf<V, C>)> {
        self.table.pop_live(ValueSlot::into_live)
    }

    /// An iterator over the live entries: each key with a new strong handle
    /// to its value. Entries whose value dies before the iterator reaches
    /// them are skipped, so the loop body may drop handles freely.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut values = vec![Rc::new(10), Rc::new(20)];
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// map.insert(1, &values[0]);
    /// map.insert(2, &values[1]);
    /// let mut seen = 0;
    /// for (_key, value) in map.iter() {
    ///     seen += 1;
    ///     // `value` keeps the visited value alive; the other one dies here
    ///     // and is skipped.
    ///     values.clear();
    ///     assert_eq!(Rc::strong_count(&value), 1);
    /// }
    /// assert_eq!(seen, 1);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V, C> {
        Iter {
            inner: self.table.table.iter(),
        }
    }

    /// An iterator over the keys of the live entries.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let kept = Rc::new(1);
    /// let mut map: WeakValueMap<&str, i32> = WeakValueMap::default();
    /// map.insert("kept", &kept);
    /// map.insert("gone", &Rc::new(2));
    /// assert_eq!(map.keys().collect::<Vec<_>>(), [&"kept"]);
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V, C> {
        Keys {
            inner: self.table.table.iter(),
        }
    }

    /// An iterator over new strong handles to the live values.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let kept = Rc::new(1);
    /// let mut map: WeakValueMap<&str, i32> = WeakValueMap::default();
    /// map.insert("kept", &kept);
    /// let values: Vec<Rc<i32>> = map.values().collect();
    /// assert!(Rc::ptr_eq(&values[0], &kept));
    /// ```
    pub fn values(&self) -> Values<'_, K, V, C> {
        Values {
            inner: self.table.table.iter(),
        }
    }

    /// An iterator over the weak handles of the live values (Python's
    /// `valuerefs()`). A value may die after its handle is yielded.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let kept = Rc::new(1);
    /// let mut map: WeakValueMap<&str, i32> = WeakValueMap::default();
    /// map.insert("kept", &kept);
    /// let weak = map.value_refs().next().unwrap().clone();
    /// drop(kept);
    /// assert!(weak.upgrade().is_none());
    /// ```
    #[doc(alias = "valuerefs")]
    pub fn value_refs(&self) -> ValueRefs<'_, K, V, C> {
        ValueRefs {
            inner: self.table.table.iter(),
        }
    }

    /// Removes every entry, yielding the live ones; the dead ones are
    /// dropped. The map is empty afterwards even if the iterator is not
    /// run to the end.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let kept = Rc::new(1);
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// map.insert(1, &kept);
    /// map.insert(2, &Rc::new(2));
    /// assert_eq!(map.drain().count(), 1);
    /// assert!(map.is_empty());
    /// ```
    pub fn drain(&mut self) -> Drain<'_, K, V, C> {
        Drain {
            inner: self.table.drain(),
        }
    }

    /// An iterator that removes and yields the live entries for which
    /// `pred` returns `true` (std's `HashMap::extract_if`). `pred` sees the
    /// key and a strong handle to the value (the map holds no `V` it could
    /// lend mutably). Dead entries met on the way are removed and dropped,
    /// never yielded; if the iterator is dropped early, the entries it has
    /// not reached stay.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let values: Vec<Rc<u32>> = (0..6).map(Rc::new).collect();
    /// let mut map: WeakValueMap<u32, u32> = values.iter().map(|v| (**v, v)).collect();
    /// let mut odd: Vec<u32> = map.extract_if(|_, v| **v % 2 == 1).map(|(k, _)| k).collect();
    /// odd.sort();
    /// assert_eq!(odd, [1, 3, 5]);
    /// assert_eq!(map.live_len(), 3);
    /// ```
    pub fn extract_if<F>(&mut self, pred: F) -> ExtractIf<'_, K, V, C, F>
    where
        F: FnMut(&K, &StrongOf<V, C>) -> bool,
    {
        ExtractIf {
            inner: Extract::new(&mut self.table),
            pred,
        }
    }

    /// The keys of the live entries, by value, consuming the map (std's
    /// `into_keys`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<String, u8> = WeakValueMap::default();
    /// let _kept = map.insert_new("kept".to_owned(), 1);
    /// map.insert("gone".to_owned(), &Rc::new(2));
    /// assert_eq!(map.into_keys().collect::<Vec<_>>(), ["kept"]);
    /// ```
    pub fn into_keys(self) -> IntoKeys<K, V, C> {
        IntoKeys {
            inner: self.into_iter(),
        }
    }

    /// Strong handles to the live values, consuming the map (std's
    /// `into_values`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// let kept = map.insert_new(1, 7);
    /// let values: Vec<Rc<u8>> = map.into_values().collect();
    /// assert!(Rc::ptr_eq(&values[0], &kept));
    /// ```
    pub fn into_values(self) -> IntoValues<K, V, C> {
        IntoValues {
            inner: self.into_iter(),
        }
    }
}

impl<K, V, C, S> WeakValueMap<K, V, C, S>
where
    K: Hash + Eq,
    V: ?Sized,
    C: WeakFamily,
    S: BuildHasher,
{
    #[inline]
    fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        super::raw::hash_one(&self.hash_builder, key)
    }

    /// What the table is resized with: each slot's key hashed again by
    /// `hash_builder` (a function of the hasher alone, so that it can be
    /// passed beside `&mut self.table`). It runs the keys' `Hash`: see
    /// the [module docs](super#panics-in-user-code) for a panicking one.
    #[inline]
    fn rehash(hash_builder: &S) -> impl Fn(&ValueSlot<K, V, C>) -> u64 + '_ {
        move |slot| super::raw::hash_one(hash_builder, &slot.key)
    }

    /// Removes every dead entry now (the map also does it by itself, see
    /// [`len`](Self::len)).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// map.insert(1, &Rc::new(1));
    /// map.purge();
    /// assert!(map.is_empty());
    /// ```
    #[doc(alias = "remove_expired")]
    pub fn purge(&mut self) {
        self.table.purge(Self::rehash(&self.hash_builder));
    }

    /// Keeps only the live entries for which `f` returns `true`; dead
    /// entries are removed too.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let values: Vec<Rc<u32>> = (0..6).map(Rc::new).collect();
    /// let mut map: WeakValueMap<u32, u32> = values.iter().map(|v| (**v, v)).collect();
    /// map.retain(|_, v| **v % 2 == 0);
    /// assert_eq!(map.live_len(), 3);
    /// ```
    pub fn retain(&mut self, mut f: impl FnMut(&K, &StrongOf<V, C>) -> bool) {
        self.table.retain(
            |slot| match C::upgrade(&slot.value) {
                Some(value) => f(&slot.key, &value),
                None => false,
            },
            Self::rehash(&self.hash_builder),
        );
    }

    /// The entry of `key`, dead or alive.
    #[inline]
    fn find<Q>(&self, key: &Q) -> Option<&ValueSlot<K, V, C>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find_hashed(self.hash(key), key)
    }

    /// `find` with the key's hash already computed (by this map's hasher,
    /// or one that hashes identically: the concurrent cache's).
    #[inline]
    fn find_hashed<Q>(&self, hash: u64, key: &Q) -> Option<&ValueSlot<K, V, C>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.table.table.find(hash, |slot| slot.key.borrow() == key)
    }

    /// `get` with the hash computed (see `find_hashed`).
    #[inline]
    pub(super) fn get_hashed<Q>(&self, hash: u64, key: &Q) -> Option<StrongOf<V, C>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        C::upgrade(&self.find_hashed(hash, key)?.value)
    }

    /// `contains_key` with the hash computed (see `find_hashed`).
    #[inline]
    pub(super) fn contains_key_hashed<Q>(&self, hash: u64, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find_hashed(hash, key).is_some_and(ValueSlot::is_alive)
    }

    /// Maps `key` to `value` (held weakly): returns the previous value if it
    /// was alive. An existing entry keeps its key, as with `HashMap`; one
    /// whose value was dead counts as missing and takes the new key.
    ///
    /// The map keeps only a weak handle: keep `value` (or another strong
    /// handle) alive, or the entry dies with it — `map.insert(k,
    /// &Rc::new(v))` stores an entry that is already dead.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let (a, b) = (Rc::new("a"), Rc::new("b"));
    /// let mut map: WeakValueMap<u8, &str> = WeakValueMap::default();
    /// assert!(map.insert(1, &a).is_none());
    /// let old = map.insert(1, &b).unwrap();
    /// assert!(Rc::ptr_eq(&old, &a));
    /// drop((a, old)); // the replaced value dies: the entry stays
    /// assert_eq!(map.get(&1).as_deref(), Some(&"b"));
    /// ```
    #[doc(alias = "__setitem__")]
    pub fn insert(&mut self, key: K, value: &StrongOf<V, C>) -> Option<StrongOf<V, C>> {
        self.insert_hashed(self.hash(&key), key, value)
    }

    /// Moves `value` into a new strong handle, maps `key` to it, and
    /// returns that handle: the entry lives as long as it (or a clone)
    /// does. The insert that cannot store a dead entry; a previous value
    /// of `key` is replaced, as by [`insert`](Self::insert).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<&str, String> = WeakValueMap::default();
    /// let ada = map.insert_new("ada", "Ada Lovelace".to_owned());
    /// assert!(Rc::ptr_eq(&map.get("ada").unwrap(), &ada));
    /// drop(ada);
    /// assert!(map.get("ada").is_none());
    /// ```
    #[must_use = "the map holds the value weakly: dropping the returned handle kills the entry"]
    pub fn insert_new(&mut self, key: K, value: V) -> StrongOf<V, C>
    where
        V: Sized,
    {
        let value = C::new(value);
        self.insert(key, &value);
        value
    }

    /// `insert` with the hash computed (see `find_hashed`).
    pub(super) fn insert_hashed(
        &mut self,
        hash: u64,
        key: K,
        value: &StrongOf<V, C>,
    ) -> Option<StrongOf<V, C>> {
        self.table.purge_if_due(Self::rehash(&self.hash_builder));
        match self.table.table.entry(
            hash,
            |slot| slot.key == key,
            Self::rehash(&self.hash_builder),
        ) {
            hash_table::Entry::Occupied(mut entry) => {
                let slot = entry.get_mut();
                let old = C::upgrade(&slot.value);
                if old.is_some() {
                    // Live: keep the stored key, as `HashMap` does.
                    let _old_weak = mem::replace(&mut slot.value, C::downgrade(value));
                    drop(key);
                } else {
                    // Dead: the entry counts as missing, so it takes the new
                    // key. The old key is dropped once the slot is whole.
                    let _dead_key = mem::replace(&mut slot.key, key);
                    let _dead_weak = mem::replace(&mut slot.value, C::downgrade(value));
                }
                old
            }
            hash_table::Entry::Vacant(entry) => {
                entry.insert(ValueSlot {
                    key,
                    value: C::downgrade(value),
                });
                None
            }
        }
    }

    /// A new strong handle to the value of `key`, if the entry exists and
    /// its value is alive.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let value = Rc::new(5);
    /// let mut map: WeakValueMap<String, i32> = WeakValueMap::default();
    /// map.insert("five".to_owned(), &value);
    /// assert_eq!(map.get("five").as_deref(), Some(&5));
    /// drop(value);
    /// assert!(map.get("five").is_none());
    /// ```
    #[doc(alias = "__getitem__")]
    pub fn get<Q>(&self, key: &Q) -> Option<StrongOf<V, C>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get_hashed(self.hash(key), key)
    }

    /// The stored key and a new strong handle to the value of `key`, if
    /// the entry is alive.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let value = Rc::new(5);
    /// let mut map: WeakValueMap<String, i32> = WeakValueMap::default();
    /// map.insert("five".to_owned(), &value);
    /// let (key, v) = map.get_key_value("five").unwrap();
    /// assert_eq!((key.as_str(), *v), ("five", 5));
    /// ```
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, StrongOf<V, C>)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find(key)?.upgrade()
    }

    /// Whether `key` maps to a live value (Python's `key in d`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let value = Rc::new(5);
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// map.insert(1, &value);
    /// assert!(map.contains_key(&1));
    /// drop(value);
    /// assert!(!map.contains_key(&1));
    /// ```
    #[doc(alias = "__contains__")]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.contains_key_hashed(self.hash(key), key)
    }

    /// Removes the entry of `key` and returns its value if it was alive
    /// (Python's `pop`; a dead entry is removed and reported as missing).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let value = Rc::new(5);
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// map.insert(1, &value);
    /// assert!(Rc::ptr_eq(&map.remove(&1).unwrap(), &value));
    /// assert!(map.remove(&1).is_none());
    /// ```
    #[doc(alias = "pop", alias = "__delitem__")]
    pub fn remove<Q>(&mut self, key: &Q) -> Option<StrongOf<V, C>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.remove_entry(key).map(|(_, value)| value)
    }

    /// Removes the entry of `key` and returns its key and value if the
    /// value was alive.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let value = Rc::new(5);
    /// let mut map: WeakValueMap<String, i32> = WeakValueMap::default();
    /// map.insert("five".to_owned(), &value);
    /// let (key, _) = map.remove_entry("five").unwrap();
    /// assert_eq!(key, "five");
    /// ```
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(K, StrongOf<V, C>)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.remove_entry_hashed(self.hash(key), key)
    }

    /// `remove_entry` with the hash computed (see `find_hashed`).
    pub(super) fn remove_entry_hashed<Q>(
        &mut self,
        hash: u64,
        key: &Q,
    ) -> Option<(K, StrongOf<V, C>)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let entry = self
            .table
            .table
            .find_entry(hash, |slot| slot.key.borrow() == key)
            .ok()?;
        // `into_live` upgrades before the key can be dropped: a panicking
        // `K::drop` then drops the handle too, and nothing leaks.
        entry.remove().0.into_live()
    }

    /// The entry of `key`, to read or fill in place. An entry whose value
    /// died is [`Entry::Vacant`].
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::value_map::Entry;
    ///
    /// let mut map: WeakValueMap<u8, String> = WeakValueMap::default();
    /// let made = map.entry(1).or_insert_with(|| Rc::new("one".to_owned()));
    /// match map.entry(1) {
    ///     Entry::Occupied(e) => assert!(Rc::ptr_eq(e.get(), &made)),
    ///     Entry::Vacant(_) => unreachable!(),
    /// }
    /// drop(made);
    /// assert!(matches!(map.entry(1), Entry::Vacant(_)));
    /// ```
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V, C> {
        self.entry_hashed(self.hash(&key), key)
    }

    /// `entry` with the hash computed (see `find_hashed`).
    pub(super) fn entry_hashed(&mut self, hash: u64, key: K) -> Entry<'_, K, V, C> {
        self.table.purge_if_due(Self::rehash(&self.hash_builder));
        match self.table.table.entry(
            hash,
            |slot| slot.key == key,
            Self::rehash(&self.hash_builder),
        ) {
            hash_table::Entry::Occupied(entry) => match C::upgrade(&entry.get().value) {
                Some(value) => Entry::Occupied(OccupiedEntry {
                    inner: entry,
                    value,
                }),
                None => Entry::Vacant(VacantEntry {
                    key,
                    slot: Vacancy::Dead(entry),
                }),
            },
            hash_table::Entry::Vacant(entry) => Entry::Vacant(VacantEntry {
                key,
                slot: Vacancy::Absent(entry),
            }),
        }
    }

    /// The value of `key` if alive; otherwise stores `make()` and returns
    /// it (Python's `setdefault`, which never returns a dead value).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut interned: WeakValueMap<String, str> = WeakValueMap::default();
    /// let a = interned.get_or_insert_with("rust".to_owned(), || Rc::from("rust"));
    /// let b = interned.get_or_insert_with("rust".to_owned(), || unreachable!());
    /// assert!(Rc::ptr_eq(&a, &b));
    /// ```
    #[doc(alias = "setdefault")]
    pub fn get_or_insert_with(
        &mut self,
        key: K,
        make: impl FnOnce() -> StrongOf<V, C>,
    ) -> StrongOf<V, C> {
        self.entry(key).or_insert_with(make)
    }

    /// Makes room for at least `additional` more entries without growing.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// map.reserve(10);
    /// assert!(map.capacity() >= 10);
    /// ```
    pub fn reserve(&mut self, additional: usize) {
        self.table
            .reserve(additional, Self::rehash(&self.hash_builder));
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
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// map.try_reserve(10).expect("10 entries fit");
    /// assert!(map.capacity() >= 10);
    /// assert!(map.try_reserve(usize::MAX).is_err());
    /// ```
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), super::TryReserveError> {
        self.table
            .try_reserve(additional, Self::rehash(&self.hash_builder))
    }

    /// Purges the dead entries, then shrinks the allocation to fit the
    /// live ones, keeping room for at least `min_capacity` entries (std's
    /// `shrink_to`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u32, u32> = WeakValueMap::with_capacity(1000);
    /// let _kept = map.insert_new(1, 1);
    /// map.shrink_to(10);
    /// assert!(map.capacity() >= 10 && map.capacity() < 1000);
    /// ```
    pub fn shrink_to(&mut self, min_capacity: usize) {
        self.table
            .shrink_to(min_capacity, Self::rehash(&self.hash_builder));
    }

    /// Whether every live entry of `self` has a live entry under an equal
    /// key in `other`, with an equal value (weak-table's `is_submap`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut small: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// let mut big: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// let one = small.insert_new(1, 10);
    /// big.insert(1, &one);
    /// let _two = big.insert_new(2, 20);
    /// assert!(small.is_submap(&big) && !big.is_submap(&small));
    /// ```
    pub fn is_submap<W, S2>(&self, other: &WeakValueMap<K, W, C, S2>) -> bool
    where
        V: PartialEq<W>,
        W: ?Sized,
        S2: BuildHasher,
    {
        self.is_submap_with(other, |v, w| *v == *w)
    }

    /// Whether every live entry of `self` has a live entry under an equal
    /// key in `other` whose value `value_eq` accepts (weak-table's
    /// `is_submap_with`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut names: WeakValueMap<u8, str> = WeakValueMap::default();
    /// let mut lengths: WeakValueMap<u8, usize> = WeakValueMap::default();
    /// let ada: Rc<str> = Rc::from("Ada");
    /// names.insert(1, &ada);
    /// let _three = lengths.insert_new(1, 3);
    /// assert!(names.is_submap_with(&lengths, |name, len| name.len() == *len));
    /// ```
    pub fn is_submap_with<W, S2>(
        &self,
        other: &WeakValueMap<K, W, C, S2>,
        value_eq: impl FnMut(&V, &W) -> bool,
    ) -> bool
    where
        W: ?Sized,
        S2: BuildHasher,
    {
        self.submap_len(other, value_eq).is_some()
    }

    /// The live entries of `self` if each has a match in `other` (see
    /// [`is_submap_with`](Self::is_submap_with)), counted on the way.
    fn submap_len<W, S2>(
        &self,
        other: &WeakValueMap<K, W, C, S2>,
        mut value_eq: impl FnMut(&V, &W) -> bool,
    ) -> Option<usize>
    where
        W: ?Sized,
        S2: BuildHasher,
    {
        let mut len = 0;
        for (key, value) in self {
            let theirs = other.get(key)?;
            if !value_eq(&value, &theirs) {
                return None;
            }
            len += 1;
        }
        Some(len)
    }

    /// Purges the dead entries, then shrinks the allocation to fit the
    /// live ones.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u32, u32> = WeakValueMap::with_capacity(1000);
    /// map.insert(1, &Rc::new(1));
    /// map.shrink_to_fit();
    /// assert_eq!(map.capacity(), 0);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.table.shrink_to(0, Self::rehash(&self.hash_builder));
    }
}

impl<K, V: ?Sized, C: WeakFamily, S: Default> Default for WeakValueMap<K, V, C, S> {
    /// An empty map with the default hasher.
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<K: Clone, V: ?Sized, C: WeakFamily, S: Clone> Clone for WeakValueMap<K, V, C, S> {
    /// A copy holding the live entries only (Python's `copy()`); the values
    /// are shared, not cloned. The copy has the original's capacity
    /// (resizing it would hash every key: `shrink_to_fit` does that).
    fn clone(&self) -> Self {
        WeakValueMap {
            table: self.table.clone_live(),
            hash_builder: self.hash_builder.clone(),
        }
    }
}

impl<K: fmt::Debug, V: ?Sized + fmt::Debug, C: WeakFamily, S> fmt::Debug
    for WeakValueMap<K, V, C, S>
{
    /// `len`, `live_len` and the live entries, as a map: `WeakValueMap {
    /// len: 2, live_len: 1, entries: {1: 10} }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.table.debug(f, "WeakValueMap", |f| {
            f.debug_map()
                .entries(self.iter().map(|(k, v)| (k, Shown(v))))
                .finish()
        })
    }
}

impl<K, V, C, S> PartialEq for WeakValueMap<K, V, C, S>
where
    K: Hash + Eq,
    V: ?Sized + PartialEq,
    C: WeakFamily,
    S: BuildHasher,
{
    /// Whether the two maps have the same live keys, with equal values
    /// (Python's `==` on the dictionaries). Dead entries do not count.
    /// Under `Arc`, values dying on other threads meanwhile may make the
    /// answer reflect neither the state before nor after.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let (mut a, mut b): (WeakValueMap<u8, u8>, WeakValueMap<u8, u8>) = Default::default();
    /// let _x = a.insert_new(1, 5);
    /// let _y = b.insert_new(1, 5); // another allocation, an equal value
    /// b.insert(2, &Rc::new(6)); // dead at once: does not count
    /// assert_eq!(a, b);
    /// ```
    fn eq(&self, other: &Self) -> bool {
        self.submap_len(other, |v, w| *v == *w) == Some(other.live_len())
    }
}

impl<K, V, C, S> Eq for WeakValueMap<K, V, C, S>
where
    K: Hash + Eq,
    V: ?Sized + Eq,
    C: WeakFamily,
    S: BuildHasher,
{
}

impl<'a, K, V, C, S> Extend<(K, &'a StrongOf<V, C>)> for WeakValueMap<K, V, C, S>
where
    K: Hash + Eq,
    V: ?Sized + 'a,
    C: WeakFamily + 'a,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (K, &'a StrongOf<V, C>)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key, value);
        }
    }
}

impl<K, V, C, S> Extend<(K, Strong<V, C, Global>)> for WeakValueMap<K, V, C, S>
where
    K: Hash + Eq,
    V: ?Sized,
    C: RawCount,
    S: BuildHasher,
{
    /// Inserts each pair; the map holds the values weakly, so a value whose
    /// only strong handle was the one passed in dies at once.
    fn extend<I: IntoIterator<Item = (K, Strong<V, C, Global>)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key, &value);
        }
    }
}

impl<'a, K, V, C, S> FromIterator<(K, &'a StrongOf<V, C>)> for WeakValueMap<K, V, C, S>
where
    K: Hash + Eq,
    V: ?Sized + 'a,
    C: WeakFamily + 'a,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (K, &'a StrongOf<V, C>)>>(iter: I) -> Self {
        let mut map = Self::default();
        map.extend(iter);
        map
    }
}

impl<K, V, C, S> FromIterator<(K, Strong<V, C, Global>)> for WeakValueMap<K, V, C, S>
where
    K: Hash + Eq,
    V: ?Sized,
    C: RawCount,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (K, Strong<V, C, Global>)>>(iter: I) -> Self {
        let mut map = Self::default();
        map.extend(iter);
        map
    }
}

impl<'a, K, V: ?Sized, C: WeakFamily, S> IntoIterator for &'a WeakValueMap<K, V, C, S> {
    type Item = (&'a K, StrongOf<V, C>);
    type IntoIter = Iter<'a, K, V, C>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<K, V: ?Sized, C: WeakFamily, S> IntoIterator for WeakValueMap<K, V, C, S> {
    type Item = (K, StrongOf<V, C>);
    type IntoIter = IntoIter<K, V, C>;

    /// The live entries, by value; dead ones are dropped on the way.
    fn into_iter(self) -> Self::IntoIter {
        IntoIter {
            inner: self.table.into_entries(),
        }
    }
}

/// The live entries of a [`WeakValueMap`]: `(&K, Strong<V>)`, made by
/// [`WeakValueMap::iter`]. Each value is upgraded when reached, so an entry
/// that dies during the loop is skipped, never yielded dead.
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let value = Rc::new(1);
/// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
/// map.insert(1, &value);
/// let sum: i32 = map.iter().map(|(_, v)| *v).sum();
/// assert_eq!(sum, 1);
/// ```
pub struct Iter<'a, K, V: ?Sized, C: WeakFamily> {
    inner: hash_table::Iter<'a, ValueSlot<K, V, C>>,
}

impl<'a, K, V: ?Sized, C: WeakFamily> Iterator for Iter<'a, K, V, C> {
    type Item = (&'a K, StrongOf<V, C>);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.find_map(ValueSlot::upgrade)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K, V: ?Sized, C: WeakFamily> FusedIterator for Iter<'_, K, V, C> {}

impl<K, V: ?Sized, C: WeakFamily> Clone for Iter<'_, K, V, C> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
        }
    }
}

impl<K, V: ?Sized, C: WeakFamily> fmt::Debug for Iter<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").finish_non_exhaustive()
    }
}

/// The keys of the live entries of a [`WeakValueMap`], made by
/// [`WeakValueMap::keys`].
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let value = Rc::new(1);
/// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
/// map.insert(9, &value);
/// assert_eq!(map.keys().copied().collect::<Vec<_>>(), [9]);
/// ```
pub struct Keys<'a, K, V: ?Sized, C: WeakFamily> {
    inner: hash_table::Iter<'a, ValueSlot<K, V, C>>,
}

impl<'a, K, V: ?Sized, C: WeakFamily> Iterator for Keys<'a, K, V, C> {
    type Item = &'a K;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner
            .find(|slot| slot.is_alive())
            .map(|slot| &slot.key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K, V: ?Sized, C: WeakFamily> FusedIterator for Keys<'_, K, V, C> {}

impl<K, V: ?Sized, C: WeakFamily> fmt::Debug for Keys<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys").finish_non_exhaustive()
    }
}

/// New strong handles to the live values of a [`WeakValueMap`], made by
/// [`WeakValueMap::values`].
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let value = Rc::new(1);
/// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
/// map.insert(9, &value);
/// assert_eq!(map.values().map(|v| *v).collect::<Vec<_>>(), [1]);
/// ```
pub struct Values<'a, K, V: ?Sized, C: WeakFamily> {
    inner: hash_table::Iter<'a, ValueSlot<K, V, C>>,
}

impl<K, V: ?Sized, C: WeakFamily> Iterator for Values<'_, K, V, C> {
    type Item = StrongOf<V, C>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.find_map(|slot| C::upgrade(&slot.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K, V: ?Sized, C: WeakFamily> FusedIterator for Values<'_, K, V, C> {}

impl<K, V: ?Sized, C: WeakFamily> fmt::Debug for Values<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Values").finish_non_exhaustive()
    }
}

/// The weak handles of the live values of a [`WeakValueMap`], made by
/// [`WeakValueMap::value_refs`].
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let value = Rc::new(1);
/// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
/// map.insert(9, &value);
/// assert!(map.value_refs().all(|w| w.upgrade().is_some()));
/// ```
pub struct ValueRefs<'a, K, V: ?Sized, C: WeakFamily> {
    inner: hash_table::Iter<'a, ValueSlot<K, V, C>>,
}

impl<'a, K, V: ?Sized, C: WeakFamily> Iterator for ValueRefs<'a, K, V, C> {
    type Item = &'a WeakOf<V, C>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner
            .find(|slot| slot.is_alive())
            .map(|slot| &slot.value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K, V: ?Sized, C: WeakFamily> FusedIterator for ValueRefs<'_, K, V, C> {}

impl<K, V: ?Sized, C: WeakFamily> fmt::Debug for ValueRefs<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValueRefs").finish_non_exhaustive()
    }
}

/// The live entries of a [`WeakValueMap`], by value, made by its
/// `into_iter`; dead entries are dropped as they are passed.
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let value = Rc::new(1);
/// let mut map: WeakValueMap<String, i32> = WeakValueMap::default();
/// map.insert("one".to_owned(), &value);
/// let owned: Vec<(String, Rc<i32>)> = map.into_iter().collect();
/// assert_eq!(owned[0].0, "one");
/// ```
pub struct IntoIter<K, V: ?Sized, C: WeakFamily> {
    inner: hash_table::IntoIter<ValueSlot<K, V, C>>,
}

impl<K, V: ?Sized, C: WeakFamily> Iterator for IntoIter<K, V, C> {
    type Item = (K, StrongOf<V, C>);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.find_map(ValueSlot::into_live)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K, V: ?Sized, C: WeakFamily> FusedIterator for IntoIter<K, V, C> {}

impl<K, V: ?Sized, C: WeakFamily> fmt::Debug for IntoIter<K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoIter").finish_non_exhaustive()
    }
}

/// The keys of the live entries of a [`WeakValueMap`], by value, made by
/// [`WeakValueMap::into_keys`].
///
/// # Examples
///
/// ```
/// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
/// let _kept = map.insert_new(1, 1);
/// assert_eq!(map.into_keys().sum::<u8>(), 1);
/// ```
pub struct IntoKeys<K, V: ?Sized, C: WeakFamily> {
    inner: IntoIter<K, V, C>,
}

impl<K, V: ?Sized, C: WeakFamily> Iterator for IntoKeys<K, V, C> {
    type Item = K;

    fn next(&mut self) -> Option<K> {
        self.inner.next().map(|(key, _)| key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V: ?Sized, C: WeakFamily> FusedIterator for IntoKeys<K, V, C> {}

impl<K, V: ?Sized, C: WeakFamily> fmt::Debug for IntoKeys<K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoKeys").finish_non_exhaustive()
    }
}

/// Strong handles to the live values of a [`WeakValueMap`], made by
/// [`WeakValueMap::into_values`].
///
/// # Examples
///
/// ```
/// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
/// let _kept = map.insert_new(1, 4);
/// assert_eq!(map.into_values().map(|v| *v).sum::<u8>(), 4);
/// ```
pub struct IntoValues<K, V: ?Sized, C: WeakFamily> {
    inner: IntoIter<K, V, C>,
}

impl<K, V: ?Sized, C: WeakFamily> Iterator for IntoValues<K, V, C> {
    type Item = StrongOf<V, C>;

    fn next(&mut self) -> Option<StrongOf<V, C>> {
        self.inner.next().map(|(_, value)| value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V: ?Sized, C: WeakFamily> FusedIterator for IntoValues<K, V, C> {}

impl<K, V: ?Sized, C: WeakFamily> fmt::Debug for IntoValues<K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoValues").finish_non_exhaustive()
    }
}

/// The live entries of a [`WeakValueMap`] that a predicate picks, removed
/// as they are yielded; made by [`WeakValueMap::extract_if`].
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
/// let (_one, two) = (map.insert_new(1, 1), map.insert_new(2, 2));
/// let taken: Vec<(u8, Rc<u8>)> = map.extract_if(|k, _| *k == 2).collect();
/// assert!(taken.len() == 1 && Rc::ptr_eq(&taken[0].1, &two));
/// assert!(map.contains_key(&1) && !map.contains_key(&2));
/// ```
pub struct ExtractIf<'a, K, V: ?Sized, C: WeakFamily, F> {
    inner: Extract<'a, ValueSlot<K, V, C>>,
    pred: F,
}

impl<K, V, C, F> Iterator for ExtractIf<'_, K, V, C, F>
where
    V: ?Sized,
    C: WeakFamily,
    F: FnMut(&K, &StrongOf<V, C>) -> bool,
{
    type Item = (K, StrongOf<V, C>);

    fn next(&mut self) -> Option<Self::Item> {
        let pred = &mut self.pred;
        let (slot, value) = self.inner.next(|slot| match C::upgrade(&slot.value) {
            None => Pick::Dead,
            Some(value) if pred(&slot.key, &value) => Pick::Take(value),
            Some(_) => Pick::Keep,
        })?;
        Some((slot.key, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V, C, F> FusedIterator for ExtractIf<'_, K, V, C, F>
where
    V: ?Sized,
    C: WeakFamily,
    F: FnMut(&K, &StrongOf<V, C>) -> bool,
{
}

impl<K, V: ?Sized, C: WeakFamily, F> fmt::Debug for ExtractIf<'_, K, V, C, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractIf").finish_non_exhaustive()
    }
}

/// The live entries drained out of a [`WeakValueMap`], made by
/// [`WeakValueMap::drain`].
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let value = Rc::new(1);
/// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
/// map.insert(1, &value);
/// let drained: Vec<_> = map.drain().collect();
/// assert_eq!(drained.len(), 1);
/// assert!(map.is_empty());
/// ```
pub struct Drain<'a, K, V: ?Sized, C: WeakFamily> {
    inner: hash_table::Drain<'a, ValueSlot<K, V, C>>,
}

impl<K, V: ?Sized, C: WeakFamily> Iterator for Drain<'_, K, V, C> {
    type Item = (K, StrongOf<V, C>);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.find_map(ValueSlot::into_live)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K, V: ?Sized, C: WeakFamily> FusedIterator for Drain<'_, K, V, C> {}

impl<K, V: ?Sized, C: WeakFamily> fmt::Debug for Drain<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drain").finish_non_exhaustive()
    }
}

/// One key's place in a [`WeakValueMap`], from [`WeakValueMap::entry`]:
/// occupied by a live value, or vacant (missing or dead).
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// use weakref_core::collections::value_map::Entry;
///
/// let mut map: WeakValueMap<&str, i32> = WeakValueMap::default();
/// let value = Rc::new(1);
/// if let Entry::Vacant(slot) = map.entry("one") {
///     slot.insert(Rc::clone(&value));
/// }
/// assert!(matches!(map.entry("one"), Entry::Occupied(_)));
/// ```
pub enum Entry<'a, K, V: ?Sized, C: WeakFamily> {
    /// The key maps to a live value (kept alive by the entry).
    Occupied(OccupiedEntry<'a, K, V, C>),
    /// The key is missing, or its value is dead.
    Vacant(VacantEntry<'a, K, V, C>),
}

impl<'a, K, V: ?Sized, C: WeakFamily> Entry<'a, K, V, C> {
    /// The live value, or `default` stored and returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// let v = map.entry(1).or_insert(Rc::new(1));
    /// assert!(Rc::ptr_eq(&v, &map.entry(1).or_insert(Rc::new(2))));
    /// ```
    pub fn or_insert(self, default: StrongOf<V, C>) -> StrongOf<V, C> {
        match self {
            Entry::Occupied(entry) => entry.into_value(),
            Entry::Vacant(entry) => entry.insert(default),
        }
    }

    /// The live value, or `make()` stored and returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// let v = map.entry(1).or_insert_with(|| Rc::new(1));
    /// assert_eq!(*v, 1);
    /// ```
    pub fn or_insert_with(self, make: impl FnOnce() -> StrongOf<V, C>) -> StrongOf<V, C> {
        match self {
            Entry::Occupied(entry) => entry.into_value(),
            Entry::Vacant(entry) => entry.insert(make()),
        }
    }

    /// The live value, or `make(&key)` stored and returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// let v = map.entry(7).or_insert_with_key(|k| Rc::new(k * 2));
    /// assert_eq!(*v, 14);
    /// ```
    pub fn or_insert_with_key(self, make: impl FnOnce(&K) -> StrongOf<V, C>) -> StrongOf<V, C> {
        match self {
            Entry::Occupied(entry) => entry.into_value(),
            Entry::Vacant(entry) => {
                let value = make(&entry.key);
                entry.insert(value)
            }
        }
    }

    /// The live value, or a new `V::default()` stored and returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, String> = WeakValueMap::default();
    /// let v = map.entry(1).or_default();
    /// assert!(v.is_empty() && Rc::ptr_eq(&v, &map.get(&1).unwrap()));
    /// ```
    pub fn or_default(self) -> StrongOf<V, C>
    where
        V: Default,
    {
        self.or_insert_with(|| C::new(V::default()))
    }

    /// Runs `f` on the live value, if the entry is occupied. `f` gets the
    /// strong handle: the map holds no `V` of its own to lend mutably, so
    /// changing the value goes through interior mutability (std's
    /// `and_modify` gives `&mut V`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use std::cell::Cell;
    /// let mut map: WeakValueMap<u8, Cell<u32>> = WeakValueMap::default();
    /// let mut kept = Vec::new();
    /// for _ in 0..3 {
    ///     kept.push(map.entry(1).and_modify(|n| n.set(n.get() + 1)).or_insert_with(|| Rc::new(Cell::new(1))));
    /// }
    /// assert_eq!(map.get(&1).unwrap().get(), 3);
    /// ```
    pub fn and_modify(self, f: impl FnOnce(&StrongOf<V, C>)) -> Self {
        if let Entry::Occupied(entry) = &self {
            f(entry.get());
        }
        self
    }

    /// Stores `value` (held weakly) under the key, whether the entry was
    /// occupied or vacant, and returns the occupied entry, which keeps
    /// `value` alive while it exists.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// let _old = map.insert_new(1, 1);
    /// let entry = map.entry(1).insert_entry(Rc::new(2));
    /// assert_eq!(**entry.get(), 2);
    /// let _two = entry.into_value();
    /// assert_eq!(map.get(&1).as_deref(), Some(&2));
    /// ```
    pub fn insert_entry(self, value: StrongOf<V, C>) -> OccupiedEntry<'a, K, V, C> {
        match self {
            Entry::Occupied(mut entry) => {
                entry.insert(value);
                entry
            }
            Entry::Vacant(entry) => entry.insert_entry(value),
        }
    }

    /// The entry's key.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut map: WeakValueMap<u8, u8> = WeakValueMap::default();
    /// assert_eq!(*map.entry(3).key(), 3);
    /// ```
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(entry) => entry.key(),
            Entry::Vacant(entry) => entry.key(),
        }
    }
}

impl<K: fmt::Debug, V: ?Sized + fmt::Debug, C: WeakFamily> fmt::Debug for Entry<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Occupied(entry) => f.debug_tuple("Occupied").field(entry).finish(),
            Entry::Vacant(entry) => f.debug_tuple("Vacant").field(entry).finish(),
        }
    }
}

/// A key of a [`WeakValueMap`] with a live value, which this entry keeps
/// alive while it exists.
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// use weakref_core::collections::value_map::Entry;
///
/// let value = Rc::new(1);
/// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
/// map.insert(1, &value);
/// if let Entry::Occupied(entry) = map.entry(1) {
///     assert_eq!(**entry.get(), 1);
/// }
/// ```
pub struct OccupiedEntry<'a, K, V: ?Sized, C: WeakFamily> {
    inner: hash_table::OccupiedEntry<'a, ValueSlot<K, V, C>>,
    value: StrongOf<V, C>,
}

impl<K, V: ?Sized, C: WeakFamily> OccupiedEntry<'_, K, V, C> {
    /// The stored key.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::value_map::Entry;
    /// let value = Rc::new(1);
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// map.insert(1, &value);
    /// if let Entry::Occupied(entry) = map.entry(1) {
    ///     assert_eq!(*entry.key(), 1);
    /// }
    /// ```
    pub fn key(&self) -> &K {
        &self.inner.get().key
    }

    /// The live value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::value_map::Entry;
    /// let value = Rc::new(1);
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// map.insert(1, &value);
    /// if let Entry::Occupied(entry) = map.entry(1) {
    ///     assert!(Rc::ptr_eq(entry.get(), &value));
    /// }
    /// ```
    pub fn get(&self) -> &StrongOf<V, C> {
        &self.value
    }

    /// The live value, consuming the entry.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::value_map::Entry;
    /// let value = Rc::new(1);
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// map.insert(1, &value);
    /// if let Entry::Occupied(entry) = map.entry(1) {
    ///     assert_eq!(Rc::strong_count(&entry.into_value()), 2);
    /// }
    /// ```
    pub fn into_value(self) -> StrongOf<V, C> {
        self.value
    }

    /// Stores `value` (held weakly) in place of the current one, which is
    /// returned; the entry keeps `value` alive while it exists.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::value_map::Entry;
    /// let (a, b) = (Rc::new(1), Rc::new(2));
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// map.insert(1, &a);
    /// if let Entry::Occupied(mut entry) = map.entry(1) {
    ///     assert!(Rc::ptr_eq(&entry.insert(Rc::clone(&b)), &a));
    /// }
    /// assert_eq!(map.get(&1).as_deref(), Some(&2));
    /// ```
    pub fn insert(&mut self, value: StrongOf<V, C>) -> StrongOf<V, C> {
        let _old_weak = mem::replace(&mut self.inner.get_mut().value, C::downgrade(&value));
        mem::replace(&mut self.value, value)
    }

    /// Removes the entry, returning its value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::value_map::Entry;
    /// let value = Rc::new(1);
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// map.insert(1, &value);
    /// if let Entry::Occupied(entry) = map.entry(1) {
    ///     entry.remove();
    /// }
    /// assert!(map.is_empty());
    /// ```
    pub fn remove(self) -> StrongOf<V, C> {
        self.remove_entry().1
    }

    /// Removes the entry, returning its key and value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::value_map::Entry;
    /// let value = Rc::new(1);
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// map.insert(1, &value);
    /// if let Entry::Occupied(entry) = map.entry(1) {
    ///     assert_eq!(entry.remove_entry().0, 1);
    /// }
    /// ```
    pub fn remove_entry(self) -> (K, StrongOf<V, C>) {
        let (slot, _) = self.inner.remove();
        (slot.key, self.value)
    }
}

impl<K: fmt::Debug, V: ?Sized + fmt::Debug, C: WeakFamily> fmt::Debug
    for OccupiedEntry<'_, K, V, C>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OccupiedEntry")
            .field("key", self.key())
            .field("value", &Shown(&*self.value))
            .finish()
    }
}

/// Where a vacant entry goes: a fresh slot, or the slot of a dead value.
enum Vacancy<'a, K, V: ?Sized, C: WeakFamily> {
    Absent(hash_table::VacantEntry<'a, ValueSlot<K, V, C>>),
    Dead(hash_table::OccupiedEntry<'a, ValueSlot<K, V, C>>),
}

/// A key of a [`WeakValueMap`] without a live value: missing, or whose
/// value died (its slot is then reused).
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
/// use weakref_core::collections::value_map::Entry;
/// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
/// map.insert(1, &Rc::new(1)); // dead at once
/// if let Entry::Vacant(entry) = map.entry(1) {
///     let value = entry.insert(Rc::new(2));
///     assert_eq!(map.get(&1), Some(value));
/// }
/// ```
pub struct VacantEntry<'a, K, V: ?Sized, C: WeakFamily> {
    key: K,
    slot: Vacancy<'a, K, V, C>,
}

impl<'a, K, V: ?Sized, C: WeakFamily> VacantEntry<'a, K, V, C> {
    /// The key this entry would store.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::value_map::Entry;
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// if let Entry::Vacant(entry) = map.entry(4) {
    ///     assert_eq!(*entry.key(), 4);
    /// }
    /// ```
    pub fn key(&self) -> &K {
        &self.key
    }

    /// Gives the key back without storing anything.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::value_map::Entry;
    /// let mut map: WeakValueMap<String, i32> = WeakValueMap::default();
    /// if let Entry::Vacant(entry) = map.entry("k".to_owned()) {
    ///     assert_eq!(entry.into_key(), "k");
    /// }
    /// ```
    pub fn into_key(self) -> K {
        self.key
    }

    /// Stores the key with `value` (held weakly) and returns `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::value_map::Entry;
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// if let Entry::Vacant(entry) = map.entry(1) {
    ///     let value = entry.insert(Rc::new(5));
    ///     assert_eq!(*value, 5);
    /// }
    /// ```
    pub fn insert(self, value: StrongOf<V, C>) -> StrongOf<V, C> {
        self.insert_entry(value).into_value()
    }

    /// Stores the key with `value` (held weakly) and returns the occupied
    /// entry, which keeps `value` alive while it exists.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use weakref_core::collections::value_map::Entry;
    /// let mut map: WeakValueMap<u8, i32> = WeakValueMap::default();
    /// if let Entry::Vacant(entry) = map.entry(1) {
    ///     let entry = entry.insert_entry(Rc::new(5));
    ///     assert_eq!((*entry.key(), **entry.get()), (1, 5));
    /// }
    /// ```
    pub fn insert_entry(self, value: StrongOf<V, C>) -> OccupiedEntry<'a, K, V, C> {
        let new = ValueSlot {
            key: self.key,
            value: C::downgrade(&value),
        };
        let inner = match self.slot {
            Vacancy::Absent(slot) => slot.insert(new),
            Vacancy::Dead(mut slot) => {
                // The dead entry is dropped once the slot holds the new one.
                let _dead = mem::replace(slot.get_mut(), new);
                slot
            }
        };
        OccupiedEntry { inner, value }
    }
}

impl<K: fmt::Debug, V: ?Sized, C: WeakFamily> fmt::Debug for VacantEntry<'_, K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VacantEntry").field(&self.key).finish()
    }
}
