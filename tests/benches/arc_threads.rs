//! `Arc` under contention, and against triomphe (an `Arc` without weak
//! handles, so with one counter: the floor for strong-only operations).
//!
//! Groups (each holds `std` and `weakref`, some `triomphe`):
//!
//! - `arc/contended clone+drop`: two threads clone and drop clones of one
//!   shared handle; time per clone+drop pair on one thread.
//! - `arc/upgrade while cloned`: one thread upgrades a weak handle while
//!   another clones and drops the strong one without pause.
//! - `arc/strong clone+drop`, `arc/strong new+drop`: single-threaded, beside
//!   triomphe.
//!
//! Read ratios within one run; on a 2-core machine the contended groups
//! also measure the scheduler, so they are noisier than the rest.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use weakref_tests::timing::{on_two_threads, while_busy};

macro_rules! clone_drop_loop {
    ($handle:expr) => {
        |iters: u64| {
            for _ in 0..iters {
                drop(black_box(black_box(&$handle).clone()));
            }
        }
    };
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("arc/contended clone+drop");
    let std_arc = std::sync::Arc::new([0u8; 64]);
    let ours = weakref_sync::Arc::new([0u8; 64]);
    let tri = triomphe::Arc::new([0u8; 64]);
    group.bench_function("std", |b| {
        b.iter_custom(|n| on_two_threads(n, clone_drop_loop!(std_arc)))
    });
    group.bench_function("weakref", |b| {
        b.iter_custom(|n| on_two_threads(n, clone_drop_loop!(ours)))
    });
    group.bench_function("triomphe", |b| {
        b.iter_custom(|n| on_two_threads(n, clone_drop_loop!(tri)))
    });
    group.finish();

    let mut group = c.benchmark_group("arc/upgrade while cloned");
    let std_weak = std::sync::Arc::downgrade(&std_arc);
    let our_weak = weakref_sync::Arc::downgrade(&ours);
    group.bench_function("std", |b| {
        b.iter_custom(|n| {
            while_busy(
                n,
                |n| (0..n).for_each(|_| drop(black_box(black_box(&std_weak).upgrade()))),
                || drop(black_box(std_arc.clone())),
            )
        })
    });
    group.bench_function("weakref", |b| {
        b.iter_custom(|n| {
            while_busy(
                n,
                |n| (0..n).for_each(|_| drop(black_box(black_box(&our_weak).upgrade()))),
                || drop(black_box(ours.clone())),
            )
        })
    });
    group.finish();
}

fn strong_only(c: &mut Criterion) {
    let mut group = c.benchmark_group("arc/strong clone+drop");
    let std_arc = std::sync::Arc::new([0u8; 64]);
    let ours = weakref_sync::Arc::new([0u8; 64]);
    let tri = triomphe::Arc::new([0u8; 64]);
    group.bench_function("std", |b| {
        b.iter(|| drop(black_box(black_box(&std_arc).clone())))
    });
    group.bench_function("weakref", |b| {
        b.iter(|| drop(black_box(black_box(&ours).clone())))
    });
    group.bench_function("triomphe", |b| {
        b.iter(|| drop(black_box(black_box(&tri).clone())))
    });
    group.finish();

    let mut group = c.benchmark_group("arc/strong new+drop");
    group.bench_function("std", |b| {
        b.iter(|| drop(black_box(std::sync::Arc::new(black_box([7u8; 64])))))
    });
    group.bench_function("weakref", |b| {
        b.iter(|| drop(black_box(weakref_sync::Arc::new(black_box([7u8; 64])))))
    });
    group.bench_function("triomphe", |b| {
        b.iter(|| drop(black_box(triomphe::Arc::new(black_box([7u8; 64])))))
    });
    group.finish();
}

criterion_group!(benches, contended, strong_only);
criterion_main!(benches);
