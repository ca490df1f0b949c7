//! The concurrent weak cache and interner against what a Rust user would
//! pick instead (issues 9 and 20), in the same run, all with one hasher
//! (`ahash::RandomState`, the one internment is built on).
//!
//! Cache workload, per thread: a stream of keys from a 4096-key space
//! (xorshift), 90 % `get` and 10 % `insert` of a fresh value. Each thread
//! keeps its 1024 most recent values alive in a ring, so older values die
//! when they fall out of it: the caches see hits, misses on dead values,
//! and deaths on the other thread all the time. On 1 and on 2 threads.
//! And the hit path alone (`100% get, all hits`): every key mapped, every
//! value held, the same key stream.
//!
//! - `mutex<hashmap>`: `Mutex<HashMap<u64, std::sync::Weak<V>>>`, purged by
//!   hand when it doubles past the key space;
//! - `dashmap`: `DashMap<u64, std::sync::Weak<V>>` (dashmap 6), purged the
//!   same way;
//! - `rwlock<weak-table>`: `RwLock<weak_table::WeakValueHashMap>`;
//! - `weakref WeakCache`: ours, by `&self`.
//!
//! Interner workloads (1 thread), over the strings of a 4096-key space:
//! `held`, every string's handle kept alive, so each intern is a hit;
//! `dying`, rounds of 256 interns whose handles all drop at the round's
//! end, so nearly every intern is a miss and every value dies.
//! `internment ArcIntern` (`ArcIntern::<String>::from_ref`) against
//! `weakref WeakInterner` (`intern_with(&str, Arc::from)`).
//!
//! Modes of this binary:
//!
//! ```text
//! cargo bench -p weakref-tests --bench cache               # criterion
//! cargo bench -p weakref-tests --bench cache -- --ab 21    # interleaved A/B, one process
//! cargo bench -p weakref-tests --bench cache -- icount     # instructions (callgrind)
//! ```
//!
//! `--ab N`: N rounds per pair (ours, anchor); each round runs both back to
//! back on caches kept across rounds, alternating which goes first, and
//! gives one time ratio. Prints one `ab` line per pair: median, min and max
//! of the rounds' ratios. The 2-thread `Mutex<HashMap>` is bimodal (the
//! threads either contend, or the lock convoys and one thread runs alone
//! for long stretches): its rounds are split at the widest gap in the
//! anchor's own times, and each mode reported on its own line. The
//! `floor (4 RMWs)` lines time, against the same anchors, a loop of only
//! the 4 atomic read-modify-writes a hit costs every lock-based contender
//! here ([`run_floor`]); the `mix` line gives the share of `get`s that hit.
//!
//! `icount`: instructions per operation of the 1-thread workloads under
//! callgrind (`common/callgrind.rs`), where time is noisy.

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc as StdArc, Barrier, Mutex, RwLock, Weak as StdWeak};
use std::thread;
use std::time::{Duration, Instant};

use criterion::Criterion;
use dashmap::DashMap;
use internment::ArcIntern;
use weak_table::WeakValueHashMap;
use weakref_core::collections::{WeakCache, WeakInterner};
use weakref_core::count::AtomicCount;
use weakref_sync::Arc;

#[path = "common/callgrind.rs"]
mod callgrind;

/// The one hasher of every contender.
type Hasher = ahash::RandomState;

const KEYS: u64 = 4096;
const RING: usize = 1024;
/// Interns per round of the `dying` workload.
const ROUND: usize = 256;

/// The operations a shared weak cache offers the workload. Each
/// contender's `get` and `insert` are `#[inline(never)]`: one call from the
/// workload's loop for each, whatever the compiler would decide (it inlined
/// ours while one workload called it, not once two did: 8 instructions an
/// operation in `icount`).
trait SharedCache: Sync {
    type Handle: Send;
    fn make(value: u64) -> Self::Handle;
    fn get(&self, key: u64) -> Option<Self::Handle>;
    fn insert(&self, key: u64, value: &Self::Handle);
}

struct MutexHashMap(Mutex<HashMap<u64, StdWeak<u64>, Hasher>>);

