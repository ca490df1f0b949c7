//! Lock striping: a collection split into shards, each behind its own lock,
//! chosen by the key's hash. The engine of [`WeakCache`](super::WeakCache)
//! and [`WeakInterner`](super::WeakInterner).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::ops::DerefMut;

use crate::shim;

/// One shard on a cache line of its own, so that threads working on
/// neighbouring shards do not invalidate each other's lines.
#[repr(align(128))]
struct Padded<T>(T);

/// `n` collections `M`, each behind a lock, and the hasher that picks one.
pub(crate) struct Shards<M, S> {
    shards: Box<[Padded<shim::Mutex<M>>]>,
    /// `64 - log2(shards)`: the hash's bits just below its top 7 pick the
    /// shard (see [`Shards::lock`]).
    shift: u32,
    hash_builder: S,
}

impl<M, S: BuildHasher> Shards<M, S> {
    /// `count` shards (rounded up to a power of two, at least 1), each
    /// made by `make`.
    pub(crate) fn new(count: usize, hash_builder: S, mut make: impl FnMut() -> M) -> Self {
        let count = count.max(1).next_power_of_two();
        let shards = (0..count)
            .map(|_| Padded(shim::Mutex::new(make())))
            .collect();
        Shards {
            shards,
            shift: 64 - count.trailing_zeros(),
            hash_builder,
        }
    }

    /// The hash of `key`: it picks the shard, and the shard's map (built
    /// with a clone of the same hasher) reuses it.
    pub(crate) fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        super::raw::hash_one(&self.hash_builder, key)
    }

    /// The lock of the shard that holds the keys hashing to `hash`.
    pub(crate) fn lock(&self, hash: u64) -> impl DerefMut<Target = M> + '_ {
        // hashbrown picks the bucket by the low bits and stores the top 7
        // as the bucket's tag, which a probe compares before the key: the
        // shard takes the bits below those 7, so that every key of a shard
        // keeps the tag's full 7 bits (taking the top bits left a 32-shard
        // cache 2 bits of tag, and a key comparison in most probes:
        // measured, 157 instructions an operation against 137 in
        // `benches/cache.rs`'s 1-thread mix). `checked_shr`: with one shard
        // the shift is 64, and the index 0.
        let index = (hash << 7).checked_shr(self.shift).unwrap_or(0) as usize;
        self.shards[index].0.lock()
    }
}

impl<M, S> Shards<M, S> {
    /// Every shard's lock, taken in order (so that two callers cannot
    /// deadlock), for a point-in-time view of the whole collection.
    pub(crate) fn lock_all(&self) -> Vec<impl DerefMut<Target = M> + '_> {
        self.shards.iter().map(|shard| shard.0.lock()).collect()
    }

    /// Runs `f` on each shard in turn, one lock at a time.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&mut M)) {
        for shard in self.shards.iter() {
            f(&mut shard.0.lock());
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

/// The default number of shards: enough that two threads rarely meet on
/// one lock, few enough that `len` and snapshots stay cheap.
pub(crate) const DEFAULT_SHARDS: usize = 32;
