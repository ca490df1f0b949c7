//! Death callbacks under attack: values that die while their thread tears
//! its locals down, callbacks whose panic payload panics when dropped, and
//! allocators whose `Clone`/`Drop` re-enter weakref while a handle is being
//! registered.
//!
//! Rules attacked (python-weakref-rules.md and DESIGN.md's "Rules learned
//! the hard way"): callbacks run at death, each once, also when the death
//! happens in a thread-local destructor (Python runs them when a thread's
//! locals are cleared); a failing callback is reported and the others still
//! run, nothing escapes the drop (rule 5); no user code runs while a
//! registry borrow or lock is held (rule 10); nothing leaks.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind, panic_any};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use weakref_core::Strong;
use weakref_core::callbacks::{CallbackFamily, Finalizer, FinalizerFamily, IntoCallback, WeakRef};
use weakref_core::count::{AtomicCount, LocalCount, RawCountUnique, WaitFreeCount};
use weakref_core::storage::Global;
use weakref_tests::reentrant::ReentrantAlloc;
use weakref_tests::{CountingAlloc, DropLog};

type Rc<T, A = CountingAlloc> = Strong<T, LocalCount, A>;

/// A callback both families accept.
type Cb = Box<dyn FnOnce() + Send>;

/// A shared, ordered record of what callbacks did.
#[derive(Clone, Default)]
struct Journal(Arc<Mutex<Vec<&'static str>>>);

impl Journal {
    /// A callback that notes `what` when it runs.
    fn callback(&self, what: &'static str) -> Cb {
        let journal = self.clone();
        Box::new(move || journal.0.lock().unwrap().push(what))
    }

    fn entries(&self) -> Vec<&'static str> {
        self.0.lock().unwrap().clone()
    }
}

/// Runs a closure when dropped: a thread-local destructor's body.
struct OnDrop(Option<Box<dyn FnOnce()>>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f();
        }
    }
}

thread_local! {
    /// Things dropped, in push order, when the thread's locals are
    /// destroyed. Touched first in each spawned thread below, so that it is
    /// destroyed *after* every thread-local weakref uses (std runs
    /// thread-local destructors in reverse order of registration).
    static EARLY: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `body` on a new thread that touches [`EARLY`] first, and joins it
/// (thread-local destructors included).
fn in_thread_with_early_locals(body: impl FnOnce() + Send + 'static) {
    std::thread::spawn(move || {
        EARLY.with(|_| ());
        body();
    })
    .join()
    .unwrap();
}

/// Keeps `thing` in [`EARLY`] until the thread's locals are destroyed.
fn keep_until_thread_exit(thing: impl Any) {
    EARLY.with_borrow_mut(|held| held.push(Box::new(thing)));
}

/// Item 6: a value stored in a thread-local registered before weakref's
/// dies while the thread tears down. Its callbacks and its finalizer
/// (`atexit` off: it runs at death only) run, newest first, and the block
/// is freed.
#[test]
fn callbacks_run_for_a_value_dying_in_an_earlier_thread_local() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let journal = Journal::default();
    in_thread_with_early_locals({
        let (alloc, log, journal) = (alloc.clone(), log.clone(), journal.clone());
        move || {
            let value = Rc::new_in(log.tracked(1), alloc);
            let plain = WeakRef::new(&value);
            let r = WeakRef::with_callback(&value, journal.callback("callback"));
            let fin = Finalizer::new(&value, journal.callback("finalizer"));
            fin.set_atexit(false);
            // Dropped in this order: the value first, while its handles live.
            keep_until_thread_exit(value);
            keep_until_thread_exit((plain, r, fin));
        }
    });
    assert_eq!(journal.entries(), ["finalizer", "callback"]);
    assert_eq!(log.dropped(), [1]);
    alloc.assert_balanced();
}

/// Item 6: an at-exit finalizer on such a value runs exactly once (at the
/// thread's exit pass or at the death, whichever comes first), and nothing
/// leaks.
#[test]
fn an_at_exit_finalizer_runs_once_for_a_value_dying_in_an_earlier_thread_local() {
    let alloc = CountingAlloc::new();
    let journal = Journal::default();
    in_thread_with_early_locals({
        let (alloc, journal) = (alloc.clone(), journal.clone());
        move || {
            let value = Rc::new_in(7u32, alloc);
            let fin = Finalizer::new(&value, journal.callback("finalizer"));
            keep_until_thread_exit(value);
            keep_until_thread_exit(fin);
        }
    });
    assert_eq!(journal.entries(), ["finalizer"]);
    alloc.assert_balanced();
}

