//! Canaries: the loom harness must catch a deliberately wrong ordering.
//!
//! `RelaxedCount` is `AtomicCount` with one bug: `dec_strong` uses `Relaxed`
//! and skips the Acquire on the last reference (the bug std's `Arc::drop`
//! comment warns about). Run through the same scenario as `loom.rs`'s
//! `concurrent_last_drops_order_reads_before_drop`, loom must report the
//! read of the value racing its drop. Its own binary: a detected bug panics
//! inside `Drop`, which would hide the other models' results (TOOLING.md).

#![cfg(weakref_loom)]

use loom::cell::UnsafeCell;
use loom::sync::atomic::AtomicUsize;
use loom::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use weakref_core::Strong;
use weakref_core::count::RawCount;
use weakref_core::storage::Global;

/// A counter with a planted bug in `dec_strong`; everything else is right.
struct RelaxedCount {
    strong: AtomicUsize,
    weak: AtomicUsize,
}

// SAFETY: NOT sound, on purpose: `dec_strong` breaks the Release/Acquire
// duty of the contract. Only the should-panic canary below uses it.
unsafe impl RawCount for RelaxedCount {
    fn new(strong: usize, weak: usize) -> Self {
        RelaxedCount {
            strong: AtomicUsize::new(strong),
            weak: AtomicUsize::new(weak),
        }
    }
    fn strong(&self) -> usize {
        self.strong.load(Relaxed)
    }
    fn weak(&self) -> usize {
        // ORDERING: Acquire; pairs with `dec_weak`'s Release (correct here).
        self.weak.load(Acquire)
    }
    fn inc_strong(&self) {
        self.strong.fetch_add(1, Relaxed);
    }
    fn try_inc_strong(&self) -> bool {
        let mut n = self.strong.load(Relaxed);
        while n != 0 {
            // ORDERING: Acquire; pairs with `publish_strong` (correct here).
            match self
                .strong
                .compare_exchange_weak(n, n + 1, Acquire, Relaxed)
            {
                Ok(_) => return true,
                Err(old) => n = old,
            }
        }
        false
    }
    fn dec_strong(&self) -> bool {
        // THE BUG: Relaxed, and no Acquire on the last reference.
        self.strong.fetch_sub(1, Relaxed) == 1
    }
    fn try_take_strong(&self) -> bool {
        // ORDERING: Acquire; as `AtomicCount` (correct here).
        self.strong.compare_exchange(1, 0, Acquire, Relaxed).is_ok()
    }
    fn publish_strong(&self) {
        // ORDERING: Release; pairs with `try_inc_strong` (correct here).
        self.strong.store(1, Release);
    }
    fn downgrade(&self) {
        self.weak.fetch_add(1, Relaxed);
    }
    fn inc_weak(&self) {
        self.weak.fetch_add(1, Relaxed);
    }
    fn dec_weak(&self) -> bool {
        // ORDERING: Release, then Acquire on the last (correct here).
        if self.weak.fetch_sub(1, Release) != 1 {
            return false;
        }
        self.weak.load(Acquire);
        true
    }
}

struct Payload(UnsafeCell<u32>);

// SAFETY: shared access only reads; the write is in `Drop`. The point of
// the canary is that loom sees the broken counter fail to order them.
unsafe impl Sync for Payload {}

impl Payload {
    fn get(&self) -> u32 {
        // SAFETY: a shared read, tracked by loom.
        self.0.with(|p| unsafe { *p })
    }
}

impl Drop for Payload {
    fn drop(&mut self) {
        // SAFETY: `&mut self`; loom tracks the write.
        self.0.with_mut(|p| unsafe { *p = 0 });
    }
}

type Broken<T> = Strong<T, RelaxedCount, Global>;

#[test]
#[should_panic]
fn relaxed_drop_is_caught() {
    loom::model(|| {
        let a = Broken::new(Payload(UnsafeCell::new(8)));
        let b = Broken::clone(&a);
        let t = loom::thread::spawn(move || {
            assert_eq!(b.get(), 8);
            drop(b);
        });
        assert_eq!(a.get(), 8);
        drop(a);
        t.join().unwrap();
    });
}
