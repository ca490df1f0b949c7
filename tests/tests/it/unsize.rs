//! Unsizing in place (`unsize!`, `Strong::unsize`, `Weak::unsize`): trait
//! objects, slices from arrays, `dyn Any`, zero-sized values, weak handles,
//! panicking closures; every value dropped once and every block freed, with
//! no second allocation.
//!
//! A closure that returns another place than the value it was given cannot
//! be written in safe code (the `compile_fail` examples in
//! `weakref_core::unsize`); the run-time check behind it is tested inside
//! core (`unsize::tests`), the only place that can build a second `Opaque`.

use core::any::Any;
use core::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

use weakref_core::count::RawCountUnique;
use weakref_core::storage::Global;
use weakref_core::{Strong, Weak, unsize};
use weakref_tests::{CountingAlloc, DropLog, Tracked};

type S<T, C> = Strong<T, C, CountingAlloc>;
type W<T, C> = Weak<T, C, CountingAlloc>;

trait Listener {
    fn notify(&self) -> u32;
}

struct Button {
    id: u32,
    _log: Tracked,
}

impl Listener for Button {
    fn notify(&self) -> u32 {
        self.id
    }
}

/// A zero-sized listener that counts its drops.
struct Unit;

static UNIT_DROPS: AtomicUsize = AtomicUsize::new(0);

impl Drop for Unit {
    fn drop(&mut self) {
        UNIT_DROPS.fetch_add(1, Ordering::Relaxed);
    }
}

impl Listener for Unit {
    fn notify(&self) -> u32 {
        0
    }
}

fn button(log: &DropLog, id: u32) -> Button {
    Button {
        id,
        _log: log.tracked(id),
    }
}

fn trait_object_in_the_same_block<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let rc = S::<_, C>::new_in(button(&log, 1), alloc.clone());
    let old_weak = S::downgrade(&rc);
    let other = S::clone(&rc);
    let addr = S::as_ptr(&rc).addr();
    let listener: S<dyn Listener, C> = unsize!(rc, dyn Listener);
    assert_eq!(S::as_ptr(&listener).addr(), addr, "same value, same block");
    assert_eq!(alloc.allocations(), 1, "no reallocation");
    assert_eq!(
        (S::strong_count(&listener), S::weak_count(&listener)),
        (2, 1)
    );
    assert_eq!(listener.notify(), 1);
    // The observer pattern: a weak trait object upgrades and calls through.
    let w = S::downgrade(&listener);
    assert_eq!(w.upgrade().map(|l| l.notify()), Some(1));
    // Handles of the sized type still see the same value.
    assert!(S::ptr_eq(&old_weak.upgrade().unwrap(), &other));
    drop(other);
    assert!(log.dropped().is_empty());
    drop(listener);
    assert_eq!(log.dropped(), [1], "dropped once, through the vtable");
    assert!(w.upgrade().is_none());
    assert!(old_weak.upgrade().is_none());
    drop((w, old_weak));
    alloc.assert_balanced();
}

fn slices_from_arrays<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let array = S::<_, C>::new_in(
        [log.tracked(1), log.tracked(2), log.tracked(3)],
        alloc.clone(),
    );
    let slice: S<[Tracked], C> = unsize!(array, [Tracked]);
    assert_eq!(slice.iter().map(|t| t.id).collect::<Vec<_>>(), [1, 2, 3]);
    let weak = S::downgrade(&slice);
    drop(slice);
    assert_eq!(log.dropped(), [1, 2, 3]);
    drop(weak); // frees the block with the layout read from the length
    let empty: S<[u64], C> = unsize!(S::<_, C>::new_in([0u64; 0], alloc.clone()), [u64]);
    assert!(empty.is_empty());
    let big: S<[u8], C> = unsize!(S::<_, C>::new_in([7u8; 100], alloc.clone()), [u8]);
    assert_eq!((big.len(), big[99]), (100, 7));
    drop((empty, big));
    assert_eq!(alloc.allocations(), 3);
    alloc.assert_balanced();
}

fn dyn_any_and_debug<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let any: S<dyn Any, C> = unsize!(S::<_, C>::new_in(log.tracked(5), alloc.clone()), dyn Any);
    assert_eq!(any.downcast_ref::<Tracked>().map(|t| t.id), Some(5));
    assert!(!any.is::<u32>());
    let shown: S<dyn Debug, C> = S::unsize::<dyn Debug, _>(S::new_in(0xabu8, alloc.clone()), |v| v);
    assert_eq!(format!("{shown:x?}"), "ab");
    drop((any, shown));
    assert_eq!(log.dropped(), [5]);
    alloc.assert_balanced();
}

fn zero_sized_values<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let before = UNIT_DROPS.load(Ordering::Relaxed);
    let unit: S<dyn Listener, C> = unsize!(S::<_, C>::new_in(Unit, alloc.clone()), dyn Listener);
    assert_eq!(unit.notify(), 0);
    let weak = S::downgrade(&unit);
    drop(unit);
    assert!(UNIT_DROPS.load(Ordering::Relaxed) > before);
    assert!(weak.upgrade().is_none());
    drop(weak);
    let units: S<[()], C> = unsize!(S::<_, C>::new_in([(); 4], alloc.clone()), [()]);
    assert_eq!(units.len(), 4);
    drop(units);
    alloc.assert_balanced();
}