/// Item 6: registrations made in a destructor that runs after weakref's
/// thread-locals are gone still work: the callback runs at the death, a
/// handle dropped first unregisters (so `get_mut` sees a unique value
/// again), and nothing leaks.
#[test]
fn registrations_in_a_late_destructor_still_work() {
    let alloc = CountingAlloc::new();
    let journal = Journal::default();
    let unique_again = Arc::new(Mutex::new(None));
    in_thread_with_early_locals({
        let (alloc, journal, unique_again) = (alloc.clone(), journal.clone(), unique_again.clone());
        move || {
            // Registered now, unregistered during teardown.
            let mut early = Rc::new_in(1u32, alloc.clone());
            let early_ref = WeakRef::with_callback(&early, journal.callback("NEVER"));
            keep_until_thread_exit(OnDrop(Some(Box::new(move || {
                drop(early_ref);
                *unique_again.lock().unwrap() = Some(Rc::get_mut(&mut early).is_some());
                drop(early);
                // Registered during teardown.
                let late = Rc::new_in(2u32, alloc);
                let r = WeakRef::with_callback(&late, journal.callback("late callback"));
                let fin = Finalizer::new(&late, journal.callback("late finalizer"));
                drop(late);
                drop((r, fin));
            }))));
        }
    });
    assert_eq!(*unique_again.lock().unwrap(), Some(true));
    assert_eq!(journal.entries(), ["late finalizer", "late callback"]);
    alloc.assert_balanced();
}

/// Item 7: a callback panics with a payload whose own `Drop` panics. The
/// panic is reported, the payload dropped, the other callbacks run, the
/// value is dropped, and nothing escapes the `drop` that killed it.
fn a_panic_payload_that_panics_when_dropped_does_not_escape<C>()
where
    C: CallbackFamily,
    Cb: IntoCallback<C>,
{
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let journal = Journal::default();
    let value = Strong::<_, C, _>::new_in(log.tracked(1), alloc.clone());
    let older = WeakRef::with_callback(&value, journal.callback("older"));
    let bomb = log.clone();
    let bomb: Cb = Box::new(move || panic_any(bomb.panicking(2)));
    let newer = WeakRef::with_callback(&value, bomb);
    let escaped = catch_unwind(AssertUnwindSafe(|| drop(value)));
    assert!(escaped.is_ok(), "a panic escaped the drop");
    assert_eq!(journal.entries(), ["older"]);
    // The payload went first (with the callback), then the value.
    assert_eq!(log.dropped(), [2, 1]);
    drop((older, newer));
    alloc.assert_balanced();
}

#[test]
fn local_a_panic_payload_that_panics_when_dropped_does_not_escape() {
    a_panic_payload_that_panics_when_dropped_does_not_escape::<LocalCount>();
}

#[test]
fn atomic_a_panic_payload_that_panics_when_dropped_does_not_escape() {
    a_panic_payload_that_panics_when_dropped_does_not_escape::<AtomicCount>();
}

#[test]
fn wait_free_a_panic_payload_that_panics_when_dropped_does_not_escape() {
    a_panic_payload_that_panics_when_dropped_does_not_escape::<WaitFreeCount>();
}

/// Item 8's re-entry: creates a value on the global heap, registers a
/// callback and a finalizer on it, and kills it; counts the two runs.
fn reenter<C>(runs: &Arc<AtomicUsize>)
where
    C: CallbackFamily + FinalizerFamily<u8, Cb, Global>,
    Cb: IntoCallback<C>,
{
    let other = Strong::<u8, C, Global>::new(0);
    let count = |runs: &Arc<AtomicUsize>| -> Cb {
        let runs = Arc::clone(runs);
        Box::new(move || {
            runs.fetch_add(1, Ordering::Relaxed);
        })
    };
    let r = WeakRef::with_callback(&other, count(runs));
    let fin = Finalizer::new(&other, count(runs));
    drop(other);
    drop((r, fin));
}

