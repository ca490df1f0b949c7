//! The static pool: blocks without a heap, for both families.

use std::thread;

use weakref_core::count::{AtomicCount, LocalCount, RawCountUnique, WaitFreeCount};
use weakref_core::pool::{Pool, PoolKind, Pooled, StaticPool};
use weakref_core::{Strong, static_pool};
use weakref_tests::DropLog;

fn exhaustion_then_reuse<C: RawCountUnique>() {
    let pool = Pool::<[u8; 64], C, 3>::new();
    let handles: Vec<_> = (0..3u8)
        .map(|i| Strong::<_, C, _>::try_new_in([i; 64], &pool).expect("room for three"))
        .collect();
    assert_eq!(pool.in_use(), 3);
    assert!(
        Strong::<_, C, _>::try_new_in([9u8; 64], &pool).is_err(),
        "full: an error"
    );
    let mut handles = handles;
    drop(handles.remove(1));
    assert_eq!(pool.in_use(), 2);
    let again = Strong::<_, C, _>::try_new_in([7u8; 64], &pool).expect("a slot came back");
    assert_eq!((handles[0][0], handles[1][0], again[0]), (0, 2, 7));
    drop((handles, again));
    assert_eq!(pool.in_use(), 0);
}

fn weak_handles_keep_the_slot<C: RawCountUnique>() {
    let pool = Pool::<String, C, 1>::new();
    let log = DropLog::new();
    let pool2 = Pool::<weakref_tests::Tracked, C, 1>::new();
    let tracked = Strong::<_, C, _>::try_new_in(log.tracked(1), &pool2).unwrap();
    let weak = Strong::downgrade(&tracked);
    drop(tracked);
    assert_eq!(
        log.dropped(),
        [1],
        "the value dies with its last strong handle"
    );
    assert_eq!(pool2.in_use(), 1, "the block stays for the weak handle");
    assert!(weak.upgrade().is_none());
    drop(weak);
    assert_eq!(
        pool2.in_use(),
        0,
        "the last weak handle gives the slot back"
    );

    let s = Strong::<_, C, _>::try_new_in(String::from("x"), &pool).unwrap();
    let w = Strong::downgrade(&s);
    drop(s);
    assert!(
        Strong::<_, C, _>::try_new_in(String::new(), &pool).is_err(),
        "still held by `w`"
    );
    drop(w);
    assert!(Strong::<_, C, _>::try_new_in(String::new(), &pool).is_ok());
}

