//! The atomic counters (`AtomicCount`, `WaitFreeCount`) under real threads (Miri and ThreadSanitizer check
//! these for data races; loom explores the same races exhaustively in
//! `core/tests/loom.rs`).

use std::sync::Barrier;
use std::thread;

use weakref_core::Strong;
use weakref_tests::{CountingAlloc, DropLog};

const ROUNDS: usize = if cfg!(miri) { 3 } else { 200 };

/// Every scenario below, once per atomic counter.
macro_rules! threaded {
    ($($name:ident => $count:ty),* $(,)?) => {$(
    mod $name {
        use super::*;

        type Arc<T> = Strong<T, $count, CountingAlloc>;

        #[test]
        fn into_inner_from_three_threads_gives_one_value() {
            let alloc = CountingAlloc::new();
            for round in 0..ROUNDS {
                let value = Arc::new_in(round, alloc.clone());
                let barrier = Barrier::new(3);
                let handles = [value.clone(), value.clone(), value];
                let winners: usize = thread::scope(|s| {
                    let joins: Vec<_> = handles
                        .into_iter()
                        .map(|h| {
                            s.spawn(|| {
                                barrier.wait();
                                Arc::into_inner(h)
                            })
                        })
                        .collect();
                    joins
                        .into_iter()
                        .map(|j| {
                            j.join().unwrap().map_or(0, |v| {
                                assert_eq!(v, round);
                                1
                            })
                        })
                        .sum()
                });
                assert_eq!(winners, 1, "exactly one thread gets the value");
            }
            alloc.assert_balanced();
        }

        #[test]
        fn upgrade_races_the_last_drop() {
            let alloc = CountingAlloc::new();
            let log = DropLog::new();
            for round in 0..ROUNDS as u32 {
                let strong = Arc::new_in(log.tracked(round), alloc.clone());
                let weak = Arc::downgrade(&strong);
                thread::scope(|s| {
                    s.spawn(move || drop(strong));
                    s.spawn(|| {
                        // Upgrades see the value intact, or nothing.
                        while let Some(up) = weak.upgrade() {
                            assert_eq!(up.id, round);
                        }
                    });
                });
                assert!(weak.upgrade().is_none());
            }
            assert_eq!(
                log.dropped().len(),
                ROUNDS,
                "each value dropped exactly once"
            );
            alloc.assert_balanced();
        }

        #[test]
        fn get_mut_waits_out_a_weak_on_another_thread() {
            let alloc = CountingAlloc::new();
            for _ in 0..ROUNDS {
                let mut strong = Arc::new_in(0u64, alloc.clone());
                let weak = Arc::downgrade(&strong);
                thread::scope(|s| {
                    s.spawn(move || {
                        if let Some(up) = weak.upgrade() {
                            assert!(*up <= 1);
                        }
                    });
                    loop {
                        if let Some(v) = Arc::get_mut(&mut strong) {
                            *v += 1;
                            break;
                        }
                        thread::yield_now();
                    }
                });
                assert_eq!(*strong, 1);
            }
            alloc.assert_balanced();
        }

        #[test]
        fn clones_and_drops_on_many_threads_balance() {
            let alloc = CountingAlloc::new();
            let shared = Arc::new_in(String::from("shared"), alloc.clone());
            let per_thread = if cfg!(miri) { 10 } else { 10_000 };
            thread::scope(|s| {
                for _ in 0..4 {
                    s.spawn(|| {
                        for _ in 0..per_thread {
                            let c = shared.clone();
                            let w = Arc::downgrade(&c);
                            assert_eq!(w.upgrade().as_deref().map(String::as_str), Some("shared"));
                        }
                    });
                }
            });
            assert_eq!(
                (Arc::strong_count(&shared), Arc::weak_count(&shared)),
                (1, 0)
            );
            drop(shared);
            alloc.assert_balanced();
        }

        /// Deaths on one thread while others register and unregister callbacks:
        /// the callbacks registered (and kept) before the death run exactly once,
        /// wherever the last strong handle went; those unregistered while the
        /// value lived never run; every block is freed.
        #[test]
        fn callbacks_register_and_unregister_while_another_thread_kills() {
            use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
            use weakref_core::callbacks::WeakRef;

            const KEPT: usize = if cfg!(miri) { 2 } else { 8 };
            let alloc = CountingAlloc::new();
            for round in 0..ROUNDS {
                let value = Arc::new_in(round, alloc.clone());
                let kept_runs = std::sync::Arc::new(AtomicUsize::new(0));
                let dropped_runs = std::sync::Arc::new(AtomicUsize::new(0));
                let barrier = Barrier::new(3);
                let (for_keeper, for_churner) = (value.clone(), value.clone());
                let kept = thread::scope(|s| {
                    let keeper = s.spawn(|| {
                        barrier.wait();
                        let refs: Vec<_> = (0..KEPT)
                            .map(|_| {
                                let runs = std::sync::Arc::clone(&kept_runs);
                                WeakRef::with_callback(&for_keeper, move || {
                                    runs.fetch_add(1, Relaxed);
                                })
                            })
                            .collect();
                        drop(for_keeper);
                        refs
                    });
                    let churner = s.spawn(|| {
                        barrier.wait();
                        for _ in 0..KEPT {
                            let runs = std::sync::Arc::clone(&dropped_runs);
                            let r = WeakRef::with_callback(&for_churner, move || {
                                runs.fetch_add(1, Relaxed);
                            });
                            drop(r); // while `for_churner` keeps the value alive
                        }
                        drop(for_churner);
                    });
                    barrier.wait();
                    drop(value);
                    churner.join().unwrap();
                    keeper.join().unwrap()
                });
                assert_eq!(kept_runs.load(Relaxed), KEPT, "round {round}");
                assert_eq!(dropped_runs.load(Relaxed), 0, "round {round}");
                assert!(kept.iter().all(|r| r.upgrade().is_none()));
                drop(kept);
            }
            alloc.assert_balanced();
        }

        /// Readers of `strong_count` racing the last drop and an upgrade: once a
        /// reader has seen 0, no upgrade ordered after that read succeeds (the
        /// wait-free counter makes a bare 0 dead before it reports it).
        #[test]
        fn a_strong_count_of_zero_is_final() {
            use std::sync::atomic::{AtomicBool, Ordering::{Acquire, Release}};

            let alloc = CountingAlloc::new();
            for round in 0..ROUNDS {
                let strong = Arc::new_in(round, alloc.clone());
                let weak = Arc::downgrade(&strong);
                let seen_dead = AtomicBool::new(false);
                thread::scope(|s| {
                    s.spawn(move || drop(strong));
                    s.spawn(|| {
                        while weak.strong_count() != 0 {}
                        seen_dead.store(true, Release);
                    });
                    loop {
                        let after_zero = seen_dead.load(Acquire);
                        match weak.upgrade() {
                            Some(up) => {
                                assert!(!after_zero, "upgraded after a reader saw 0");
                                assert_eq!(*up, round);
                            }
                            None if after_zero => break,
                            None => {}
                        }
                    }
                });
            }
            alloc.assert_balanced();
        }
    }
    )*};
}

threaded!(
    atomic => weakref_core::count::AtomicCount,
    wait_free => weakref_core::count::WaitFreeCount,
);