impl SharedCache for MutexHashMap {
    type Handle = StdArc<u64>;
    fn make(value: u64) -> StdArc<u64> {
        StdArc::new(value)
    }
    #[inline(never)]
    fn get(&self, key: u64) -> Option<StdArc<u64>> {
        self.0.lock().unwrap().get(&key).and_then(StdWeak::upgrade)
    }
    #[inline(never)]
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

struct Dash(DashMap<u64, StdWeak<u64>, Hasher>);

impl SharedCache for Dash {
    type Handle = StdArc<u64>;
    fn make(value: u64) -> StdArc<u64> {
        StdArc::new(value)
    }
    #[inline(never)]
    fn get(&self, key: u64) -> Option<StdArc<u64>> {
        self.0.get(&key).and_then(|weak| weak.upgrade())
    }
    #[inline(never)]
    fn insert(&self, key: u64, value: &StdArc<u64>) {
        // The same hand-written purge (`len` locks every shard in turn,
        // as ours does; checked once every 64 inserts, on the key).
        if key % 64 == 0 && self.0.len() >= 2 * KEYS as usize {
            self.0.retain(|_, v| v.strong_count() > 0);
        }
        self.0.insert(key, StdArc::downgrade(value));
    }
}

struct RwLockWeakTable(RwLock<WeakValueHashMap<u64, StdWeak<u64>, Hasher>>);

impl SharedCache for RwLockWeakTable {
    type Handle = StdArc<u64>;
    fn make(value: u64) -> StdArc<u64> {
        StdArc::new(value)
    }
    #[inline(never)]
    fn get(&self, key: u64) -> Option<StdArc<u64>> {
        self.0.read().unwrap().get(&key)
    }
    #[inline(never)]
    fn insert(&self, key: u64, value: &StdArc<u64>) {
        self.0.write().unwrap().insert(key, StdArc::clone(value));
    }
}

struct Ours(WeakCache<u64, u64, AtomicCount, Hasher>);

impl SharedCache for Ours {
    type Handle = Arc<u64>;
    fn make(value: u64) -> Arc<u64> {
        Arc::new(value)
    }
    #[inline(never)]
    fn get(&self, key: u64) -> Option<Arc<u64>> {
        self.0.get(&key)
    }
    #[inline(never)]
    fn insert(&self, key: u64, value: &Arc<u64>) {
        self.0.insert(key, value);
    }
}

/// The cache workload on one thread: `ops` operations from the stream
/// seeded by `seed`, the ring keeping recent values alive.
fn cache_thread<C: SharedCache>(cache: &C, seed: u64, ops: u64) {
    let mut ring: Vec<Option<C::Handle>> = (0..RING).map(|_| None).collect();
    let mut next = 0;
    let mut x = 0x9E37_79B9_7F4A_7C15 ^ seed;
    for _ in 0..ops {
        next_random(&mut x);
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
}

/// `body(seed)` on each of `threads` threads at once (seeds 1, 2, ...):
/// the slowest thread's wall time.
fn run_threads(threads: usize, body: impl Fn(u64) + Sync) -> Duration {
    let barrier = Barrier::new(threads);
    let times: Vec<Duration> = thread::scope(|s| {
        let joins: Vec<_> = (0..threads as u64)
            .map(|t| {
                let (barrier, body) = (&barrier, &body);
                s.spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    body(t + 1);
                    start.elapsed()
                })
            })
            .collect();
        joins.into_iter().map(|j| j.join().unwrap()).collect()
    });
    times.into_iter().max().unwrap()
}

/// `ops` operations on each of `threads` threads: the slowest thread's wall
/// time.
fn run_cache<C: SharedCache>(cache: &C, threads: usize, ops: u64) -> Duration {
    run_threads(threads, |seed| cache_thread(cache, seed, ops))
}

/// Every key of the key space mapped to a value, whose handles are
/// returned (held, every `get` of [`hit_thread`] is a hit).
fn fill<C: SharedCache>(cache: &C) -> Vec<C::Handle> {
    (0..KEYS)
        .map(|key| {
            let value = C::make(key);
            cache.insert(key, &value);
            value
        })
        .collect()
}

/// The hit path alone: `ops` `get`s from the key stream, on a cache that
/// [`fill`] filled (each a hit).
fn hit_thread<C: SharedCache>(cache: &C, seed: u64, ops: u64) {
    let mut x = 0x9E37_79B9_7F4A_7C15 ^ seed;
    for _ in 0..ops {
        next_random(&mut x);
        black_box(cache.get(x % KEYS));
    }
}

