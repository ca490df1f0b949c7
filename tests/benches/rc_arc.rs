//! Criterion benches: this crate's handles against std's, operation by operation.
//!
//! Two families are measured: `rc/*` (`weakref_std::{Rc, Weak}` against
//! `std::rc::{Rc, Weak}`) and `arc/*` (`weakref_sync::{Arc, Weak}` against
//! `std::sync::{Arc, Weak}`, single-threaded, so every atomic is uncontended).
//! Each group is one operation of one family and holds two functions run back
//! to back with the same harness: `std`, the anchor, and `weakref`, ours.
//!
//! The operations, all on a `[u8; 64]` payload:
//!
//! - `clone`: cloning a live handle; the clones are dropped outside the timed
//!   region.
//! - `drop`: dropping a handle that is not the last one; the clones are made
//!   outside the timed region.
//! - `clone_drop`: both, back to back.
//! - `upgrade_hit`: `Weak::upgrade` on a live value, dropping the result.
//! - `upgrade_miss`: `Weak::upgrade` on a dropped value.
//! - `downgrade`: `downgrade` and the drop of the new `Weak`.
//! - `new_drop`: `new` and the drop of the only handle (one allocation and one
//!   free).
//!
//! Read the results as ratios ours/std within one run: absolute times vary
//! with the machine and its load, which is why every group carries its own
//! std anchor. The non-atomic `rc/*` operations take a cycle or two, so code
//! alignment alone moves them by about 15% between builds: there, only a
//! difference that persists across runs means anything.
//!
//! ```text
//! cargo bench -p weakref-tests --bench rc_arc -- --test    # run each once
//! cargo bench -p weakref-tests --bench rc_arc              # measure
//! ```

use std::hint::black_box;
use std::rc::{Rc as StdRcStrong, Weak as StdRcWeak};
use std::sync::{Arc as StdArcStrong, Weak as StdArcWeak};
use std::time::{Duration, Instant};

use criterion::{Bencher, Criterion, criterion_group, criterion_main};
use weakref_std::{Rc as OurRcStrong, Weak as OurRcWeak};
use weakref_sync::{Arc as OurArcStrong, Weak as OurArcWeak};

/// The value every handle points to.
type Payload = [u8; 64];

/// How many handles `clone` and `drop` keep between two clock reads: enough to
/// make the clock's cost negligible, few enough to stay in L1.
const CHUNK: u64 = 256;

/// One strong/weak pair of types, so each operation is written once and
/// instantiated for all four families.
trait Family {
    /// The strong handle (`Rc` or `Arc`).
    type Strong: Clone;
    /// The weak handle.
    type Weak;

    /// `Strong::new`.
    fn new(value: Payload) -> Self::Strong;
    /// `Strong::downgrade`.
    fn downgrade(this: &Self::Strong) -> Self::Weak;
    /// `Weak::upgrade`.
    fn upgrade(weak: &Self::Weak) -> Option<Self::Strong>;
}

/// Declares a marker type and its [`Family`] impl for a pair of handle types.
macro_rules! family {
    ($(#[$doc:meta])* $name:ident => $strong:ident, $weak:ident) => {
        $(#[$doc])*
        struct $name;

        impl Family for $name {
            type Strong = $strong<Payload>;
            type Weak = $weak<Payload>;

            #[inline]
            fn new(value: Payload) -> Self::Strong {
                $strong::new(value)
            }

            #[inline]
            fn downgrade(this: &Self::Strong) -> Self::Weak {
                $strong::downgrade(this)
            }

            #[inline]
            fn upgrade(weak: &Self::Weak) -> Option<Self::Strong> {
                weak.upgrade()
            }
        }
    };
}

family!(
    /// `std::rc::{Rc, Weak}`, the anchor of the `rc/*` groups.
    StdRc => StdRcStrong, StdRcWeak
);
family!(
    /// `weakref_std::{Rc, Weak}`.
    OurRc => OurRcStrong, OurRcWeak
);
family!(
    /// `std::sync::{Arc, Weak}`, the anchor of the `arc/*` groups.
    StdArc => StdArcStrong, StdArcWeak
);
family!(
    /// `weakref_sync::{Arc, Weak}`.
    OurArc => OurArcStrong, OurArcWeak
);

/// Times `iters` calls of `make`, keeping the results alive until the clock
/// has stopped, so that their drops are not timed.
fn time_makes<H>(iters: u64, mut make: impl FnMut() -> H) -> Duration {
    let mut handles = Vec::with_capacity(CHUNK as usize);
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(CHUNK);
        let start = Instant::now();
        for _ in 0..n {
            handles.push(black_box(make()));
        }
        total += start.elapsed();
        handles.clear();
        left -= n;
    }
    total
}

/// Times the drops of `iters` results of `make`, which is called outside the
/// timed region.
fn time_drops<H>(iters: u64, mut make: impl FnMut() -> H) -> Duration {
    let mut handles = Vec::with_capacity(CHUNK as usize);
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(CHUNK);
        handles.extend((0..n).map(|_| make()));
        let start = Instant::now();
        // `pop` rather than `drain`: LLVM inlines `Drain::drop` for some
        // handle types and not others, which alone moved this loop by 20%.
        while let Some(handle) = handles.pop() {
            drop(black_box(handle));
        }
        total += start.elapsed();
        left -= n;
    }
    total
}

