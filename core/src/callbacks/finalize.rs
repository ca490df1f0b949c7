//! [`Finalizer`]: Python's `weakref.finalize`.

use alloc::boxed::Box;
use core::fmt;

use super::{CallbackFamily, Kind, unregister};
use crate::shim;
use crate::storage::{Allocator, Global};
use crate::{Strong, Weak};

/// What a finalizer shares with its registry entries.
struct Slot<F> {
    /// The function, until it runs or is detached.
    func: Option<F>,
    /// Whether it runs at exit if still alive then.
    atexit: bool,
}

/// A finalizer's shared slot, counted by the same family as its target.
type State<F, C> = Strong<shim::Mutex<Slot<F>>, C, Global>;

/// What a finalizer's registry entries carry (a named type, so that each
/// family can box it as its own callback type). Not part of the API.
#[doc(hidden)]
#[allow(missing_debug_implementations, unreachable_pub)]
pub struct Fire<T: ?Sized, F, C: CallbackFamily, A: Allocator> {
    state: State<F, C>,
    /// For the death entry: holds the target's block at its address while
    /// the entry exists, as the watch flag's contract asks (the `Finalizer`
    /// itself may be gone). The at-exit action needs none.
    _target: Option<Weak<T, C, A>>,
}

impl<T: ?Sized, F, C: CallbackFamily, A: Allocator> Fire<T, F, C, A> {
    /// The registry action: at the target's death, or at exit.
    fn run<R>(self, at_death: bool)
    where
        F: FnOnce() -> R,
    {
        if at_death {
            self.at_death();
        } else {
            self.at_exit();
        }
    }

    /// At the target's death: runs the function if still alive (the
    /// registry took the at-exit action out with this entry).
    fn at_death<R>(self)
    where
        F: FnOnce() -> R,
    {
        let func = self.state.lock().func.take();
        if let Some(func) = func {
            drop(func());
        }
    }

    /// At exit: runs the function if still alive and `atexit` is set.
    fn at_exit<R>(self)
    where
        F: FnOnce() -> R,
    {
        let func = {
            let mut slot = self.state.lock();
            if slot.atexit { slot.func.take() } else { None }
        };
        if let Some(func) = func {
            drop(func());
        }
    }
}

/// A function that runs once when a value dies: Python's
/// `weakref.finalize(obj, func)`.
///
/// The function runs **at most once**: when the value dies, on an explicit
/// [`call`](Self::call), or at exit if [`atexit`](Self::atexit) is set
/// (the default) and it is still alive then. Dropping the `Finalizer` does
/// **not** cancel it (the registry keeps it); [`detach`](Self::detach)
/// does.
///
/// At exit, the live at-exit finalizers run newest first, and finalizers
/// created meanwhile run too. "Exit" is process exit for the atomic family
/// (`weakref-sync`, with `std` on targets with C's `atexit`; not under
/// Miri), and the exit of the creating thread for the local family
/// (`weakref-std`; for the main thread, process exit): when that thread
/// destroys its thread-locals, before the thread-locals it used before its
/// first registration (values stored there die after the at-exit pass, and
/// their callbacks and unrun finalizers still run at their death). A
/// local-family finalizer created after that pass (in a later
/// thread-local's destructor) runs at its value's death only. At
/// `std::process::exit`, the atomic family's at-exit finalizers run (C's
/// `exit` runs the `atexit` handlers); the local family's run only for the
/// thread that calls it, where the platform destroys that thread's
/// thread-locals at exit (glibc does, for the main thread), never for
/// other threads still running. Never at an abort.
///
/// A finalizer holds two weak counts on its value while alive (its handle's
/// and its registry entry's), which `weak_count` includes.
///
/// The function never receives the value; capture what it needs. A
/// function that captures a strong handle to the value keeps it alive
/// (until it runs at exit).
///
/// # Examples
///
/// ```
/// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
/// use std::sync::mpsc;
/// use weakref_core::callbacks::Finalizer;
///
/// let (tx, rx) = mpsc::channel();
/// let file = Arc::new("data.tmp");
/// let cleanup = Finalizer::new(&file, move || tx.send("removed data.tmp").unwrap());
/// assert!(cleanup.alive());
/// drop(file);
/// assert!(!cleanup.alive());
/// assert_eq!(rx.try_recv(), Ok("removed data.tmp"));
/// ```
#[doc(alias = "finalize")]
pub struct Finalizer<T: ?Sized, F, C: CallbackFamily, A: Allocator = Global> {
    target: Weak<T, C, A>,
    state: State<F, C>,
    key: usize,
    id: Option<u64>,
}