/// A word on a cache line of its own.
#[repr(align(128))]
struct Line(AtomicUsize);

/// The floor of a hit in any lock-based cache here (ours, DashMap,
/// `Mutex<HashMap>`): the 4 atomic read-modify-writes every one of them
/// makes, and nothing else: the lock's acquire (a compare-and-swap, as
/// std's `RwLock::read` and `Mutex::lock`) and release (a subtraction), on
/// the lock's word; the weak handle's upgrade (a compare-and-swap) and the
/// returned strong handle's drop (a subtraction), on the value's count.
/// Each thread has its own two words, each on its own cache line: the
/// RMWs are uncontended. `ops` of them on each of `threads` threads: the
/// slowest thread's wall time.
fn run_floor(threads: usize, ops: u64) -> Duration {
    run_threads(threads, |_| {
        let (lock, count) = (Line(AtomicUsize::new(0)), Line(AtomicUsize::new(1)));
        let (lock, count) = (black_box(&lock.0), black_box(&count.0));
        for _ in 0..ops {
            let l = lock.load(Ordering::Relaxed);
            let _ = lock.compare_exchange_weak(l, l + 2, Ordering::Acquire, Ordering::Relaxed);
            let c = count.load(Ordering::Relaxed);
            let _ = count.compare_exchange_weak(c, c + 1, Ordering::Acquire, Ordering::Relaxed);
            lock.fetch_sub(2, Ordering::Release);
            count.fetch_sub(1, Ordering::Release);
        }
    })
}

/// A contender that counts the workload's outcomes: the share of `get`s
/// that find a live value (only those pay the floor's 4 RMWs; a `get` of a
/// dead or missing value pays the lock's 2).
struct Counting<C> {
    cache: C,
    gets: AtomicU64,
    hits: AtomicU64,
}

impl<C: SharedCache> SharedCache for Counting<C> {
    type Handle = C::Handle;
    fn make(value: u64) -> C::Handle {
        C::make(value)
    }
    fn get(&self, key: u64) -> Option<C::Handle> {
        let found = self.cache.get(key);
        self.gets.fetch_add(1, Ordering::Relaxed);
        self.hits
            .fetch_add(u64::from(found.is_some()), Ordering::Relaxed);
        found
    }
    fn insert(&self, key: u64, value: &C::Handle) {
        self.cache.insert(key, value);
    }
}

/// The share of the workload's `get`s that hit, on `threads` threads.
fn hit_share(threads: usize, ops: u64) -> f64 {
    let counting = Counting {
        cache: new_mutex(),
        gets: AtomicU64::new(0),
        hits: AtomicU64::new(0),
    };
    // Twice: the first run fills the table.
    run_cache(&counting, threads, ops);
    counting.gets.store(0, Ordering::Relaxed);
    counting.hits.store(0, Ordering::Relaxed);
    run_cache(&counting, threads, ops);
    counting.hits.load(Ordering::Relaxed) as f64 / counting.gets.load(Ordering::Relaxed) as f64
}

/// An interning table, by `&self`.
trait Interner {
    type Handle;
    fn intern(&self, text: &str) -> Self::Handle;
}

/// internment's global `ArcIntern<String>` table.
struct Internment;

impl Interner for Internment {
    type Handle = ArcIntern<String>;
    fn intern(&self, text: &str) -> ArcIntern<String> {
        ArcIntern::from_ref(text)
    }
}

struct OurInterner(WeakInterner<str, AtomicCount, Hasher>);

impl Interner for OurInterner {
    type Handle = Arc<str>;
    fn intern(&self, text: &str) -> Arc<str> {
        self.0.intern_with(text, |t: &str| Arc::from(t))
    }
}

/// The next state of a xorshift generator (the key streams).
fn next_random(x: &mut u64) {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
}

/// The strings of the key space.
fn words() -> Vec<String> {
    (0..KEYS).map(|k| format!("word-{k:05}")).collect()
}

/// Interns `words` in a random order `ops` times, every word's handle
/// held alive meanwhile (each intern a hit): the time of the interns.
fn run_held<I: Interner>(interner: &I, words: &[String], ops: u64) -> Duration {
    let held: Vec<I::Handle> = words.iter().map(|w| interner.intern(w)).collect();
    let mut x = 0x2545_F491_4F6C_DD1D_u64;
    let start = Instant::now();
    for _ in 0..ops {
        next_random(&mut x);
        black_box(interner.intern(&words[(x % KEYS) as usize]));
    }
    let time = start.elapsed();
    drop(held);
    time
}

