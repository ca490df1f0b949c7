//! Interleaved A/B of `WeakValueMap` against a plain
//! `hashbrown::HashMap<u64, Weak<V>>` over the same handles and the same
//! hasher (issue 19, part 4): `insert` (n inserts into an empty map, growth
//! included; the map is dropped outside the timing) and `get_hit` (n
//! lookups of live keys in a map of n, each value upgraded), at n = 1k,
//! 10k and 100k, with std's `RandomState` (SipHash-1-3) and hashbrown's
//! foldhash.
//!
//! One process, the two maps back to back in each round, the order
//! alternating; each side's time in a round is the fastest of several
//! repetitions (other processes only add time); each round's ratio is
//! ours / plain, and the report gives the median and the range over the
//! rounds (sequential criterion groups
//! moved up to 25 % between runs on the 2-core machines here).
//!
//! Our slots have the plain map's layout (a `u64` key and a `Weak`, 16
//! bytes: no stored hash). A second plain map is timed against the plain
//! one in each round too (A/A): its ratio is what the measurement alone
//! makes of two identical maps, the noise a ratio of ours sits in.
//!
//! Inserts into a growing table touch fresh pages: while glibc still
//! serves tables of this size by `mmap` (until its dynamic threshold has
//! risen, so in the first configurations run), their page faults
//! dominate, and grow with the slot size; run with
//! `MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824` to
//! time the tables without them.
//!
//! ```text
//! cargo bench -p weakref-tests --bench maps_ab            # 15 rounds
//! cargo bench -p weakref-tests --bench maps_ab -- 31      # 31 rounds
//! ```

use std::hash::{BuildHasher, RandomState};
use std::hint::black_box;
use std::time::{Duration, Instant};

use weakref_core::collections::WeakValueMap as CoreMap;
use weakref_core::count::LocalCount;
use weakref_std::{Rc, Weak};

type Value = [u64; 4];
type Plain<S> = hashbrown::HashMap<u64, Weak<Value>, S>;
type Ours<S> = CoreMap<u64, Value, LocalCount, S>;

/// The two maps under one interface.
trait Map<S>: Sized {
    fn filled(hasher: &S, values: &[Rc<Value>]) -> Self;
    fn fetch(&self, key: u64) -> Option<Rc<Value>>;
}

impl<S: BuildHasher + Clone> Map<S> for Plain<S> {
    fn filled(hasher: &S, values: &[Rc<Value>]) -> Self {
        let mut map = Plain::with_hasher(hasher.clone());
        for (k, v) in values.iter().enumerate() {
            map.insert(black_box(k as u64), Rc::downgrade(v));
        }
        map
    }

    fn fetch(&self, key: u64) -> Option<Rc<Value>> {
        self.get(&key).and_then(Weak::upgrade)
    }
}

impl<S: BuildHasher + Clone> Map<S> for Ours<S> {
    fn filled(hasher: &S, values: &[Rc<Value>]) -> Self {
        let mut map = Ours::with_hasher(hasher.clone());
        for (k, v) in values.iter().enumerate() {
            map.insert(black_box(k as u64), v);
        }
        map
    }

    fn fetch(&self, key: u64) -> Option<Rc<Value>> {
        self.get(&key)
    }
}

/// Repetitions per measurement: about 1M operations, at least 5.
fn reps(n: u64) -> u64 {
    (1_000_000 / n).max(5)
}

/// The fastest of `reps(n)` fills (the drops outside the timing): the
/// minimum, as other processes on the machine only ever add time.
fn time_insert<S, M: Map<S>>(hasher: &S, values: &[Rc<Value>]) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..reps(values.len() as u64) {
        let start = Instant::now();
        let map = black_box(M::filled(hasher, values));
        best = best.min(start.elapsed());
        drop(map);
    }
    best
}

