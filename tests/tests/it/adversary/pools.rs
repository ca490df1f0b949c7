//! Pools attacked from safe code: memory that must outlive every handle,
//! even a leaked one, whatever happens to the thread or the pool value.

use std::thread;

use weakref_core::Strong;
use weakref_core::count::LocalCount;
use weakref_core::pool::LocalPooled;

weakref_core::thread_local_pool! {
    /// Four slots per thread.
    struct Four: Pool<u64, LocalCount, 4>;
}

type LRc<T> = Strong<T, LocalCount, LocalPooled<Four>>;

/// A handle leaked on a thread that then exits: its memory must stay valid
/// for ever (the allocator contract), so a later thread's value must not
/// land on it.
fn leak_in_thread(v: u64) -> &'static u64 {
    thread::spawn(move || {
        let s = LRc::try_new_in(v, LocalPooled::new()).unwrap();
        let leaked: &'static LRc<u64> = weakref_tests::leak::leak(s);
        &**leaked
    })
    .join()
    .unwrap()
}

#[test]
fn a_leaked_thread_local_handle_outlives_its_thread() {
    let r = leak_in_thread(42);
    let r2 = leak_in_thread(1234);
    assert_eq!(*r, 42, "the first thread's slot was reused");
    assert_eq!(*r2, 1234);
}

/// `Pin`'s drop guarantee: a pinned value's memory is not reused until it
/// is dropped, and a forgotten `Pin` is never dropped. Later values, on
/// this thread or on threads that take its pool over, land elsewhere.
#[test]
fn a_forgotten_pinned_handle_keeps_its_slot_for_ever() {
    let forgotten = thread::spawn(|| {
        let pinned = LRc::pin_in(7, LocalPooled::new());
        let at = core::ptr::from_ref::<u64>(&pinned).addr();
        core::mem::forget(pinned);
        at
    })
    .join()
    .unwrap();
    for round in 0..3 {
        thread::spawn(move || {
            let values: Vec<_> = (0..3)
                .map(|i| LRc::try_new_in(round * 10 + i, LocalPooled::new()).unwrap())
                .collect();
            for v in &values {
                assert_ne!(core::ptr::from_ref::<u64>(v).addr(), forgotten);
            }
        })
        .join()
        .unwrap();
    }
}

/// A thread-local destructor that runs after the pool's closed it (it was
/// registered first, so it runs last) may still drop handles, but not make
/// new ones: the exiting thread's arena is no longer its to fill, and a
/// value it made could outlive the arena's hand-over.
#[test]
fn late_thread_local_destructors_give_back_but_do_not_take() {
    use std::cell::RefCell;
    use std::sync::atomic::{AtomicU8, Ordering::SeqCst};

    /// 1: the late destructor ran and dropped its handle; 2: it also
    /// failed to make a new one (as it must).
    static LATE: AtomicU8 = AtomicU8::new(0);

    struct Late(RefCell<Option<LRc<u64>>>);
    impl Drop for Late {
        fn drop(&mut self) {
            drop(self.0.borrow_mut().take());
            LATE.store(1, SeqCst);
            if LRc::try_new_in(9, LocalPooled::new()).is_err() {
                LATE.store(2, SeqCst);
            }
        }
    }
    thread_local! {
        static EARLY: Late = const { Late(RefCell::new(None)) };
    }
    thread::spawn(|| {
        // Registered before the pool's closer: destroyed after it.
        EARLY.with(|_| ());
        let value = LRc::try_new_in(5, LocalPooled::new()).unwrap();
        EARLY.with(|late| *late.0.borrow_mut() = Some(value));
    })
    .join()
    .unwrap();
    assert_eq!(LATE.load(SeqCst), 2);
    // The arena, handed on once empty, serves a new thread in full.
    thread::spawn(|| {
        let all: Vec<_> = (0..4)
            .map(|i| LRc::try_new_in(i, LocalPooled::new()).unwrap())
            .collect();
        assert_eq!(all.len(), 4);
    })
    .join()
    .unwrap();
}

