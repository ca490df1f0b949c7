//! Loom models of every race the atomic protocol relies on.
//!
//! Run with (see `ci/loom.sh`):
//!
//! ```text
//! RUSTFLAGS="--cfg weakref_loom" LOOM_MAX_PREEMPTIONS=2 \
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

mod payload {
    use loom::cell::UnsafeCell;

    /// The value slot seen by loom: reads through handles, a write in drop.
    pub(crate) struct Payload(UnsafeCell<u32>);

    /// A value no live payload holds.
    const DROPPED: u32 = u32::MAX;

    // SAFETY: shared access only reads (`get`); the one write is in `Drop`
    // (exclusive). loom checks that the protocol orders them.
    unsafe impl Sync for Payload {}

    impl Payload {
        pub(crate) fn new(value: u32) -> Self {
            Payload(UnsafeCell::new(value))
        }

        /// Reads the value; loom reports a race with a concurrent drop.
        pub(crate) fn get(&self) -> u32 {
            // SAFETY: a shared read; loom tracks it against the drop's write.
            let value = self.0.with(|p| unsafe { *p });
            assert_ne!(value, DROPPED, "read a dropped payload");
            value
        }

        /// Writes through `&mut`, as `get_mut`/`make_mut` users do.
        pub(crate) fn set(&mut self, value: u32) {
            // SAFETY: `&mut self` is exclusive; loom tracks the write.
            self.0.with_mut(|p| unsafe { *p = value });
        }
    }

    impl Clone for Payload {
        fn clone(&self) -> Self {
            Payload::new(self.get())
        }
    }

    impl Drop for Payload {
        fn drop(&mut self) {
            self.set(DROPPED);
        }
    }
}

use loom::thread;
use payload::Payload;
use weakref_core::Strong;
use weakref_core::count::AtomicCount;
use weakref_core::storage::Global;

type Arc<T> = Strong<T, AtomicCount, Global>;
type Weak<T> = weakref_core::Weak<T, AtomicCount, Global>;

/// `Weak::upgrade` racing the last strong drop: the upgrade sees the value
/// intact or fails; the value is dropped once; the block is freed once.
#[test]
fn upgrade_vs_last_strong_drop() {
    loom::model(|| {
        let strong = Arc::new(Payload::new(7));
        let weak = Arc::downgrade(&strong);
        let t = thread::spawn(move || drop(strong));
        if let Some(up) = weak.upgrade() {
            assert_eq!(up.get(), 7);
        }
        t.join().unwrap();
        assert!(weak.upgrade().is_none());
    });
}

/// `new_cyclic`'s publish racing an upgrade of a weak handle that escaped
/// to another thread during construction: the upgrade fails, or sees the
/// fully written value (the Release publish pairs with its Acquire).
#[test]
fn new_cyclic_publish_vs_upgrade() {
    loom::model(|| {
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
    loom::model(|| {
        let mut owner = Arc::new(Payload::new(1));
        let other = Arc::clone(&owner);
        let t = thread::spawn(move || {
            let weak = Arc::downgrade(&other);
            drop(other);
            weak.upgrade().map(|up| up.get())
        });
        let wrote = match Arc::get_mut(&mut owner) {
            Some(payload) => {
                payload.set(2);
                true
            }
            None => false,
        };
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
    loom::model(|| {
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
    loom::model(|| {
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
    loom::model(|| {
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
    loom::model(|| {
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

    loom::model(|| {
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
        loom::model(|| {
            let value = Arc::new(super::payload::Payload::new(7));
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

    /// A drops its callback handle while B drops the last strong handle:
    /// the callback runs at most once, and never once A's drop unregistered
    /// it first; every block is freed (loom's leak check).
    #[test]
    fn unregistration_vs_last_strong_drop() {
        loom::model(|| {
            let value = Arc::new(super::payload::Payload::new(7));
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
    loom::model(|| {
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
