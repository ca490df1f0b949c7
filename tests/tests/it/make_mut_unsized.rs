//! `make_mut` of `[T]`, `str`, `CStr`, `OsStr` and `Path` (std 1.81's
//! clone-on-write of unsized values): the three cases (unique, shared, only weak), exact allocation
//! and drop counts, and a panicking `T::clone` that leaks nothing and
//! leaves every count as it was.

use std::panic::{AssertUnwindSafe, catch_unwind};

use weakref_core::Strong;
use weakref_core::count::RawCountUnique;
use weakref_core::storage::{Allocator, Global};
use weakref_tests::hostile::{PanicOnAllocate, PanicOnClone};
use weakref_tests::{CountingAlloc, DropLog, Tracked};

type S<T, C> = Strong<T, C, CountingAlloc>;
type G<T, C> = Strong<T, C, Global>;

/// A `[T]` handle in `alloc`, holding clones of `items`.
fn slice_in<T: Clone, C: RawCountUnique, A: Allocator>(items: &[T], alloc: A) -> Strong<[T], C, A> {
    let mut slots = Strong::<[T], C, A>::new_uninit_slice_in(items.len(), alloc);
    for (slot, item) in Strong::get_mut(&mut slots).unwrap().iter_mut().zip(items) {
        slot.write(item.clone());
    }
    // SAFETY: every element was written just above.
    unsafe { slots.assume_init() }
}

/// An element whose `clone` panics when asked to (the original's drop is
/// logged; each finished clone's too).
#[derive(Debug)]
struct CloneBomb {
    tracked: Tracked,
    explode: bool,
}

impl Clone for CloneBomb {
    fn clone(&self) -> Self {
        assert!(
            !self.explode,
            "CloneBomb({}) panics in clone, as asked",
            self.tracked.id
        );
        CloneBomb {
            tracked: self.tracked.clone(),
            explode: false,
        }
    }
}

fn unique_slice_is_not_copied<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let mut s = slice_in::<_, C, _>(&[log.tracked(1), log.tracked(2)], alloc.clone());
    let before = log.dropped();
    let addr = S::as_ptr(&s);
    S::make_mut(&mut s)[0].id = 10;
    assert_eq!(S::as_ptr(&s), addr);
    assert_eq!(log.dropped(), before);
    assert_eq!(alloc.allocations(), 1);
    assert_eq!((S::strong_count(&s), S::weak_count(&s)), (1, 0));
    drop(s);
    assert_eq!(&log.dropped()[before.len()..], [10, 2]);
    alloc.assert_balanced();
}

fn shared_slice_is_cloned<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let mut s = slice_in::<_, C, _>(&[log.tracked(1), log.tracked(2)], alloc.clone());
    let base = log.dropped().len();
    let other = S::clone(&s);
    let weak = S::downgrade(&other);
    S::make_mut(&mut s)[1].id = 20;
    assert!(!S::ptr_eq(&s, &other));
    assert_eq!(alloc.allocations(), 2);
    assert_eq!((S::strong_count(&s), S::weak_count(&s)), (1, 0));
    assert_eq!((S::strong_count(&other), S::weak_count(&other)), (1, 1));
    assert_eq!(other.iter().map(|t| t.id).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(s.iter().map(|t| t.id).collect::<Vec<_>>(), [1, 20]);
    assert_eq!(log.dropped().len(), base);
    drop(other);
    assert!(weak.upgrade().is_none());
    drop((s, weak));
    assert_eq!(&log.dropped()[base..], [1, 2, 1, 20]);
    alloc.assert_balanced();
}

fn weak_only_slice_moves<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let mut s = slice_in::<_, C, _>(&[log.tracked(1), log.tracked(2)], alloc.clone());
    let base = log.dropped().len();
    let weak = S::downgrade(&s);
    S::make_mut(&mut s)[0].id = 10;
    // Moved, not cloned: no drop, a second block, the old one dead.
    assert_eq!(log.dropped().len(), base);
    assert_eq!(alloc.allocations(), 2);
    assert_eq!(alloc.live(), 2);
    assert!(weak.upgrade().is_none());
    assert_eq!((weak.strong_count(), weak.weak_count()), (0, 0));
    assert_eq!((S::strong_count(&s), S::weak_count(&s)), (1, 0));
    drop(weak);
    assert_eq!(alloc.live(), 1);
    drop(s);
    assert_eq!(&log.dropped()[base..], [10, 2]);
    alloc.assert_balanced();
}

