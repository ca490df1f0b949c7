//! Loom models of every race the atomic protocol relies on.
//!
//! Run with (see `ci/loom.sh`):
//!
//! ```text
//! RUSTFLAGS="--cfg weakref_loom" LOOM_MAX_PREEMPTIONS=3 \
//!     cargo test -p weakref-core --features loom --release --test loom
//! ```
//!
//! Under `--cfg weakref_loom` the counter's atomics, the `downgrade` spin
//! and `Global`'s allocations all go through loom, so loom explores every
//! interleaving (up to the preemption bound), reports a data race on the
//! payload (a `loom::cell::UnsafeCell`, written by `Drop`, read through
//! live handles), and checks that every block is freed exactly once.
//!
//! The models are small complete scenarios with at most three threads, as
//! crossbeam's are. `loom_canary.rs` proves the harness catches a wrong
//! ordering.

#![cfg(weakref_loom)]

#[path = "common/loom.rs"]
mod common;
// The wait-free protocol's scenarios, generic over the counter: this file
// runs only the one that is also a race of `AtomicCount`'s protocol.
#[path = "common/wait_free_models.rs"]
#[expect(
    dead_code,
    reason = "only `upgrade_vs_last_drop` runs here; `loom_wait_free.rs` runs them all"
)]
mod models;

use common::{Payload, explore, model};
use loom::thread;
use weakref_core::Strong;
use weakref_core::count::AtomicCount;
use weakref_core::storage::Global;

type Arc<T> = Strong<T, AtomicCount, Global>;
type Weak<T> = weakref_core::Weak<T, AtomicCount, Global>;

/// `Weak::upgrade` racing the last strong drop: the upgrade sees the value
/// intact or fails; the value is dropped once; the block is freed once
/// (the scenario `loom_wait_free.rs` runs on `WaitFreeCount`).
#[test]
fn upgrade_vs_last_strong_drop() {
    crate::model(
        "upgrade_vs_last_strong_drop",
        models::upgrade_vs_last_drop::<AtomicCount>,
    );
}

/// `new_cyclic`'s publish racing an upgrade of a weak handle that escaped
/// to another thread during construction: the upgrade fails, or sees the
/// fully written value (the Release publish pairs with its Acquire).
#[test]
fn new_cyclic_publish_vs_upgrade() {
    crate::model("new_cyclic_publish_vs_upgrade", || {
        let mut upgrader = None;
        let strong = Arc::new_cyclic(|me: &Weak<Payload>| {
            let me = me.clone();
            upgrader = Some(thread::spawn(move || me.upgrade().map(|up| up.get())));
            Payload::new(9)
        });
        let seen = upgrader.unwrap().join().unwrap();
        assert!(matches!(seen, None | Some(9)));
        assert_eq!(strong.get(), 9);
    });
}

/// `downgrade` racing `get_mut`'s weak lock: if `get_mut` succeeds, its
/// write happens before any later upgrade through the new weak handle.
#[test]
fn downgrade_vs_get_mut() {
    crate::model("downgrade_vs_get_mut", || {
        let mut owner = Arc::new(Payload::new(1));
        let other = Arc::clone(&owner);
        let t = thread::spawn(move || {
            let weak = Arc::downgrade(&other);
            drop(other);
            weak.upgrade().map(|up| up.get())
        });
        let wrote = common::set_if_unique(&mut owner, 2);
        // `get_mut` succeeds only once the other thread's strong and weak
        // handles are both gone, so its upgrade (which cannot fail while
        // `owner` lives) always read the old value; loom checks that read
        // happens before our write.
        assert_eq!(t.join().unwrap(), Some(1));
        assert_eq!(owner.get(), if wrote { 2 } else { 1 });
    });
}

/// The last weak drop racing the last strong drop: exactly one of them
/// frees the block (loom's allocator reports a leak or a double free).
#[test]
fn last_weak_drop_vs_last_strong_drop() {
    crate::model("last_weak_drop_vs_last_strong_drop", || {
        let strong = Arc::new(Payload::new(3));
        let weak = Arc::downgrade(&strong);
        let t = thread::spawn(move || drop(weak));
        drop(strong);
        t.join().unwrap();
    });
}

