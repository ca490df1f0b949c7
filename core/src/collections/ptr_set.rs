//! [`PtrWeakSet`]: a weak set whose elements are compared by identity.

use core::fmt;
use core::hash::BuildHasher;
use core::ops::{BitAnd, BitOr, BitXor, Sub};

use super::family::WeakFamily;
use super::key_map;
use super::ptr_key_map::PtrWeakKeyMap;
use super::raw::{Shown, StrongOf};
use super::set::{Drain, IntoIter, Iter};
use crate::Strong;
use crate::count::RawCount;
use crate::storage::Global;

/// A hash set whose elements are held weakly and compared by **identity**
/// (the allocation each handle points to): a Rust addition to Python's
/// `WeakSet`, for elements that are not `Hash`/`Eq`, or when two equal
/// values are still two members (observers, listeners, live objects).
/// **[`len`](Self::len) is not Python's `len()`**: it is O(1) and counts
/// the elements in the table, including dead ones not yet purged;
/// [`live_len`](Self::live_len) counts the live ones (in O(capacity)), and
/// [`is_empty`](Self::is_empty) and the `Debug` output see live elements
/// only (`Debug` shows both counts).
///
/// Behaves as [`WeakSet`](super::WeakSet) otherwise: elements go in as
/// `&Strong<T>` and come out as new strong handles, dead ones are never
/// returned, and set algebra returns new sets.
///
/// # Examples
///
/// [`insert_new`](Self::insert_new) takes the element itself and returns
/// the strong handle that keeps it in the set (`insert(&Rc::new(x))`
/// would store an element that is dead at once).
///
/// ```
/// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
/// struct Listener(&'static str);
///
/// let mut listeners: PtrWeakSet<Listener> = PtrWeakSet::default();
/// let _a = listeners.insert_new(Listener("a"));
/// let b = listeners.insert_new(Listener("b"));
/// drop(b); // unsubscribes by going away
/// let names: Vec<&str> = listeners.iter().map(|l| l.0).collect();
/// assert_eq!(names, ["a"]);
/// ```
pub struct PtrWeakSet<T: ?Sized, C: WeakFamily, S> {
    map: PtrWeakKeyMap<T, (), C, S>,
}

#[cfg(feature = "std")]
impl<T: ?Sized, C: WeakFamily> PtrWeakSet<T, C, std::hash::RandomState> {
    /// An empty set with std's `RandomState` hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let set: PtrWeakSet<u8> = PtrWeakSet::new();
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
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let set: PtrWeakSet<u8> = PtrWeakSet::with_capacity(10);
    /// assert!(set.capacity() >= 10);
    /// ```
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, std::hash::RandomState::new())
    }
}

impl<T: ?Sized, C: WeakFamily, S> PtrWeakSet<T, C, S> {
    /// An empty set that hashes addresses with `hash_builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::PtrWeakSet;
    /// use weakref_core::count::LocalCount;
    /// let set = PtrWeakSet::<u8, LocalCount, _>::with_hasher(RandomState::new());
    /// assert!(set.is_empty());
    /// ```
    #[must_use]
    pub const fn with_hasher(hash_builder: S) -> Self {
        PtrWeakSet {
            map: PtrWeakKeyMap::with_hasher(hash_builder),
        }
    }