/// Rounds of `ROUND` interns whose handles all drop at the round's end
/// (nearly every intern a miss, every value dying): the time of it all.
fn run_dying<I: Interner>(interner: &I, words: &[String], ops: u64) -> Duration {
    let mut round: Vec<I::Handle> = Vec::with_capacity(ROUND);
    let mut x = 0x2545_F491_4F6C_DD1D_u64;
    let start = Instant::now();
    for _ in 0..ops {
        next_random(&mut x);
        round.push(interner.intern(&words[(x % KEYS) as usize]));
        if round.len() == ROUND {
            round.clear();
        }
    }
    drop(round);
    start.elapsed()
}

fn new_mutex() -> MutexHashMap {
    MutexHashMap(Mutex::new(HashMap::with_hasher(Hasher::new())))
}
fn new_dash() -> Dash {
    Dash(DashMap::with_hasher(Hasher::new()))
}
fn new_weak_table() -> RwLockWeakTable {
    RwLockWeakTable(RwLock::new(WeakValueHashMap::with_hasher(Hasher::new())))
}
fn new_ours() -> Ours {
    Ours(WeakCache::with_hasher(Hasher::new()))
}
fn new_interner() -> OurInterner {
    OurInterner(WeakInterner::with_hasher(Hasher::new()))
}

fn cache_group(c: &mut Criterion, threads: usize) {
    let mut group = c.benchmark_group(format!(
        "cache/{threads} thread{} 90% get 10% insert",
        if threads == 1 { "" } else { "s" }
    ));
    group.bench_function("mutex<hashmap>", |b| {
        let cache = new_mutex();
        b.iter_custom(|n| run_cache(&cache, threads, n))
    });
    group.bench_function("dashmap", |b| {
        let cache = new_dash();
        b.iter_custom(|n| run_cache(&cache, threads, n))
    });
    group.bench_function("rwlock<weak-table>", |b| {
        let cache = new_weak_table();
        b.iter_custom(|n| run_cache(&cache, threads, n))
    });
    group.bench_function("weakref WeakCache", |b| {
        let cache = new_ours();
        b.iter_custom(|n| run_cache(&cache, threads, n))
    });
    group.finish();
}

/// What an interning workload runs: the table, the words, the interns.
type InternRun<I> = fn(&I, &[String], u64) -> Duration;