/// `make_mut` on the last strong handle racing an upgrade: either the
/// upgrade wins (make_mut clones, the upgraded handle keeps the old value)
/// or make_mut moves the value away (the upgrade fails).
#[test]
fn make_mut_vs_upgrade() {
    crate::model("make_mut_vs_upgrade", || {
        let mut strong = Arc::new(Payload::new(4));
        let weak = Arc::downgrade(&strong);
        let t = thread::spawn(move || weak.upgrade().map(|up| up.get()));
        Arc::make_mut(&mut strong).set(5);
        assert_eq!(strong.get(), 5);
        assert!(matches!(t.join().unwrap(), None | Some(4)));
    });
}

/// `into_inner` on three handles from three threads: exactly one gets the
/// value.
#[test]
fn into_inner_from_three_threads() {
    crate::model("into_inner_from_three_threads", || {
        let a = Arc::new(Payload::new(6));
        let (b, c) = (Arc::clone(&a), Arc::clone(&a));
        let tb = thread::spawn(move || Arc::into_inner(b).map(|p| p.get()));
        let tc = thread::spawn(move || Arc::into_inner(c).map(|p| p.get()));
        let got = [
            Arc::into_inner(a).map(|p| p.get()),
            tb.join().unwrap(),
            tc.join().unwrap(),
        ];
        assert_eq!(got.iter().filter(|g| g.is_some()).count(), 1);
        assert!(got.contains(&Some(6)));
    });
}

/// Two strong handles dropped on two threads after each reads the value:
/// the reads happen before the drop (Release decrement, Acquire on last).
#[test]
fn concurrent_last_drops_order_reads_before_drop() {
    crate::model("concurrent_last_drops_order_reads_before_drop", || {
        let a = Arc::new(Payload::new(8));
        let b = Arc::clone(&a);
        let t = thread::spawn(move || {
            assert_eq!(b.get(), 8);
            drop(b);
        });
        assert_eq!(a.get(), 8);
        drop(a);
        t.join().unwrap();
    });
}

/// Two threads allocating from and freeing to one static pool while a
/// third upgrades a weak handle to a block in the same pool: every slot
/// has one owner at a time (a slot reused too early would show as a race
/// on the payload), and every slot comes back.
#[cfg(feature = "pool")]
#[test]
fn pool_alloc_free_vs_upgrade() {
    use weakref_core::pool::Pool;
    type Pooled<T> = Strong<T, AtomicCount, &'static Pool<Payload, AtomicCount, 3>>;

    crate::model("pool_alloc_free_vs_upgrade", || {
        // Leaked: handles need `'static` to cross `loom::thread::spawn`.
        let pool: &'static Pool<Payload, AtomicCount, 3> = Box::leak(Box::new(Pool::new()));
        let anchor = Pooled::try_new_in(Payload::new(1), pool).unwrap();
        let weak = Strong::downgrade(&anchor);
        let t1 = thread::spawn(move || {
            let p = Pooled::try_new_in(Payload::new(2), pool).unwrap();
            assert_eq!(p.get(), 2);
        });
        let t2 = thread::spawn(move || {
            drop(anchor);
            let p = Pooled::try_new_in(Payload::new(3), pool).unwrap();
            assert_eq!(p.get(), 3);
        });
        if let Some(up) = weak.upgrade() {
            assert_eq!(up.get(), 1);
        }
        t1.join().unwrap();
        t2.join().unwrap();
        drop(weak);
        assert_eq!(pool.in_use(), 0);
    });
}

mod callbacks {
    use loom::sync::Arc as LoomArc;
    use loom::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    use loom::thread;
    use weakref_core::callbacks::WeakRef;

    use super::Arc;

