//! [`WeakSet`]: Python's `WeakSet`; and the iterators it shares with
//! [`PtrWeakSet`](super::PtrWeakSet).

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;
use core::ops::{BitAnd, BitOr, BitXor, Sub};

use super::family::WeakFamily;
use super::key_map::{self, WeakKeyMap};
use super::raw::{Extract, KeyTable, Pick, Shown, Slot, StrongOf};
use crate::Strong;
use crate::count::RawCount;
use crate::storage::Global;

/// A hash set whose elements are held weakly and compared by value: an
/// element disappears once its last strong handle is dropped (Python's
/// `WeakSet`). **[`len`](Self::len) is not Python's `len()`**: it is O(1)
/// and counts the elements in the table, including dead ones not yet
/// purged; [`live_len`](Self::live_len) counts the live ones (in
/// O(capacity)), and [`is_empty`](Self::is_empty) and the `Debug` output
/// see live elements only (`Debug` shows both counts).
///
/// Elements go in as `&Strong<T>` and come out as new strong handles (what
/// a collection holds weakly comes out upgraded, see
/// [`WeakValueMap`](super::WeakValueMap#iterator-items)). Like
/// [`WeakKeyMap`] (of which it is a thin wrapper), it
/// hashes each element once, at insert; an element equal to a live one is
/// not added (the stored one stays); a dead element is never returned; and
/// dead elements are purged in bulk (see the
/// [module docs](super#dead-entries-len-and-purging)).
///
/// Set algebra ([`union`](Self::union), [`intersection`](Self::intersection),
/// …, and the `|`, `&`, `-`, `^` operators on references) returns new weak
/// sets of the live elements, as Python does.
///
/// # Examples
///
/// [`insert_new`](Self::insert_new) takes the element itself and returns
/// the strong handle that keeps it in the set (`insert(&Rc::new(x))`
/// would store an element that is dead at once):
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let mut tags: WeakSet<String> = WeakSet::default();
/// let rust = tags.insert_new("rust".to_owned());
/// assert!(Rc::ptr_eq(&tags.insert_new("rust".to_owned()), &rust)); // the stored one
/// drop(rust);
/// assert!(tags.is_empty()); // no live element...
/// assert_eq!(tags.len(), 1); // ...but the dead one is not purged yet
/// ```
///
/// Interning: one shared allocation per distinct string, for as long as
/// someone uses it.
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let mut interner: WeakSet<str> = WeakSet::default();
/// let a = interner.get_or_insert_with("tag", |s| Rc::from(s));
/// let b = interner.get_or_insert_with("tag", |s| Rc::from(s));
/// assert!(Rc::ptr_eq(&a, &b));
/// drop((a, b));
/// assert!(!interner.contains("tag"));
/// ```
pub struct WeakSet<T: ?Sized, C: WeakFamily, S> {
    map: WeakKeyMap<T, (), C, S>,
}

#[cfg(feature = "std")]
impl<T: ?Sized, C: WeakFamily> WeakSet<T, C, std::hash::RandomState> {
    /// An empty set with std's `RandomState` hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let set: WeakSet<str> = WeakSet::new();
    /// assert!(set.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(std::hash::RandomState::new())
    }

    /// An empty set with room for `capacity` elements, with std's
    /// `RandomState` hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let set: WeakSet<str> = WeakSet::with_capacity(10);
    /// assert!(set.capacity() >= 10);
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, std::hash::RandomState::new())
    }
}

impl<T: ?Sized, C: WeakFamily, S> WeakSet<T, C, S> {
    /// An empty set that hashes with `hash_builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::WeakSet;
    /// use weakref_core::count::LocalCount;
    /// let set = WeakSet::<str, LocalCount, _>::with_hasher(RandomState::new());
    /// assert!(set.is_empty());
    /// ```
    #[must_use]
    pub const fn with_hasher(hash_builder: S) -> Self {
        WeakSet {
            map: WeakKeyMap::with_hasher(hash_builder),
        }
    }