/// Item 8: the allocator's `clone` and `drop` re-enter weakref (register
/// and kill another value) while `WeakRef` and `Finalizer` register on a
/// value in that allocator, and while the value dies. Nothing panics,
/// nothing deadlocks, every callback runs, nothing leaks.
fn reentrant_allocator_scenario<C>()
where
    C: RawCountUnique + FinalizerFamily<u8, Cb, Global> + FinalizerFamily<u32, Cb, ReentrantAlloc>,
    Cb: IntoCallback<C>,
{
    let ledger = CountingAlloc::new();
    let runs = Arc::new(AtomicUsize::new(0));
    let alloc = ReentrantAlloc::new(ledger.clone(), {
        let runs = Arc::clone(&runs);
        move || reenter::<C>(&runs)
    });
    let journal = Journal::default();
    let value = Strong::<u32, C, _>::new_in(3, alloc);
    let r = WeakRef::with_callback(&value, journal.callback("callback"));
    let fin = Finalizer::new(&value, journal.callback("finalizer"));
    let reentered = runs.load(Ordering::Relaxed);
    assert!(reentered >= 2, "the allocator was never cloned");
    assert_eq!(reentered % 2, 0, "a re-entrant registration did not fire");
    drop(value);
    assert_eq!(journal.entries(), ["finalizer", "callback"]);
    drop((r, fin));
    assert_eq!(runs.load(Ordering::Relaxed) % 2, 0);
    ledger.assert_balanced();
}

#[test]
fn local_registration_survives_a_reentrant_allocator() {
    reentrant_allocator_scenario::<LocalCount>();
}

/// Runs `scenario` on its own thread and fails if it does not finish in
/// time: the atomic family's registry is a lock, and re-entering it under
/// the lock deadlocks (instead of hanging, the test fails).
fn without_deadlock(scenario: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        scenario();
        done.send(()).unwrap();
    });
    match finished.recv_timeout(Duration::from_secs(30)) {
        Ok(()) => {}
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("deadlock: the registry ran user code under its lock")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the scenario panicked"),
    }
}

#[test]
fn atomic_registration_survives_a_reentrant_allocator() {
    without_deadlock(reentrant_allocator_scenario::<AtomicCount>);
}

#[test]
fn wait_free_registration_survives_a_reentrant_allocator() {
    without_deadlock(reentrant_allocator_scenario::<WaitFreeCount>);
}

/// Runs a closure when dropped, from any thread: a callback's capture.
struct OnDropSend(Option<Cb>);

impl Drop for OnDropSend {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f();
        }
    }
}

/// Item 8, the other half: dropping a registry entry runs user code (the
/// callback's captures), which here re-enters weakref. Every path that
/// drops entries does so after releasing the registry: a handle dropped
/// before the death (its entry unregistered), a death (the callbacks run
/// and go), a detached finalizer (both of its entries removed).
fn entries_dropped_outside_the_registry<C>()
where
    C: CallbackFamily + FinalizerFamily<u8, Cb, Global> + FinalizerFamily<u32, Cb, Global>,
    Cb: IntoCallback<C>,
{
    let runs = Arc::new(AtomicUsize::new(0));
    let journal = Journal::default();
    // A callback whose captures re-enter weakref when dropped.
    let reentrant = |what: &'static str| -> Cb {
        let runs = Arc::clone(&runs);
        let capture = OnDropSend(Some(Box::new(move || reenter::<C>(&runs))));
        let note = journal.callback(what);
        Box::new(move || {
            let _keep = &capture;
            note();
        })
    };
    let value = Strong::<u32, C, Global>::new(1);
    let unregistered = WeakRef::with_callback(&value, reentrant("NEVER: unregistered"));
    drop(unregistered);
    let detached = Finalizer::new(&value, reentrant("NEVER: detached"));
    drop(detached.detach());
    let _at_death = WeakRef::with_callback(&value, reentrant("at death"));
    let _finalizer = Finalizer::new(&value, reentrant("finalizer"));
    drop(value);
    assert_eq!(journal.entries(), ["finalizer", "at death"]);
    // Four captures dropped, each re-entering once (two callbacks each).
    assert_eq!(runs.load(Ordering::Relaxed), 8);
}

#[test]
fn local_entries_are_dropped_outside_the_registry() {
    entries_dropped_outside_the_registry::<LocalCount>();
}

#[test]
fn atomic_entries_are_dropped_outside_the_registry() {
    without_deadlock(entries_dropped_outside_the_registry::<AtomicCount>);
}

#[test]
fn wait_free_entries_are_dropped_outside_the_registry() {
    without_deadlock(entries_dropped_outside_the_registry::<WaitFreeCount>);
}