/// `clone`: a clone of a live handle, dropped outside the timed region.
fn clone<F: Family>(b: &mut Bencher<'_>) {
    let strong = F::new([1; 64]);
    b.iter_custom(|iters| time_makes(iters, || F::Strong::clone(black_box(&strong))));
}

/// `drop`: the drop of a handle that is not the last one.
fn drop_non_last<F: Family>(b: &mut Bencher<'_>) {
    let strong = F::new([1; 64]);
    b.iter_custom(|iters| time_drops(iters, || F::Strong::clone(&strong)));
}

/// `clone_drop`: a clone of a live handle and its drop.
fn clone_drop<F: Family>(b: &mut Bencher<'_>) {
    let strong = F::new([1; 64]);
    // `iter` passes the result through `black_box`, then drops it.
    b.iter(|| F::Strong::clone(black_box(&strong)));
}

/// `upgrade_hit`: an upgrade of a live value, and the drop of the result.
fn upgrade_hit<F: Family>(b: &mut Bencher<'_>) {
    let strong = F::new([1; 64]);
    let weak = F::downgrade(&strong);
    b.iter(|| F::upgrade(black_box(&weak)));
    drop(strong);
}

/// `upgrade_miss`: an upgrade of a dropped value.
fn upgrade_miss<F: Family>(b: &mut Bencher<'_>) {
    let weak = F::downgrade(&F::new([1; 64]));
    b.iter(|| F::upgrade(black_box(&weak)));
}

/// `downgrade`: a new weak handle, and its drop.
fn downgrade<F: Family>(b: &mut Bencher<'_>) {
    let strong = F::new([1; 64]);
    b.iter(|| F::downgrade(black_box(&strong)));
}

/// `new_drop`: a new value and the drop of its only handle.
fn new_drop<F: Family>(b: &mut Bencher<'_>) {
    b.iter(|| F::new(black_box([1; 64])));
}

/// One benchmark function.
type Bench = fn(&mut Bencher<'_>);

/// Every group of one family: the operation's name, then std's and ours.
fn ops<S: Family, W: Family>() -> [(&'static str, Bench, Bench); 7] {
    [
        ("clone", clone::<S>, clone::<W>),
        ("drop", drop_non_last::<S>, drop_non_last::<W>),
        ("clone_drop", clone_drop::<S>, clone_drop::<W>),
        ("upgrade_hit", upgrade_hit::<S>, upgrade_hit::<W>),
        ("upgrade_miss", upgrade_miss::<S>, upgrade_miss::<W>),
        ("downgrade", downgrade::<S>, downgrade::<W>),
        ("new_drop", new_drop::<S>, new_drop::<W>),
    ]
}

/// Runs one group per operation, `std` then `weakref`.
fn run(c: &mut Criterion, family: &str, ops: [(&'static str, Bench, Bench); 7]) {
    for (op, std, ours) in ops {
        let mut group = c.benchmark_group(format!("{family}/{op}"));
        group.bench_function("std", std);
        group.bench_function("weakref", ours);
        group.finish();
    }
}

/// The `rc/*` groups.
fn rc(c: &mut Criterion) {
    run(c, "rc", ops::<StdRc, OurRc>());
}

/// The `arc/*` groups.
fn arc(c: &mut Criterion) {
    run(c, "arc", ops::<StdArc, OurArc>());
}

criterion_group!(benches, rc, arc);
criterion_main!(benches);
