//! The weak handle: upgrade, counts, the dangling sentinel, freeing.

use weakref_core::count::RawCountUnique;
use weakref_core::{Strong, Weak};
use weakref_tests::{CountingAlloc, DropLog};

type S<T, C> = Strong<T, C, CountingAlloc>;
type W<T, C> = Weak<T, C, CountingAlloc>;

fn upgrade_while_alive_then_never<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let strong = S::<_, C>::new_in(5, alloc.clone());
    let weak = S::downgrade(&strong);
    let up = weak.upgrade().unwrap();
    assert!(S::ptr_eq(&up, &strong));
    assert_eq!(S::strong_count(&strong), 2);
    drop((strong, up));
    assert!(weak.upgrade().is_none());
    assert!(weak.upgrade().is_none(), "death is permanent");
    drop(weak);
    alloc.assert_balanced();
}

fn weak_keeps_memory_not_value<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let strong = S::<_, C>::new_in(log.tracked(1), alloc.clone());
    let weak = S::downgrade(&strong);
    let weak2 = weak.clone();
    drop(strong);
    assert_eq!(
        log.dropped(),
        [1],
        "the value dies with the last strong handle"
    );
    assert_eq!(alloc.live(), 1, "the block stays for the weak handles");
    drop(weak);
    assert_eq!(alloc.live(), 1);
    drop(weak2);
    alloc.assert_balanced();
}

fn counts_seen_from_both_sides<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let strong = S::<_, C>::new_in('x', alloc.clone());
    let w1 = S::downgrade(&strong);
    let w2 = w1.clone();
    assert_eq!(S::weak_count(&strong), 2);
    assert_eq!((w1.strong_count(), w1.weak_count()), (1, 2));
    drop(w2);
    assert_eq!(w1.weak_count(), 1);
    drop(strong);
    assert_eq!((w1.strong_count(), w1.weak_count()), (0, 0));
    drop(w1);
    alloc.assert_balanced();
}

fn new_allocates_nothing<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let empty = W::<u64, C>::new_in(alloc.clone());
    let copy = empty.clone();
    assert!(empty.upgrade().is_none());
    assert_eq!((empty.strong_count(), empty.weak_count()), (0, 0));
    assert!(empty.ptr_eq(&copy));
    let (raw, a) = copy.into_raw_with_allocator();
    // SAFETY: `raw` and `a` come from `into_raw_with_allocator`.
    let back = unsafe { W::<u64, C>::from_raw_in(raw, a) };
    assert!(back.upgrade().is_none());
    drop((empty, back));
    assert_eq!(alloc.allocations(), 0);
}

fn ptr_eq_is_identity<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let a = S::<_, C>::new_in(1, alloc.clone());
    let b = S::<_, C>::new_in(1, alloc.clone());
    let (wa, wa2, wb) = (S::downgrade(&a), S::downgrade(&a), S::downgrade(&b));
    assert!(wa.ptr_eq(&wa2));
    assert!(!wa.ptr_eq(&wb));
    assert_eq!(a, b, "strong handles compare by value");
    drop((a, b, wa, wa2, wb));
    alloc.assert_balanced();
}

fn weak_raw_round_trip_after_death<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let strong = S::<_, C>::new_in(String::from("raw"), alloc.clone());
    let (raw, a) = S::downgrade(&strong).into_raw_with_allocator();
    assert!(core::ptr::eq(raw, S::as_ptr(&strong)));
    drop(strong);
    // SAFETY: `raw` comes from `into_raw_with_allocator`; its weak count is held.
    let weak = unsafe { W::<String, C>::from_raw_in(raw, a) };
    assert!(weak.upgrade().is_none());
    drop(weak);
    alloc.assert_balanced();
}

super::for_each_counter!(
    upgrade_while_alive_then_never,
    weak_keeps_memory_not_value,
    counts_seen_from_both_sides,
    new_allocates_nothing,
    ptr_eq_is_identity,
    weak_raw_round_trip_after_death,
);
