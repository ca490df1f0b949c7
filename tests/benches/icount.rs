//! Instructions per operation, ours vs std, counted by valgrind's callgrind:
//! deterministic where wall-clock time on a shared machine is not.
//!
//! `cargo bench -p weakref-tests --bench icount` runs each operation in a
//! loop of `N1` and of `N2` iterations under callgrind (this same binary,
//! re-run with `<op> <iterations>`; `common/callgrind.rs`), and reports
//! `(Ir(N2) - Ir(N1)) / (N2 - N1)`: the per-iteration cost, with start-up
//! and set-up cancelled out. The table prints ours / std for each pair.
//! The weak maps' churn against weak-table has its own binary,
//! `icount_churn`.

use std::hint::black_box;

use weakref_core::count::{AtomicCount, LocalCount, WaitFreeCount};
use weakref_core::pool::{LocalPooled, Pooled};
use weakref_core::storage::Global;
use weakref_core::{Strong, static_pool, thread_local_pool};

/// `weakref_sync::Arc` with the wait-free upgrade (issue 23).
type WaitFreeArc<T> = Strong<T, WaitFreeCount, Global>;

#[path = "common/callgrind.rs"]
mod callgrind;
use callgrind::{Args, per_op};

static_pool! {
    struct LocalSlots: Pool<[u8; 64], LocalCount, 8>;
}
static_pool! {
    struct AtomicSlots: Pool<[u8; 64], AtomicCount, 8>;
}
thread_local_pool! {
    struct LocalTlsSlots: Pool<[u8; 64], LocalCount, 8>;
}

/// One operation, repeated `n` times. Each `$name` is run as
/// `icount <name> <n>`.
macro_rules! ops {
    ($($name:literal => |$n:ident| $body:block)*) => {
        fn run(op: &str, iterations: u64) {
            match op {
                $($name => { let $n = iterations; $body })*
                _ => panic!("unknown operation {op}"),
            }
        }
        const OPS: &[&str] = &[$($name),*];
    };
}

/// Drops the last handle of a value, out of line: the `last drop` rows
/// count the instructions inside this function only.
#[inline(never)]
fn last_drop<P>(last: P) {
    drop(last);
}

/// `n` handles made by `new`, each dropped by [`last_drop`]. Out of line,
/// so that the `last drop` rows leave the code of the others alone (LLVM
/// inlines by the size of the one function holding every row: inlined,
/// these rows moved std's `upgrade` by an instruction).
#[inline(never)]
fn last_drops<P>(n: u64, new: fn([u8; 64]) -> P) {
    for _ in 0..n {
        last_drop(black_box(new(black_box([7u8; 64]))));
    }
}

/// Clone + drop of a clone, for a pointer family.
macro_rules! clone_drop {
    ($n:ident, $new:expr) => {{
        let p = $new;
        for _ in 0..$n {
            drop(black_box(black_box(&p).clone()));
        }
    }};
}

