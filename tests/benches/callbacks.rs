//! Criterion benches: what a death callback costs, against the plain
//! operation it extends, in the same run.
//!
//! - `callbacks/{rc,arc} register`: `WeakRef::with_callback` and its drop
//!   (a registration and an unregistration) against std's `downgrade` and
//!   the drop of the `Weak`.
//! - `callbacks/{rc,arc} death`: `new`, 0, 1 or 8 callbacks, and the last
//!   drop that runs them, against std's `new` and drop.
//! - `callbacks/{rc,arc} finalize`: `new`, `finalize`, and the drop that
//!   runs it, against the same std anchor.
//!
//! The unwatched paths (no callback ever) are in `rc_arc` and the
//! instruction counts (`icount`): the watch flag costs them nothing there.
//!
//! ```text
//! cargo bench -p weakref-tests --bench callbacks
//! ```

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

type Payload = [u8; 64];

fn rc(c: &mut Criterion) {
    use std::rc::Rc as StdRc;
    use weakref_std::{Rc, WeakRef, finalize};

    let mut group = c.benchmark_group("callbacks/rc register");
    let std_value = StdRc::new([0u8; 64]);
    group.bench_function("std downgrade", |b| {
        b.iter(|| drop(black_box(StdRc::downgrade(&std_value))))
    });
    let value = Rc::new([0u8; 64]);
    group.bench_function("weakref with_callback", |b| {
        b.iter(|| drop(black_box(WeakRef::with_callback(&value, || {}))))
    });
    group.finish();

    let mut group = c.benchmark_group("callbacks/rc death");
    group.bench_function("std new+drop", |b| {
        b.iter(|| drop(black_box(StdRc::new(black_box([0u8; 64])))))
    });
    for callbacks in [0, 1, 8] {
        group.bench_function(format!("weakref new+{callbacks} callbacks+drop"), |b| {
            b.iter(|| {
                let value: Rc<Payload> = Rc::new(black_box([0u8; 64]));
                let watches: [Option<WeakRef<Payload>>; 8] = core::array::from_fn(|i| {
                    (i < callbacks).then(|| WeakRef::with_callback(&value, || {}))
                });
                drop(value);
                drop(black_box(watches));
            })
        });
    }
    group.bench_function("weakref new+finalize+drop", |b| {
        b.iter(|| {
            let value: Rc<Payload> = Rc::new(black_box([0u8; 64]));
            drop(black_box(finalize(&value, || {})));
            drop(value);
        })
    });
    group.finish();
}

fn arc(c: &mut Criterion) {
    use std::sync::Arc as StdArc;
    use weakref_sync::{Arc, WeakRef, finalize};

    let mut group = c.benchmark_group("callbacks/arc register");
    let std_value = StdArc::new([0u8; 64]);
    group.bench_function("std downgrade", |b| {
        b.iter(|| drop(black_box(StdArc::downgrade(&std_value))))
    });
    let value = Arc::new([0u8; 64]);
    group.bench_function("weakref with_callback", |b| {
        b.iter(|| drop(black_box(WeakRef::with_callback(&value, || {}))))
    });
    group.finish();

    let mut group = c.benchmark_group("callbacks/arc death");
    group.bench_function("std new+drop", |b| {
        b.iter(|| drop(black_box(StdArc::new(black_box([0u8; 64])))))
    });
    for callbacks in [0, 1, 8] {
        group.bench_function(format!("weakref new+{callbacks} callbacks+drop"), |b| {
            b.iter(|| {
                let value: Arc<Payload> = Arc::new(black_box([0u8; 64]));
                let watches: [Option<WeakRef<Payload>>; 8] = core::array::from_fn(|i| {
                    (i < callbacks).then(|| WeakRef::with_callback(&value, || {}))
                });
                drop(value);
                drop(black_box(watches));
            })
        });
    }
    group.bench_function("weakref new+finalize+drop", |b| {
        b.iter(|| {
            let value: Arc<Payload> = Arc::new(black_box([0u8; 64]));
            drop(black_box(finalize(&value, || {})));
            drop(value);
        })
    });
    group.finish();
}

criterion_group!(benches, rc, arc);
criterion_main!(benches);
