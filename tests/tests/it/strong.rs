//! The strong handle: construction, counts, uniqueness, unwrapping.

use weakref_core::Strong;
use weakref_core::count::RawCountUnique;
use weakref_tests::{CountingAlloc, DropLog, Tracked};

type S<T, C> = Strong<T, C, CountingAlloc>;

fn new_clone_drop<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let a = S::<_, C>::new_in(log.tracked(1), alloc.clone());
    let b = S::clone(&a);
    assert_eq!((S::strong_count(&a), S::weak_count(&a)), (2, 0));
    assert!(S::ptr_eq(&a, &b));
    drop(a);
    assert!(log.dropped().is_empty());
    assert_eq!(S::strong_count(&b), 1);
    drop(b);
    assert_eq!(log.dropped(), [1]);
    assert_eq!(alloc.allocations(), 1);
    alloc.assert_balanced();
}

fn try_new_in_reports_failure_and_drops_value<C: RawCountUnique>() {
    let alloc = CountingAlloc::with_limit(1);
    let log = DropLog::new();
    let first = S::<_, C>::try_new_in(log.tracked(1), alloc.clone()).expect("room for one");
    let second = S::<_, C>::try_new_in(log.tracked(2), alloc.clone());
    assert!(second.is_err());
    assert_eq!(
        log.dropped(),
        [2],
        "the refused value is dropped, not leaked"
    );
    drop(first);
    alloc.assert_balanced();
}

fn new_cyclic_links_to_itself<C: RawCountUnique>() {
    struct Node<C: RawCountUnique> {
        me: weakref_core::Weak<Node<C>, C, CountingAlloc>,
        _payload: Tracked,
    }
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let node = S::<Node<C>, C>::new_cyclic_in(
        |me| {
            assert!(me.upgrade().is_none(), "not published yet");
            assert_eq!(me.strong_count(), 0);
            Node {
                me: me.clone(),
                _payload: log.tracked(1),
            }
        },
        alloc.clone(),
    );
    assert!(S::ptr_eq(&node.me.upgrade().unwrap(), &node));
    assert_eq!((S::strong_count(&node), S::weak_count(&node)), (1, 1));
    drop(node);
    assert_eq!(log.dropped(), [1]);
    alloc.assert_balanced();
}

fn pin_keeps_the_value_in_place<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let pinned = S::<_, C>::pin_in(String::from("pinned"), alloc.clone());
    let addr: *const String = &raw const *pinned;
    let again = pinned.clone();
    assert!(core::ptr::eq(addr, &raw const *again));
    drop((pinned, again));
    alloc.assert_balanced();
}

fn get_mut_only_when_unique<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let mut a = S::<_, C>::new_in(1, alloc.clone());
    *S::get_mut(&mut a).unwrap() = 2;
    let weak = S::downgrade(&a);
    assert!(S::get_mut(&mut a).is_none(), "a weak handle blocks get_mut");
    drop(weak);
    let b = S::clone(&a);
    assert!(
        S::get_mut(&mut a).is_none(),
        "a second strong handle blocks get_mut"
    );
    drop(b);
    assert_eq!(S::get_mut(&mut a).copied(), Some(2));
    drop(a);
    alloc.assert_balanced();
}

fn make_mut_clones_moves_or_writes_in_place<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    // Unique: in place, no allocation.
    let mut a = S::<_, C>::new_in(vec![log.tracked(1)], alloc.clone());
    let before = S::as_ptr(&a);
    S::make_mut(&mut a).push(log.tracked(2));
    assert_eq!(S::as_ptr(&a), before);
    assert_eq!(alloc.allocations(), 1);
    // Shared: clone on write, the other handle keeps the old value.
    let other = S::clone(&a);
    S::make_mut(&mut a).pop();
    assert_eq!((a.len(), other.len()), (1, 2));
    assert_eq!(S::strong_count(&other), 1);
    drop(other);
    // Only weak handles share it: moved out, they see it dead.
    let weak = S::downgrade(&a);
    S::make_mut(&mut a).push(log.tracked(3));
    assert!(weak.upgrade().is_none());
    assert_eq!((S::strong_count(&a), S::weak_count(&a)), (1, 0));
    drop(weak);
    let ids: Vec<u32> = a.iter().map(|t| t.id).collect();
    assert_eq!(ids, [1, 3]);
    drop(a);
    alloc.assert_balanced();
}

fn try_unwrap_needs_the_only_strong<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let a = S::<_, C>::new_in(log.tracked(1), alloc.clone());
    let b = S::clone(&a);
    let a = S::try_unwrap(a).expect_err("shared");
    drop(b);
    let weak = S::downgrade(&a);
    let Ok(value) = S::try_unwrap(a) else {
        panic!("unique strong; weak does not count")
    };
    assert_eq!(value.id, 1);
    assert!(weak.upgrade().is_none());
    assert!(log.dropped().is_empty());
    drop(value);
    assert_eq!(log.dropped(), [1]);
    drop(weak);
    alloc.assert_balanced();
}

fn into_inner_gives_the_value_to_the_last<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let a = S::<_, C>::new_in(String::from("last"), alloc.clone());
    let b = S::clone(&a);
    let weak = S::downgrade(&a);
    assert_eq!(S::into_inner(a), None);
    assert_eq!(S::into_inner(b).as_deref(), Some("last"));
    assert!(weak.upgrade().is_none());
    drop(weak);
    alloc.assert_balanced();
}

fn unwrap_or_clone_moves_or_clones<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let a = S::<_, C>::new_in(vec![1, 2], alloc.clone());
    let b = S::clone(&a);
    let mut cloned = S::unwrap_or_clone(a);
    cloned.push(3);
    assert_eq!(*b, [1, 2]);
    assert_eq!(S::unwrap_or_clone(b), [1, 2]);
    alloc.assert_balanced();
}

fn zero_sized_values_get_a_block<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let a = S::<(), C>::new_in((), alloc.clone());
    let b = S::<(), C>::new_in((), alloc.clone());
    assert!(!S::ptr_eq(&a, &b), "each ZST value has its own counts");
    let weak = S::downgrade(&a);
    drop(a);
    assert!(weak.upgrade().is_none());
    drop((weak, b));
    alloc.assert_balanced();
}

fn over_aligned_values_are_aligned<C: RawCountUnique>() {
    #[repr(align(64))]
    struct Wide(u8);
    let alloc = CountingAlloc::new();
    let a = S::<_, C>::new_in(Wide(9), alloc.clone());
    assert_eq!(S::as_ptr(&a).addr() % 64, 0);
    assert_eq!(a.0, 9);
    drop(a);
    alloc.assert_balanced();
}

super::for_each_counter!(
    new_clone_drop,
    try_new_in_reports_failure_and_drops_value,
    new_cyclic_links_to_itself,
    pin_keeps_the_value_in_place,
    get_mut_only_when_unique,
    make_mut_clones_moves_or_writes_in_place,
    try_unwrap_needs_the_only_strong,
    into_inner_gives_the_value_to_the_last,
    unwrap_or_clone_moves_or_clones,
    zero_sized_values_get_a_block,
    over_aligned_values_are_aligned,
);
