//! The keep-recent layer (`WeakLruCache`, issue 20 item 4) against the
//! plain `WeakCache` on a replayed access trace.
//!
//! The trace: `TRACE` requests for keys drawn from a Zipf distribution
//! (exponent 1) over 4096 keys, by a seeded generator of our own, so the
//! trace, and every hit rate below, is the same on every run. Each request
//! is a `get_or_insert_with` whose `make` (a miss: a reload) allocates an
//! `Arc<u64>`; the caller keeps each request's handle for `HOLD` more
//! requests, then drops it (short-lived handles: the image shown, then
//! closed). The `held` workload replays the same trace with every value
//! held by the caller, so that every request is a hit in both caches: the
//! layer's own cost.
//!
//! ```text
//! cargo bench -p weakref-tests --bench recent                 # hit rates, interleaved A/B times (21 rounds)
//! cargo bench -p weakref-tests --bench recent -- --ab 41      # the same, 41 rounds
//! cargo bench -p weakref-tests --bench recent -- icount       # instructions per request (callgrind)
//! ```
//!
//! A/B: each round replays the trace (four times) on the plain cache and
//! on the layer back to back (caches kept across rounds), alternating which
//! goes first, on 1 thread and on 2 threads sharing each cache (each with
//! its own trace); printed: the median, min and max of the rounds' time
//! ratios layer / plain, and the plain cache's median ns per request.

use std::collections::VecDeque;
use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

use weakref_core::collections::{WeakCache, WeakLruCache};
use weakref_core::count::AtomicCount;
use weakref_sync::Arc;

#[path = "common/callgrind.rs"]
mod callgrind;

type Hasher = ahash::RandomState;

/// The key space.
const KEYS: usize = 4096;
/// Requests in the trace.
const TRACE: usize = 1 << 17;
/// How many later requests each request's handle outlives.
const HOLD: usize = 4;
/// Requests per thread in one A/B run: the trace four times (a run of
/// milliseconds is shorter than this shared machine's scheduling noise).
const RUN: usize = 4 * TRACE;
/// The `keep_recent` sizes measured.
const SIZES: [usize; 4] = [0, 16, 64, 256];

/// splitmix64: the seeded source of the Zipf draws.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `len` keys drawn from Zipf(1) over `KEYS` keys (key `k` with
/// probability proportional to `1 / (k + 1)`), by inverting the
/// cumulative distribution with a binary search; seeded, so deterministic.
fn zipf_trace(len: usize, seed: u64) -> Vec<u64> {
    let mut cdf = Vec::with_capacity(KEYS);
    let mut total = 0.0;
    for k in 0..KEYS {
        total += 1.0 / (k + 1) as f64;
        cdf.push(total);
    }
    let mut state = seed;
    (0..len)
        .map(|_| {
            // 53 random bits, uniform in [0, total).
            let u = (splitmix(&mut state) >> 11) as f64 / (1u64 << 53) as f64 * total;
            cdf.partition_point(|&c| c <= u).min(KEYS - 1) as u64
        })
        .collect()
}

/// A cache the trace is replayed on.
trait Replay {
    fn load(&self, key: u64, make: impl FnOnce() -> Arc<u64>) -> Arc<u64>;
}

impl Replay for WeakCache<u64, u64, AtomicCount, Hasher> {
    fn load(&self, key: u64, make: impl FnOnce() -> Arc<u64>) -> Arc<u64> {
        self.get_or_insert_with(key, make)
    }
}

impl Replay for WeakLruCache<u64, u64, AtomicCount, Hasher> {
    fn load(&self, key: u64, make: impl FnOnce() -> Arc<u64>) -> Arc<u64> {
        self.get_or_insert_with(key, make)
    }
}

fn plain() -> WeakCache<u64, u64, AtomicCount, Hasher> {
    WeakCache::with_hasher(Hasher::new())
}

fn layer(keep_recent: usize) -> WeakLruCache<u64, u64, AtomicCount, Hasher> {
    WeakLruCache::with_hasher(keep_recent, Hasher::new())
}

/// Replays `n` requests of `trace` (cyclically), each handle dropped
/// `HOLD` requests later; returns the number of misses (`make` calls).
fn replay(cache: &impl Replay, trace: &[u64], n: usize) -> u64 {
    let mut misses = 0;
    let mut held = VecDeque::with_capacity(HOLD + 1);
    for i in 0..n {
        let key = trace[i % trace.len()];
        held.push_back(cache.load(black_box(key), || {
            misses += 1;
            Arc::new(key)
        }));
        if held.len() > HOLD {
            held.pop_front();
        }
    }
    misses
}

/// Replays `n` requests with every key's value held by the caller (each
/// request a hit, in either cache).
fn replay_held(cache: &impl Replay, held: &[Arc<u64>], trace: &[u64], n: usize) {
    for i in 0..n {
        let key = trace[i % trace.len()];
        black_box(cache.load(black_box(key), || Arc::clone(&held[key as usize])));
    }
}

/// The caller's handles of the `held` workload.
fn all_values() -> Vec<Arc<u64>> {
    (0..KEYS as u64).map(Arc::new).collect()
}