    /// An empty set with room for `capacity` elements, hashing with
    /// `hash_builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::WeakSet;
    /// use weakref_core::count::LocalCount;
    /// let set = WeakSet::<str, LocalCount, _>::with_capacity_and_hasher(3, RandomState::new());
    /// assert!(set.capacity() >= 3);
    /// ```
    #[must_use]
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        WeakSet {
            map: WeakKeyMap::with_capacity_and_hasher(capacity, hash_builder),
        }
    }

    /// This set as a shard of a [`WeakInterner`](super::WeakInterner) (see
    /// `Table::for_shard`).
    pub(super) fn for_shard(self) -> Self {
        WeakSet {
            map: self.map.for_shard(),
        }
    }

    /// The set's hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use std::hash::BuildHasher;
    /// let set: WeakSet<str> = WeakSet::default();
    /// let _ = set.hasher().hash_one("x");
    /// ```
    pub fn hasher(&self) -> &S {
        self.map.hasher()
    }

    /// How many elements the set can hold before it allocates again.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let set: WeakSet<str> = WeakSet::default();
    /// assert_eq!(set.capacity(), 0);
    /// ```
    pub fn capacity(&self) -> usize {
        self.map.capacity()
    }

    /// The number of elements, **including dead ones not yet purged**, in
    /// O(1); [`live_len`](Self::live_len) is exact.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut set: WeakSet<u8> = WeakSet::default();
    /// set.insert(&Rc::new(1)); // dies at once
    /// assert_eq!((set.len(), set.live_len()), (1, 0));
    /// ```
    #[doc(alias = "__len__")]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no element is alive (Python's `not s`): `live_len() == 0`,
    /// which may hold while `len() > 0` (dead elements not yet purged). It
    /// stops at the first live element: O(1) when the set has no element
    /// or its live elements are not rare, O(capacity) at worst.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut set: WeakSet<u8> = WeakSet::default();
    /// assert!(set.is_empty());
    /// let one = set.insert_new(1);
    /// assert!(!set.is_empty());
    /// drop(one);
    /// assert!(set.is_empty() && set.len() == 1); // dead, not yet purged
    /// ```
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The exact number of live elements, in O(capacity).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let one = Rc::new(1);
    /// let mut set: WeakSet<u8> = WeakSet::default();
    /// set.insert(&one);
    /// assert_eq!(set.live_len(), 1);
    /// ```
    pub fn live_len(&self) -> usize {
        self.map.live_len()
    }

    /// Removes every dead element now.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut set: WeakSet<u8> = WeakSet::default();
    /// set.insert(&Rc::new(1));
    /// set.purge();
    /// assert!(set.is_empty());
    /// ```
    #[doc(alias = "remove_expired")]
    pub fn purge(&mut self) {
        self.map.purge();
    }

    /// Removes every element, keeping the allocation.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let one = Rc::new(1);
    /// let mut set: WeakSet<u8> = WeakSet::default();
    /// set.insert(&one);
    /// set.clear();
    /// assert!(set.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// Keeps only the live elements for which `f` returns `true`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..6).map(Rc::new).collect();
    /// let mut set: WeakSet<u8> = items.iter().collect();
    /// set.retain(|x| **x >= 3);
    /// assert_eq!(set.live_len(), 3);
    /// ```
    pub fn retain(&mut self, mut f: impl FnMut(&StrongOf<T, C>) -> bool) {
        self.map.retain(|key, ()| f(key));
    }

    /// Removes and returns one live element, dropping the dead ones it
    /// meets (Python's `pop`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let one = Rc::new(1);
    /// let mut set: WeakSet<u8> = WeakSet::default();
    /// set.insert(&one);
    /// assert!(Rc::ptr_eq(&set.pop_any().unwrap(), &one));
    /// assert!(set.pop_any().is_none());
    /// ```
    #[doc(alias = "pop")]
    pub fn pop_any(&mut self) -> Option<StrongOf<T, C>> {
        self.map.pop_any().map(|(key, ())| key)
    }

    /// An iterator over new strong handles to the live elements; an
    /// element that dies during the loop is skipped.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (1..=3).map(Rc::new).collect();
    /// let set: WeakSet<u8> = items.iter().collect();
    /// assert_eq!(set.iter().map(|x| *x).sum::<u8>(), 6);
    /// ```
    pub fn iter(&self) -> Iter<'_, T, C> {
        Iter {
            inner: self.map.keys(),
        }
    }

    /// Removes every element, yielding the live ones.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let one = Rc::new(1);
    /// let mut set: WeakSet<u8> = WeakSet::default();
    /// set.insert(&one);
    /// assert_eq!(set.drain().count(), 1);
    /// assert!(set.is_empty());
    /// ```
    pub fn drain(&mut self) -> Drain<'_, T, C> {
        Drain {
            inner: self.map.drain(),
        }
    }
}