impl<T: ?Sized, F, C: FinalizerFamily<T, F, A>, A: Allocator + Clone> Finalizer<T, F, C, A> {
    /// Registers `func` to run once when the value of `strong` dies (or at
    /// [`call`](Self::call), or at exit): Python's `finalize(obj, func)`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use weakref_core::callbacks::Finalizer;
    ///
    /// static RAN: AtomicBool = AtomicBool::new(false);
    /// let value = Arc::new(1);
    /// let _fin = Finalizer::new(&value, || RAN.store(true, Ordering::Relaxed));
    /// drop(value);
    /// assert!(RAN.load(Ordering::Relaxed));
    /// ```
    pub fn new(strong: &Strong<T, C, A>, func: F) -> Self {
        let boxed = C::boxed;
        let state: State<F, C> = Strong::new(shim::Mutex::new(Slot {
            func: Some(func),
            atexit: true,
        }));
        // The weak handle first (the watch flag's contract).
        let target = Strong::downgrade(strong);
        let key = strong.block_addr();
        // Everything that runs user code (the allocator's `clone`, in
        // `target.clone()`) happens here, before the registry is taken.
        let at_death = boxed(
            Fire {
                state: state.clone(),
                _target: Some(target.clone()),
            },
            true,
        );
        let at_exit = boxed(
            Fire {
                state: state.clone(),
                _target: None,
            },
            false,
        );
        // Both entries in one visit, which only moves the boxes in. If the
        // registry is gone, the closure and its boxes are dropped unused.
        let registered = C::with_registry(|r| {
            let id = r.insert(strong.count(), key, Kind::Finalizer, Some(at_death));
            let first_exit = r.insert_at_exit(id, at_exit);
            (id, first_exit)
        });
        let id = registered.map(|(id, first_exit)| {
            if first_exit {
                C::install_exit_hook();
            }
            id
        });
        Finalizer {
            target,
            state,
            key,
            id,
        }
    }

    /// A strong handle to the value while the finalizer is alive (Python's
    /// `peek()`, which returns the object and the function; a Rust closure
    /// cannot be lent out of the shared slot).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::Finalizer;
    ///
    /// let value = Arc::new(4);
    /// let fin = Finalizer::new(&value, || {});
    /// assert_eq!(fin.peek().map(|v| *v), Some(4));
    /// fin.detach();
    /// assert!(fin.peek().is_none());
    /// ```
    pub fn peek(&self) -> Option<Strong<T, C, A>> {
        if self.alive() {
            self.target.upgrade()
        } else {
            None
        }
    }
}

impl<T: ?Sized, F, C: CallbackFamily, A: Allocator> Finalizer<T, F, C, A> {
    /// Whether the function has yet to run (and was not detached).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::Finalizer;
    ///
    /// let value = Arc::new(4);
    /// let fin = Finalizer::new(&value, || {});
    /// assert!(fin.alive());
    /// fin.call();
    /// assert!(!fin.alive());
    /// ```
    pub fn alive(&self) -> bool {
        self.state.lock().func.is_some()
    }

    /// Takes the function out if it has yet to run, and unregisters it:
    /// it will never run. `None` if it already ran or was detached.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::Finalizer;
    ///
    /// let value = Arc::new(4);
    /// let fin = Finalizer::new(&value, || 99);
    /// let func = fin.detach().unwrap();
    /// drop(value); // nothing runs
    /// assert_eq!(func(), 99);
    /// assert!(fin.detach().is_none());
    /// ```
    pub fn detach(&self) -> Option<F> {
        let func = self.state.lock().func.take()?;
        self.unregister();
        Some(func)
    }

    /// Runs the function now if it has yet to run, and returns its result;
    /// `None` if it already ran or was detached.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::Finalizer;
    ///
    /// let value = Arc::new(4);
    /// let fin = Finalizer::new(&value, || "flushed");
    /// assert_eq!(fin.call(), Some("flushed"));
    /// assert_eq!(fin.call(), None); // at most once
    /// ```
    pub fn call<R>(&self) -> Option<R>
    where
        F: FnOnce() -> R,
    {
        let func = self.detach()?;
        Some(func())
    }

