//! [`WeakInterner`]: a weak set shared by `&self` between threads.

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use super::raw::StrongOf;
use super::set::WeakSet;
use super::sharded::{DEFAULT_SHARDS, ShardIter, Shards};
use crate::Strong;
use crate::count::RawCount;
use crate::storage::Global;

/// A weak set that many threads use at once through `&self`, for
/// interning: equal values share one allocation while any handle to it
/// lives, and the table forgets it once none does.
///
/// Sharded like [`WeakCache`](super::WeakCache): each shard a
/// [`WeakSet`] behind its own lock. [`intern`](Self::intern) and
/// [`intern_with`](Self::intern_with) never return a dead value, and
/// callers racing on equal values all get the same handle.
///
/// # Examples
///
/// ```
/// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
/// use weakref_core::collections::WeakInterner;
/// use weakref_core::count::AtomicCount;
///
/// let symbols: WeakInterner<str, AtomicCount, _> = WeakInterner::new();
/// let a = symbols.intern_with("main", |s| Arc::from(s));
/// let b = std::thread::scope(|s| {
///     s.spawn(|| symbols.intern_with("main", |s| Arc::from(s))).join().unwrap()
/// });
/// assert!(Arc::ptr_eq(&a, &b));
/// drop((a, b));
/// assert!(!symbols.contains("main"));
/// ```
pub struct WeakInterner<T: ?Sized, C: RawCount, S> {
    shards: Shards<WeakSet<T, C, S>, S>,
}

#[cfg(feature = "std")]
impl<T: ?Sized, C: RawCount> WeakInterner<T, C, std::hash::RandomState> {
    /// An empty interner with std's `RandomState` hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<str, AtomicCount, _> = WeakInterner::new();
    /// assert!(names.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::with_hasher(std::hash::RandomState::new())
    }

    /// An empty interner with room for `capacity` elements (spread over
    /// its shards) before any shard grows, with std's `RandomState`.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<str, AtomicCount, _> = WeakInterner::with_capacity(1000);
    /// assert!(names.capacity() >= 1000);
    /// ```
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, std::hash::RandomState::new())
    }
}

impl<T: ?Sized, C: RawCount, S: BuildHasher + Clone> WeakInterner<T, C, S> {
    /// An empty interner hashing with `hash_builder` (32 shards).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<str, AtomicCount, _> = WeakInterner::with_hasher(RandomState::new());
    /// assert_eq!(names.len(), 0);
    /// ```
    pub fn with_hasher(hash_builder: S) -> Self {
        Self::with_shards_and_hasher(DEFAULT_SHARDS, hash_builder)
    }

    /// An empty interner with `shards` shards (rounded up to a power of
    /// two).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<str, AtomicCount, _> =
    ///     WeakInterner::with_shards_and_hasher(4, RandomState::new());
    /// assert!(names.is_empty());
    /// ```
    pub fn with_shards_and_hasher(shards: usize, hash_builder: S) -> Self {
        Self::with_shards_capacity_and_hasher(shards, 0, hash_builder)
    }

    /// An empty interner with room for `capacity` elements (spread over
    /// its shards) before any shard grows, hashing with `hash_builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::hash::RandomState;
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<str, AtomicCount, _> =
    ///     WeakInterner::with_capacity_and_hasher(1000, RandomState::new());
    /// assert!(names.capacity() >= 1000);
    /// ```
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        Self::with_shards_capacity_and_hasher(DEFAULT_SHARDS, capacity, hash_builder)
    }

    fn with_shards_capacity_and_hasher(shards: usize, capacity: usize, hash_builder: S) -> Self {
        let make = |capacity| {
            WeakSet::with_capacity_and_hasher(capacity, hash_builder.clone()).for_shard()
        };
        WeakInterner {
            shards: Shards::new(shards, capacity, hash_builder.clone(), make),
        }
    }
}

impl<T: ?Sized, C: RawCount, S> WeakInterner<T, C, S> {
    /// The number of elements the shards hold without growing (their sum).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<str, AtomicCount, _> = WeakInterner::with_capacity(64);
    /// assert!(names.capacity() >= 64);
    /// ```
    pub fn capacity(&self) -> usize {
        let mut capacity = 0;
        self.shards.for_each(|set| capacity += set.capacity());
        capacity
    }