/// The methods the two weak sets share word for word, in an `impl` block of
/// `$set` (a set over a weak-keyed map `map`); `$alias` is its doctests'
/// hidden alias line, naming it `Set`.
macro_rules! weak_set_methods {
    ($set:ident, $alias:literal) => {
        impl<T: ?Sized, C: WeakFamily, S> $set<T, C, S> {
            /// An iterator that removes and yields the live elements for which
            /// `pred` returns `true` (std's `HashSet::extract_if`). Dead elements
            /// met on the way are removed, never yielded; if the iterator is
            /// dropped early, the elements it has not reached stay.
            ///
            /// # Examples
            ///
            /// ```
            /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
            #[doc = $alias]
            /// let items: Vec<Rc<u8>> = (0..6).map(Rc::new).collect();
            /// let mut set: Set<u8> = items.iter().collect();
            /// let mut odd: Vec<u8> = set.extract_if(|x| **x % 2 == 1).map(|x| *x).collect();
            /// odd.sort();
            /// assert_eq!(odd, [1, 3, 5]);
            /// assert_eq!(set.live_len(), 3);
            /// ```
            pub fn extract_if<F>(&mut self, pred: F) -> super::set::ExtractIf<'_, T, C, F>
            where
                F: FnMut(&super::raw::StrongOf<T, C>) -> bool,
            {
                super::set::ExtractIf::new(self.map.raw_mut(), pred)
            }

            /// Purges the dead elements, then shrinks the allocation to fit the
            /// live ones, keeping room for at least `min_capacity` (std's
            /// `shrink_to`).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = $alias]
            /// let mut set: Set<u8> = Set::with_capacity(100);
            /// set.shrink_to(10);
            /// assert!(set.capacity() >= 10 && set.capacity() < 100);
            /// ```
            pub fn shrink_to(&mut self, min_capacity: usize) {
                self.map.shrink_to(min_capacity);
            }

            /// [`reserve`](Self::reserve), returning an error instead of aborting
            /// if the capacity overflows or the allocator fails (the set is then
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
            /// let mut set: Set<u8> = Set::default();
            /// set.try_reserve(10).expect("10 elements fit");
            /// assert!(set.try_reserve(usize::MAX).is_err());
            /// ```
            pub fn try_reserve(&mut self, additional: usize) -> Result<(), super::TryReserveError> {
                self.map.try_reserve(additional)
            }
        }
    };
}
pub(super) use weak_set_methods;

weak_set_methods!(
    WeakSet,
    " # type Set<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;"
);