    /// A callback that counts its runs.
    fn counting(runs: &LoomArc<AtomicUsize>) -> impl FnOnce() + Send + 'static {
        let runs = LoomArc::clone(runs);
        move || {
            runs.fetch_add(1, Relaxed);
        }
    }

    /// Thread A registers a callback through its own strong handle and
    /// drops that handle, while B drops the other one: whichever is last,
    /// the callback runs exactly once, after the value is dead.
    #[test]
    fn registration_vs_last_strong_drop() {
        crate::model("registration_vs_last_strong_drop", || {
            let value = Arc::new(super::Payload::new(7));
            let for_a = Arc::clone(&value);
            let runs = LoomArc::new(AtomicUsize::new(0));
            let callback = counting(&runs);
            let a = thread::spawn(move || {
                let r = WeakRef::with_callback(&for_a, callback);
                assert_eq!(for_a.get(), 7);
                drop(for_a);
                r
            });
            drop(value);
            let r = a.join().unwrap();
            assert_eq!(runs.load(Relaxed), 1);
            assert!(r.upgrade().is_none());
        });
    }

    /// A drops the value's only registered handle (unregistering the last
    /// registration clears the watch flag) while B registers a new one:
    /// the flag ends up set whenever a registration exists, so the new
    /// callback runs at the death, exactly once.
    #[test]
    fn unregistration_vs_registration() {
        crate::model("unregistration_vs_registration", || {
            let value = Arc::new(super::Payload::new(7));
            let first_runs = LoomArc::new(AtomicUsize::new(0));
            let first = WeakRef::with_callback(&value, counting(&first_runs));
            let a = thread::spawn(move || drop(first));
            let runs = LoomArc::new(AtomicUsize::new(0));
            let second = WeakRef::with_callback(&value, counting(&runs));
            a.join().unwrap();
            drop(value);
            assert_eq!(runs.load(Relaxed), 1, "the new callback ran at the death");
            assert_eq!(first_runs.load(Relaxed), 0, "the dropped one never");
            drop(second);
        });
    }

    /// A drops its callback handle while B drops the last strong handle:
    /// the callback runs at most once, and never once A's drop unregistered
    /// it first; every block is freed (loom's leak check).
    #[test]
    fn unregistration_vs_last_strong_drop() {
        crate::model("unregistration_vs_last_strong_drop", || {
            let value = Arc::new(super::Payload::new(7));
            let runs = LoomArc::new(AtomicUsize::new(0));
            let r = WeakRef::with_callback(&value, counting(&runs));
            let unregistered = LoomArc::new(AtomicUsize::new(0));
            let flag = LoomArc::clone(&unregistered);
            let a = thread::spawn(move || {
                drop(r);
                flag.store(1, Relaxed);
            });
            drop(value);
            let ran = runs.load(Relaxed);
            a.join().unwrap();
            assert!(runs.load(Relaxed) <= 1);
            if ran == 0 {
                // Not run at our death: A unregistered it first, for good.
                assert_eq!(runs.load(Relaxed), 0);
            }
        });
    }
}

/// Two threads `get_or_insert_with` the same key while a third drops the
/// last handle to the value it held: both get one live value (the old one
/// if they saw it alive, else one new one, made once); nothing leaks.
#[cfg(feature = "collections")]
#[test]
fn cache_get_or_insert_vs_last_drop() {
    use core::hash::BuildHasherDefault;
    use std::hash::DefaultHasher;
    use weakref_core::collections::WeakCache;

    type Cache = WeakCache<u8, Payload, AtomicCount, BuildHasherDefault<DefaultHasher>>;
    crate::model("cache_get_or_insert_vs_last_drop", || {
        let cache = Arc::new(Cache::with_shards_and_hasher(
            1,
            BuildHasherDefault::default(),
        ));
        let old = Arc::new(Payload::new(1));
        cache.insert(0, &old);
        let get = |cache: Arc<Cache>| {
            thread::spawn(move || {
                let value = cache.get_or_insert_with(0, || Arc::new(Payload::new(2)));
                assert_ne!(value.get(), 0);
                value
            })
        };
        let (a, b) = (get(cache.clone()), get(cache.clone()));
        let c = thread::spawn(move || drop(old));
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        c.join().unwrap();
        assert!(Arc::ptr_eq(&a, &b), "one live value per key");
        assert!(Arc::ptr_eq(&cache.get(&0).unwrap(), &a));
    });
}