/// The interning workloads: name, internment's run, ours.
fn intern_workloads() -> [(&'static str, InternRun<Internment>, InternRun<OurInterner>); 2] {
    [
        ("intern/held", run_held, run_held),
        ("intern/dying", run_dying, run_dying),
    ]
}

fn intern_groups(c: &mut Criterion) {
    let words = words();
    for (name, anchor, ours) in intern_workloads() {
        let mut group = c.benchmark_group(name);
        group.bench_function("internment ArcIntern", |b| {
            b.iter_custom(|n| anchor(&Internment, &words, n))
        });
        group.bench_function("weakref WeakInterner", |b| {
            let interner = new_interner();
            b.iter_custom(|n| ours(&interner, &words, n))
        });
        group.finish();
    }
}

/// One interleaved A/B pair: `anchor` and `ours` measured back to back,
/// `rounds` times, the order alternating. Returns `(anchor, ours)` times
/// in nanoseconds per operation (`ops` operations a run and thread).
fn ab_rounds(
    rounds: usize,
    ops: u64,
    mut anchor: impl FnMut() -> Duration,
    mut ours: impl FnMut() -> Duration,
) -> Rounds {
    // A warm-up of each (fills the tables, grows them to size).
    anchor();
    ours();
    (0..rounds)
        .map(|round| {
            let (a, o) = if round % 2 == 0 {
                let a = anchor();
                (a, ours())
            } else {
                let o = ours();
                (anchor(), o)
            };
            let per_op = |t: Duration| t.as_secs_f64() * 1e9 / ops as f64;
            (per_op(a), per_op(o))
        })
        .collect()
}

/// Prints one `ab` line: the median, min and max of ours (or the floor,
/// `who`) / anchor.
fn ab_line(group: &str, who: &str, anchor: &str, mode: &str, pairs: &[(f64, f64)]) {
    let mut ratios: Vec<f64> = pairs.iter().map(|(a, o)| o / a).collect();
    ratios.sort_by(f64::total_cmp);
    let (Some(min), Some(max)) = (ratios.first(), ratios.last()) else {
        return;
    };
    let mut anchor_ns: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    anchor_ns.sort_by(f64::total_cmp);
    println!(
        "ab | {group} | {who} | {anchor} | {mode} | {:.3} | {min:.3} | {max:.3} | {} | {:.1}",
        ratios[ratios.len() / 2],
        ratios.len(),
        anchor_ns[anchor_ns.len() / 2],
    );
}

/// Rounds of `(anchor, ours)` times, in nanoseconds per operation.
type Rounds = Vec<(f64, f64)>;

/// The rounds split into two modes at the widest gap (over 1.5×) between
/// the anchor's sorted times, for a bimodal anchor: `(fast, slow)`; the
/// slow part is empty when the rounds show one mode only.
fn split_modes(mut pairs: Rounds) -> (Rounds, Rounds) {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let gap = (1..pairs.len())
        .map(|i| (pairs[i].0 / pairs[i - 1].0, i))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match gap {
        Some((ratio, at)) if ratio > 1.5 => {
            let slow = pairs.split_off(at);
            (pairs, slow)
        }
        _ => (pairs, Vec::new()),
    }
}

/// The `ab` lines of `who` against the `Mutex<HashMap>` anchor: one on 1
/// thread; on 2, one per mode the anchor showed (see [`split_modes`]).
fn mutex_lines(group: &str, who: &str, threads: usize, pairs: Rounds) {
    if threads == 1 {
        return ab_line(group, who, "mutex<hashmap>", "", &pairs);
    }
    let (convoy, contended) = split_modes(pairs);
    if contended.is_empty() {
        ab_line(group, who, "mutex<hashmap>", "one mode seen", &convoy);
    } else {
        ab_line(
            group,
            who,
            "mutex<hashmap>",
            "convoy (fast anchor)",
            &convoy,
        );
        ab_line(group, who, "mutex<hashmap>", "contended", &contended);
    }
}

/// The name of the floor's `ab` lines (see [`run_floor`]).
const FLOOR: &str = "floor (4 RMWs)";

/// The `ab` lines of one group: ours and the floor, each against DashMap
/// and `Mutex<HashMap>` (each argument runs its contender once).
fn ab_group(
    group: &str,
    threads: usize,
    rounds: usize,
    mut ours: impl FnMut() -> Duration,
    mut dash: impl FnMut() -> Duration,
    mut mutex: impl FnMut() -> Duration,
) {
    let mut floor = || run_floor(threads, AB_OPS);
    ab_line(
        group,
        "weakref",
        "dashmap",
        "",
        &ab_rounds(rounds, AB_OPS, &mut dash, &mut ours),
    );
    ab_line(
        group,
        FLOOR,
        "dashmap",
        "",
        &ab_rounds(rounds, AB_OPS, &mut dash, &mut floor),
    );
    mutex_lines(
        group,
        "weakref",
        threads,
        ab_rounds(rounds, AB_OPS, &mut mutex, &mut ours),
    );
    mutex_lines(
        group,
        FLOOR,
        threads,
        ab_rounds(rounds, AB_OPS, &mut mutex, &mut floor),
    );
}

/// Operations a thread runs in each timed run of `--ab`.
const AB_OPS: u64 = 2_000_000;

fn ab(rounds: usize) {
    for threads in [1, 2] {
        let plural = if threads == 1 { "" } else { "s" };
        let group = format!("cache/{threads} thread{plural} 90% get 10% insert");
        let (ours, dash, mutex) = (new_ours(), new_dash(), new_mutex());
        ab_group(
            &group,
            threads,
            rounds,
            || run_cache(&ours, threads, AB_OPS),
            || run_cache(&dash, threads, AB_OPS),
            || run_cache(&mutex, threads, AB_OPS),
        );
        println!(
            "mix | {group} | gets that hit | {:.3}",
            hit_share(threads, AB_OPS)
        );
        let group = format!("cache/{threads} thread{plural} 100% get, all hits");
        let (ours, dash, mutex) = (new_ours(), new_dash(), new_mutex());
        let _held = (fill(&ours), fill(&dash), fill(&mutex));
        ab_group(
            &group,
            threads,
            rounds,
            || run_threads(threads, |seed| hit_thread(&ours, seed, AB_OPS)),
            || run_threads(threads, |seed| hit_thread(&dash, seed, AB_OPS)),
            || run_threads(threads, |seed| hit_thread(&mutex, seed, AB_OPS)),
        );
    }
    let words = words();
    let ours = new_interner();
    for (name, anchor, ours_run) in intern_workloads() {
        let pairs = ab_rounds(
            rounds,
            AB_OPS,
            || anchor(&Internment, &words, AB_OPS),
            || ours_run(&ours, &words, AB_OPS),
        );
        ab_line(name, "weakref", "internment ArcIntern", "", &pairs);
    }
}

/// The 1-thread workloads counted under callgrind, by name.
const ICOUNT_OPS: &[&str] = &[
    "cache dashmap",
    "cache mutex<hashmap>",
    "cache ours",
    "hits dashmap",
    "hits mutex<hashmap>",
    "hits ours",
    "intern-held internment",
    "intern-held ours",
    "intern-dying internment",
    "intern-dying ours",
    "reload held",
    "reload dropped",
];

/// Runs one of `ICOUNT_OPS` `n` times (the process under callgrind). The
/// workloads' warm-up (tables filled, handles held) runs in both the short
/// and the long run, so it cancels out.
fn icount_run(op: &str, n: u64) {
    let words = words();
    match op {
        "cache dashmap" => cache_thread(&new_dash(), 1, n),
        "cache mutex<hashmap>" => cache_thread(&new_mutex(), 1, n),
        "cache ours" => cache_thread(&new_ours(), 1, n),
        "hits dashmap" => hits(&new_dash(), n),
        "hits mutex<hashmap>" => hits(&new_mutex(), n),
        "hits ours" => hits(&new_ours(), n),
        "intern-held internment" => drop(run_held(&Internment, &words, n)),
        "intern-held ours" => drop(run_held(&new_interner(), &words, n)),
        "intern-dying internment" => drop(run_dying(&Internment, &words, n)),
        "intern-dying ours" => drop(run_dying(&new_interner(), &words, n)),
        "reload held" => reload(n, true),
        "reload dropped" => reload(n, false),
        _ => panic!("unknown operation {op}"),
    }
}

/// `n` hits on `cache`, filled first ([`hit_thread`]).
fn hits<C: SharedCache>(cache: &C, n: u64) {
    let _held = fill(cache);
    hit_thread(cache, 1, n);
}

/// `get_or_insert_with` on one key, `n` times, the handle kept (each
/// call a hit) or dropped right away (each call a miss and a reload): the
/// warning in `WeakCache`'s docs.
fn reload(n: u64, held: bool) {
    let cache = new_ours();
    let mut kept = None;
    for _ in 0..n {
        let value = cache
            .0
            .get_or_insert_with(black_box(7), || Arc::new(black_box(7)));
        if held {
            kept = Some(value);
        }
    }
    drop(kept);
}

/// Prints instructions per operation: `icount | workload | contender |
/// count | ours / it`.
fn icount() {
    let counts: Vec<(&str, f64)> = ICOUNT_OPS
        .iter()
        .map(|op| (*op, callgrind::per_op(op)))
        .collect();
    for (op, count) in &counts {
        let (workload, who) = op.split_once(' ').unwrap();
        if workload == "reload" {
            println!("icount | reload | {who} | {count:.1} | -");
            continue;
        }
        let ours = counts
            .iter()
            .find(|(o, _)| *o == format!("{workload} ours"))
            .map_or(f64::NAN, |(_, c)| *c);
        println!(
            "icount | {workload} | {who} | {count:.1} | {:.3}",
            ours / count
        );
    }
}

fn main() {
    match callgrind::args() {
        callgrind::Args::Run(op, n) => return icount_run(&op, n),
        callgrind::Args::Report(what) if what == "icount" => return icount(),
        callgrind::Args::Report(_) => {}
    }
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--ab") {
        let rounds = args.get(at + 1).map_or(11, |n| n.parse().expect("--ab N"));
        return ab(rounds);
    }
    let mut c = Criterion::default().configure_from_args();
    cache_group(&mut c, 1);
    cache_group(&mut c, 2);
    intern_groups(&mut c);
    c.final_summary();
}