    /// Calls `f` on each live element, shard by shard, each under its
    /// shared lock (see [`WeakCache::for_each`](super::WeakCache::for_each)
    /// for what that means; `f` must not use this interner).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// let _held = [names.intern("ada".to_owned()), names.intern("bob".to_owned())];
    /// let mut letters = 0;
    /// names.for_each(|name| letters += name.len());
    /// assert_eq!(letters, 6);
    /// ```
    pub fn for_each(&self, mut f: impl FnMut(&StrongOf<T, C>)) {
        self.shards.visit(|set, held| {
            for element in set.iter() {
                f(&element);
                held.push(element);
            }
        });
    }

    /// An iterator over the live elements, one shard's copy at a time
    /// (see [`WeakCache::iter`](super::WeakCache::iter)): the loop body
    /// may use the interner.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// let _ada = names.intern("ada".to_owned());
    /// let all: Vec<String> = names.iter().map(|name| (*name).clone()).collect();
    /// assert_eq!(all, ["ada"]);
    /// ```
    pub fn iter(&self) -> Iter<'_, T, C, S> {
        Iter {
            inner: self.shards.iter(|set| set.iter().collect()),
        }
    }

    /// Keeps only the live elements for which `f` returns `true`; dead
    /// ones are removed too. Shard by shard, under each one's exclusive
    /// lock (`f` must not use this interner).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// let _held = [names.intern("ada".to_owned()), names.intern("bob".to_owned())];
    /// names.retain(|name| name.starts_with('a'));
    /// assert_eq!(names.live_len(), 1);
    /// ```
    pub fn retain(&self, mut f: impl FnMut(&StrongOf<T, C>) -> bool) {
        self.shards.visit_mut(|set, held| {
            set.retain(|element| {
                held.push(element.clone());
                f(element)
            });
        });
    }

    /// The number of elements, including dead ones not yet purged.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// let _ada = names.intern("ada".to_owned());
    /// assert_eq!(names.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        let mut len = 0;
        self.shards.for_each(|set| len += set.len());
        len
    }

    /// Whether no element is alive: [`live_len`](Self::live_len) is 0, as
    /// for the weak sets, which may hold while [`len`](Self::len) is not
    /// (dead elements not yet purged). Each shard stops at its first live
    /// element.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// assert!(names.is_empty());
    /// let ada = names.intern("ada".to_owned());
    /// assert!(!names.is_empty());
    /// drop(ada);
    /// assert!(names.is_empty() && names.len() == 1); // dead, not yet purged
    /// ```
    pub fn is_empty(&self) -> bool {
        let mut empty = true;
        self.shards.for_each(|set| empty &= set.is_empty());
        empty
    }

    /// The exact number of live elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// let _ada = names.intern("ada".to_owned());
    /// drop(names.intern("bob".to_owned())); // dead at once
    /// assert_eq!(names.live_len(), 1);
    /// ```
    pub fn live_len(&self) -> usize {
        let mut len = 0;
        self.shards.for_each(|set| len += set.live_len());
        len
    }

    /// Removes every dead element now.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// drop(names.intern("gone".to_owned()));
    /// names.purge();
    /// assert_eq!(names.len(), 0);
    /// ```
    pub fn purge(&self) {
        self.shards.for_each_mut(WeakSet::purge);
    }

    /// The live elements at one moment (every shard locked while copying).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// let _ada = names.intern("ada".to_owned());
    /// assert_eq!(names.snapshot().len(), 1);
    /// ```
    pub fn snapshot(&self) -> Vec<StrongOf<T, C>> {
        let locked = self.shards.read_all();
        let mut live = Vec::new();
        for set in &locked {
            live.extend(set.iter());
        }
        live
    }
}

