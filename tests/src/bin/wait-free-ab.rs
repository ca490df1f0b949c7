//! Interleaved A/B timing of the wait-free upgrade (issue 23): std's
//! `Arc`, `weakref_sync::Arc` (`AtomicCount`, a CAS-loop upgrade) and
//! `Strong<T, WaitFreeCount>` in one process, each scenario run for the
//! three back to back in every round, the order rotating, and reported as
//! the median and range over the rounds of each one's time / std's.
//!
//! ```text
//! cargo run -p weakref-tests --release --bin wait-free-ab [-- ROUNDS [FILTER]]
//! ```
//!
//! Default 11 rounds. On a 2-core machine shared with other work the
//! 2-thread rows also measure the scheduler: read their range, not only
//! the median.

use std::hint::black_box;
use std::time::Instant;

use weakref_core::Strong;
use weakref_core::count::WaitFreeCount;
use weakref_core::storage::Global;
use weakref_tests::timing::{on_two_threads, while_busy};

/// Nanoseconds per iteration of a timed run.
fn per_op(elapsed: std::time::Duration, iters: u64) -> f64 {
    elapsed.as_nanos() as f64 / iters as f64
}

/// Times `work(iters)` on this thread, per iteration, in nanoseconds.
fn alone(iters: u64, work: impl FnOnce(u64)) -> f64 {
    let start = Instant::now();
    work(iters);
    per_op(start.elapsed(), iters)
}

/// Iterations of the 2-thread rows: `WAIT_FREE_AB_CONTENDED`, default 20
/// million (each run long enough for both threads to overlap).
fn contended() -> u64 {
    std::env::var("WAIT_FREE_AB_CONTENDED").map_or(20_000_000, |n| n.parse().expect("a count"))
}
const SINGLE: u64 = 2_000_000;

/// The scenarios for one pointer family `$arc`: `(name, fn() -> ns/op)`.
macro_rules! scenarios {
    ($arc:ident) => {{
        fn upgrade_2t() -> f64 {
            let strong = $arc::new(1u64);
            let weak = $arc::downgrade(&strong);
            let elapsed = on_two_threads(contended(), |n| {
                (0..n).for_each(|_| drop(black_box(black_box(&weak).upgrade())))
            });
            per_op(elapsed, contended())
        }
        fn clone_2t() -> f64 {
            let strong = $arc::new(1u64);
            let elapsed = on_two_threads(contended(), |n| {
                (0..n).for_each(|_| drop(black_box(black_box(&strong).clone())))
            });
            per_op(elapsed, contended())
        }
        fn upgrade_while_cloned() -> f64 {
            let strong = $arc::new(1u64);
            let weak = $arc::downgrade(&strong);
            let elapsed = while_busy(
                contended(),
                |n| (0..n).for_each(|_| drop(black_box(black_box(&weak).upgrade()))),
                || drop(black_box(strong.clone())),
            );
            per_op(elapsed, contended())
        }
        fn upgrade() -> f64 {
            let strong = $arc::new(1u64);
            let weak = $arc::downgrade(&strong);
            alone(SINGLE, |n| {
                (0..n).for_each(|_| drop(black_box(black_box(&weak).upgrade())))
            })
        }
        fn clone() -> f64 {
            let strong = $arc::new(1u64);
            alone(SINGLE, |n| {
                (0..n).for_each(|_| drop(black_box(black_box(&strong).clone())))
            })
        }
        fn downgrade() -> f64 {
            let strong = $arc::new(1u64);
            alone(SINGLE, |n| {
                (0..n).for_each(|_| drop(black_box($arc::downgrade(black_box(&strong)))))
            })
        }
        fn new_drop() -> f64 {
            alone(SINGLE, |n| {
                (0..n).for_each(|_| drop(black_box($arc::new(black_box(7u64)))))
            })
        }
        fn last_drop_with_weak() -> f64 {
            alone(SINGLE, |n| {
                (0..n).for_each(|_| {
                    let strong = $arc::new(black_box(7u64));
                    let weak = $arc::downgrade(&strong);
                    drop(black_box(strong));
                    drop(black_box(weak));
                })
            })
        }
        fn dead_upgrade() -> f64 {
            let weak = $arc::downgrade(&$arc::new(1u64));
            alone(SINGLE, |n| {
                (0..n).for_each(|_| drop(black_box(black_box(&weak).upgrade())))
            })
        }
        [
            ("2 threads: upgrade+drop", upgrade_2t as fn() -> f64),
            ("2 threads: clone+drop", clone_2t),
            ("upgrade+drop while cloned", upgrade_while_cloned),
            ("upgrade+drop", upgrade),
            ("clone+drop", clone),
            ("downgrade+drop", downgrade),
            ("new+drop", new_drop),
            ("new+downgrade+last drop", last_drop_with_weak),
            ("dead upgrade", dead_upgrade),
        ]
    }};
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// `median (min–max)` of a sample.
fn spread(values: &[f64]) -> String {
    let mut sorted = values.to_vec();
    let m = median(&mut sorted);
    format!("{m:.3} ({:.3}–{:.3})", sorted[0], sorted[sorted.len() - 1])
}

fn main() {
    type StdArc<T> = std::sync::Arc<T>;
    type OurArc<T> = weakref_sync::Arc<T>;
    type WaitFreeArc<T> = Strong<T, WaitFreeCount, Global>;

    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().map_or(11, |a| a.parse().expect("ROUNDS"));
    let filter = args.next().unwrap_or_default();
    let families = [
        ("std", scenarios!(StdArc)),
        ("AtomicCount", scenarios!(OurArc)),
        ("WaitFreeCount", scenarios!(WaitFreeArc)),
    ];

    println!(
        "{rounds} interleaved rounds; ns/op of std (median), and each one's time / std's in the same round: median (min–max)\n"
    );
    let mut header = String::from("| operation | std ns |");
    for (name, _) in &families[1..] {
        header += &format!(" {name} / std |");
    }
    println!("{header}\n|---|---|{}", "---|".repeat(families.len() - 1));
    for (row, (op, _)) in families[0].1.iter().enumerate() {
        if !op.contains(filter.as_str()) {
            continue;
        }
        // One untimed warm-up of each.
        for (_, family) in &families {
            (family[row].1)();
        }
        let mut times = vec![Vec::new(); families.len()];
        for round in 0..rounds {
            for k in 0..families.len() {
                let f = (round + k) % families.len();
                times[f].push((families[f].1[row].1)());
            }
        }
        let mut line = format!("| {op} | {:.1} |", median(&mut times[0].clone()));
        for f in 1..families.len() {
            let ratios: Vec<f64> = times[f].iter().zip(&times[0]).map(|(x, y)| x / y).collect();
            line += &format!(" {} |", spread(&ratios));
        }
        println!("{line}");
    }
}
