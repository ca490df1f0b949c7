//! Death callbacks, finalizers, WeakMethod and proxies: every rule of
//! `python-weakref-rules.md` 1–10 and 18–19 as a named test, for both
//! families (and their compact widths): the scenarios are written once in
//! [`family_tests!`] and instantiated per counter, so that closures meet a
//! concrete family (the local one takes closures that are not `Send`).

use std::hash::{BuildHasher, RandomState};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use weakref_core::Strong;
use weakref_core::callbacks::{
    Finalizer, Kind, Proxy, ReferenceError, WeakMethod, WeakRef, registrations,
};
use weakref_core::storage::Global;
use weakref_tests::{CountingAlloc, DropLog};

/// A callback both families accept (generic code cannot name a closure's
/// `IntoCallback` impl, but it can name this box's).
type Cb = Box<dyn FnOnce() + Send>;

type S<T, C, A = Global> = Strong<T, C, A>;

/// A shared, ordered record of what callbacks did.
#[derive(Clone, Default)]
struct Journal(Arc<Mutex<Vec<String>>>);

impl Journal {
    fn note(&self, what: impl Into<String>) {
        self.0.lock().unwrap().push(what.into());
    }

    /// A callback that notes `what` when it runs.
    fn callback(&self, what: &str) -> Cb {
        let journal = self.clone();
        let what = what.to_owned();
        Box::new(move || journal.note(what))
    }

