//! Criterion bench: the concurrent weak cache against the two ways people
//! share a weak map between threads today, in the same run (issue 9).
//!
//! Workload, per thread (2 threads): a stream of keys from a 4096-key space
//! (xorshift), 90% `get` and 10% `insert` of a fresh value. Each thread keeps
//! its 1024 most recent values alive in a ring, so older values die when
//! they fall out of it: the caches see hits, misses on dead values, and
//! deaths on the other thread all the time.
//!
//! - `mutex<hashmap>`: `Mutex<HashMap<u64, std::sync::Weak<V>>>`.
//! - `rwlock<weak-table>`: `RwLock<weak_table::WeakValueHashMap>` (reads
//!   under the read lock; weak-table's inserts need `&mut`).
//! - `weakref WeakCache`: `weakref_sync::WeakCache`, by `&self`.
//!
//! Time per operation (both threads' operations counted).
//!
//! ```text
//! cargo bench -p weakref-tests --bench cache
//! ```

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Arc as StdArc, Barrier, Mutex, RwLock, Weak as StdWeak};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use weak_table::WeakValueHashMap;

const THREADS: usize = 2;
const KEYS: u64 = 4096;
const RING: usize = 1024;

/// The operations a shared weak cache offers the workload, for a value
/// handle type `H` (std's `Arc` or ours).
trait SharedCache: Sync {
    type Handle: Send;
    fn make(value: u64) -> Self::Handle;
    fn get(&self, key: u64) -> Option<Self::Handle>;
    fn insert(&self, key: u64, value: &Self::Handle);
}

struct MutexHashMap(Mutex<HashMap<u64, StdWeak<u64>>>);

impl SharedCache for MutexHashMap {
    type Handle = StdArc<u64>;
    fn make(value: u64) -> StdArc<u64> {
        StdArc::new(value)
    }
    fn get(&self, key: u64) -> Option<StdArc<u64>> {
        self.0.lock().unwrap().get(&key).and_then(StdWeak::upgrade)
    }
    fn insert(&self, key: u64, value: &StdArc<u64>) {
        let mut map = self.0.lock().unwrap();
        // The usual hand-written purge: drop dead entries when the map
        // doubles past the key space, so it stays bounded.
        if map.len() >= 2 * KEYS as usize {
            map.retain(|_, v| v.strong_count() > 0);
        }
        map.insert(key, StdArc::downgrade(value));
    }
}

struct RwLockWeakTable(RwLock<WeakValueHashMap<u64, StdWeak<u64>>>);

impl SharedCache for RwLockWeakTable {
    type Handle = StdArc<u64>;
    fn make(value: u64) -> StdArc<u64> {
        StdArc::new(value)
    }
    fn get(&self, key: u64) -> Option<StdArc<u64>> {
        self.0.read().unwrap().get(&key)
    }
    fn insert(&self, key: u64, value: &StdArc<u64>) {
        self.0.write().unwrap().insert(key, StdArc::clone(value));
    }
}

struct Ours(weakref_sync::WeakCache<u64, u64>);

impl SharedCache for Ours {
    type Handle = weakref_sync::Arc<u64>;
    fn make(value: u64) -> weakref_sync::Arc<u64> {
        weakref_sync::Arc::new(value)
    }
    fn get(&self, key: u64) -> Option<weakref_sync::Arc<u64>> {
        self.0.get(&key)
    }
    fn insert(&self, key: u64, value: &weakref_sync::Arc<u64>) {
        self.0.insert(key, value);
    }
}

/// `ops` operations on each of `THREADS` threads; the wall time of the
/// slowest, divided into per-operation time by criterion's iteration count.
fn run<C: SharedCache>(cache: &C, ops: u64) -> Duration {
    let barrier = Barrier::new(THREADS);
    let times: Vec<Duration> = thread::scope(|s| {
        let joins: Vec<_> = (0..THREADS as u64)
            .map(|t| {
                let barrier = &barrier;
                s.spawn(move || {
                    let mut ring: Vec<Option<C::Handle>> = (0..RING).map(|_| None).collect();
                    let mut next = 0;
                    let mut x = 0x9E37_79B9_7F4A_7C15 ^ (t + 1);
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..ops {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        let key = x % KEYS;
                        if x % 10 == 0 {
                            let value = C::make(key);
                            cache.insert(key, &value);
                            ring[next] = Some(value); // the old one may die
                            next = (next + 1) % RING;
                        } else {
                            black_box(cache.get(key));
                        }
                    }
                    start.elapsed()
                })
            })
            .collect();
        joins.into_iter().map(|j| j.join().unwrap()).collect()
    });
    times.into_iter().max().unwrap() / THREADS as u32
}

fn cache(c: &mut Criterion) {
    let mut group = c.benchmark_group("cache/2 threads 90% get 10% insert");
    group.bench_function("mutex<hashmap>", |b| {
        let cache = MutexHashMap(Mutex::new(HashMap::new()));
        b.iter_custom(|n| run(&cache, n))
    });
    group.bench_function("rwlock<weak-table>", |b| {
        let cache = RwLockWeakTable(RwLock::new(WeakValueHashMap::new()));
        b.iter_custom(|n| run(&cache, n))
    });
    group.bench_function("weakref WeakCache", |b| {
        let cache = Ours(weakref_sync::WeakCache::new());
        b.iter_custom(|n| run(&cache, n))
    });
    group.finish();
}

criterion_group!(benches, cache);
criterion_main!(benches);