    /// An empty set with room for `capacity` elements, hashing addresses
    /// with `hash_builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::PtrWeakSet;
    /// use weakref_core::count::LocalCount;
    /// let set = PtrWeakSet::<u8, LocalCount, _>::with_capacity_and_hasher(3, RandomState::new());
    /// assert!(set.capacity() >= 3);
    /// ```
    #[must_use]
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        PtrWeakSet {
            map: PtrWeakKeyMap::with_capacity_and_hasher(capacity, hash_builder),
        }
    }

    /// The set's hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// use std::hash::BuildHasher;
    /// let set: PtrWeakSet<u8> = PtrWeakSet::default();
    /// let _ = set.hasher().hash_one(0usize);
    /// ```
    pub fn hasher(&self) -> &S {
        self.map.hasher()
    }

    /// How many elements the set can hold before it allocates again.
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let set: PtrWeakSet<u8> = PtrWeakSet::default();
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
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut set: PtrWeakSet<u8> = PtrWeakSet::default();
    /// set.insert(&Rc::new(1)); // dies at once
    /// assert_eq!((set.len(), set.live_len()), (1, 0));
    /// ```
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no element is alive: `live_len() == 0`, which may hold
    /// while `len() > 0` (dead elements not yet purged). It stops at the
    /// first live element: O(1) when the set has no element or its live
    /// elements are not rare, O(capacity) at worst.
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut set: PtrWeakSet<u8> = PtrWeakSet::default();
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
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let one = Rc::new(1);
    /// let mut set: PtrWeakSet<u8> = PtrWeakSet::default();
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
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut set: PtrWeakSet<u8> = PtrWeakSet::default();
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
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let one = Rc::new(1);
    /// let mut set: PtrWeakSet<u8> = PtrWeakSet::default();
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
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..4).map(Rc::new).collect();
    /// let mut set: PtrWeakSet<u8> = items.iter().collect();
    /// set.retain(|x| **x % 2 == 0);
    /// assert_eq!(set.live_len(), 2);
    /// ```
    pub fn retain(&mut self, mut f: impl FnMut(&StrongOf<T, C>) -> bool) {
        self.map.retain(|key, ()| f(key));
    }

    /// Removes and returns one live element (Python's `pop`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let one = Rc::new(1);
    /// let mut set: PtrWeakSet<u8> = PtrWeakSet::default();
    /// set.insert(&one);
    /// assert!(Rc::ptr_eq(&set.pop_any().unwrap(), &one));
    /// ```
    #[doc(alias = "pop")]
    pub fn pop_any(&mut self) -> Option<StrongOf<T, C>> {
        self.map.pop_any().map(|(key, ())| key)
    }

    /// An iterator over new strong handles to the live elements.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = vec![Rc::new(1), Rc::new(1)];
    /// let set: PtrWeakSet<u8> = items.iter().collect();
    /// assert_eq!(set.iter().count(), 2); // equal, but two members
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
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let one = Rc::new(1);
    /// let mut set: PtrWeakSet<u8> = PtrWeakSet::default();
    /// set.insert(&one);
    /// assert_eq!(set.drain().count(), 1);
    /// ```
    pub fn drain(&mut self) -> Drain<'_, T, C> {
        Drain {
            inner: self.map.drain(),
        }
    }
}

super::set::weak_set_methods!(
    PtrWeakSet,
    " # type Set<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;"
);

impl<T: ?Sized, C: WeakFamily, S: BuildHasher> PtrWeakSet<T, C, S> {
    /// Adds `value`'s allocation (held weakly); returns `false` if it was
    /// already a member (Python's `add`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let (a, b) = (Rc::new(1), Rc::new(1));
    /// let mut set: PtrWeakSet<u8> = PtrWeakSet::default();
    /// assert!(set.insert(&a));
    /// assert!(set.insert(&b));
    /// assert!(!set.insert(&a));
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

    /// Moves `value` into a new allocation, adds it, and returns the strong
    /// handle: the element stays while it (or a clone) lives. The insert
    /// that cannot store a dead element.
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut set: PtrWeakSet<u8> = PtrWeakSet::default();
    /// let (a, b) = (set.insert_new(1), set.insert_new(1)); // two members
    /// assert_eq!(set.live_len(), 2);
    /// drop(a);
    /// assert!(set.contains(&b) && set.live_len() == 1);
    /// ```
    #[must_use = "the set holds the element weakly: dropping the returned handle removes it"]
    pub fn insert_new(&mut self, value: T) -> StrongOf<T, C>
    where
        T: Sized,
    {
        self.map.insert_new(value, ())
    }

    /// Whether `value`'s allocation is a member.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let (a, b) = (Rc::new(1), Rc::new(1));
    /// let mut set: PtrWeakSet<u8> = PtrWeakSet::default();
    /// set.insert(&a);
    /// assert!(set.contains(&a) && !set.contains(&b));
    /// ```
    #[inline]
    pub fn contains(&self, value: &StrongOf<T, C>) -> bool {
        self.map.contains_key(value)
    }

