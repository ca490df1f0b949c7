//! `Wake` and `Waker::from(Arc<W>)` for the atomic family: every waker
//! operation moves the strong count exactly as std's `Arc`-based wakers
//! do, across threads too.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, RawWaker, Waker};

use weakref_sync::{Arc, Wake};

/// Counts `wake` and `wake_by_ref` calls separately.
#[derive(Default)]
struct Counter {
    woken: AtomicUsize,
    woken_by_ref: AtomicUsize,
}

impl Wake for Counter {
    fn wake(this: Arc<Self>) {
        this.woken.fetch_add(1, Ordering::Relaxed);
    }

    fn wake_by_ref(this: &Arc<Self>) {
        this.woken_by_ref.fetch_add(1, Ordering::Relaxed);
    }
}

/// Only `wake`: `wake_by_ref` is the default (clone, then `wake`).
#[derive(Default)]
struct OnlyWake(AtomicUsize);

impl Wake for OnlyWake {
    fn wake(this: Arc<Self>) {
        this.0.fetch_add(1, Ordering::Relaxed);
    }
}

fn counts(c: &Arc<Counter>) -> (usize, usize, usize) {
    (
        Arc::strong_count(c),
        c.woken.load(Ordering::Relaxed),
        c.woken_by_ref.load(Ordering::Relaxed),
    )
}

#[test]
fn waker_operations_move_exact_counts() {
    let c = Arc::new(Counter::default());
    let waker = Waker::from(Arc::clone(&c));
    assert_eq!(counts(&c), (2, 0, 0));
    let twin = waker.clone();
    // (`will_wake` is not asserted: it compares vtable addresses, and a
    // constant's address is not unique, under Miri visibly so; std's
    // `Arc` wakers are alike.)
    assert_eq!(counts(&c), (3, 0, 0));
    waker.wake_by_ref();
    assert_eq!(counts(&c), (3, 0, 1));
    twin.wake(); // gives its count to `Counter::wake`, which drops it
    assert_eq!(counts(&c), (2, 1, 1));
    drop(waker);
    assert_eq!(counts(&c), (1, 1, 1));
    assert_eq!(Arc::weak_count(&c), 0);
}

#[test]
fn default_wake_by_ref_clones_then_wakes() {
    let c = Arc::new(OnlyWake::default());
    let waker = Waker::from(Arc::clone(&c));
    waker.wake_by_ref();
    waker.wake_by_ref();
    assert_eq!(c.0.load(Ordering::Relaxed), 2);
    assert_eq!(Arc::strong_count(&c), 2);
    waker.wake();
    assert_eq!(c.0.load(Ordering::Relaxed), 3);
    assert_eq!(Arc::strong_count(&c), 1);
}

#[test]
fn the_last_waker_drops_the_value() {
    let c = Arc::new(OnlyWake::default());
    let weak = Arc::downgrade(&c);
    let waker = Waker::from(c);
    let clones: Vec<Waker> = (0..3).map(|_| waker.clone()).collect();
    assert_eq!(weak.strong_count(), 4);
    drop(waker);
    for w in clones {
        w.wake();
    }
    assert!(weak.upgrade().is_none());
}

#[test]
fn raw_waker_from_arc() {
    let c = Arc::new(Counter::default());
    let raw = RawWaker::from(Arc::clone(&c));
    // SAFETY: a `RawWaker` from `From<Arc<W>>` meets `Waker`'s contract.
    let waker = unsafe { Waker::from_raw(raw) };
    let cx = Context::from_waker(&waker);
    cx.waker().wake_by_ref();
    assert_eq!(counts(&c), (2, 0, 1));
    drop(waker);
    assert_eq!(counts(&c), (1, 0, 1));
}

#[test]
fn wakers_cross_threads() {
    let c = Arc::new(Counter::default());
    let waker = Waker::from(Arc::clone(&c));
    let threads: Vec<_> = (0..if cfg!(miri) { 2 } else { 4 })
        .map(|_| {
            let w = waker.clone();
            std::thread::spawn(move || {
                w.wake_by_ref();
                w.wake();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let n = if cfg!(miri) { 2 } else { 4 };
    assert_eq!(counts(&c), (2, n, n));
    drop(waker);
    assert_eq!(Arc::strong_count(&c), 1);
}
