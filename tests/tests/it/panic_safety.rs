//! A panic in user code (`T::drop`, `new_cyclic`'s closure, `Clone`) never
//! leaks the block or drops a value twice.

use std::panic::{AssertUnwindSafe, catch_unwind};

use weakref_core::count::RawCountUnique;
use weakref_core::{Strong, Weak};
use weakref_tests::{CountingAlloc, DropLog};

type S<T, C> = Strong<T, C, CountingAlloc>;

fn panicking_drop_still_frees_the_block<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let strong = S::<_, C>::new_in(log.panicking(1), alloc.clone());
    let result = catch_unwind(AssertUnwindSafe(move || drop(strong)));
    assert!(result.is_err(), "the payload's panic propagates");
    assert_eq!(log.dropped(), [1], "dropped exactly once");
    alloc.assert_balanced();
}

fn panicking_drop_with_a_weak_alive<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let strong = S::<_, C>::new_in(log.panicking(1), alloc.clone());
    let weak = S::downgrade(&strong);
    assert!(catch_unwind(AssertUnwindSafe(move || drop(strong))).is_err());
    assert!(weak.upgrade().is_none());
    assert_eq!(alloc.live(), 1, "the weak handle still owns the block");
    drop(weak);
    assert_eq!(log.dropped(), [1]);
    alloc.assert_balanced();
}

fn panicking_new_cyclic_frees_the_block<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let kept: std::cell::RefCell<Option<Weak<u32, C, CountingAlloc>>> = Default::default();
    let result = catch_unwind(AssertUnwindSafe(|| {
        S::<u32, C>::new_cyclic_in(
            |me| {
                *kept.borrow_mut() = Some(me.clone());
                panic!("the closure fails");
            },
            alloc.clone(),
        )
    }));
    assert!(result.is_err());
    let kept = kept.into_inner().unwrap();
    assert!(kept.upgrade().is_none(), "the value never existed");
    assert_eq!(alloc.live(), 1, "the kept weak handle owns the block");
    drop(kept);
    alloc.assert_balanced();
}

fn panicking_clone_in_make_mut_leaves_the_handle_usable<C: RawCountUnique>() {
    #[derive(Debug)]
    struct CloneBomb(u8);
    impl Clone for CloneBomb {
        fn clone(&self) -> Self {
            panic!("clone fails");
        }
    }
    let alloc = CountingAlloc::new();
    let mut a = S::<_, C>::new_in(CloneBomb(1), alloc.clone());
    let b = S::clone(&a);
    assert!(catch_unwind(AssertUnwindSafe(|| S::make_mut(&mut a).0 = 2)).is_err());
    assert_eq!((a.0, S::strong_count(&a)), (1, 2));
    drop((a, b));
    alloc.assert_balanced();
}

super::for_each_counter!(
    panicking_drop_still_frees_the_block,
    panicking_drop_with_a_weak_alive,
    panicking_new_cyclic_frees_the_block,
    panicking_clone_in_make_mut_leaves_the_handle_usable,
);
