//! The handles against user code that panics at awkward moments: an
//! allocator whose `allocate`, `Clone` or `deallocate` panics, and a
//! `new_cyclic` closure that panics before the value exists (uninhabited
//! and zero-sized values too).
//!
//! Rules attacked (DESIGN.md, "Rules learned the hard way"):
//!
//! * every count change that a later step can undo is protected by a guard
//!   that restores it on unwind: a failed operation leaves the counts as
//!   they were (no count stays taken, no block or allocator clone leaks);
//! * no reference to a value that is not there: the layout of a value that
//!   was never initialised, or was dropped, is computed without `&T` (Miri
//!   reports the reference otherwise: at once for an uninhabited `T`, and
//!   with `-Zmiri-recursive-validation` for a `bool`).

use std::cell::RefCell;
use std::convert::Infallible;
use std::panic::{AssertUnwindSafe, catch_unwind};

use weakref_core::count::RawCountUnique;
use weakref_core::{Strong, Weak};
use weakref_tests::DropLog;
use weakref_tests::hostile::{PanicOnAllocate, PanicOnClone, PanicOnDeallocate, PanicOnDrop};

/// Runs `f`, which must panic.
#[track_caller]
fn must_panic<R>(f: impl FnOnce() -> R) {
    assert!(
        catch_unwind(AssertUnwindSafe(f)).is_err(),
        "expected a panic"
    );
}

// --- make_mut: a panicking `allocate` on the "only weak handles" path ---

/// `make_mut` with weak handles left takes strong to 0 and then allocates
/// the new block; an `allocate` that panics must leave strong at 1, or a
/// clone made afterwards outlives the value (a use after free).
fn make_mut_allocate_panic_restores_strong<C: RawCountUnique>() {
    let alloc = PanicOnAllocate::new();
    let log = DropLog::new();
    let mut a = Strong::<_, C, _>::new_in(log.tracked(1), alloc.clone());
    let weak = Strong::downgrade(&a);
    alloc.arm();
    must_panic(|| Strong::make_mut(&mut a).id = 2);
    alloc.disarm();
    assert_eq!(Strong::strong_count(&a), 1, "the strong count is back");
    assert_eq!(Strong::weak_count(&a), 1);
    let b = Strong::clone(&a);
    drop(a);
    assert!(log.dropped().is_empty(), "`b` keeps the value alive");
    assert_eq!(b.id, 1);
    assert_eq!(weak.upgrade().map(|v| v.id), Some(1), "not moved away");
    drop((b, weak));
    assert_eq!(log.dropped(), [1]);
    alloc.assert_balanced();
}

/// As above with a zero-sized value (the block still has a header to
/// allocate) and a weak handle forgotten through `into_raw` mid-way.
fn make_mut_allocate_panic_zero_sized<C: RawCountUnique>() {
    let alloc = PanicOnAllocate::new();
    let mut a = Strong::<(), C, _>::new_in((), alloc.clone());
    let (raw, weak_alloc) = Strong::downgrade(&a).into_raw_with_allocator();
    alloc.arm();
    must_panic(|| *Strong::make_mut(&mut a) = ());
    alloc.disarm();
    assert_eq!((Strong::strong_count(&a), Strong::weak_count(&a)), (1, 1));
    // SAFETY: `raw` comes from `into_raw_with_allocator`, its weak count is
    // still held, and `weak_alloc` is the allocator it came with.
    let weak = unsafe { Weak::<(), C, _>::from_raw_in(raw, weak_alloc) };
    assert!(weak.upgrade().is_some());
    // With the allocator working again, `make_mut` moves away from `weak`.
    Strong::make_mut(&mut a);
    assert!(weak.upgrade().is_none());
    assert_eq!((Strong::strong_count(&a), Strong::weak_count(&a)), (1, 0));
    drop((a, weak));
    alloc.assert_balanced();
}

/// The clone-on-write path (other strong handles) with a panicking
/// `allocate`: no count changes before it, none must change after.
fn make_mut_shared_allocate_panic<C: RawCountUnique>() {
    let alloc = PanicOnAllocate::new();
    let mut a = Strong::<_, C, _>::new_in(5u32, alloc.clone());
    let b = Strong::clone(&a);
    alloc.arm();
    must_panic(|| *Strong::make_mut(&mut a) += 1);
    alloc.disarm();
    assert!(Strong::ptr_eq(&a, &b));
    assert_eq!((*a, Strong::strong_count(&a)), (5, 2));
    drop((a, b));
    alloc.assert_balanced();
}

// --- a panicking `A::clone` takes no count ---

fn strong_clone_alloc_clone_panic<C: RawCountUnique>() {
    let alloc = PanicOnClone::new();
    let mut a = Strong::<_, C, _>::new_in(1u8, alloc.clone());
    alloc.arm();
    must_panic(|| Strong::clone(&a));
    alloc.disarm();
    assert_eq!(Strong::strong_count(&a), 1, "no strong count stays taken");
    assert!(Strong::get_mut(&mut a).is_some());
    drop(a);
    alloc.assert_balanced();
}