impl<T, C, S> WeakSet<T, C, S>
where
    T: ?Sized + Hash + Eq,
    C: WeakFamily,
    S: BuildHasher,
{
    /// Adds `value` (held weakly); returns `false`, storing nothing, if a
    /// live equal element is already there (Python's `add`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let (a, b) = (Rc::new(1), Rc::new(1));
    /// let mut set: WeakSet<u8> = WeakSet::default();
    /// assert!(set.insert(&a));
    /// assert!(!set.insert(&b)); // equal: `a` stays
    /// assert!(Rc::ptr_eq(&set.get(&1).unwrap(), &a));
    /// ```
    #[doc(alias = "add")]
    #[inline]
    pub fn insert(&mut self, value: &StrongOf<T, C>) -> bool {
        match self.map.entry(value) {
            key_map::Entry::Occupied(_) => false,
            key_map::Entry::Vacant(entry) => {
                entry.insert(());
                true
            }
        }
    }

    /// Moves `value` into a new strong handle, adds it, and returns the
    /// strong handle to the element the set holds: the element stays while
    /// that handle (or a clone) lives. The insert that cannot store a dead
    /// element. If a live element equal to `value` is there, the set keeps
    /// it, as [`insert`](Self::insert) does: `value` is dropped and the
    /// stored element returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut set: WeakSet<String> = WeakSet::default();
    /// let a = set.insert_new("a".to_owned());
    /// let again = set.insert_new("a".to_owned());
    /// assert!(Rc::ptr_eq(&a, &again) && set.live_len() == 1);
    /// ```
    #[must_use = "the set holds the element weakly: dropping the returned handle removes it"]
    pub fn insert_new(&mut self, value: T) -> StrongOf<T, C>
    where
        T: Sized,
    {
        self.get_or_insert(&C::new(value))
    }

    /// Adds `value` (held weakly), replacing a live equal element, which is
    /// returned (std's `HashSet::replace`); `None` if there was none.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let (a, b) = (Rc::new(1), Rc::new(1));
    /// let mut set: WeakSet<u8> = WeakSet::default();
    /// assert!(set.replace(&a).is_none());
    /// assert!(Rc::ptr_eq(&set.replace(&b).unwrap(), &a));
    /// assert!(Rc::ptr_eq(&set.get(&1).unwrap(), &b));
    /// drop(b);
    /// assert!(!set.contains(&1)); // `b` was the element: `a` no longer counts
    /// ```
    pub fn replace(&mut self, value: &StrongOf<T, C>) -> Option<StrongOf<T, C>> {
        match self.map.entry(value) {
            key_map::Entry::Occupied(entry) => {
                // The entry's key is the stored one: insert `value` in its
                // place, the hash being equal for equal elements.
                let (old, ()) = entry.remove_entry();
                self.map.insert(value, ());
                Some(old)
            }
            key_map::Entry::Vacant(entry) => {
                entry.insert(());
                None
            }
        }
    }

    /// Whether a live element equals `value` (Python's `x in s`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let name: Rc<str> = Rc::from("x");
    /// let mut set: WeakSet<str> = WeakSet::default();
    /// set.insert(&name);
    /// assert!(set.contains("x"));
    /// ```
    #[doc(alias = "__contains__")]
    #[inline]
    pub fn contains<Q>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.map.contains_key(value)
    }

    /// A new strong handle to the live element equal to `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let name: Rc<str> = Rc::from("x");
    /// let mut set: WeakSet<str> = WeakSet::default();
    /// set.insert(&name);
    /// assert!(Rc::ptr_eq(&set.get("x").unwrap(), &name));
    /// ```
    #[inline]
    pub fn get<Q>(&self, value: &Q) -> Option<StrongOf<T, C>>
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.map.get_key_value(value).map(|(key, ())| key)
    }

    /// The live element equal to `value`, or `value` itself, inserted.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let (a, b) = (Rc::new(1), Rc::new(1));
    /// let mut set: WeakSet<u8> = WeakSet::default();
    /// assert!(Rc::ptr_eq(&set.get_or_insert(&a), &a));
    /// assert!(Rc::ptr_eq(&set.get_or_insert(&b), &a));
    /// ```
    pub fn get_or_insert(&mut self, value: &StrongOf<T, C>) -> StrongOf<T, C> {
        self.get_or_insert_hashed(super::raw::hash_one(self.hasher(), &**value), value)
    }

    /// `get` with the hash computed (see `get_or_insert_hashed`).
    #[inline]
    pub(super) fn get_hashed<Q>(&self, hash: u64, value: &Q) -> Option<StrongOf<T, C>>
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.map
            .get_key_value_hashed(hash, value)
            .map(|(key, ())| key)
    }

    /// `contains` with the hash computed (see `get_or_insert_hashed`).
    #[inline]
    pub(super) fn contains_hashed<Q>(&self, hash: u64, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.map.get_hashed(hash, value).is_some()
    }

    /// `take` with the hash computed (see `get_or_insert_hashed`).
    pub(super) fn take_hashed<Q>(&mut self, hash: u64, value: &Q) -> Option<StrongOf<T, C>>
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.map
            .remove_entry_hashed(hash, value)
            .map(|(key, ())| key)
    }

    /// `get_or_insert` with `value`'s hash already computed (by this set's
    /// hasher, or one that hashes identically: the concurrent interner's).
    pub(super) fn get_or_insert_hashed(
        &mut self,
        hash: u64,
        value: &StrongOf<T, C>,
    ) -> StrongOf<T, C> {
        match self.map.entry_hashed(hash, value) {
            key_map::Entry::Occupied(entry) => Clone::clone(entry.key()),
            key_map::Entry::Vacant(entry) => {
                entry.insert(());
                Clone::clone(value)
            }
        }
    }

    /// The live element equal to `value`, or `make(value)` inserted and
    /// returned (interning). `make` should build an element equal to
    /// `value`; if it does not, the element it builds is still stored
    /// correctly, under its own hash.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut names: WeakSet<str> = WeakSet::default();
    /// let a = names.get_or_insert_with("ada", |s| Rc::from(s));
    /// assert!(Rc::ptr_eq(&names.get_or_insert_with("ada", |_| unreachable!()), &a));
    /// ```
    pub fn get_or_insert_with<Q>(
        &mut self,
        value: &Q,
        make: impl FnOnce(&Q) -> StrongOf<T, C>,
    ) -> StrongOf<T, C>
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        match self.get(value) {
            Some(found) => found,
            None => self.get_or_insert(&make(value)),
        }
    }

    /// Removes the live element equal to `value`; returns whether there
    /// was one (Python's `discard`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let one = Rc::new(1);
    /// let mut set: WeakSet<u8> = WeakSet::default();
    /// set.insert(&one);
    /// assert!(set.remove(&1));
    /// assert!(!set.remove(&1));
    /// ```
    #[doc(alias = "discard")]
    #[inline]
    pub fn remove<Q>(&mut self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.map.remove(value).is_some()
    }

    /// Removes the live element equal to `value` and returns it.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let one = Rc::new(1);
    /// let mut set: WeakSet<u8> = WeakSet::default();
    /// set.insert(&one);
    /// assert!(Rc::ptr_eq(&set.take(&1).unwrap(), &one));
    /// ```
    pub fn take<Q>(&mut self, value: &Q) -> Option<StrongOf<T, C>>
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.map.remove_entry(value).map(|(key, ())| key)
    }

    /// Makes room for at least `additional` more elements without growing.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut set: WeakSet<u8> = WeakSet::default();
    /// set.reserve(5);
    /// assert!(set.capacity() >= 5);
    /// ```
    pub fn reserve(&mut self, additional: usize) {
        self.map.reserve(additional);
    }

    /// Purges the dead elements, then shrinks the allocation to fit.
    ///
    /// # Examples
    ///
    /// ```
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut set: WeakSet<u8> = WeakSet::with_capacity(50);
    /// set.shrink_to_fit();
    /// assert_eq!(set.capacity(), 0);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.map.shrink_to_fit();
    }

    /// Whether every live element of `self` is in `other` (Python's `<=`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..3).map(Rc::new).collect();
    /// let all: WeakSet<u8> = items.iter().collect();
    /// let some: WeakSet<u8> = items[..1].iter().collect();
    /// assert!(some.is_subset(&all) && !all.is_subset(&some));
    /// ```
    #[doc(alias = "issubset")]
    pub fn is_subset(&self, other: &Self) -> bool {
        self.iter().all(|x| other.contains(&*x))
    }

    /// Whether every live element of `other` is in `self` (Python's `>=`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..3).map(Rc::new).collect();
    /// let all: WeakSet<u8> = items.iter().collect();
    /// let none: WeakSet<u8> = WeakSet::default();
    /// assert!(all.is_superset(&none));
    /// ```
    #[doc(alias = "issuperset")]
    pub fn is_superset(&self, other: &Self) -> bool {
        other.is_subset(self)
    }

    /// Whether no live element of `self` is in `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..4).map(Rc::new).collect();
    /// let low: WeakSet<u8> = items[..2].iter().collect();
    /// let high: WeakSet<u8> = items[2..].iter().collect();
    /// assert!(low.is_disjoint(&high));
    /// ```
    #[doc(alias = "isdisjoint")]
    pub fn is_disjoint(&self, other: &Self) -> bool {
        !self.iter().any(|x| other.contains(&*x))
    }
}

