//! `new` + drop of a 64-byte value: std's `Rc`/`Arc` (the anchor), ours on
//! the heap (`Global`), ours in a static pool (`Pooled`, atomic slot flags)
//! and, for `Rc`, in a thread-local pool (`LocalPooled`, no atomic at all),
//! in the same criterion group per family. Read the ratios, not the times: the machine
//! is shared.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use weakref_core::count::{AtomicCount, LocalCount};
use weakref_core::pool::{LocalPooled, Pooled};
use weakref_core::{Strong, static_pool, thread_local_pool};

type Payload = [u8; 64];

static_pool! {
    struct LocalSlots: Pool<Payload, LocalCount, 64>;
}
static_pool! {
    struct AtomicSlots: Pool<Payload, AtomicCount, 64>;
}
thread_local_pool! {
    struct LocalTlsSlots: Pool<Payload, LocalCount, 64>;
}

fn new_drop(c: &mut Criterion) {
    let mut group = c.benchmark_group("rc/new+drop 64B");
    group.bench_function("std", |b| {
        b.iter(|| drop(black_box(std::rc::Rc::new(black_box([7u8; 64])))))
    });
    group.bench_function("weakref Global", |b| {
        b.iter(|| drop(black_box(weakref_std::Rc::new(black_box([7u8; 64])))))
    });
    group.bench_function("weakref pool", |b| {
        b.iter(|| {
            let rc = Strong::<Payload, LocalCount, _>::try_new_in(
                black_box([7u8; 64]),
                Pooled::<LocalSlots>::new(),
            );
            drop(black_box(rc.expect("a free slot")))
        })
    });
    group.bench_function("weakref thread-local pool", |b| {
        b.iter(|| {
            let rc = Strong::<Payload, LocalCount, _>::try_new_in(
                black_box([7u8; 64]),
                LocalPooled::<LocalTlsSlots>::new(),
            );
            drop(black_box(rc.expect("a free slot")))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("arc/new+drop 64B");
    group.bench_function("std", |b| {
        b.iter(|| drop(black_box(std::sync::Arc::new(black_box([7u8; 64])))))
    });
    group.bench_function("weakref Global", |b| {
        b.iter(|| drop(black_box(weakref_sync::Arc::new(black_box([7u8; 64])))))
    });
    group.bench_function("weakref pool", |b| {
        b.iter(|| {
            let arc = Strong::<Payload, AtomicCount, _>::try_new_in(
                black_box([7u8; 64]),
                Pooled::<AtomicSlots>::new(),
            );
            drop(black_box(arc.expect("a free slot")))
        })
    });
    group.finish();
}

criterion_group!(benches, new_drop);
criterion_main!(benches);