    fn entries(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// Installs (once per process) a panic hook that records messages.
fn install_recording_hook() -> Arc<Mutex<Vec<String>>> {
    static SEEN: std::sync::OnceLock<Arc<Mutex<Vec<String>>>> = std::sync::OnceLock::new();
    SEEN.get_or_init(|| {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        weakref_core::callbacks::set_panic_hook(move |panic| {
            let text = panic.message().unwrap_or("?").to_owned();
            sink.lock().unwrap().push(text);
        });
        seen
    })
    .clone()
}

/// The scenarios, as a module per counter type.
macro_rules! family_tests {
    ($($family:ident => $counter:ty),* $(,)?) => {$(
        mod $family {
            use super::*;

            type C = $counter;

            #[test]
            fn rule1_death_is_permanent() {
                let value = S::<u32, C>::new(1);
                let r = WeakRef::new(&value);
                drop(value);
                // Later values may reuse the memory; the dead ref never sees them.
                let later: Vec<_> = (0..8).map(S::<u32, C>::new).collect();
                assert!(r.upgrade().is_none());
                assert!(!r.is_alive());
                drop(later);
                assert!(r.upgrade().is_none());
            }

            #[test]
            fn rule2_callback_runs_once_when_the_last_strong_handle_goes() {
                let alloc = CountingAlloc::new();
                let journal = Journal::default();
                let value = S::<u32, C, _>::new_in(5, alloc.clone());
                let other = S::clone(&value);
                let r = WeakRef::with_callback(&value, journal.callback("died"));
                drop(value);
                assert!(journal.entries().is_empty(), "a strong handle remains");
                assert!(r.has_callback());
                drop(other);
                assert_eq!(journal.entries(), ["died"]);
                assert!(!r.has_callback());
                drop(r);
                drop(alloc.clone());
                alloc.assert_balanced();
            }

            #[test]
            fn rule3_every_weak_handle_is_dead_before_the_first_callback() {
                let journal = Journal::default();
                let value = S::<u32, C>::new(3);
                let plain = S::downgrade(&value);
                let mut refs = Vec::new();
                for name in ["a", "b", "c"] {
                    let weak = plain.clone();
                    let journal2 = journal.clone();
                    let name = name.to_owned();
                    refs.push(WeakRef::with_callback(
                        &value,
                        move || {
                            let seen = if weak.upgrade().is_none() { "dead" } else { "ALIVE" };
                            journal2.note(format!("{name}:{seen}"));
                        },
                    ));
                }
                drop(value);
                assert_eq!(journal.entries(), ["c:dead", "b:dead", "a:dead"]);
                assert!(refs.iter().all(|r| r.upgrade().is_none()));
            }

            #[test]
            fn rule4_callbacks_run_newest_first() {
                let journal = Journal::default();
                let value = S::<u32, C>::new(4);
                let first = WeakRef::with_callback(&value, journal.callback("first"));
                let proxy = Proxy::with_callback(&value, journal.callback("proxy"));
                let method = WeakMethod::with_callback(&value, |v: &u32, ()| *v, journal.callback("method"));
                let last = WeakRef::with_callback(&value, journal.callback("last"));
                drop(value);
                assert_eq!(journal.entries(), ["last", "method", "proxy", "first"]);
                drop((first, proxy, method, last));
            }

            #[test]
            fn rule5_a_panicking_callback_does_not_stop_the_others() {
                let hook_saw = install_recording_hook();
                let journal = Journal::default();
                let log = DropLog::new();
                let value = S::<_, C>::new(log.tracked(5));
                let _a = WeakRef::with_callback(&value, journal.callback("older"));
                let _b = WeakRef::with_callback(&value, || { panic!("rule5 callback failed"); });
                let _c = WeakRef::with_callback(&value, journal.callback("newer"));
                drop(value); // no panic escapes
                assert_eq!(journal.entries(), ["newer", "older"]);
                assert_eq!(log.dropped(), [5], "the value is still dropped");
                assert!(hook_saw.lock().unwrap().iter().any(|m| m == "rule5 callback failed"));
            }

            #[test]
            fn rule6_dropping_the_handle_first_unregisters_its_callback() {
                let journal = Journal::default();
                let value = S::<u32, C>::new(6);
                let kept = WeakRef::with_callback(&value, journal.callback("kept"));
                let dropped = WeakRef::with_callback(&value, journal.callback("dropped"));
                assert_eq!(registrations(&value).len(), 2);
                drop(dropped);
                assert_eq!(registrations(&value).len(), 1);
                drop(value);
                assert_eq!(journal.entries(), ["kept"]);
                drop(kept);
            }

            #[test]
            fn rule7_a_callback_holding_the_value_keeps_it_alive() {
                let log = DropLog::new();
                let value = S::<_, C>::new(log.tracked(7));
                let captured = S::clone(&value);
                let r = WeakRef::with_callback(&value, move || drop(captured));
                drop(value);
                assert!(r.is_alive(), "the callback's strong handle keeps it alive");
                assert!(log.dropped().is_empty());
                drop(r); // unregisters: the callback (and its handle) are dropped, not run
                assert_eq!(log.dropped(), [7]);
            }

            #[test]
            fn rule8_equality_by_value_then_identity_and_a_cached_hash() {
                let state = RandomState::new();
                let a = S::<u32, C>::new(8);
                let b = S::<u32, C>::new(8);
                let c = S::<u32, C>::new(9);
                let (ra, ra2, rb, rc) = (
                    WeakRef::new(&a),
                    WeakRef::new(&a),
                    WeakRef::new(&b),
                    WeakRef::new(&c),
                );
                assert!(ra == rb, "live refs compare by value");
                assert!(ra != rc);
                assert_eq!(state.hash_one(&ra), state.hash_one(&rb));
                let hash_before = state.hash_one(&ra);
                drop(a);
                assert!(ra != rb, "a dead ref compares by identity");
                assert!(ra == ra2, "two dead refs to the same value are the same");
                assert_eq!(state.hash_one(&ra), hash_before, "the hash survives death");
                drop(c);
                let never_hashed = catch_unwind(AssertUnwindSafe(|| state.hash_one(&rc)));
                assert!(never_hashed.is_err(), "Python raises TypeError here");
            }

            #[test]
            fn rule9_callbacks_cannot_resurrect() {
                let journal = Journal::default();
                let value = S::<u32, C>::new(9);
                let weak = S::downgrade(&value);
                let j = journal.clone();
                let _r = WeakRef::with_callback(
                    &value,
                    move || j.note(format!("{:?}", weak.upgrade().map(|v| *v))),
                );
                drop(value);
                assert_eq!(journal.entries(), ["None"]);
            }

            #[test]
            fn rule10_callbacks_may_drop_handles_kill_values_and_register() {
                let journal = Journal::default();
                let alloc = CountingAlloc::new();
                let first = S::<u32, C, _>::new_in(1, alloc.clone());
                let second = S::<u32, C, _>::new_in(2, alloc.clone());
                let third = S::<u32, C, _>::new_in(3, alloc.clone());
                // A container of handles that the callbacks mutate.
                let shelf: Arc<Mutex<Vec<WeakRef<u32, C, CountingAlloc>>>> = Arc::default();
                shelf
                    .lock()
                    .unwrap()
                    .push(WeakRef::with_callback(&second, journal.callback("second died")));
                shelf
                    .lock()
                    .unwrap()
                    .push(WeakRef::with_callback(&first, journal.callback("sibling ran")));
                let third_slot = Arc::new(Mutex::new(Some(third)));
                let (j, shelf2, slot) = (journal.clone(), Arc::clone(&shelf), Arc::clone(&third_slot));
                let _reentrant = WeakRef::with_callback(
                    &first,
                    move || {
                        // Registers on another, live value...
                        let third = slot.lock().unwrap().take().unwrap();
                        let j2 = j.clone();
                        let late = WeakRef::with_callback(
                            &third,
                            move || j2.note("third died"),
                        );
                        // ...drops handles, including one of the dying value...
                        let taken: Vec<_> = shelf2.lock().unwrap().drain(..).collect();
                        drop(taken);
                        // ...kills another value, whose callbacks then run nested.
                        drop(third);
                        drop(late);
                        j.note("reentrant done");
                    },
                );
                drop(second); // "second died" runs now
                drop(first);
                assert_eq!(
                    journal.entries(),
                    ["second died", "third died", "reentrant done", "sibling ran"],
                    "the sibling's callback was taken at death, so it still runs"
                );
                drop(_reentrant);
                drop(shelf);
                drop(third_slot);
                alloc.assert_balanced();
            }

            #[test]
            fn every_way_to_end_a_value_runs_its_callbacks() {
                let journal = Journal::default();
                let value = S::<u32, C>::new(1);
                let _r = WeakRef::with_callback(&value, journal.callback("try_unwrap"));
                assert_eq!(S::try_unwrap(value).ok(), Some(1));
                let value = S::<u32, C>::new(2);
                let _r = WeakRef::with_callback(&value, journal.callback("into_inner"));
                assert_eq!(S::into_inner(value), Some(2));
                let mut value = S::<u32, C>::new(3);
                let r = WeakRef::with_callback(&value, journal.callback("make_mut"));
                *S::make_mut(&mut value) += 1; // moves away from `r`
                assert!(r.upgrade().is_none());
                assert_eq!(*value, 4);
                assert_eq!(journal.entries(), ["try_unwrap", "into_inner", "make_mut"]);
            }

            #[test]
            fn registrations_list_handles_oldest_first() {
                let value = S::<u32, C>::new(1);
                let r = WeakRef::new(&value);
                let p = Proxy::with_callback(&value, || {});
                let m = WeakMethod::new(&value, |v: &u32, ()| *v);
                let f = Finalizer::new(&value, || {});
                let plain = S::downgrade(&value);
                let found = registrations(&value);
                let summary: Vec<_> = found.iter().map(|g| (g.id(), g.kind(), g.has_callback())).collect();
                assert_eq!(
                    summary,
                    [
                        (r.id(), Kind::Ref, false),
                        (p.id(), Kind::Proxy, true),
                        (m.id(), Kind::Method, false),
                        (f.id(), Kind::Finalizer, true),
                    ]
                );
                // getweakrefcount counts every weak handle: a finalizer holds two (its
                // handle's and its registry entry's).
                assert_eq!(S::weak_count(&value), 6);
                drop((r, p, m, plain));
                f.detach();
                assert!(registrations(&value).is_empty());
            }

            #[test]
            fn proxy_raises_reference_error_once_dead() {
                let value = S::<u32, C>::new(21);
                let proxy = Proxy::new(&value);
                assert_eq!(proxy.with(|v| v * 2), Ok(42));
                drop(value);
                assert_eq!(proxy.with(|v| v * 2), Err(ReferenceError));
                assert!(proxy.get().is_err());
                assert_eq!(
                    ReferenceError.to_string(),
                    "weakly-referenced object no longer exists"
                );
            }

            #[test]
            fn rule18_weak_method_returns_none_once_the_receiver_is_gone() {
                let journal = Journal::default();
                let receiver = S::<u32, C>::new(40);
                let add = WeakMethod::with_callback(&receiver, |n: &u32, x: u32| n + x, journal.callback("gone"));
                assert_eq!(add.call(2), Some(42));
                drop(receiver);
                assert_eq!(add.call(2), None);
                assert!(!add.is_alive());
                assert_eq!(journal.entries(), ["gone"], "its callback fires once");
            }

            #[test]
            fn rule19_finalize_runs_at_most_once() {
                let journal = Journal::default();
                // At death, even with its handle dropped.
                let value = S::<u32, C>::new(1);
                drop(Finalizer::new(&value, journal.callback("at death")));
                drop(value);
                // On call, then never again.
                let value = S::<u32, C>::new(2);
                let fin = Finalizer::new(&value, journal.callback("on call"));
                assert_eq!(fin.peek().map(|v| *v), Some(2));
                assert_eq!(fin.call(), Some(()));
                assert_eq!(fin.call(), None);
                assert!(!fin.alive());
                assert!(fin.peek().is_none());
                drop(value);
                // Detached: handed back, never run by us.
                let value = S::<u32, C>::new(3);
                let fin = Finalizer::new(&value, journal.callback("detached"));
                let func = fin.detach().expect("alive");
                drop(value);
                assert!(fin.detach().is_none());
                assert_eq!(journal.entries(), ["at death", "on call"]);
                func();
                assert_eq!(journal.entries(), ["at death", "on call", "detached"]);
                // Python's `atexit` property: false once dead, and its
                // setter does nothing then.
                assert!(!fin.atexit());
                fin.set_atexit(true);
                assert!(!fin.atexit());
            }
        }
    )*};
}

family_tests!(
    local => weakref_core::count::LocalCount,
    atomic => weakref_core::count::AtomicCount,
    local_u32 => weakref_core::count::LocalCount<u32>,
    atomic_u32 => weakref_core::count::AtomicCount<u32>,
    wait_free => weakref_core::count::WaitFreeCount,
);

/// Runs `scenario` in a child process (see `child`), where it sets
/// finalizers up and returns; returns what the child printed, including
/// what its finalizers printed at exit.
fn output_at_exit(test: &str, scenario: impl FnOnce()) -> Option<String> {
    // Values alive at exit are the point here: under AddressSanitizer, the
    // child's leak check would report them (later options win).
    let asan = std::env::var("ASAN_OPTIONS").unwrap_or_default();
    let asan = format!("{asan} detect_leaks=0");
    let out = crate::child::in_child(test, &[("ASAN_OPTIONS", &asan)], scenario)?;
    assert!(out.status.success(), "child failed: {out:?}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Prints a line at once (finalizers may run after std flushed stdout).
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").unwrap();
    out.flush().unwrap();
}

/// The lines of `output` that the scenario printed, in order.
fn said(output: &str) -> Vec<&str> {
    // libtest may print its own text before ours on the same line.
    output
        .lines()
        .filter_map(|l| l.find("fin:").map(|at| &l[at..]))
        .collect()
}

/// Python's rule 19 at exit: live finalizers with `atexit` run newest
/// first, those created during exit run too, `atexit = false` ones and
/// those that already ran do not.
macro_rules! at_exit_test {
    ($name:ident, $path:literal, $counter:ty) => {
        #[test]
        #[cfg_attr(miri, ignore = "spawns a process")]
        fn $name() {
            type S<T> = Strong<T, $counter, Global>;
            let Some(output) = output_at_exit($path, || {
                let keep = |v| std::mem::ManuallyDrop::new(S::new(v));
                let first = keep(1);
                Finalizer::new(&first, || say("fin:first"));
                let quiet = keep(2);
                Finalizer::new(&quiet, || say("fin:NEVER (atexit false)")).set_atexit(false);
                let early = S::new(3);
                Finalizer::new(&early, || say("fin:died early"));
                drop(early);
                let last = keep(4);
                Finalizer::new(&last, || {
                    say("fin:last");
                    let during = std::mem::ManuallyDrop::new(S::new(5));
                    Finalizer::new(&during, || say("fin:created during exit"));
                });
            }) else {
                return;
            };
            assert_eq!(
                said(&output),
                [
                    "fin:died early",
                    "fin:last",
                    "fin:created during exit",
                    "fin:first"
                ],
                "{output}"
            );
        }
    };
}

/// `std::process::exit` runs C's `atexit` handlers, so the atomic family's
/// at-exit finalizers run; it destroys no other thread's thread-locals, so
/// a local-family finalizer of a thread still running then does not (as
/// the `Finalizer` docs say).
#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn atomic_finalizers_run_at_process_exit_call() {
    type S<T> = Strong<T, weakref_core::count::AtomicCount, Global>;
    let Some(output) = output_at_exit(
        "callbacks::atomic_finalizers_run_at_process_exit_call",
        || {
            let kept = std::mem::ManuallyDrop::new(S::new(1));
            Finalizer::new(&kept, || say("fin:at process::exit"));
            std::process::exit(0);
        },
    ) else {
        return;
    };
    assert_eq!(said(&output), ["fin:at process::exit"], "{output}");
}

/// See [`atomic_finalizers_run_at_process_exit_call`].
#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn local_finalizers_of_a_running_thread_do_not_run_at_process_exit_call() {
    type S<T> = Strong<T, weakref_core::count::LocalCount, Global>;
    let Some(output) = output_at_exit(
        "callbacks::local_finalizers_of_a_running_thread_do_not_run_at_process_exit_call",
        || {
            let (ready, wait) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let kept = std::mem::ManuallyDrop::new(S::new(1));
                Finalizer::new(&kept, || say("fin:NEVER (its thread is still running)"));
                ready.send(()).unwrap();
                loop {
                    std::thread::park();
                }
            });
            wait.recv().unwrap();
            std::process::exit(0);
        },
    ) else {
        return;
    };
    assert!(said(&output).is_empty(), "{output}");
}

/// `weakref_sync::finalize` asks the function to be `Send`, not `Sync`
/// (the registry moves it to the thread that runs it; nobody shares it).
#[test]
fn an_atomic_finalizer_needs_a_send_function_only() {
    let counter = std::cell::Cell::new(0u32); // Send, not Sync
    let value = weakref_sync::Arc::new(1);
    let fin = weakref_sync::finalize(&value, move || counter.get() + 1);
    assert_eq!(fin.call(), Some(1));
}

at_exit_test!(
    atomic_finalizers_run_at_process_exit_newest_first,
    "callbacks::atomic_finalizers_run_at_process_exit_newest_first",
    weakref_core::count::AtomicCount
);
at_exit_test!(
    wait_free_finalizers_run_at_process_exit_newest_first,
    "callbacks::wait_free_finalizers_run_at_process_exit_newest_first",
    weakref_core::count::WaitFreeCount
);
at_exit_test!(
    local_finalizers_run_at_thread_exit_newest_first,
    "callbacks::local_finalizers_run_at_thread_exit_newest_first",
    weakref_core::count::LocalCount
);