    /// Removes `value`'s allocation; returns whether it was a member
    /// (Python's `discard`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let a = Rc::new(1);
    /// let mut set: PtrWeakSet<u8> = PtrWeakSet::default();
    /// set.insert(&a);
    /// assert!(set.remove(&a));
    /// assert!(!set.remove(&a));
    /// ```
    #[doc(alias = "discard")]
    #[inline]
    pub fn remove(&mut self, value: &StrongOf<T, C>) -> bool {
        self.map.remove(value).is_some()
    }

    /// Makes room for at least `additional` more elements without growing.
    ///
    /// # Examples
    ///
    /// ```
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut set: PtrWeakSet<u8> = PtrWeakSet::default();
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
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let mut set: PtrWeakSet<u8> = PtrWeakSet::with_capacity(50);
    /// set.shrink_to_fit();
    /// assert_eq!(set.capacity(), 0);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.map.shrink_to_fit();
    }

    /// Whether every live element of `self` is in `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..3).map(Rc::new).collect();
    /// let all: PtrWeakSet<u8> = items.iter().collect();
    /// let some: PtrWeakSet<u8> = items[..1].iter().collect();
    /// assert!(some.is_subset(&all) && !all.is_subset(&some));
    /// ```
    #[doc(alias = "issubset")]
    pub fn is_subset(&self, other: &Self) -> bool {
        self.iter().all(|x| other.contains(&x))
    }

    /// Whether every live element of `other` is in `self`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..3).map(Rc::new).collect();
    /// let all: PtrWeakSet<u8> = items.iter().collect();
    /// assert!(all.is_superset(&PtrWeakSet::default()));
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
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let (a, b) = (Rc::new(1), Rc::new(1));
    /// let left: PtrWeakSet<u8> = [&a].into_iter().collect();
    /// let right: PtrWeakSet<u8> = [&b].into_iter().collect();
    /// assert!(left.is_disjoint(&right)); // equal values, distinct objects
    /// ```
    #[doc(alias = "isdisjoint")]
    pub fn is_disjoint(&self, other: &Self) -> bool {
        !self.iter().any(|x| other.contains(&x))
    }
}

impl<T: ?Sized, C: WeakFamily, S: BuildHasher + Clone> PtrWeakSet<T, C, S> {
    /// A new set of the live elements in `self`, `other`, or both.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..3).map(Rc::new).collect();
    /// let a: PtrWeakSet<u8> = items[..2].iter().collect();
    /// let b: PtrWeakSet<u8> = items[1..].iter().collect();
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
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..3).map(Rc::new).collect();
    /// let a: PtrWeakSet<u8> = items[..2].iter().collect();
    /// let b: PtrWeakSet<u8> = items[1..].iter().collect();
    /// assert!(a.intersection(&b).contains(&items[1]));
    /// ```
    #[must_use]
    pub fn intersection(&self, other: &Self) -> Self {
        self.filtered(|x| other.contains(x))
    }

    /// A new set of the live elements of `self` that are not in `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..3).map(Rc::new).collect();
    /// let a: PtrWeakSet<u8> = items[..2].iter().collect();
    /// let b: PtrWeakSet<u8> = items[1..].iter().collect();
    /// assert_eq!((&a - &b).live_len(), 1);
    /// ```
    #[must_use]
    pub fn difference(&self, other: &Self) -> Self {
        self.filtered(|x| !other.contains(x))
    }

    /// A new set of the live elements in exactly one of `self` and `other`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type PtrWeakSet<T> = weakref_core::collections::PtrWeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
    /// let items: Vec<Rc<u8>> = (0..3).map(Rc::new).collect();
    /// let a: PtrWeakSet<u8> = items[..2].iter().collect();
    /// let b: PtrWeakSet<u8> = items[1..].iter().collect();
    /// assert_eq!((&a ^ &b).live_len(), 2);
    /// ```
    #[must_use]
    pub fn symmetric_difference(&self, other: &Self) -> Self {
        let mut out = self.difference(other);
        for x in other.iter().filter(|x| !self.contains(x)) {
            out.insert(&x);
        }
        out
    }

    fn filtered(&self, mut keep: impl FnMut(&StrongOf<T, C>) -> bool) -> Self {
        let mut out = Self::with_hasher(self.hasher().clone());
        for x in self.iter().filter(|x| keep(x)) {
            out.insert(&x);
        }
        out
    }
}