fn downgrade_alloc_clone_panic<C: RawCountUnique>() {
    let alloc = PanicOnClone::new();
    let mut a = Strong::<_, C, _>::new_in(1u8, alloc.clone());
    alloc.arm();
    must_panic(|| Strong::downgrade(&a));
    alloc.disarm();
    assert_eq!(Strong::weak_count(&a), 0, "no weak count stays taken");
    assert!(Strong::get_mut(&mut a).is_some());
    drop(a);
    alloc.assert_balanced();
}

fn upgrade_alloc_clone_panic<C: RawCountUnique>() {
    let alloc = PanicOnClone::new();
    let a = Strong::<_, C, _>::new_in(1u8, alloc.clone());
    let weak = Strong::downgrade(&a);
    alloc.arm();
    must_panic(|| weak.upgrade());
    alloc.disarm();
    assert_eq!(Strong::strong_count(&a), 1, "no strong count stays taken");
    drop(a);
    assert!(weak.upgrade().is_none(), "the value died with `a`");
    drop(weak);
    alloc.assert_balanced();
}

fn weak_clone_alloc_clone_panic<C: RawCountUnique>() {
    let alloc = PanicOnClone::new();
    let a = Strong::<_, C, _>::new_in(1u8, alloc.clone());
    let weak = Strong::downgrade(&a);
    alloc.arm();
    must_panic(|| weak.clone());
    alloc.disarm();
    assert_eq!(Strong::weak_count(&a), 1, "no weak count stays taken");
    drop((a, weak));
    alloc.assert_balanced();
}

/// `new_cyclic_in` clones the allocator for the weak handle it lends the
/// closure: a panic there must not leak the block.
fn new_cyclic_alloc_clone_panic<C: RawCountUnique>() {
    let alloc = PanicOnClone::new();
    let handle_alloc = alloc.clone();
    alloc.arm();
    must_panic(|| Strong::<u8, C, _>::new_cyclic_in(|_| 1, handle_alloc));
    alloc.disarm();
    alloc.assert_balanced();
}

/// The clone-on-write path clones the allocator after the value: the
/// value's clone is dropped, and no count changes.
fn make_mut_shared_alloc_clone_panic<C: RawCountUnique>() {
    let alloc = PanicOnClone::new();
    let log = DropLog::new();
    let mut a = Strong::<_, C, _>::new_in(log.tracked(1), alloc.clone());
    let b = Strong::clone(&a);
    alloc.arm();
    must_panic(|| Strong::make_mut(&mut a).id = 2);
    alloc.disarm();
    assert_eq!(log.dropped(), [1], "the clone of the value was dropped");
    assert_eq!((a.id, Strong::strong_count(&a)), (1, 2));
    drop((a, b));
    alloc.assert_balanced();
}

/// `new_cyclic_in` drops the allocator clone of the weak handle it lent
/// the closure: if that drop panics, the new handle must not leak.
fn new_cyclic_alloc_drop_panic<C: RawCountUnique>() {
    let alloc = PanicOnDrop::new();
    let log = DropLog::new();
    let handle_alloc = alloc.clone();
    must_panic(|| {
        Strong::<_, C, _>::new_cyclic_in(
            |_| {
                alloc.arm();
                log.tracked(1)
            },
            handle_alloc,
        )
    });
    assert_eq!(log.dropped(), [1], "the value was dropped with its handle");
    alloc.assert_balanced();
}

// --- a panicking `deallocate`: the block is freed (by the allocator) and
// no allocator clone leaks ---

fn weak_drop_deallocate_panic<C: RawCountUnique>() {
    let alloc = PanicOnDeallocate::new();
    let a = Strong::<_, C, _>::new_in(1u8, alloc.clone());
    let weak = Strong::downgrade(&a);
    drop(a);
    alloc.arm();
    must_panic(|| drop(weak));
    alloc.disarm();
    alloc.assert_balanced();
}

fn strong_drop_deallocate_panic<C: RawCountUnique>() {
    let alloc = PanicOnDeallocate::new();
    let log = DropLog::new();
    let a = Strong::<_, C, _>::new_in(log.tracked(1), alloc.clone());
    alloc.arm();
    must_panic(|| drop(a));
    alloc.disarm();
    assert_eq!(log.dropped(), [1]);
    alloc.assert_balanced();
}

fn try_unwrap_deallocate_panic<C: RawCountUnique>() {
    let alloc = PanicOnDeallocate::new();
    let a = Strong::<_, C, _>::new_in(7u8, alloc.clone());
    alloc.arm();
    must_panic(|| Strong::try_unwrap(a));
    alloc.disarm();
    alloc.assert_balanced();
}

fn into_inner_deallocate_panic<C: RawCountUnique>() {
    let alloc = PanicOnDeallocate::new();
    let a = Strong::<_, C, _>::new_in(7u8, alloc.clone());
    alloc.arm();
    must_panic(|| Strong::into_inner(a));
    alloc.disarm();
    alloc.assert_balanced();
}

// --- new_cyclic: a closure that panics before the value exists ---

