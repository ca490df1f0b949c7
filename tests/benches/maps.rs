//! Criterion benches of the weak collections (issue 4): our
//! `weakref_std::WeakValueMap` against weak-table 0.4's `WeakValueHashMap`
//! and a plain `hashbrown::HashMap<K, Weak<V>>`, all three over the same
//! `weakref_std::{Rc, Weak}` handles and the same hasher (std's
//! `RandomState`), so only the tables differ. weak-table gets our `Weak`
//! through a one-line `WeakElement` newtype.
//!
//! Each group is one operation and holds the three back to back:
//!
//! - `insert <n>`: n inserts into an empty map (growth included), for n =
//!   1k, 10k, 100k; the map is dropped outside the timed region.
//! - `get_hit <n>`: n lookups of live keys in a map of n, upgrading each
//!   value (1k: the table fits in L1/L2; 100k: it does not).
//! - `get_miss <n>`: n lookups of absent keys in a map of n.
//! - `churn <n>`: rounds of n inserts under fresh keys (20 rounds of 1k,
//!   4 of 100k), after each of which half of the live values die; the plain map is purged by hand
//!   (`retain`) once per round, the two weak maps purge themselves. The
//!   values are made outside the timed region; the map is dropped inside
//!   it, so that the dead entries a map still holds at the end (and the
//!   blocks they keep) are paid for: otherwise a map that purged less
//!   would hand that work to an untimed drop (weak-table holds 275,000
//!   entries after the 100k churn, 181,250 of them dead). The surviving
//!   values are dropped outside.
//!   The peak number of entries each holds is printed once, before timing.
//! - `iter <n>`: one pass over n entries, half of them dead.
//! - `hasher`: our map's `get_hit` with std's `RandomState` (SipHash-1-3)
//!   against hashbrown's default hasher (foldhash), to price the
//!   HashDoS-resistant default.
//!
//! Read the results as ratios within one group and one run.
//!
//! ```text
//! cargo bench -p weakref-tests --bench maps -- --quick
//! ```

use std::hash::{BuildHasher, RandomState};
use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use weakref_std::{Rc, WeakValueMap};

#[path = "common/weak_maps.rs"]
mod weak_maps;
use weak_maps::{Map, Ours, Plain, Table, Value, churn, churn_values, filled, keys, values};

const N: u64 = 10_000;
/// Churn shapes: (label, rounds, inserts per round).
const CHURNS: [(&str, u64, u64); 2] = [("1k", 20, 1_000), ("100k", 4, 100_000)];

/// `insert`, `get_hit` and `get_miss` on maps of `n` entries.
fn bench_sized(c: &mut Criterion, hasher: &RandomState, n: u64, label: &str) {
    let vals = values(n);
    let hits = keys(0..n);
    let misses = keys(n..2 * n);

    let mut g = c.benchmark_group(format!("maps/insert {label}"));
    macro_rules! insert {
        ($name:literal, $map:ty) => {
            g.bench_function($name, |b| {
                b.iter_batched(
                    || (),
                    |()| filled::<$map>(hasher, &vals),
                    BatchSize::LargeInput,
                )
            });
        };
    }
    insert!("plain", Plain);
    insert!("weak-table", Table);
    insert!("weakref", Ours);
    g.finish();

    let plain: Plain = filled(hasher, &vals);
    let table: Table = filled(hasher, &vals);
    let ours: Ours = filled(hasher, &vals);

    macro_rules! lookups {
        ($g:ident, $name:literal, $map:expr, $keys:expr) => {
            $g.bench_function($name, |b| {
                b.iter(|| {
                    let mut found = 0u64;
                    for &k in $keys.iter() {
                        if let Some(v) = $map.fetch(black_box(k)) {
                            found += v[0];
                        }
                    }
                    found
                })
            });
        };
    }
    let mut g = c.benchmark_group(format!("maps/get_hit {label}"));
    lookups!(g, "plain", plain, hits);
    lookups!(g, "weak-table", table, hits);
    lookups!(g, "weakref", ours, hits);
    g.finish();

    let mut g = c.benchmark_group(format!("maps/get_miss {label}"));
    lookups!(g, "plain", plain, misses);
    lookups!(g, "weak-table", table, misses);
    lookups!(g, "weakref", ours, misses);
    g.finish();

    // Half of the values die: iteration must skip them.
    let half: Vec<Rc<Value>> = vals.iter().step_by(2).cloned().collect();
    drop(vals);
    let mut g = c.benchmark_group(format!("maps/iter {label}"));
    g.bench_function("plain", |b| b.iter(|| plain.sum_live()));
    g.bench_function("weak-table", |b| b.iter(|| table.sum_live()));
    g.bench_function("weakref", |b| b.iter(|| ours.sum_live()));
    g.finish();
    drop(half);
}

fn bench_maps(c: &mut Criterion) {
    let hasher = RandomState::new();
    for (n, label) in [(1_000, "1k"), (N, "10k"), (100_000, "100k")] {
        bench_sized(c, &hasher, n, label);
    }
    for (label, rounds, per_round) in CHURNS {
        // Peak entries held by each during one churn run, printed once.
        eprintln!(
            "churn {label}: peak entries held (live ≤ {}): plain (purged by hand each round) {}, weak-table {}, weakref {}",
            2 * per_round,
            churn::<Plain>(&hasher, churn_values(rounds, per_round), per_round).2,
            churn::<Table>(&hasher, churn_values(rounds, per_round), per_round).2,
            churn::<Ours>(&hasher, churn_values(rounds, per_round), per_round).2,
        );
        let mut g = c.benchmark_group(format!("maps/churn {label}"));
        macro_rules! churn {
            ($name:literal, $map:ty) => {
                g.bench_function($name, |b| {
                    b.iter_batched(
                        || churn_values(rounds, per_round),
                        |values| {
                            let (map, survivors, peak) = churn::<$map>(&hasher, values, per_round);
                            // Inside the timed region: what a map leaves
                            // for its drop (dead entries and their blocks)
                            // is part of what the churn costs.
                            drop(map);
                            (survivors, peak)
                        },
                        BatchSize::LargeInput,
                    )
                });
            };
        }
        churn!("plain", Plain);
        churn!("weak-table", Table);
        churn!("weakref", Ours);
        g.finish();
    }

    // The hasher's price, on our map: SipHash-1-3 (std) against foldhash.
    let vals = values(N);
    let hits = keys(0..N);
    let sip: Ours = filled(&hasher, &vals);
    let mut fold: Ours<hashbrown::DefaultHashBuilder> = WeakValueMap::default();
    for (i, v) in vals.iter().enumerate() {
        fold.insert(i as u64, v);
    }
    let mut g = c.benchmark_group("maps/hasher");
    g.bench_function("get_hit/RandomState", |b| {
        b.iter(|| hits.iter().filter_map(|&k| sip.get(&black_box(k))).count())
    });
    g.bench_function("get_hit/foldhash", |b| {
        b.iter(|| hits.iter().filter_map(|&k| fold.get(&black_box(k))).count())
    });
    g.bench_function("hash_one/RandomState", |b| {
        b.iter(|| {
            hits.iter()
                .map(|&k| hasher.hash_one(black_box(k)))
                .fold(0, u64::wrapping_add)
        })
    });
    let foldhash = hashbrown::DefaultHashBuilder::default();
    g.bench_function("hash_one/foldhash", |b| {
        b.iter(|| {
            hits.iter()
                .map(|&k| foldhash.hash_one(black_box(k)))
                .fold(0, u64::wrapping_add)
        })
    });
    g.finish();
}

criterion_group!(benches, bench_maps);
criterion_main!(benches);
