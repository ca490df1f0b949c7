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

/// The benches of one family: `$name` is its group prefix, `$std` std's
/// strong handle, `$ours` the adapter crate.
macro_rules! family {
    ($fn:ident, $name:literal, $std:ty, $ours:ident) => {
        fn $fn(c: &mut Criterion) {
            use $ours::{WeakRef, finalize};
            type Ours<T> = $ours::Strong<T>;
            type Std = $std;

            let mut group = c.benchmark_group(concat!("callbacks/", $name, " register"));
            let std_value = Std::new([0u8; 64]);
            group.bench_function("std downgrade", |b| {
                b.iter(|| drop(black_box(Std::downgrade(&std_value))))
            });
            let value = Ours::new([0u8; 64]);
            group.bench_function("weakref with_callback", |b| {
                b.iter(|| drop(black_box(WeakRef::with_callback(&value, || {}))))
            });
            group.finish();

            let mut group = c.benchmark_group(concat!("callbacks/", $name, " death"));
            group.bench_function("std new+drop", |b| {
                b.iter(|| drop(black_box(Std::new(black_box([0u8; 64])))))
            });
            for callbacks in [0, 1, 8] {
                group.bench_function(format!("weakref new+{callbacks} callbacks+drop"), |b| {
                    b.iter(|| {
                        let value: Ours<Payload> = Ours::new(black_box([0u8; 64]));
                        if callbacks == 0 {
                            // The unwatched path: no registry at all.
                            return drop(black_box(value));
                        }
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
                    let value: Ours<Payload> = Ours::new(black_box([0u8; 64]));
                    drop(black_box(finalize(&value, || {})));
                    drop(value);
                })
            });
            group.finish();
        }
    };
}

/// The strong handles under one name per adapter, for the macro.
mod weakref_std_family {
    pub(crate) use weakref_std::{WeakRef, finalize};
    pub(crate) type Strong<T> = weakref_std::Rc<T>;
}
mod weakref_sync_family {
    pub(crate) use weakref_sync::{WeakRef, finalize};
    pub(crate) type Strong<T> = weakref_sync::Arc<T>;
}

family!(rc, "rc", std::rc::Rc<Payload>, weakref_std_family);
family!(arc, "arc", std::sync::Arc<Payload>, weakref_sync_family);

criterion_group!(benches, rc, arc);
criterion_main!(benches);