impl<T: ?Sized, C: WeakFamily, S: Default> Default for PtrWeakSet<T, C, S> {
    /// An empty set with the default hasher.
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<T: ?Sized, C: WeakFamily, S: Clone> Clone for PtrWeakSet<T, C, S> {
    /// A copy holding the live elements only.
    fn clone(&self) -> Self {
        PtrWeakSet {
            map: self.map.clone(),
        }
    }
}

impl<T: ?Sized + fmt::Debug, C: WeakFamily, S> fmt::Debug for PtrWeakSet<T, C, S> {
    /// `len`, `live_len` and the live elements, as a set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.map.raw().debug(f, "PtrWeakSet", |f| {
            f.debug_set().entries(self.iter().map(Shown)).finish()
        })
    }
}

impl<T: ?Sized, C: WeakFamily, S: BuildHasher> PartialEq for PtrWeakSet<T, C, S> {
    /// Whether the two sets have the same live members.
    fn eq(&self, other: &Self) -> bool {
        self.live_len() == other.live_len() && self.is_subset(other)
    }
}

impl<T: ?Sized, C: WeakFamily, S: BuildHasher> Eq for PtrWeakSet<T, C, S> {}

impl<'a, T, C, S> Extend<&'a StrongOf<T, C>> for PtrWeakSet<T, C, S>
where
    T: ?Sized + 'a,
    C: WeakFamily + 'a,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = &'a StrongOf<T, C>>>(&mut self, iter: I) {
        for value in iter {
            self.insert(value);
        }
    }
}

impl<T: ?Sized, C: RawCount, S: BuildHasher> Extend<Strong<T, C, Global>> for PtrWeakSet<T, C, S> {
    /// Inserts each element; one whose only strong handle was the one
    /// passed in dies at once.
    fn extend<I: IntoIterator<Item = Strong<T, C, Global>>>(&mut self, iter: I) {
        for value in iter {
            self.insert(&value);
        }
    }
}

impl<'a, T, C, S> FromIterator<&'a StrongOf<T, C>> for PtrWeakSet<T, C, S>
where
    T: ?Sized + 'a,
    C: WeakFamily + 'a,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = &'a StrongOf<T, C>>>(iter: I) -> Self {
        let mut set = Self::default();
        set.extend(iter);
        set
    }
}

impl<T: ?Sized, C: RawCount, S: BuildHasher + Default> FromIterator<Strong<T, C, Global>>
    for PtrWeakSet<T, C, S>
{
    fn from_iter<I: IntoIterator<Item = Strong<T, C, Global>>>(iter: I) -> Self {
        let mut set = Self::default();
        set.extend(iter);
        set
    }
}

impl<'a, T: ?Sized, C: WeakFamily, S> IntoIterator for &'a PtrWeakSet<T, C, S> {
    type Item = StrongOf<T, C>;
    type IntoIter = Iter<'a, T, C>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: ?Sized, C: WeakFamily, S> IntoIterator for PtrWeakSet<T, C, S> {
    type Item = StrongOf<T, C>;
    type IntoIter = IntoIter<T, C>;

    /// The live elements; dead ones are dropped on the way.
    fn into_iter(self) -> Self::IntoIter {
        IntoIter {
            inner: self.map.into_iter(),
        }
    }
}

macro_rules! ptr_set_operator {
    ($trait:ident, $method:ident, $op:tt, $doc:literal) => {
        impl<T, C, S> $trait<&PtrWeakSet<T, C, S>> for &PtrWeakSet<T, C, S>
        where
            T: ?Sized,
            C: WeakFamily,
            S: BuildHasher + Clone,
        {
            type Output = PtrWeakSet<T, C, S>;

            #[doc = $doc]
            fn $method(self, other: &PtrWeakSet<T, C, S>) -> PtrWeakSet<T, C, S> {
                PtrWeakSet::$op(self, other)
            }
        }
    };
}

ptr_set_operator!(BitOr, bitor, union, "[`PtrWeakSet::union`].");
ptr_set_operator!(
    BitAnd,
    bitand,
    intersection,
    "[`PtrWeakSet::intersection`]."
);
ptr_set_operator!(Sub, sub, difference, "[`PtrWeakSet::difference`].");
ptr_set_operator!(
    BitXor,
    bitxor,
    symmetric_difference,
    "[`PtrWeakSet::symmetric_difference`]."
);