fn oversized_values_are_refused<C: RawCountUnique>() {
    let pool = Pool::<u16, C, 4>::new();
    assert!(Strong::<_, C, _>::try_new_in(0u16, &pool).is_ok());
    assert!(
        Strong::<_, C, _>::try_new_in([0u64; 2], &pool).is_err(),
        "too big"
    );
    #[repr(align(64))]
    struct Wide(#[allow(dead_code)] u8);
    assert!(
        Strong::<_, C, _>::try_new_in(Wide(0), &pool).is_err(),
        "too aligned"
    );
    assert_eq!(pool.in_use(), 0);
}

super::for_each_counter!(
    exhaustion_then_reuse,
    weak_handles_keep_the_slot,
    oversized_values_are_refused
);

static_pool! {
    /// Shared by the tests below (each uses its own).
    struct SmallInts: Pool<u32, LocalCount, 2>;
}

static_pool! {
    struct Frames: Pool<[u32; 8], AtomicCount, 4>;
}

static_pool! {
    struct WaitFreeFrames: Pool<[u32; 8], WaitFreeCount, 4>;
}

#[test]
fn static_pool_handles_are_one_pointer_wide() {
    type Rc<T> = Strong<T, LocalCount, Pooled<SmallInts>>;
    assert_eq!(size_of::<Rc<u32>>(), size_of::<usize>());
    assert_eq!(size_of::<Option<Rc<u32>>>(), size_of::<usize>());
    let a = Rc::try_new_in(1, Pooled::new()).unwrap();
    let b = Rc::try_new_in(2, Pooled::new()).unwrap();
    assert!(Rc::try_new_in(3, Pooled::new()).is_err());
    let w = Rc::downgrade(&a);
    assert_eq!(size_of_val(&w), size_of::<usize>());
    drop((a, b, w));
    assert_eq!(SmallInts::get().in_use(), 0);
}

/// Threads allocate from and free into one static pool, a third upgrades
/// a weak handle to a pooled value meanwhile.
fn shared_by_threads<P: StaticPool<Value = [u32; 8]>>()
where
    P::Count: RawCountUnique + Send + Sync,
{
    type Arc<P> = Strong<[u32; 8], <P as StaticPool>::Count, Pooled<P>>;
    // Under Miri, 3 rounds per counter (5 when only `AtomicCount` ran).
    let rounds = if cfg!(miri) { 3 } else { 2_000 };
    let anchor = Arc::<P>::try_new_in([7; 8], Pooled::new()).unwrap();
    let weak = Arc::downgrade(&anchor);
    thread::scope(|s| {
        for t in 0..2u32 {
            s.spawn(move || {
                for i in 0..rounds {
                    // The pool has 4 slots: 1 anchor + at most 1 per thread
                    // here, so this never fails.
                    let frame = Arc::<P>::try_new_in([t * 1000 + i; 8], Pooled::new())
                        .expect("a free slot");
                    assert!(
                        frame.iter().all(|&x| x == t * 1000 + i),
                        "no one else wrote our slot"
                    );
                }
            });
        }
        s.spawn(|| {
            for _ in 0..rounds {
                assert_eq!(weak.upgrade().map(|f| f[0]), Some(7));
            }
        });
    });
    drop((anchor, weak));
    assert_eq!(P::get().slots_in_use(), 0);
}

#[test]
fn pool_shared_by_threads() {
    shared_by_threads::<Frames>();
    shared_by_threads::<WaitFreeFrames>();
}

#[test]
#[should_panic(expected = "did not allocate it")]
fn freeing_into_the_wrong_pool_panics() {
    use allocator_api2::alloc::Allocator;
    let (a, b) = (
        Pool::<u64, LocalCount, 1>::new(),
        Pool::<u64, LocalCount, 1>::new(),
    );
    let layout = core::alloc::Layout::new::<u64>();
    let mem = (&a).allocate(layout).unwrap();
    // SAFETY: none needed for the panic: `b` checks the pointer before
    // touching anything (the contract is broken on purpose).
    unsafe { (&b).deallocate(mem.cast(), layout) };
}

weakref_core::thread_local_pool! {
    /// Each test thread has its own.
    struct LocalFrames: Pool<[u8; 64], LocalCount, 3>;
}

/// The thread-local pool (cell flags, no atomics): exhaustion, reuse,
/// weak handles keeping their slot, one pointer wide.
#[test]
fn thread_local_pool_serves_and_reuses_its_slots() {
    use weakref_core::pool::{LocalPooled, ThreadLocalPool};
    type Rc = Strong<[u8; 64], LocalCount, LocalPooled<LocalFrames>>;
    assert_eq!(size_of::<Rc>(), size_of::<usize>());
    let in_use = || LocalFrames::with(|pool| pool.in_use());
    let a = Rc::try_new_in([1; 64], LocalPooled::new()).unwrap();
    let b = Rc::try_new_in([2; 64], LocalPooled::new()).unwrap();
    let c = Rc::try_new_in([3; 64], LocalPooled::new()).unwrap();
    assert!(Rc::try_new_in([4; 64], LocalPooled::new()).is_err(), "full");
    let weak = Rc::downgrade(&b);
    drop(b);
    assert!(weak.upgrade().is_none());
    assert_eq!(in_use(), 3, "the weak handle keeps the slot");
    drop(weak);
    assert_eq!(in_use(), 2);
    let d = Rc::try_new_in([5; 64], LocalPooled::new()).expect("the slot came back");
    assert_eq!((a[0], c[0], d[0]), (1, 3, 5));
    drop((a, c, d));
    assert_eq!(in_use(), 0);
}

/// Every thread gets its own thread-local pool.
#[test]
fn each_thread_has_its_own_thread_local_pool() {
    use weakref_core::pool::LocalPooled;
    type Rc = Strong<[u8; 64], LocalCount, LocalPooled<LocalFrames>>;
    let here: Vec<_> = (0..3)
        .map(|i| Rc::try_new_in([i; 64], LocalPooled::new()).unwrap())
        .collect();
    thread::spawn(|| {
        let there: Vec<_> = (0..3)
            .map(|i| Rc::try_new_in([i; 64], LocalPooled::new()).unwrap())
            .collect();
        assert_eq!(there.len(), 3, "a fresh pool on this thread");
    })
    .join()
    .unwrap();
    drop(here);
}

/// A cell-flag pool on the stack, lent by reference.
#[test]
fn cell_flag_pool_on_the_stack() {
    use weakref_core::pool::CellFlag;
    let pool = Pool::<u32, LocalCount, 1, CellFlag>::new();
    let one = Strong::<_, LocalCount, _>::try_new_in(1u32, &pool).unwrap();
    assert!(Strong::<_, LocalCount, _>::try_new_in(2u32, &pool).is_err());
    drop(one);
    assert_eq!(pool.in_use(), 0);
}