/// `weak_count` read while the last strong handle goes: a snapshot is the
/// count before (1: this weak handle) or after (0: dead), never a count
/// taken from a released implicit weak.
#[test]
fn weak_count_snapshot_vs_last_strong_drop() {
    crate::model("weak_count_snapshot_vs_last_strong_drop", || {
        let strong = Arc::new(Payload::new(1));
        let weak = Arc::downgrade(&strong);
        let t = thread::spawn(move || drop(strong));
        let seen = weak.weak_count();
        assert!(seen <= 1, "weak_count saw {seen}");
        t.join().unwrap();
        assert_eq!(weak.weak_count(), 0);
    });
}

/// A pool with one slot, wanted by two threads at once: never two owners
/// (the payload would race), at least one of them gets it, and it comes
/// back.
#[cfg(feature = "pool")]
#[test]
fn full_pool_under_contention() {
    use weakref_core::pool::Pool;
    type Pooled<T> = Strong<T, AtomicCount, &'static Pool<Payload, AtomicCount, 1>>;

    crate::model("full_pool_under_contention", || {
        let pool: &'static Pool<Payload, AtomicCount, 1> = Box::leak(Box::new(Pool::new()));
        let take = move |value| {
            thread::spawn(
                move || match Pooled::try_new_in(Payload::new(value), pool) {
                    Ok(p) => {
                        assert_eq!(p.get(), value);
                        true
                    }
                    Err(_) => false,
                },
            )
        };
        let (a, b) = (take(1), take(2));
        let got = [a.join().unwrap(), b.join().unwrap()];
        assert!(got.contains(&true), "the slot is free for one of them");
        assert_eq!(pool.in_use(), 0);
    });
}

/// `u8` counters raced to their limit (`MAX_REFCOUNT` = 127): two threads
/// each add a strong handle (a clone, an upgrade) and a weak one (a
/// `downgrade`, a weak clone) while both counts sit just below it. Narrow
/// counts check before they add (a CAS loop), so no increment is lost and
/// each count stops exactly at the one step the contract allows past the
/// limit: strong at `MAX_REFCOUNT + 1`, weak (stored doubled, its watch
/// flag in bit 0) at `MAX_REFCOUNT + 1` too, where any further increment
/// sees a value above the limit and aborts (`it::overflow` checks that
/// abort in a child process). A plain load and store instead of the CAS
/// (planted bug 13) loses an increment.
#[test]
fn narrow_counts_near_their_limit() {
    type Narrow<T> = Strong<T, AtomicCount<u8>, Global>;
    const LIMIT: usize = AtomicCount::<u8>::MAX_REFCOUNT;
    // Some 200 handles made and dropped per execution: more branches than
    // loom's default allows (1 000).
    let mut builder = loom::model::Builder::new();
    builder.max_branches = 5_000;
    explore("narrow_counts_near_their_limit", builder, || {
        let first = Narrow::new(Payload::new(1));
        let weak = Narrow::downgrade(&first);
        // 126 strong handles: the two racing ones take strong to 128.
        let held: Vec<_> = (0..124).map(|_| Narrow::clone(&first)).collect();
        // 61 weak handles and the implicit one, stored doubled: 124; the
        // two racing ones take it to 128.
        let weaks: Vec<_> = (0..60).map(|_| weak.clone()).collect();
        let for_thread = Narrow::clone(&first);
        let racer = thread::spawn(move || {
            let again = Narrow::clone(&for_thread);
            let down = Narrow::downgrade(&for_thread);
            assert_eq!(again.get(), 1);
            (for_thread, again, down)
        });
        let upgraded = weak.upgrade().expect("alive");
        let weak_again = weak.clone();
        let (for_thread, again, down) = racer.join().unwrap();
        assert_eq!(Narrow::strong_count(&first), LIMIT + 1);
        assert_eq!(2 * (Narrow::weak_count(&first) + 1), LIMIT + 1);
        drop((held, for_thread, again, upgraded, first));
        assert!(weak.upgrade().is_none());
        drop((weaks, down, weak_again));
    });
}

mod registry_vs_lock {
    use loom::sync::Arc as LoomArc;
    use loom::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    use loom::thread;
    use weakref_core::callbacks::{Finalizer, WeakRef};