/// A `ThreadLocalPool` that names a different arena on every other call:
/// the worst a safe impl can do. A block given back to the wrong arena
/// makes the drop panic; nothing is freed twice or handed out twice.
#[test]
fn a_lying_thread_local_pool_only_panics() {
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
    use weakref_core::pool::{Arenas, CellFlag, LocalArena, Pool, ThreadLocalPool};

    type P = Pool<u64, LocalCount, 2, CellFlag>;
    struct Liar;
    static FLIP: AtomicBool = AtomicBool::new(false);
    thread_local! {
        static A: LocalArena<P> = const { LocalArena::new() };
        static B: LocalArena<P> = const { LocalArena::new() };
    }
    static SPARES_A: Arenas<P> = Arenas::new();
    static SPARES_B: Arenas<P> = Arenas::new();
    impl ThreadLocalPool for Liar {
        type Pool = P;
        fn arena() -> &'static std::thread::LocalKey<LocalArena<P>> {
            if FLIP.fetch_xor(true, Relaxed) {
                &A
            } else {
                &B
            }
        }
        fn arenas() -> &'static Arenas<P> {
            if FLIP.load(Relaxed) {
                &SPARES_A
            } else {
                &SPARES_B
            }
        }
    }
    type Lie<T> = Strong<T, LocalCount, LocalPooled<Liar>>;
    thread::spawn(|| {
        let a = Lie::try_new_in(1, LocalPooled::new()).unwrap();
        let b = Lie::try_new_in(2, LocalPooled::new()).unwrap();
        assert_eq!((*a, *b), (1, 2), "two values, two slots");
        for handle in [a, b] {
            // Whether this drop panics depends on the flips; either way
            // nothing is freed twice (Miri checks).
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(handle)));
        }
    })
    .join()
    .unwrap();
}

/// A `StaticPool` whose `get` alternates between two pools: a block given
/// back to the other one makes the drop panic (and leaks the slot), never
/// frees a slot the pool did not hand out.
#[test]
fn a_lying_static_pool_only_panics() {
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
    use weakref_core::pool::{Pool, Pooled, StaticPool};

    type P = Pool<u64, LocalCount, 2>;
    static ONE: P = Pool::new();
    static TWO: P = Pool::new();
    static FLIP: AtomicBool = AtomicBool::new(false);
    struct Liar;
    impl StaticPool for Liar {
        type Value = u64;
        type Count = LocalCount;
        type Pool = P;
        fn get() -> &'static P {
            if FLIP.fetch_xor(true, Relaxed) {
                &ONE
            } else {
                &TWO
            }
        }
    }
    type Lie<T> = Strong<T, LocalCount, Pooled<Liar>>;
    let a = Lie::try_new_in(1, Pooled::new()).unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(a)));
    let message = result.unwrap_err();
    assert!(
        message
            .downcast_ref::<&str>()
            .is_some_and(|m| m.contains("did not allocate it")),
        "the wrong pool refuses the block"
    );
    assert_eq!(ONE.in_use() + TWO.in_use(), 1, "the slot stays taken, once");
}

weakref_core::thread_local_pool! {
    /// Used by one test only, so its arenas can be counted.
    struct Counted: Pool<u64, LocalCount, 2>;
}

/// Arenas are never freed, but an exited thread's empty arena serves the
/// next thread: threads one after another share one arena.
#[test]
fn exited_threads_hand_their_empty_arena_on() {
    use weakref_core::pool::ThreadLocalPool;
    type C<T> = Strong<T, LocalCount, LocalPooled<Counted>>;
    for i in 0..if cfg!(miri) { 3 } else { 20 } {
        thread::spawn(move || {
            let a = C::try_new_in(i, LocalPooled::new()).unwrap();
            let b = C::try_new_in(i + 1, LocalPooled::new()).unwrap();
            assert_eq!(*a + 1, *b);
        })
        .join()
        .unwrap();
    }
    assert_eq!(Counted::arenas().count(), 1);
}