fn panicking_clone_leaks_nothing<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    // The slice is [1, 2, 3], and cloning element 3 panics.
    let mut s = S::<[CloneBomb], C>::new_uninit_slice_in(3, alloc.clone());
    for (slot, id) in S::get_mut(&mut s).unwrap().iter_mut().zip(1..) {
        slot.write(CloneBomb {
            tracked: log.tracked(id),
            explode: id == 3,
        });
    }
    // SAFETY: every element was written just above.
    let mut s = unsafe { s.assume_init() };
    let other = S::clone(&s);
    let weak = S::downgrade(&s);
    let live = alloc.live();
    let result = catch_unwind(AssertUnwindSafe(|| {
        S::make_mut(&mut s);
    }));
    assert!(result.is_err());
    // The two finished clones were dropped, the new block freed, and
    // `s` is the handle it was.
    assert_eq!(log.dropped(), [1, 2]);
    assert_eq!(alloc.live(), live);
    assert!(S::ptr_eq(&s, &other));
    assert_eq!((S::strong_count(&s), S::weak_count(&s)), (2, 1));
    assert!(weak.upgrade().is_some());
    drop((s, other, weak));
    assert_eq!(log.dropped(), [1, 2, 1, 2, 3]);
    alloc.assert_balanced();
}

/// The weak-only path takes strong to 0 before allocating: a panicking
/// `allocate` must put it back (the value stays, the weak still upgrades).
fn weak_only_allocate_panic_restores_strong<C: RawCountUnique>() {
    let alloc = PanicOnAllocate::new();
    let log = DropLog::new();
    let mut s = slice_in::<_, C, _>(&[log.tracked(1), log.tracked(2)], alloc.clone());
    let base = log.dropped().len();
    let weak = Strong::downgrade(&s);
    alloc.arm();
    let result = catch_unwind(AssertUnwindSafe(|| Strong::make_mut(&mut s)[0].id = 10));
    alloc.disarm();
    assert!(result.is_err());
    assert_eq!((Strong::strong_count(&s), Strong::weak_count(&s)), (1, 1));
    assert_eq!(weak.upgrade().map(|v| v[0].id), Some(1), "not moved away");
    assert_eq!(log.dropped().len(), base);
    // With the allocator working again, the elements move.
    Strong::make_mut(&mut s)[0].id = 10;
    assert!(weak.upgrade().is_none());
    drop((s, weak));
    assert_eq!(&log.dropped()[base..], [10, 2]);
    alloc.assert_balanced();
}

/// The shared path with a panicking `allocate` or allocator `clone`:
/// nothing is taken before either, nothing changes after.
fn shared_allocator_panics_change_nothing<C: RawCountUnique>() {
    let alloc = PanicOnAllocate::new();
    let mut s = slice_in::<_, C, _>(&[1u32, 2], alloc.clone());
    let other = Strong::clone(&s);
    alloc.arm();
    assert!(catch_unwind(AssertUnwindSafe(|| Strong::make_mut(&mut s)[0] = 0)).is_err());
    alloc.disarm();
    assert!(Strong::ptr_eq(&s, &other));
    assert_eq!((&s[..], Strong::strong_count(&s)), (&[1, 2][..], 2));
    drop((s, other));
    alloc.assert_balanced();

    let alloc = PanicOnClone::new();
    let mut s = slice_in::<_, C, _>(&[1u32, 2], alloc.clone());
    let other = Strong::clone(&s);
    alloc.arm();
    assert!(catch_unwind(AssertUnwindSafe(|| Strong::make_mut(&mut s)[0] = 0)).is_err());
    alloc.disarm();
    assert!(Strong::ptr_eq(&s, &other));
    assert_eq!(Strong::strong_count(&s), 2);
    drop((s, other));
    alloc.assert_balanced();
}