/// The block of an uninhabited value can only ever be freed uninitialised:
/// `&Infallible` must never be formed for its layout.
fn new_cyclic_uninhabited_panic<C: RawCountUnique>() {
    let alloc = PanicOnAllocate::new();
    must_panic(|| {
        Strong::<Infallible, C, _>::new_cyclic_in(|_| panic!("no value exists"), alloc.clone())
    });
    alloc.assert_balanced();
}

/// As above, with a weak handle kept by the closure: the block is freed
/// later, by that handle's drop.
fn new_cyclic_uninhabited_kept_weak<C: RawCountUnique>() {
    let alloc = PanicOnAllocate::new();
    let kept = RefCell::new(None);
    must_panic(|| {
        Strong::<Infallible, C, _>::new_cyclic_in(
            |me| {
                *kept.borrow_mut() = Some(me.clone());
                panic!("no value exists")
            },
            alloc.clone(),
        )
    });
    let kept = kept.into_inner().unwrap();
    assert!(kept.upgrade().is_none());
    assert_eq!((kept.strong_count(), kept.weak_count()), (0, 0));
    assert_eq!(alloc.live(), 1, "the kept handle owns the block");
    drop(kept);
    alloc.assert_balanced();
}

/// As above, with the kept handle forgotten through `into_raw` and brought
/// back by `from_raw_in` (which reads the value's alignment).
fn new_cyclic_uninhabited_raw_weak<C: RawCountUnique>() {
    let alloc = PanicOnAllocate::new();
    let kept = RefCell::new(None);
    must_panic(|| {
        Strong::<Infallible, C, _>::new_cyclic_in(
            |me| {
                *kept.borrow_mut() = Some(me.clone().into_raw_with_allocator());
                panic!("no value exists")
            },
            alloc.clone(),
        )
    });
    let (raw, weak_alloc) = kept.into_inner().unwrap();
    // SAFETY: from `into_raw_with_allocator`; its weak count is still held.
    let weak = unsafe { Weak::<Infallible, C, _>::from_raw_in(raw, weak_alloc) };
    assert!(weak.upgrade().is_none());
    drop(weak);
    alloc.assert_balanced();
}

/// A `bool` slot that was never written: `&bool` to it is invalid under
/// `-Zmiri-recursive-validation`.
fn new_cyclic_bool_kept_weak<C: RawCountUnique>() {
    new_cyclic_kept_weak::<bool, C>();
}

/// A zero-sized value: its block is the header alone.
fn new_cyclic_zero_sized_kept_weak<C: RawCountUnique>() {
    new_cyclic_kept_weak::<(), C>();
}

fn new_cyclic_kept_weak<T, C: RawCountUnique>() {
    let alloc = PanicOnAllocate::new();
    let kept: RefCell<Option<Weak<T, C, PanicOnAllocate>>> = RefCell::new(None);
    must_panic(|| {
        Strong::<T, C, _>::new_cyclic_in(
            |me| {
                let first = me.clone();
                *kept.borrow_mut() = Some(first.clone());
                drop(first);
                panic!("the value is never written")
            },
            alloc.clone(),
        )
    });
    let kept = kept.into_inner().unwrap();
    assert!(kept.upgrade().is_none());
    drop(kept);
    alloc.assert_balanced();
}

/// A dropped value's layout is read when its last weak handle goes (and
/// by `Weak::from_raw_in`): no `&T` to the dropped value.
fn dropped_value_layout<C: RawCountUnique>() {
    let alloc = PanicOnAllocate::new();
    let log = DropLog::new();
    let a = Strong::<_, C, _>::new_in(log.tracked(1), alloc.clone());
    let (raw, weak_alloc) = Strong::downgrade(&a).into_raw_with_allocator();
    drop(a);
    assert_eq!(log.dropped(), [1]);
    // SAFETY: from `into_raw_with_allocator`; its weak count is still held.
    let weak = unsafe { Weak::<_, C, _>::from_raw_in(raw, weak_alloc) };
    assert!(weak.upgrade().is_none());
    drop(weak);
    alloc.assert_balanced();
}

super::super::for_each_counter!(
    make_mut_allocate_panic_restores_strong,
    make_mut_allocate_panic_zero_sized,
    make_mut_shared_allocate_panic,
    strong_clone_alloc_clone_panic,
    downgrade_alloc_clone_panic,
    upgrade_alloc_clone_panic,
    weak_clone_alloc_clone_panic,
    new_cyclic_alloc_clone_panic,
    make_mut_shared_alloc_clone_panic,
    new_cyclic_alloc_drop_panic,
    weak_drop_deallocate_panic,
    strong_drop_deallocate_panic,
    try_unwrap_deallocate_panic,
    into_inner_deallocate_panic,
    new_cyclic_uninhabited_panic,
    new_cyclic_uninhabited_kept_weak,
    new_cyclic_uninhabited_raw_weak,
    new_cyclic_bool_kept_weak,
    new_cyclic_zero_sized_kept_weak,
    dropped_value_layout,
);