ops! {
    "rc clone+drop std" => |n| { clone_drop!(n, std::rc::Rc::new(1u64)) }
    "rc clone+drop ours" => |n| { clone_drop!(n, weakref_std::Rc::new(1u64)) }
    "arc clone+drop std" => |n| { clone_drop!(n, std::sync::Arc::new(1u64)) }
    "arc clone+drop ours" => |n| { clone_drop!(n, weakref_sync::Arc::new(1u64)) }
    "arc clone+drop waitfree" => |n| { clone_drop!(n, WaitFreeArc::new(1u64)) }
    "rc upgrade hit std" => |n| {
        let p = std::rc::Rc::new(1u64);
        let w = std::rc::Rc::downgrade(&p);
        for _ in 0..n { drop(black_box(black_box(&w).upgrade())); }
    }
    "rc upgrade hit ours" => |n| {
        let p = weakref_std::Rc::new(1u64);
        let w = weakref_std::Rc::downgrade(&p);
        for _ in 0..n { drop(black_box(black_box(&w).upgrade())); }
    }
    "arc upgrade hit std" => |n| {
        let p = std::sync::Arc::new(1u64);
        let w = std::sync::Arc::downgrade(&p);
        for _ in 0..n { drop(black_box(black_box(&w).upgrade())); }
    }
    "arc upgrade hit ours" => |n| {
        let p = weakref_sync::Arc::new(1u64);
        let w = weakref_sync::Arc::downgrade(&p);
        for _ in 0..n { drop(black_box(black_box(&w).upgrade())); }
    }
    "arc upgrade hit waitfree" => |n| {
        let p = WaitFreeArc::new(1u64);
        let w = WaitFreeArc::downgrade(&p);
        for _ in 0..n { drop(black_box(black_box(&w).upgrade())); }
    }
    "rc upgrade miss std" => |n| {
        let w = std::rc::Rc::downgrade(&std::rc::Rc::new(1u64));
        for _ in 0..n { drop(black_box(black_box(&w).upgrade())); }
    }
    "rc upgrade miss ours" => |n| {
        let w = weakref_std::Rc::downgrade(&weakref_std::Rc::new(1u64));
        for _ in 0..n { drop(black_box(black_box(&w).upgrade())); }
    }
    "arc upgrade miss std" => |n| {
        let w = std::sync::Arc::downgrade(&std::sync::Arc::new(1u64));
        for _ in 0..n { drop(black_box(black_box(&w).upgrade())); }
    }
    "arc upgrade miss ours" => |n| {
        let w = weakref_sync::Arc::downgrade(&weakref_sync::Arc::new(1u64));
        for _ in 0..n { drop(black_box(black_box(&w).upgrade())); }
    }
    "arc upgrade miss waitfree" => |n| {
        let w = WaitFreeArc::downgrade(&WaitFreeArc::new(1u64));
        for _ in 0..n { drop(black_box(black_box(&w).upgrade())); }
    }
    "rc downgrade+drop std" => |n| {
        let p = std::rc::Rc::new(1u64);
        for _ in 0..n { drop(black_box(std::rc::Rc::downgrade(black_box(&p)))); }
    }
    "rc downgrade+drop ours" => |n| {
        let p = weakref_std::Rc::new(1u64);
        for _ in 0..n { drop(black_box(weakref_std::Rc::downgrade(black_box(&p)))); }
    }
    "arc downgrade+drop std" => |n| {
        let p = std::sync::Arc::new(1u64);
        for _ in 0..n { drop(black_box(std::sync::Arc::downgrade(black_box(&p)))); }
    }
    "arc downgrade+drop ours" => |n| {
        let p = weakref_sync::Arc::new(1u64);
        for _ in 0..n { drop(black_box(weakref_sync::Arc::downgrade(black_box(&p)))); }
    }
    "arc downgrade+drop waitfree" => |n| {
        let p = WaitFreeArc::new(1u64);
        for _ in 0..n { drop(black_box(WaitFreeArc::downgrade(black_box(&p)))); }
    }
    "rc new+drop std" => |n| {
        for _ in 0..n { drop(black_box(std::rc::Rc::new(black_box([7u8; 64])))); }
    }
    "rc new+drop ours" => |n| {
        for _ in 0..n { drop(black_box(weakref_std::Rc::new(black_box([7u8; 64])))); }
    }
    "arc new+drop std" => |n| {
        for _ in 0..n { drop(black_box(std::sync::Arc::new(black_box([7u8; 64])))); }
    }
    "arc new+drop ours" => |n| {
        for _ in 0..n { drop(black_box(weakref_sync::Arc::new(black_box([7u8; 64])))); }
    }
    "arc new+drop waitfree" => |n| {
        for _ in 0..n { drop(black_box(WaitFreeArc::new(black_box([7u8; 64])))); }
    }
    // The drop alone: only the instructions inside `last_drop` count
    // (callgrind.rs, `LAST_DROP`), the free included.
    "rc last drop std" => |n| { last_drops(n, std::rc::Rc::new) }
    "rc last drop ours" => |n| { last_drops(n, weakref_std::Rc::new) }
    "arc last drop std" => |n| { last_drops(n, std::sync::Arc::new) }
    "arc last drop ours" => |n| { last_drops(n, weakref_sync::Arc::new) }
    "arc last drop waitfree" => |n| { last_drops(n, WaitFreeArc::new) }
    "rc new+drop pool" => |n| {
        for _ in 0..n {
            let rc = Strong::<_, LocalCount, _>::try_new_in(black_box([7u8; 64]), Pooled::<LocalSlots>::new());
            drop(black_box(rc.expect("a free slot")));
        }
    }
    "rc new+drop local-pool" => |n| {
        for _ in 0..n {
            let rc = Strong::<_, LocalCount, _>::try_new_in(black_box([7u8; 64]), LocalPooled::<LocalTlsSlots>::new());
            drop(black_box(rc.expect("a free slot")));
        }
    }
    "arc new+drop pool" => |n| {
        for _ in 0..n {
            let arc = Strong::<_, AtomicCount, _>::try_new_in(black_box([7u8; 64]), Pooled::<AtomicSlots>::new());
            drop(black_box(arc.expect("a free slot")));
        }
    }
    "rc get_mut std" => |n| {
        let mut p = std::rc::Rc::new(1u64);
        for _ in 0..n { *black_box(std::rc::Rc::get_mut(black_box(&mut p)).unwrap()) += 1; }
    }
    "rc get_mut ours" => |n| {
        let mut p = weakref_std::Rc::new(1u64);
        for _ in 0..n { *black_box(weakref_std::Rc::get_mut(black_box(&mut p)).unwrap()) += 1; }
    }
    "arc get_mut std" => |n| {
        let mut p = std::sync::Arc::new(1u64);
        for _ in 0..n { *black_box(std::sync::Arc::get_mut(black_box(&mut p)).unwrap()) += 1; }
    }
    "arc get_mut ours" => |n| {
        let mut p = weakref_sync::Arc::new(1u64);
        for _ in 0..n { *black_box(weakref_sync::Arc::get_mut(black_box(&mut p)).unwrap()) += 1; }
    }
    "arc get_mut waitfree" => |n| {
        let mut p = WaitFreeArc::new(1u64);
        for _ in 0..n { *black_box(WaitFreeArc::get_mut(black_box(&mut p)).unwrap()) += 1; }
    }
    // The weak value map against std's `HashMap` of the same `Weak`s
    // (hashbrown inside, the same `RandomState`): a hit on 1k entries,
    // and inserts into a growing map (growth included, no value dies; the
    // values are made in the loop too, the same cost on both sides).
    "map get_hit std" => |n| {
        let values: Vec<weakref_std::Rc<u64>> = (0..1000).map(weakref_std::Rc::new).collect();
        let mut map = std::collections::HashMap::new();
        for (k, v) in values.iter().enumerate() { map.insert(k as u64, weakref_std::Rc::downgrade(v)); }
        for i in 0..n { drop(black_box(map.get(&black_box(i % 1000)).and_then(weakref_std::Weak::upgrade))); }
    }
    "map get_hit ours" => |n| {
        let values: Vec<weakref_std::Rc<u64>> = (0..1000).map(weakref_std::Rc::new).collect();
        let mut map = weakref_std::WeakValueMap::new();
        for (k, v) in values.iter().enumerate() { map.insert(k as u64, v); }
        for i in 0..n { drop(black_box(map.get(&black_box(i % 1000)))); }
    }
    "map insert std" => |n| {
        let values: Vec<weakref_std::Rc<u64>> = (0..n).map(weakref_std::Rc::new).collect();
        let mut map = std::collections::HashMap::new();
        for (k, v) in values.iter().enumerate() { map.insert(black_box(k as u64), weakref_std::Rc::downgrade(v)); }
        black_box(&map);
    }
    "map insert ours" => |n| {
        let values: Vec<weakref_std::Rc<u64>> = (0..n).map(weakref_std::Rc::new).collect();
        let mut map = weakref_std::WeakValueMap::new();
        for (k, v) in values.iter().enumerate() { map.insert(black_box(k as u64), v); }
        black_box(&map);
    }
    "rc make_mut std" => |n| {
        let mut p = std::rc::Rc::new(1u64);
        for _ in 0..n { *black_box(std::rc::Rc::make_mut(black_box(&mut p))) += 1; }
    }
    "rc make_mut ours" => |n| {
        let mut p = weakref_std::Rc::new(1u64);
        for _ in 0..n { *black_box(weakref_std::Rc::make_mut(black_box(&mut p))) += 1; }
    }
    "arc make_mut std" => |n| {
        let mut p = std::sync::Arc::new(1u64);
        for _ in 0..n { *black_box(std::sync::Arc::make_mut(black_box(&mut p))) += 1; }
    }
    "arc make_mut ours" => |n| {
        let mut p = weakref_sync::Arc::new(1u64);
        for _ in 0..n { *black_box(weakref_sync::Arc::make_mut(black_box(&mut p))) += 1; }
    }
    "arc make_mut waitfree" => |n| {
        let mut p = WaitFreeArc::new(1u64);
        for _ in 0..n { *black_box(WaitFreeArc::make_mut(black_box(&mut p))) += 1; }
    }
}

fn main() {
    let filter = match callgrind::args() {
        Args::Run(op, n) => return run(&op, n),
        Args::Report(filter) => filter,
    };
    println!(
        "{:<28} {:>10} {:>10} {:>8}",
        "operation", "std", "ours", "ours/std"
    );
    for op in OPS
        .iter()
        .filter(|op| op.ends_with(" std") && op.contains(filter.as_str()))
    {
        let base = op.trim_end_matches(" std");
        let anchor = per_op(op);
        for ours in OPS
            .iter()
            .filter(|o| o.starts_with(base) && !o.ends_with(" std"))
        {
            let count = per_op(ours);
            let label = format!("{base} [{}]", ours.rsplit(' ').next().unwrap());
            println!(
                "{label:<28} {anchor:>10.1} {count:>10.1} {:>8.3}",
                count / anchor
            );
        }
    }
}