    use super::Arc;
    use super::Payload;

    /// `get_mut` (the weak count's lock, a CAS) on one thread while another
    /// registers a callback (sets the watch flag, `fetch_or`) and drops it
    /// (clears it, `fetch_and`): the lock and the flag never corrupt each
    /// other, `get_mut` succeeds only when it is the only handle, and the
    /// callback never runs (the value outlives it).
    #[test]
    fn get_mut_vs_callback_register_and_unregister() {
        crate::model("get_mut_vs_callback_register_and_unregister", || {
            let mut owner = Arc::new(Payload::new(1));
            let weak = Arc::downgrade(&owner);
            let runs = LoomArc::new(AtomicUsize::new(0));
            let counted = LoomArc::clone(&runs);
            let t = thread::spawn(move || {
                if let Some(strong) = weak.upgrade() {
                    let r = WeakRef::with_callback(&strong, move || {
                        counted.fetch_add(1, Relaxed);
                    });
                    drop(strong);
                    drop(r);
                }
            });
            if let Some(value) = Arc::get_mut(&mut owner) {
                value.set(2);
            }
            t.join().unwrap();
            assert_eq!(runs.load(Relaxed), 0);
            // Every other handle is gone: the lock must be free and exact.
            Arc::get_mut(&mut owner).expect("unique again").set(3);
            assert_eq!(owner.get(), 3);
        });
    }

    /// `Finalizer::detach` on one thread while the value dies on another:
    /// the function runs at the death or is handed back by `detach`,
    /// exactly one of the two.
    #[test]
    fn finalizer_detach_vs_death() {
        crate::model("finalizer_detach_vs_death", || {
            let value = Arc::new(Payload::new(1));
            let runs = LoomArc::new(AtomicUsize::new(0));
            let counted = LoomArc::clone(&runs);
            let finalizer = Finalizer::new(&value, move || {
                counted.fetch_add(1, Relaxed);
            });
            let t = thread::spawn(move || drop(value));
            let detached = finalizer.detach().is_some();
            t.join().unwrap();
            assert_eq!(usize::from(detached) + runs.load(Relaxed), 1);
            assert!(!finalizer.alive());
        });
    }

    /// `Finalizer::call` racing the death: the function runs once, by
    /// `call` or at the death.
    #[test]
    fn finalizer_call_vs_death() {
        crate::model("finalizer_call_vs_death", || {
            let value = Arc::new(Payload::new(1));
            let runs = LoomArc::new(AtomicUsize::new(0));
            let counted = LoomArc::clone(&runs);
            let finalizer = Finalizer::new(&value, move || counted.fetch_add(1, Relaxed));
            let t = thread::spawn(move || drop(value));
            let _ = finalizer.call();
            t.join().unwrap();
            assert_eq!(runs.load(Relaxed), 1);
        });
    }
}

#[cfg(feature = "collections")]
mod concurrent_collections {
    use core::hash::BuildHasherDefault;
    use loom::thread;
    use std::hash::DefaultHasher;
    use weakref_core::collections::{WeakCache, WeakInterner};
    use weakref_core::count::AtomicCount;

    use super::Arc;
    use super::Payload;

    type Hasher = BuildHasherDefault<DefaultHasher>;
    type Cache = WeakCache<u8, Payload, AtomicCount, Hasher>;

    /// `insert` of a new value for a key whose old value dies at that
    /// moment, and a `remove` of another key: the new entry is never lost
    /// to the old value's death, and the removed key stays gone.
    #[test]
    fn cache_insert_and_remove_vs_death() {
        crate::model("cache_insert_and_remove_vs_death", || {
            let cache = Arc::new(Cache::with_shards_and_hasher(1, Hasher::default()));
            let old = Arc::new(Payload::new(1));
            let other = Arc::new(Payload::new(5));
            cache.insert(0, &old);
            cache.insert(1, &other);
            let dies = thread::spawn(move || drop(old));
            let inserter = {
                let cache = Arc::clone(&cache);
                thread::spawn(move || {
                    let new = Arc::new(Payload::new(2));
                    if let Some(previous) = cache.insert(0, &new) {
                        assert_eq!(previous.get(), 1, "a live previous value");
                    }
                    new
                })
            };
            let removed = cache.remove(&1).expect("alive: we hold it");
            assert!(Arc::ptr_eq(&removed, &other));
            dies.join().unwrap();
            let new = inserter.join().unwrap();
            let now = cache.get(&0).expect("the new entry survives the old death");
            assert!(Arc::ptr_eq(&now, &new));
            assert!(cache.get(&1).is_none());
        });
    }