/// `CStr`, `OsStr` and `Path`: the three cases, as for `str`.
fn c_os_and_path_make_mut<C: RawCountUnique>() {
    use std::ffi::{CStr, OsStr};
    use std::path::Path;
    let mut c: G<CStr, C> = G::from(c"ab");
    let addr = G::as_ptr(&c).cast::<u8>();
    assert_eq!(G::make_mut(&mut c), c"ab");
    assert_eq!(G::as_ptr(&c).cast::<u8>(), addr, "unique: in place");
    let other = G::clone(&c);
    let _ = G::make_mut(&mut c);
    assert!(!G::ptr_eq(&c, &other), "shared: copied");
    assert_eq!((&*c, G::strong_count(&other)), (c"ab", 1));
    let weak = G::downgrade(&c);
    let _ = G::make_mut(&mut c);
    assert!(weak.upgrade().is_none(), "only weak: moved");

    let mut o: G<OsStr, C> = G::from(OsStr::new("ab"));
    let other = G::clone(&o);
    G::make_mut(&mut o).make_ascii_uppercase();
    assert_eq!((&*o, &*other), (OsStr::new("AB"), OsStr::new("ab")));
    let weak = G::downgrade(&o);
    G::make_mut(&mut o).make_ascii_lowercase();
    assert!(weak.upgrade().is_none());
    assert_eq!(&*o, OsStr::new("ab"));

    let mut p: G<Path, C> = G::from(Path::new("a/b"));
    let other = G::clone(&p);
    let _ = G::make_mut(&mut p);
    assert!(!G::ptr_eq(&p, &other));
    assert_eq!(&*p, Path::new("a/b"));
}

fn str_make_mut<C: RawCountUnique>() {
    // Unique: in place.
    let mut s: G<str, C> = G::from("hello");
    let addr = G::as_ptr(&s);
    G::make_mut(&mut s).make_ascii_uppercase();
    assert_eq!((&*s, G::as_ptr(&s)), ("HELLO", addr));
    // Shared: copied.
    let other = G::clone(&s);
    G::make_mut(&mut s).make_ascii_lowercase();
    assert_eq!((&*s, &*other), ("hello", "HELLO"));
    assert_eq!((G::strong_count(&s), G::strong_count(&other)), (1, 1));
    // Only weak: moved.
    let weak = G::downgrade(&s);
    G::make_mut(&mut s).make_ascii_uppercase();
    assert_eq!(&*s, "HELLO");
    assert!(weak.upgrade().is_none());
    assert_eq!((G::strong_count(&s), G::weak_count(&s)), (1, 0));
    // Empty.
    let mut e: G<str, C> = G::default();
    let _e2 = G::clone(&e);
    assert_eq!(G::make_mut(&mut e), "");
}

fn global_slice_make_mut<C: RawCountUnique>() {
    let mut s: G<[u32], C> = G::from([1, 2, 3]);
    let other = G::clone(&s);
    G::make_mut(&mut s)[2] = 30;
    assert_eq!((&s[..], &other[..]), (&[1, 2, 30][..], &[1, 2, 3][..]));
    let weak = G::downgrade(&other);
    let mut other = other;
    G::make_mut(&mut other)[0] = 0;
    assert!(weak.upgrade().is_none());
    assert_eq!(&other[..], [0, 2, 3]);
    // Zero-sized elements and empty slices.
    let mut z: G<[()], C> = G::from(vec![(); 4]);
    let _z2 = G::clone(&z);
    assert_eq!(G::make_mut(&mut z).len(), 4);
    let mut e: G<[String], C> = G::default();
    let _w = G::downgrade(&e);
    assert!(G::make_mut(&mut e).is_empty());
}

crate::for_each_counter!(
    unique_slice_is_not_copied,
    shared_slice_is_cloned,
    weak_only_slice_moves,
    panicking_clone_leaks_nothing,
    weak_only_allocate_panic_restores_strong,
    shared_allocator_panics_change_nothing,
    str_make_mut,
    c_os_and_path_make_mut,
    global_slice_make_mut,
);