impl<T, C, S> WeakSet<T, C, S>
where
    T: ?Sized + Hash + Eq,
    C: WeakFamily,
    S: BuildHasher + Clone,
{
    /// A new set of the live elements in `self`, `other`, or both (an
    /// element in both is `self`'s). Python's `|`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..3).map(Rc::new).collect();
    /// let a: WeakSet<u8> = items[..2].iter().collect();
    /// let b: WeakSet<u8> = items[1..].iter().collect();
    /// assert_eq!(a.union(&b).live_len(), 3);
    /// assert_eq!((&a | &b).live_len(), 3);
    /// ```
    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        let mut out = self.clone();
        for x in other.iter() {
            out.insert(&x);
        }
        out
    }

    /// A new set of the live elements of `self` that are in `other`.
    /// Python's `&`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..3).map(Rc::new).collect();
    /// let a: WeakSet<u8> = items[..2].iter().collect();
    /// let b: WeakSet<u8> = items[1..].iter().collect();
    /// let both = a.intersection(&b);
    /// assert!(both.contains(&1) && both.live_len() == 1);
    /// ```
    #[must_use]
    pub fn intersection(&self, other: &Self) -> Self {
        self.filtered(|x| other.contains(x))
    }

    /// A new set of the live elements of `self` that are not in `other`.
    /// Python's `-`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..3).map(Rc::new).collect();
    /// let a: WeakSet<u8> = items[..2].iter().collect();
    /// let b: WeakSet<u8> = items[1..].iter().collect();
    /// let only_a = a.difference(&b);
    /// assert!(only_a.contains(&0) && only_a.live_len() == 1);
    /// ```
    #[must_use]
    pub fn difference(&self, other: &Self) -> Self {
        self.filtered(|x| !other.contains(x))
    }

    /// A new set of the live elements in exactly one of `self` and `other`.
    /// Python's `^`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..3).map(Rc::new).collect();
    /// let a: WeakSet<u8> = items[..2].iter().collect();
    /// let b: WeakSet<u8> = items[1..].iter().collect();
    /// let either = a.symmetric_difference(&b);
    /// assert!(either.contains(&0) && either.contains(&2) && !either.contains(&1));
    /// ```
    #[must_use]
    pub fn symmetric_difference(&self, other: &Self) -> Self {
        let mut out = self.difference(other);
        for x in other.iter().filter(|x| !self.contains(&**x)) {
            out.insert(&x);
        }
        out
    }

    /// A new set, with `self`'s hasher, of the live elements `keep` accepts.
    fn filtered(&self, mut keep: impl FnMut(&T) -> bool) -> Self {
        let mut out = Self::with_hasher(self.hasher().clone());
        for x in self.iter().filter(|x| keep(x)) {
            out.insert(&x);
        }
        out
    }
}