fn weak_handles<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let strong = S::<_, C>::new_in(button(&log, 2), alloc.clone());
    let weak: W<dyn Listener, C> = unsize!(S::downgrade(&strong), dyn Listener)
        .ok()
        .expect("the value lives");
    assert_eq!(weak.upgrade().map(|l| l.notify()), Some(2));
    assert_eq!((weak.strong_count(), weak.weak_count()), (1, 1));
    let by_closure = W::unsize::<dyn Listener, _>(S::downgrade(&strong), |v| v)
        .ok()
        .unwrap();
    assert!(by_closure.upgrade().is_some());
    assert_eq!(weak.weak_count(), 2);
    drop(strong);
    assert_eq!(log.dropped(), [2]);
    assert!(weak.upgrade().is_none());
    // Dead: it comes back unchanged, and still frees what it holds.
    let dead = W::<Button, C>::clone(&{
        let s = S::<_, C>::new_in(button(&log, 3), alloc.clone());
        S::downgrade(&s)
    });
    let Err(dead) = unsize!(dead, dyn Listener) else {
        panic!("a dead value cannot be unsized")
    };
    assert!(dead.upgrade().is_none());
    drop((weak, by_closure, dead));
    assert_eq!(log.dropped(), [2, 3]);
    alloc.assert_balanced();
    let sentinel = Weak::<Button, C, Global>::new();
    assert!(unsize!(sentinel, dyn Listener).is_err());
}

fn a_panicking_closure_drops_the_handle<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let strong = S::<_, C>::new_in(button(&log, 4), alloc.clone());
    let weak = S::downgrade(&strong);
    let result = catch_unwind(AssertUnwindSafe(|| {
        W::unsize::<dyn Listener, _>(weak, |_| panic!("no coercion today"))
    }));
    assert!(result.is_err());
    assert_eq!(
        (S::strong_count(&strong), S::weak_count(&strong)),
        (1, 0),
        "the weak handle and the temporary upgrade were both released"
    );
    let result = catch_unwind(AssertUnwindSafe(|| {
        S::unsize::<dyn Listener, _>(strong, |_| panic!("nor here"))
    }));
    assert!(result.is_err());
    assert_eq!(
        log.dropped(),
        [4],
        "the handle was dropped, and so the value"
    );
    alloc.assert_balanced();
}

super::for_each_counter!(
    trait_object_in_the_same_block,
    slices_from_arrays,
    dyn_any_and_debug,
    zero_sized_values,
    weak_handles,
    a_panicking_closure_drops_the_handle,
);

/// `Arc<dyn Any + Send + Sync>` crosses threads: the auto traits are part
/// of the target type, checked by the compiler.
fn send_sync_trait_objects_cross_threads<C: RawCountUnique + Send + Sync + 'static>() {
    type Arc<T, C> = Strong<T, C, Global>;
    let any: Arc<dyn Any + Send + Sync, C> =
        unsize!(Arc::<_, C>::new(String::from("hi")), dyn Any + Send + Sync);
    let other = Arc::clone(&any);
    let len = std::thread::spawn(move || other.downcast_ref::<String>().map(String::len))
        .join()
        .unwrap();
    assert_eq!(len, Some(2));
    let weak = Arc::downgrade(&any);
    drop(any);
    assert!(weak.upgrade().is_none());
}

super::for_each_sync_counter!(send_sync_trait_objects_cross_threads);

/// Through the adapters' re-exports.
#[test]
fn adapters_reexport_the_macro() {
    let rc: weakref_std::Rc<dyn Debug> = weakref_std::unsize!(weakref_std::Rc::new(1), dyn Debug);
    assert_eq!(format!("{rc:?}"), "1");
    let arc: weakref_sync::Arc<[u8]> = weakref_sync::unsize!(weakref_sync::Arc::new([1, 2]), [u8]);
    assert_eq!(&*arc, [1, 2]);
}

/// Death callbacks are keyed by the block, which unsizing keeps: one
/// registered on the sized handle runs when the trait object dies.
#[test]
fn callbacks_survive_unsizing() {
    use std::cell::Cell;
    use std::rc::Rc as StdRc;
    let log = DropLog::new();
    let ran = StdRc::new(Cell::new(0));
    let seen = StdRc::clone(&ran);
    let rc = weakref_std::Rc::new(button(&log, 9));
    let r = weakref_std::WeakRef::with_callback(&rc, move || seen.set(seen.get() + 1));
    let listener: weakref_std::Rc<dyn Listener> = weakref_std::unsize!(rc, dyn Listener);
    assert_eq!(r.upgrade().map(|b| b.notify()), Some(9));
    drop(listener);
    assert_eq!(ran.get(), 1, "the callback ran once, at death");
    assert_eq!(log.dropped(), [9]);
    assert!(r.upgrade().is_none());
}