    /// A cache shard purging (its entries past the lowered purge minimum)
    /// while one of its values dies and another thread reads a live key:
    /// the purge never removes a live entry, and the reader always finds
    /// it.
    #[test]
    fn cache_purge_vs_death_and_get() {
        crate::model("cache_purge_vs_death_and_get", || {
            let cache = Arc::new(Cache::with_shards_and_hasher(1, Hasher::default()));
            let dying = Arc::new(Payload::new(0));
            let kept = Arc::new(Payload::new(1));
            cache.insert(0, &dying);
            cache.insert(1, &kept);
            let dies = thread::spawn(move || drop(dying));
            let inserter = {
                let cache = Arc::clone(&cache);
                thread::spawn(move || {
                    (2..5)
                        .map(|key| cache.get_or_insert_with(key, || Arc::new(Payload::new(9))))
                        .collect::<Vec<_>>()
                })
            };
            let found = cache.get(&1).expect("a live entry is never purged");
            assert!(Arc::ptr_eq(&found, &kept));
            dies.join().unwrap();
            let inserted = inserter.join().unwrap();
            assert!(cache.get(&0).is_none());
            assert_eq!(cache.live_len(), 1 + inserted.len());
        });
    }

    /// A weak map's purges (each reads the deaths tally, then scans, and a
    /// later purge skips its scan while the tally has not moved) while one
    /// of its values dies on another thread: a scan that read the tally
    /// after the death must see the value dead (the tally's Acquire pairs
    /// with the death's Release), or the skip would keep the dead entry
    /// for good. Once the death is joined, the next due purge leaves no
    /// dead entry.
    #[test]
    fn purge_skip_vs_death() {
        use weakref_core::collections::WeakValueMap;
        crate::model("purge_skip_vs_death", || {
            let mut map: WeakValueMap<u8, Payload, AtomicCount, Hasher> =
                WeakValueMap::with_hasher(Hasher::default());
            let dying = Arc::new(Payload::new(0));
            let mut live = vec![Arc::new(Payload::new(1))];
            map.insert(0, &dying);
            map.insert(1, &live[0]);
            let t = thread::spawn(move || drop(dying));
            // Past the lowered purge minimum: purges race the death.
            for key in 2..4 {
                let value = Arc::new(Payload::new(u32::from(key)));
                map.insert(key, &value);
                live.push(value);
            }
            t.join().unwrap();
            // Enough inserts for a purge due by size after the join.
            for key in 4..40 {
                let value = Arc::new(Payload::new(u32::from(key)));
                map.insert(key, &value);
                live.push(value);
            }
            assert!(map.get(&0).is_none());
            assert_eq!(map.len(), live.len(), "no dead entry kept");
        });
    }

    /// `intern` of a value equal to one whose last handle is dropped at
    /// that moment: the interner hands out the old value if it was alive,
    /// or a new one, never a dead one.
    #[test]
    fn interner_vs_death() {
        crate::model("interner_vs_death", || {
            let interner: Arc<WeakInterner<u32, AtomicCount, Hasher>> =
                Arc::new(WeakInterner::with_shards_and_hasher(1, Hasher::default()));
            let old = interner.intern(7);
            let weak_old = Arc::downgrade(&old);
            let dies = thread::spawn(move || drop(old));
            let again = interner.intern(7);
            assert_eq!(*again, 7);
            dies.join().unwrap();
            assert_eq!(Arc::strong_count(&again), 1);
            if let Some(old) = weak_old.upgrade() {
                assert!(Arc::ptr_eq(&old, &again), "the old value, still alive");
            }
            assert!(Arc::ptr_eq(&interner.get(&7).unwrap(), &again));
        });
    }
}