impl<T: ?Sized, C: WeakFamily, S: Default> Default for WeakSet<T, C, S> {
    /// An empty set with the default hasher.
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<T: ?Sized, C: WeakFamily, S: Clone> Clone for WeakSet<T, C, S> {
    /// A copy holding the live elements only (Python's `copy()`).
    fn clone(&self) -> Self {
        WeakSet {
            map: self.map.clone(),
        }
    }
}

impl<T: ?Sized + fmt::Debug, C: WeakFamily, S> fmt::Debug for WeakSet<T, C, S> {
    /// `len`, `live_len` and the live elements, as a set: `WeakSet { len:
    /// 2, live_len: 1, entries: {1} }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.map.raw().debug(f, "WeakSet", |f| {
            f.debug_set().entries(self.iter().map(Shown)).finish()
        })
    }
}

impl<T, C, S> PartialEq for WeakSet<T, C, S>
where
    T: ?Sized + Hash + Eq,
    C: WeakFamily,
    S: BuildHasher,
{
    /// Whether the two sets have equal live elements (Python's `==`).
    fn eq(&self, other: &Self) -> bool {
        self.live_len() == other.live_len() && self.is_subset(other)
    }
}

impl<T, C, S> Eq for WeakSet<T, C, S>
where
    T: ?Sized + Hash + Eq,
    C: WeakFamily,
    S: BuildHasher,
{
}

