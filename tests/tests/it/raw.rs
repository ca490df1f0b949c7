//! `into_raw` / `from_raw` and the manual count functions.

use weakref_core::Strong;
use weakref_core::count::RawCountUnique;
use weakref_tests::{CountingAlloc, DropLog};

type S<T, C> = Strong<T, C, CountingAlloc>;

fn raw_round_trip_keeps_the_count<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let a = S::<_, C>::new_in(log.tracked(1), alloc.clone());
    let keep = S::clone(&a);
    let (ptr, a2) = S::into_raw_with_allocator(a);
    assert!(core::ptr::eq(ptr, S::as_ptr(&keep)));
    assert_eq!(
        S::strong_count(&keep),
        2,
        "the raw pointer still holds its count"
    );
    // SAFETY: `ptr` and `a2` come from `into_raw_with_allocator`.
    let back = unsafe { S::<_, C>::from_raw_in(ptr, a2) };
    assert_eq!(back.id, 1);
    drop((back, keep));
    assert_eq!(log.dropped(), [1]);
    alloc.assert_balanced();
}

fn manual_increment_and_decrement<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let (ptr, a) = S::into_raw_with_allocator(S::<_, C>::new_in(log.tracked(1), alloc.clone()));
    // SAFETY: `ptr` holds a live count throughout.
    unsafe { S::<_, C>::increment_strong_count_in(ptr, a.clone()) };
    // SAFETY: two counts are held; this gives one back.
    unsafe { S::<_, C>::decrement_strong_count_in(ptr, a.clone()) };
    assert!(log.dropped().is_empty());
    // SAFETY: the last count; the value dies here.
    unsafe { S::<_, C>::decrement_strong_count_in(ptr, a) };
    assert_eq!(log.dropped(), [1]);
    alloc.assert_balanced();
}

super::for_each_counter!(
    raw_round_trip_keeps_the_count,
    manual_increment_and_decrement
);