/// Prints the hit rate of each cache on one pass of the trace (from
/// empty): deterministic.
fn hit_rates(trace: &[u64]) {
    let row = |name: &str, misses: u64| {
        let hits = trace.len() as u64 - misses;
        println!(
            "hits | {name} | {} | {misses} | {hits} | {:.4}",
            trace.len(),
            hits as f64 / trace.len() as f64
        );
    };
    row("plain WeakCache", replay(&plain(), trace, trace.len()));
    for n in SIZES {
        row(
            &format!("WeakLruCache keep_recent {n}"),
            replay(&layer(n), trace, trace.len()),
        );
    }
}

/// `rounds` interleaved rounds of `plain_run` and `layer_run`: the median,
/// min and max of layer / plain, and the plain cache's median ns/request.
fn ab_line(
    workload: &str,
    n: usize,
    rounds: usize,
    mut plain_run: impl FnMut(),
    mut layer_run: impl FnMut(),
) {
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        start.elapsed()
    };
    // A warm-up of each (tables grown to size).
    plain_run();
    layer_run();
    let mut pairs: Vec<(Duration, Duration)> = (0..rounds)
        .map(|round| {
            if round % 2 == 0 {
                let p = time(&mut plain_run);
                (p, time(&mut layer_run))
            } else {
                let l = time(&mut layer_run);
                (time(&mut plain_run), l)
            }
        })
        .collect();
    let mut ratios: Vec<f64> = pairs
        .iter()
        .map(|(p, l)| l.as_secs_f64() / p.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    pairs.sort_by_key(|p| p.0);
    let plain_ns = pairs[pairs.len() / 2].0.as_secs_f64() * 1e9 / RUN as f64;
    println!(
        "ab | {workload} | keep_recent {n} | {:.3} | {:.3} | {:.3} | {rounds} | {plain_ns:.1}",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1],
    );
}

/// Runs `f` on each trace, each on its own thread (one trace: on this
/// thread).
fn on_threads(traces: &[Vec<u64>], f: impl Fn(&[u64]) + Sync) {
    if let [trace] = traces {
        return f(trace);
    }
    thread::scope(|s| {
        for trace in traces {
            let f = &f;
            s.spawn(move || f(trace));
        }
    });
}

/// The A/B rows, on 1 thread and on 2 sharing each cache (each replaying
/// its own trace): the layer's one list lock is taken by every request of
/// both.
fn ab(traces: &[Vec<u64>], rounds: usize) {
    let values = all_values();
    for threads in [1, 2] {
        let traces = &traces[..threads];
        for n in SIZES {
            let (p, l) = (plain(), layer(n));
            ab_line(
                &format!("{threads}t zipf, handles dropped"),
                n,
                rounds,
                || {
                    on_threads(traces, |t| {
                        black_box(replay(&p, t, RUN));
                    })
                },
                || {
                    on_threads(traces, |t| {
                        black_box(replay(&l, t, RUN));
                    })
                },
            );
            ab_line(
                &format!("{threads}t zipf, every value held"),
                n,
                rounds,
                || on_threads(traces, |t| replay_held(&p, &values, t, RUN)),
                || on_threads(traces, |t| replay_held(&l, &values, t, RUN)),
            );
        }
    }
}

/// The workloads counted under callgrind, by name.
const ICOUNT_OPS: &[&str] = &[
    "dropped plain",
    "dropped 0",
    "dropped 16",
    "dropped 64",
    "dropped 256",
    "held plain",
    "held 0",
    "held 64",
];

/// Runs one of `ICOUNT_OPS` for `n` requests (the process under
/// callgrind). The trace and the caller's values are made in both the
/// short and the long run, so they cancel out.
fn icount_run(op: &str, n: u64) {
    let trace = zipf_trace(TRACE, 1);
    let values = all_values();
    let n = n as usize;
    let (workload, who) = op.split_once(' ').expect("workload who");
    match (workload, who) {
        ("dropped", "plain") => drop(replay(&plain(), &trace, n)),
        ("dropped", size) => drop(replay(&layer(size.parse().unwrap()), &trace, n)),
        ("held", "plain") => replay_held(&plain(), &values, &trace, n),
        ("held", size) => replay_held(&layer(size.parse().unwrap()), &values, &trace, n),
        _ => panic!("unknown operation {op}"),
    }
}

/// Prints instructions per request: `icount | workload | cache | count |
/// layer / plain`.
fn icount() {
    let counts: Vec<(&str, f64)> = ICOUNT_OPS
        .iter()
        .map(|op| (*op, callgrind::per_op(op)))
        .collect();
    for (op, count) in &counts {
        let workload = op.split(' ').next().unwrap();
        let plain = counts
            .iter()
            .find(|(o, _)| *o == format!("{workload} plain"))
            .map_or(f64::NAN, |(_, c)| *c);
        println!("icount | {op} | {count:.1} | {:.3}", count / plain);
    }
}

fn main() {
    match callgrind::args() {
        callgrind::Args::Run(op, n) => return icount_run(&op, n),
        callgrind::Args::Report(what) if what == "icount" => return icount(),
        callgrind::Args::Report(_) => {}
    }
    let args: Vec<String> = std::env::args().collect();
    let rounds = args
        .iter()
        .position(|a| a == "--ab")
        .map_or(21, |at| args[at + 1].parse().expect("--ab N"));
    let traces = [zipf_trace(TRACE, 1), zipf_trace(TRACE, 2)];
    hit_rates(&traces[0]);
    ab(&traces, rounds);
}
