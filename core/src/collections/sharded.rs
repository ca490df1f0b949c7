//! Lock striping: a collection split into shards, each behind its own
//! reader-writer lock, chosen by the key's hash. The engine of [`WeakCache`](super::WeakCache)
//! and [`WeakInterner`](super::WeakInterner).

use alloc::boxed::Box;
use alloc::vec::{self, Vec};
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::ops::{Deref, DerefMut};

use crate::shim;

/// One shard on a cache line of its own, so that threads working on
/// neighbouring shards do not invalidate each other's lines.
#[repr(align(128))]
struct Padded<T>(T);

/// `n` collections `M`, each behind a reader-writer lock, and the hasher
/// that picks one. Lookups take a shard's lock shared, so threads reading
/// the same shard do not wait for each other; changes take it alone.
pub(crate) struct Shards<M, S> {
    shards: Box<[Padded<shim::RwLock<M>>]>,
    /// `63 - log2(shards)`: the hash's bits just below its top 7 pick the
    /// shard (see [`Shards::shard`]).
    shift: u32,
    hash_builder: S,
}

impl<M, S: BuildHasher> Shards<M, S> {
    /// `count` shards (rounded up to a power of two, at least 1), each
    /// made by `make` with room for its part of `capacity` entries.
    pub(crate) fn new(
        count: usize,
        capacity: usize,
        hash_builder: S,
        mut make: impl FnMut(usize) -> M,
    ) -> Self {
        let count = count.max(1).next_power_of_two();
        let per_shard = capacity.div_ceil(count);
        let shards = (0..count)
            .map(|_| Padded(shim::RwLock::new(make(per_shard))))
            .collect();
        Shards {
            shards,
            shift: 63 - count.trailing_zeros(),
            hash_builder,
        }
    }

    /// The hash of `key`: it picks the shard, and the shard's map (built
    /// with a clone of the same hasher) reuses it.
    pub(crate) fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        super::raw::hash_one(&self.hash_builder, key)
    }

    /// The lock of the shard that holds the keys hashing to `hash`.
    #[inline]
    fn shard(&self, hash: u64) -> &shim::RwLock<M> {
        // hashbrown picks the bucket by the low bits and stores the top 7
        // as the bucket's tag, which a probe compares before the key: the
        // shard takes the bits below those 7, so that every key of a shard
        // keeps the tag's full 7 bits (taking the top bits left a 32-shard
        // cache 2 bits of tag, and a key comparison in most probes:
        // measured, 157 instructions an operation against 145 in
        // `benches/cache.rs`'s 1-thread mix). `<< 7 >> 1` leaves those bits
        // below a clear top bit, so that `shift` stays below 64: with one
        // shard it is 63, and the index 0.
        let index = ((hash << 7) >> 1 >> self.shift) as usize;
        &self.shards[index].0
    }

    /// Shared access to the shard of the keys hashing to `hash`.
    #[inline]
    pub(crate) fn read(&self, hash: u64) -> impl Deref<Target = M> + '_ {
        self.shard(hash).read()
    }

    /// Exclusive access to the shard of the keys hashing to `hash`.
    #[inline]
    pub(crate) fn write(&self, hash: u64) -> impl DerefMut<Target = M> + '_ {
        self.shard(hash).write()
    }
}

impl<M, S> Shards<M, S> {
    /// Every shard's lock, taken shared in order (so that two callers
    /// cannot deadlock), for a point-in-time view of the whole collection.
    pub(crate) fn read_all(&self) -> Vec<impl Deref<Target = M> + '_> {
        self.shards.iter().map(|shard| shard.0.read()).collect()
    }

    /// Runs `f` on each shard in turn, one shared lock at a time.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&M)) {
        for shard in self.shards.iter() {
            f(&shard.0.read());
        }
    }

    /// Runs `f` on each shard in turn, one exclusive lock at a time.
    pub(crate) fn for_each_mut(&self, mut f: impl FnMut(&mut M)) {
        for shard in self.shards.iter() {
            f(&mut shard.0.write());
        }
    }

    /// Runs `f` on each shard in turn under its shared lock; the strong
    /// handles `f` keeps in `held` are dropped once that lock is released
    /// (a value is never dropped under a lock: its `Drop` may use the
    /// collection).
    pub(crate) fn visit<T>(&self, mut f: impl FnMut(&M, &mut Vec<T>)) {
        let mut held = Vec::new();
        for shard in self.shards.iter() {
            f(&shard.0.read(), &mut held);
            held.clear();
        }
    }

    /// [`visit`](Self::visit) under each shard's exclusive lock.
    pub(crate) fn visit_mut<T>(&self, mut f: impl FnMut(&mut M, &mut Vec<T>)) {
        let mut held = Vec::new();
        for shard in self.shards.iter() {
            f(&mut shard.0.write(), &mut held);
            held.clear();
        }
    }

    /// An iterator over what `copy` takes out of each shard in turn, under
    /// that shard's shared lock (released before the items are yielded).
    pub(crate) fn iter<T>(&self, copy: fn(&M) -> Vec<T>) -> ShardIter<'_, M, S, T> {
        ShardIter {
            shards: self,
            next: 0,
            copied: Vec::new().into_iter(),
            copy,
        }
    }

    /// The number of shards.
    pub(crate) fn count(&self) -> usize {
        self.shards.len()
    }

    /// The hasher.
    pub(crate) fn hasher(&self) -> &S {
        &self.hash_builder
    }
}

impl<M, S> fmt::Debug for Shards<M, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shards")
            .field("count", &self.shards.len())
            .finish_non_exhaustive()
    }
}

/// What [`Shards::iter`] returns: one shard's copy at a time.
pub(crate) struct ShardIter<'a, M, S, T> {
    shards: &'a Shards<M, S>,
    /// The next shard to copy.
    next: usize,
    /// The rest of the last shard's copy.
    copied: vec::IntoIter<T>,
    copy: fn(&M) -> Vec<T>,
}

impl<M, S, T> Iterator for ShardIter<'_, M, S, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        loop {
            if let Some(item) = self.copied.next() {
                return Some(item);
            }
            let shard = self.shards.shards.get(self.next)?;
            self.next += 1;
            self.copied = (self.copy)(&shard.0.read()).into_iter();
        }
    }
}

/// The default number of shards: enough that two threads rarely meet on
/// one lock, few enough that `len` and snapshots stay cheap.
pub(crate) const DEFAULT_SHARDS: usize = 32;
