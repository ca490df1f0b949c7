//! Handles that are never dropped (`mem::forget`, `Box::leak`) or that die
//! with their thread: a leaked handle keeps what it owns for ever, and the
//! other handles of the same value go on working exactly.
//!
//! Leaks go through `weakref_tests::leak`, which keeps them reachable so
//! that Miri reports only the leaks a test did not mean.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;

use weakref_core::count::RawCountUnique;
use weakref_core::{Strong, Weak};
use weakref_tests::leak::{forget, leak};
use weakref_tests::{CountingAlloc, DropLog, Tracked};

type S<T, C> = Strong<T, C, CountingAlloc>;

/// A forgotten strong handle keeps the value alive for ever: weak handles
/// upgrade, `get_mut` refuses, `make_mut` clones, the value is never
/// dropped and its block never freed.
fn a_forgotten_strong_keeps_the_value<C: RawCountUnique + 'static>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let mut a = S::<Tracked, C>::new_in(log.tracked(1), alloc.clone());
    let weak = S::downgrade(&a);
    forget(S::clone(&a));
    assert_eq!(S::strong_count(&a), 2);
    assert!(
        S::get_mut(&mut a).is_none(),
        "the forgotten handle shares it"
    );
    S::make_mut(&mut a); // clones the value into a block of its own
    assert_eq!(alloc.live(), 2);
    drop(a);
    let kept = weak.upgrade().expect("the forgotten handle keeps it alive");
    assert_eq!(kept.id, 1);
    drop((kept, weak));
    assert_eq!(log.dropped(), [1], "only the clone made by make_mut died");
    assert_eq!(alloc.live(), 1, "the forgotten value's block stays");
}

/// A forgotten weak handle keeps the block, not the value: the value dies
/// with its last strong handle, and the block is never freed.
fn a_forgotten_weak_keeps_the_block<C: RawCountUnique + 'static>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let mut a = S::<Tracked, C>::new_in(log.tracked(1), alloc.clone());
    forget(S::downgrade(&a));
    assert_eq!(S::weak_count(&a), 1);
    assert!(S::get_mut(&mut a).is_none(), "a weak handle exists");
    let weak = S::downgrade(&a);
    drop(a);
    assert_eq!(log.dropped(), [1]);
    assert!(weak.upgrade().is_none());
    drop(weak);
    assert_eq!(alloc.live(), 1, "the forgotten weak handle holds the block");
}

/// A leaked `&'static` handle is a handle like any other: it clones,
/// downgrades and reads for the rest of the program.
fn a_leaked_strong_stays_usable<C: RawCountUnique + 'static>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let forever: &'static S<Tracked, C> = leak(S::new_in(log.tracked(7), alloc.clone()));
    let weak: Weak<Tracked, C, CountingAlloc> = S::downgrade(forever);
    let clone = S::clone(forever);
    drop(clone);
    assert_eq!(weak.upgrade().map(|v| v.id), Some(7));
    assert!(log.dropped().is_empty());
}

/// Leaking the weak handle given to `new_cyclic`'s closure: the value is
/// built and lives as usual, and its block stays for the leaked handle.
fn a_leaked_cyclic_weak<C: RawCountUnique + 'static>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let a = S::<Tracked, C>::new_cyclic_in(
        |me| {
            forget(me.clone());
            log.tracked(3)
        },
        alloc.clone(),
    );
    assert_eq!((S::strong_count(&a), S::weak_count(&a)), (1, 1));
    drop(a);
    assert_eq!(log.dropped(), [3]);
    assert_eq!(alloc.live(), 1);
}

super::super::for_each_counter!(
    a_forgotten_strong_keeps_the_value,
    a_forgotten_weak_keeps_the_block,
    a_leaked_strong_stays_usable,
    a_leaked_cyclic_weak,
);

/// Forgotten registered handles (`WeakRef`, `Proxy`, `WeakMethod`,
/// `Finalizer`): the value still dies with its last strong handle, the
/// forgotten `WeakRef`'s callback and the finalizer still run once, and
/// weak handles say it is dead.
macro_rules! forgotten_registrations {
    ($name:ident, $krate:ident, $strong:ident) => {
        #[test]
        fn $name() {
            use $krate::{Proxy, WeakMethod, WeakRef, finalize, getweakrefs, $strong};
            let ran = std::sync::Arc::new(AtomicUsize::new(0));
            let log = DropLog::new();
            let value = $strong::new(log.tracked(1));
            let on_death = std::sync::Arc::clone(&ran);
            forget(WeakRef::with_callback(&value, move || {
                on_death.fetch_add(1, SeqCst);
            }));
            forget(Proxy::new(&value));
            forget(WeakMethod::new(&value, |t: &Tracked, ()| t.id));
            let finalizer_ran = std::sync::Arc::clone(&ran);
            forget(finalize(&value, move || {
                finalizer_ran.fetch_add(10, SeqCst);
            }));
            assert_eq!(getweakrefs(&value).len(), 4);
            let weak = $strong::downgrade(&value);
            drop(value);
            assert_eq!(ran.load(SeqCst), 11, "callback and finalizer, once each");
            assert_eq!(log.dropped(), [1]);
            assert!(weak.upgrade().is_none());
        }
    };
}
forgotten_registrations!(forgotten_registrations_rc, weakref_std, Rc);
forgotten_registrations!(forgotten_registrations_arc, weakref_sync, Arc);

/// A forgotten weak map keeps its entries' blocks, not their values.
#[test]
fn a_forgotten_map_keeps_blocks_not_values() {
    use weakref_sync::{Arc, WeakValueMap};
    let log = DropLog::new();
    let value = Arc::new(log.tracked(5));
    let mut map = WeakValueMap::new();
    map.insert("five", &value);
    let weak = Arc::downgrade(&value);
    forget(map);
    drop(value);
    assert_eq!(log.dropped(), [5]);
    assert_eq!(weak.weak_count(), 0, "dead: no strong handle");
}

/// `Arc` handles of every kind alive in a thread-local when the thread
/// exits: they are dropped by the thread-local's destructor, the value dies
/// there, its callback runs, and other threads see it dead.
#[test]
fn atomic_handles_die_with_their_thread() {
    use std::cell::RefCell;
    use std::sync::Arc as StdArc;
    use weakref_sync::{Arc, WeakRef};

    struct Held(RefCell<Vec<Box<dyn std::any::Any>>>);
    thread_local! {
        static HELD: Held = const { Held(RefCell::new(Vec::new())) };
    }
    let ran = StdArc::new(AtomicUsize::new(0));
    let log = DropLog::new();
    let value = Arc::new(log.tracked(9));
    let weak = Arc::downgrade(&value);
    let on_death = StdArc::clone(&ran);
    let callback = WeakRef::with_callback(&value, move || {
        on_death.fetch_add(1, SeqCst);
    });
    let also = weak.clone();
    thread::spawn(move || {
        HELD.with(|held| {
            let mut held = held.0.borrow_mut();
            held.push(Box::new(value));
            held.push(Box::new(also));
            held.push(Box::new(callback));
        });
    })
    .join()
    .unwrap();
    assert_eq!(log.dropped(), [9], "dropped by the exiting thread");
    assert_eq!(ran.load(SeqCst), 1);
    assert!(weak.upgrade().is_none());
}