impl<'a, T, C, S> Extend<&'a StrongOf<T, C>> for WeakSet<T, C, S>
where
    T: ?Sized + Hash + Eq + 'a,
    C: WeakFamily + 'a,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = &'a StrongOf<T, C>>>(&mut self, iter: I) {
        for value in iter {
            self.insert(value);
        }
    }
}

impl<T, C, S> Extend<Strong<T, C, Global>> for WeakSet<T, C, S>
where
    T: ?Sized + Hash + Eq,
    C: RawCount,
    S: BuildHasher,
{
    /// Inserts each element; one whose only strong handle was the one
    /// passed in dies at once.
    fn extend<I: IntoIterator<Item = Strong<T, C, Global>>>(&mut self, iter: I) {
        for value in iter {
            self.insert(&value);
        }
    }
}

impl<'a, T, C, S> FromIterator<&'a StrongOf<T, C>> for WeakSet<T, C, S>
where
    T: ?Sized + Hash + Eq + 'a,
    C: WeakFamily + 'a,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = &'a StrongOf<T, C>>>(iter: I) -> Self {
        let mut set = Self::default();
        set.extend(iter);
        set
    }
}

impl<T, C, S> FromIterator<Strong<T, C, Global>> for WeakSet<T, C, S>
where
    T: ?Sized + Hash + Eq,
    C: RawCount,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = Strong<T, C, Global>>>(iter: I) -> Self {
        let mut set = Self::default();
        set.extend(iter);
        set
    }
}

impl<'a, T: ?Sized, C: WeakFamily, S> IntoIterator for &'a WeakSet<T, C, S> {
    type Item = StrongOf<T, C>;
    type IntoIter = Iter<'a, T, C>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: ?Sized, C: WeakFamily, S> IntoIterator for WeakSet<T, C, S> {
    type Item = StrongOf<T, C>;
    type IntoIter = IntoIter<T, C>;

    /// The live elements; dead ones are dropped on the way.
    fn into_iter(self) -> Self::IntoIter {
        IntoIter {
            inner: self.map.into_iter(),
        }
    }
}

macro_rules! set_operator {
    ($trait:ident, $method:ident, $op:tt, $doc:literal) => {
        impl<T, C, S> $trait<&WeakSet<T, C, S>> for &WeakSet<T, C, S>
        where
            T: ?Sized + Hash + Eq,
            C: WeakFamily,
            S: BuildHasher + Clone,
        {
            type Output = WeakSet<T, C, S>;

            #[doc = $doc]
            fn $method(self, other: &WeakSet<T, C, S>) -> WeakSet<T, C, S> {
                WeakSet::$op(self, other)
            }
        }
    };
}

set_operator!(BitOr, bitor, union, "[`WeakSet::union`].");
set_operator!(BitAnd, bitand, intersection, "[`WeakSet::intersection`].");
set_operator!(Sub, sub, difference, "[`WeakSet::difference`].");
set_operator!(
    BitXor,
    bitxor,
    symmetric_difference,
    "[`WeakSet::symmetric_difference`]."
);

/// New strong handles to the live elements of a weak set, made by
/// [`WeakSet::iter`] and [`PtrWeakSet::iter`](super::PtrWeakSet::iter); an
/// element that dies during the loop is skipped.
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let one = Rc::new(1);
/// let set: WeakSet<u8> = [&one].into_iter().collect();
/// assert_eq!(set.iter().count(), 1);
/// ```
pub struct Iter<'a, T: ?Sized, C: WeakFamily> {
    pub(super) inner: key_map::Keys<'a, T, (), C>,
}

impl<T: ?Sized, C: WeakFamily> Iterator for Iter<'_, T, C> {
    type Item = StrongOf<T, C>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T: ?Sized, C: WeakFamily> FusedIterator for Iter<'_, T, C> {}

