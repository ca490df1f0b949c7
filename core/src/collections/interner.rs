//! [`WeakInterner`]: a weak set shared by `&self` between threads.

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use super::raw::StrongOf;
use super::set::WeakSet;
use super::sharded::{DEFAULT_SHARDS, Shards};
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
        let make = || WeakSet::with_hasher(hash_builder.clone()).for_shard();
        WeakInterner {
            shards: Shards::new(shards, hash_builder.clone(), make),
        }
    }
}

impl<T: ?Sized, C: RawCount, S> WeakInterner<T, C, S> {
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

    /// Whether [`len`](Self::len) is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::WeakInterner;
    /// use weakref_core::count::AtomicCount;
    ///
    /// let names: WeakInterner<String, AtomicCount, _> = WeakInterner::new();
    /// assert!(names.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
        self.shards.for_each(WeakSet::purge);
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
        let locked = self.shards.lock_all();
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
        self.shards
            .lock(self.shards.hash(value))
            .get_or_insert_with(value, make)
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
        let mut shard = self.shards.lock(self.shards.hash(&value));
        match shard.get(&value) {
            Some(found) => found,
            None => shard.get_or_insert(&Strong::<T, C, Global>::new(value)),
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
        self.shards.lock(self.shards.hash(value)).get(value)
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
        self.shards.lock(self.shards.hash(value)).contains(value)
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
        self.shards.lock(self.shards.hash(value)).remove(value)
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
        self.shards.lock(self.shards.hash(value)).take(value)
    }
}

#[cfg(feature = "std")]
impl<T: ?Sized, C: RawCount> Default for WeakInterner<T, C, std::hash::RandomState> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: ?Sized, C: RawCount, S> fmt::Debug for WeakInterner<T, C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakInterner")
            .field("shards", &self.shards.count())
            .field("len", &self.len())
            .finish()
    }
}