impl<T, C, S> WeakInterner<T, C, S>
where
    T: ?Sized + Hash + Eq,
    C: RawCount,
    S: BuildHasher,
{
    /// The live element equal to `value`, or the one `make` builds from it,
    /// stored and returned. `make` runs at most once per miss, under the
    /// lock of the value's shard (see
    /// [`WeakCache::get_or_insert_with`](super::WeakCache::get_or_insert_with));
    /// it must build an element equal to `value` and not use this interner.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let paths: WeakInterner<str, AtomicCount, _> = WeakInterner::new();
    /// let a = paths.intern_with("/tmp", |p| Arc::from(p));
    /// let b = paths.intern_with("/tmp", |_| unreachable!("interned"));
    /// assert!(Arc::ptr_eq(&a, &b));
    /// ```
    pub fn intern_with<Q>(
        &self,
        value: &Q,
        make: impl FnOnce(&Q) -> StrongOf<T, C>,
    ) -> StrongOf<T, C>
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.shards.hash(value);
        // A hit needs only the shared lock; a miss checks again under the
        // exclusive one, where `make` runs.
        if let Some(found) = self.shards.read(hash).get_hashed(hash, value) {
            return found;
        }
        let mut shard = self.shards.write(hash);
        match shard.get_hashed(hash, value) {
            Some(found) => found,
            None => shard.get_or_insert_hashed(hash, &make(value)),
        }
    }

    /// The live element equal to `value`, or `value` itself, moved into a
    /// new allocation, stored and returned.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// let a = names.intern("ada".to_owned());
    /// let b = names.intern("ada".to_owned());
    /// assert!(Arc::ptr_eq(&a, &b));
    /// ```
    pub fn intern(&self, value: T) -> StrongOf<T, C>
    where
        T: Sized,
    {
        let hash = self.shards.hash(&value);
        if let Some(found) = self.shards.read(hash).get_hashed(hash, &value) {
            return found;
        }
        let mut shard = self.shards.write(hash);
        match shard.get_hashed(hash, &value) {
            Some(found) => found,
            None => shard.get_or_insert_hashed(hash, &Strong::<T, C, Global>::new(value)),
        }
    }

    /// The live element equal to `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// let _ada = names.intern("ada".to_owned());
    /// assert!(names.get("ada").is_some());
    /// assert!(names.get("bob").is_none());
    /// ```
    pub fn get<Q>(&self, value: &Q) -> Option<StrongOf<T, C>>
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.shards.hash(value);
        self.shards.read(hash).get_hashed(hash, value)
    }

    /// Whether an element equal to `value` is live.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// let _ada = names.intern("ada".to_owned());
    /// assert!(names.contains("ada"));
    /// ```
    pub fn contains<Q>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.shards.hash(value);
        self.shards.read(hash).contains_hashed(hash, value)
    }

    /// Removes the live element equal to `value`; returns whether there
    /// was one (std's `HashSet::remove`; [`take`](Self::take) returns the
    /// element).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// let _ada = names.intern("ada".to_owned());
    /// assert!(names.remove("ada"));
    /// assert!(!names.contains("ada"));
    /// assert!(!names.remove("ada"));
    /// ```
    pub fn remove<Q>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        // Through `take`: the element is dropped here, after the shard's
        // lock is released (its `Drop` may use this interner).
        self.take(value).is_some()
    }

    /// Removes the live element equal to `value` and returns it (std's
    /// `HashSet::take`).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// let ada = names.intern("ada".to_owned());
    /// let taken = names.take("ada").unwrap();
    /// assert!(weakref_core::Strong::ptr_eq(&taken, &ada));
    /// assert!(names.take("ada").is_none());
    /// ```
    pub fn take<Q>(&self, value: &Q) -> Option<StrongOf<T, C>>
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let hash = self.shards.hash(value);
        self.shards.write(hash).take_hashed(hash, value)
    }
}

#[cfg(feature = "std")]
impl<T: ?Sized, C: RawCount> Default for WeakInterner<T, C, std::hash::RandomState> {
    fn default() -> Self {
        Self::new()
    }
}

/// The live elements, as a set (shard by shard, see
/// [`WeakInterner::for_each`]).
impl<T: ?Sized + fmt::Debug, C: RawCount, S> fmt::Debug for WeakInterner<T, C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut set = f.debug_set();
        self.for_each(|element| {
            set.entry(&&**element);
        });
        set.finish()
    }
}

/// An iterator over a [`WeakInterner`]'s live elements, one shard's copy
/// at a time (see [`WeakInterner::iter`]).
///
/// # Examples
///
/// ```
/// use weakref_core::collections::WeakInterner;
/// use weakref_core::count::AtomicCount;
///
/// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
/// let _ada = names.intern("ada".to_owned());
/// assert_eq!(names.iter().count(), 1);
/// ```
pub struct Iter<'a, T: ?Sized, C: RawCount, S> {
    inner: ShardIter<'a, WeakSet<T, C, S>, S, StrongOf<T, C>>,
}

impl<T: ?Sized, C: RawCount, S> Iterator for Iter<'_, T, C, S> {
    type Item = StrongOf<T, C>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

impl<T: ?Sized, C: RawCount, S> fmt::Debug for Iter<'_, T, C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").finish_non_exhaustive()
    }
}