impl<T: ?Sized, C: WeakFamily> Clone for Iter<'_, T, C> {
    fn clone(&self) -> Self {
        Iter {
            inner: self.inner.clone(),
        }
    }
}

impl<T: ?Sized, C: WeakFamily> fmt::Debug for Iter<'_, T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").finish_non_exhaustive()
    }
}

/// The live elements of a weak set, by value (its `into_iter`).
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let one = Rc::new(1);
/// let set: WeakSet<u8> = [&one].into_iter().collect();
/// let all: Vec<Rc<u8>> = set.into_iter().collect();
/// assert!(Rc::ptr_eq(&all[0], &one));
/// ```
pub struct IntoIter<T: ?Sized, C: WeakFamily> {
    pub(super) inner: key_map::IntoIter<T, (), C>,
}

impl<T: ?Sized, C: WeakFamily> Iterator for IntoIter<T, C> {
    type Item = StrongOf<T, C>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|(key, ())| key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T: ?Sized, C: WeakFamily> FusedIterator for IntoIter<T, C> {}

impl<T: ?Sized, C: WeakFamily> fmt::Debug for IntoIter<T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoIter").finish_non_exhaustive()
    }
}

/// The live elements of a weak set that a predicate picks, removed as they
/// are yielded; made by [`WeakSet::extract_if`] and
/// [`PtrWeakSet::extract_if`](super::PtrWeakSet::extract_if).
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let mut set: WeakSet<u8> = WeakSet::default();
/// let (one, two) = (set.insert_new(1), set.insert_new(2));
/// let taken: Vec<Rc<u8>> = set.extract_if(|x| **x == 2).collect();
/// assert!(taken.len() == 1 && Rc::ptr_eq(&taken[0], &two));
/// assert!(set.contains(&*one) && !set.contains(&2));
/// ```
pub struct ExtractIf<'a, T: ?Sized, C: WeakFamily, F> {
    inner: Extract<'a, Slot<T, (), C>>,
    pred: F,
}

impl<'a, T: ?Sized, C: WeakFamily, F> ExtractIf<'a, T, C, F> {
    pub(super) fn new(table: &'a mut KeyTable<T, (), C>, pred: F) -> Self {
        ExtractIf {
            inner: Extract::new(table),
            pred,
        }
    }
}

impl<T, C, F> Iterator for ExtractIf<'_, T, C, F>
where
    T: ?Sized,
    C: WeakFamily,
    F: FnMut(&StrongOf<T, C>) -> bool,
{
    type Item = StrongOf<T, C>;

    fn next(&mut self) -> Option<Self::Item> {
        let pred = &mut self.pred;
        let (_, value) = self.inner.next(|slot| match C::upgrade(&slot.key) {
            None => Pick::Dead,
            Some(value) if pred(&value) => Pick::Take(value),
            Some(_) => Pick::Keep,
        })?;
        Some(value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T, C, F> FusedIterator for ExtractIf<'_, T, C, F>
where
    T: ?Sized,
    C: WeakFamily,
    F: FnMut(&StrongOf<T, C>) -> bool,
{
}

impl<T: ?Sized, C: WeakFamily, F> fmt::Debug for ExtractIf<'_, T, C, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractIf").finish_non_exhaustive()
    }
}

/// The live elements drained out of a weak set, made by
/// [`WeakSet::drain`] and [`PtrWeakSet::drain`](super::PtrWeakSet::drain).
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
/// let one = Rc::new(1);
/// let mut set: WeakSet<u8> = [&one].into_iter().collect();
/// assert_eq!(set.drain().count(), 1);
/// ```
pub struct Drain<'a, T: ?Sized, C: WeakFamily> {
    pub(super) inner: key_map::Drain<'a, T, (), C>,
}

impl<T: ?Sized, C: WeakFamily> Iterator for Drain<'_, T, C> {
    type Item = StrongOf<T, C>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|(key, ())| key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T: ?Sized, C: WeakFamily> FusedIterator for Drain<'_, T, C> {}

impl<T: ?Sized, C: WeakFamily> fmt::Debug for Drain<'_, T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drain").finish_non_exhaustive()
    }
}