    /// Whether the function will run at exit: it is still alive and its
    /// `atexit` flag is set (default `true`). `false` once the finalizer is
    /// dead (called, detached or run), as Python's `finalize.atexit`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::Finalizer;
    ///
    /// let value = Arc::new(4);
    /// let fin = Finalizer::new(&value, || {});
    /// assert!(fin.atexit());
    /// fin.set_atexit(false);
    /// assert!(!fin.atexit());
    /// fin.set_atexit(true);
    /// fin.call();
    /// assert!(!fin.atexit()); // dead
    /// ```
    pub fn atexit(&self) -> bool {
        let slot = self.state.lock();
        slot.func.is_some() && slot.atexit
    }

    /// Sets whether the function runs at exit if still alive then; does
    /// nothing once the finalizer is dead (Python's setter).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::Finalizer;
    ///
    /// let value = Arc::new(4);
    /// let fin = Finalizer::new(&value, || println!("not at exit"));
    /// fin.set_atexit(false);
    /// # fin.detach();
    /// ```
    pub fn set_atexit(&self, atexit: bool) {
        let mut slot = self.state.lock();
        if slot.func.is_some() {
            slot.atexit = atexit;
        }
    }

    /// This finalizer's registration id, as
    /// [`registrations`](super::registrations) lists it.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::{Finalizer, Kind, registrations};
    ///
    /// let value = Arc::new(4);
    /// let fin = Finalizer::new(&value, || {});
    /// let found = registrations(&value);
    /// assert_eq!((found[0].id(), found[0].kind()), (fin.id(), Kind::Finalizer));
    /// ```
    pub fn id(&self) -> u64 {
        self.id.unwrap_or(0)
    }

    /// Removes both registry entries (after the function was taken).
    fn unregister(&self) {
        let Some(id) = self.id else { return };
        let exit_action = C::with_registry(|r| r.remove_at_exit(id));
        drop(exit_action);
        if let Some(count) = self.target.count() {
            unregister(count, self.key, id);
        }
    }
}

/// A family whose finalizers may hold a target `T`, function `F` and
/// allocator `A`: for the local family, any `'static` ones; for the atomic
/// family, `Send + Sync` targets and allocators and a `Send` function (the
/// registry may run it on any thread). Implemented for both families.
///
/// # Examples
///
/// ```
/// use weakref_core::callbacks::FinalizerFamily;
/// use weakref_core::count::AtomicCount;
/// use weakref_core::storage::Global;
///
/// fn accepts<C: FinalizerFamily<str, fn(), Global>>() {}
/// accepts::<AtomicCount>();
/// ```
pub trait FinalizerFamily<T: ?Sized, F, A: Allocator>: CallbackFamily {
    /// Boxes one of a finalizer's two registry actions (at death, or at
    /// exit) as this family's callback.
    #[doc(hidden)]
    #[allow(private_interfaces)]
    fn boxed(fire: Fire<T, F, Self, A>, at_death: bool) -> Box<Self::Callback>;
}

#[cfg(feature = "std")]
impl<T, F, R, W, A> FinalizerFamily<T, F, A> for crate::count::LocalCount<W>
where
    T: ?Sized + 'static,
    F: FnOnce() -> R + 'static,
    W: crate::count::Width,
    A: Allocator + 'static,
{
    #[allow(private_interfaces)]
    fn boxed(fire: Fire<T, F, Self, A>, at_death: bool) -> Box<Self::Callback> {
        Box::new(move || fire.run(at_death))
    }
}

#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic", weakref_loom))]
impl<T, F, R, W, S, A> FinalizerFamily<T, F, A> for crate::count::AtomicCount<W, S>
where
    T: ?Sized + Send + Sync + 'static,
    F: FnOnce() -> R + Send + 'static,
    W: crate::count::AtomicWidth,
    S: crate::count::StrongProtocol,
    A: Allocator + Send + Sync + 'static,
{
    #[allow(private_interfaces)]
    fn boxed(fire: Fire<T, F, Self, A>, at_death: bool) -> Box<Self::Callback> {
        Box::new(move || fire.run(at_death))
    }
}

impl<T: ?Sized, F, C: CallbackFamily, A: Allocator> fmt::Debug for Finalizer<T, F, C, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.alive() { "alive" } else { "dead" };
        write!(f, "(Finalizer #{}: {state})", self.id())
    }
}