/// The fastest of `reps(n)` passes of lookups over every key.
fn time_get_hit<S, M: Map<S>>(map: &M, n: u64) -> Duration {
    let mut best = Duration::MAX;
    let mut found = 0u64;
    for _ in 0..reps(n) {
        let start = Instant::now();
        for k in 0..n {
            if let Some(v) = map.fetch(black_box(k)) {
                found = found.wrapping_add(v[0]);
            }
        }
        best = best.min(start.elapsed());
    }
    black_box(found);
    best
}

/// The median, minimum and maximum of `ratios`.
fn summary(ratios: &mut [f64]) -> (f64, f64, f64) {
    ratios.sort_by(f64::total_cmp);
    (
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1],
    )
}

/// Both operations at every size, for one hasher.
fn run<S: BuildHasher + Clone>(name: &str, hasher: &S, rounds: usize) {
    for n in [1_000u64, 10_000, 100_000] {
        let values: Vec<Rc<Value>> = (0..n).map(|i| Rc::new([i; 4])).collect();
        let mut insert = Vec::new();
        let mut ns = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        let twin: Plain<S> = Map::filled(hasher, &values);
        let (mut twin_insert, mut twin_get) = (Vec::new(), Vec::new());
        let per_op = |d: Duration| d.as_secs_f64() * 1e9 / n as f64;
        let plain: Plain<S> = Map::filled(hasher, &values);
        let ours: Ours<S> = Map::filled(hasher, &values);
        let mut get_hit = Vec::new();
        for round in 0..rounds {
            let (p, o) = if round % 2 == 0 {
                let p = time_insert::<S, Plain<S>>(hasher, &values);
                (p, time_insert::<S, Ours<S>>(hasher, &values))
            } else {
                let o = time_insert::<S, Ours<S>>(hasher, &values);
                (time_insert::<S, Plain<S>>(hasher, &values), o)
            };
            insert.push(o.as_secs_f64() / p.as_secs_f64());
            ns[0].push(per_op(p));
            ns[1].push(per_op(o));
            let (p, o) = if round % 2 == 0 {
                let p = time_get_hit(&plain, n);
                (p, time_get_hit(&ours, n))
            } else {
                let o = time_get_hit(&ours, n);
                (time_get_hit(&plain, n), o)
            };
            get_hit.push(o.as_secs_f64() / p.as_secs_f64());
            ns[2].push(per_op(p));
            ns[3].push(per_op(o));
            let p = time_insert::<S, Plain<S>>(hasher, &values);
            let t = time_insert::<S, Plain<S>>(hasher, &values);
            twin_insert.push(t.as_secs_f64() / p.as_secs_f64());
            let p = time_get_hit(&plain, n);
            let t = time_get_hit(&twin, n);
            twin_get.push(t.as_secs_f64() / p.as_secs_f64());
        }
        let [p_ins, o_ins, p_get, o_get] = &mut ns;
        for (op, ratios, plain_ns, ours_ns, twin) in [
            ("insert", &mut insert, p_ins, o_ins, &mut twin_insert),
            ("get_hit", &mut get_hit, p_get, o_get, &mut twin_get),
        ] {
            let (median, min, max) = summary(ratios);
            let (plain_ns, ours_ns) = (summary(plain_ns).0, summary(ours_ns).0);
            let (twin, twin_min, twin_max) = summary(twin);
            println!(
                "| {op} {}k | {name} | {median:.3} | {min:.3}–{max:.3} | {plain_ns:.1} | {ours_ns:.1} | {twin:.3} ({twin_min:.3}–{twin_max:.3}) |",
                n / 1000
            );
        }
    }
}

fn main() {
    let rounds = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map_or(15, |r| r.parse().expect("a number of rounds"));
    println!("ours / plain hashbrown map of `Weak`, {rounds} interleaved rounds\n");
    println!(
        "| operation | hasher | ours / plain, median | range | plain ns/op | ours ns/op | plain / plain (A/A), median (range) |"
    );
    println!("|---|---|---|---|---|---|---|");
    run("SipHash (RandomState)", &RandomState::new(), rounds);
    run(
        "foldhash",
        &hashbrown::DefaultHashBuilder::default(),
        rounds,
    );
}
