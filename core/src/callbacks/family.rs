//! The two callback families: where each counter's registry lives, and
//! which closures it accepts.

use alloc::boxed::Box;

use super::registry::Registry;
use crate::count::RawCountWatch;

pub(crate) mod sealed {
    use super::*;

    /// The registry access behind [`CallbackFamily`](super::CallbackFamily).
    #[allow(unreachable_pub)] // a sealed supertrait
    pub trait Family: RawCountWatch + Sized {
        /// The boxed callback type of this family.
        type Callback: ?Sized;

        /// Calls a boxed callback.
        fn invoke(callback: Box<Self::Callback>);

        /// Runs `f` on this family's registry (on this thread's, for the
        /// local family). `f` must run no user code: everything that does
        /// (clones of handles and allocators, dropping entries) happens
        /// before or after. `None` if the registry is unreachable (the
        /// local one, on targets with OS-key thread-locals, once this
        /// thread destroyed it: see the `local` module).
        fn with_registry<R>(f: impl FnOnce(&mut Registry<Self::Callback>) -> R) -> Option<R>;

        /// Installs this family's exit hook: at process exit for the global
        /// registry, at thread exit for the local one.
        fn install_exit_hook();
    }
}

/// A counter whose blocks can carry death callbacks: [`LocalCount`]
/// (`weakref-std`, with feature `std`) and [`AtomicCount`] (`weakref-sync`).
///
/// Sealed. The local family keeps its registry in a thread-local (its
/// handles never leave their thread); the atomic family in one global map
/// behind a lock, held only for map operations.
///
/// [`LocalCount`]: crate::count::LocalCount
/// [`AtomicCount`]: crate::count::AtomicCount
///
/// # Examples
///
/// ```
/// use weakref_core::callbacks::CallbackFamily;
/// use weakref_core::count::AtomicCount;
///
/// fn takes_callbacks<C: CallbackFamily>() {}
/// takes_callbacks::<AtomicCount>(); // and `LocalCount`, with feature `std`
/// ```
pub trait CallbackFamily: sealed::Family {}

/// A closure that can be a death callback of family `C`: any
/// `FnOnce() + 'static` for the local family, `+ Send` for the atomic one.
///
/// # Examples
///
/// ```
/// use weakref_core::callbacks::IntoCallback;
/// use weakref_core::count::AtomicCount;
///
/// fn accepts<F: IntoCallback<AtomicCount>>(_f: F) {}
/// accepts(|| println!("gone"));
/// ```
pub trait IntoCallback<C: CallbackFamily> {
    /// Boxes the closure as `C`'s callback type.
    fn into_callback(self) -> Box<C::Callback>;
}

#[cfg(feature = "std")]
mod local {
    //! The local family's registry: one per thread, reachable until the
    //! thread's very end.
    //!
    //! A value may die in any thread-local destructor, also in one that
    //! runs after weakref's own: std runs them in reverse order of
    //! registration, so a thread-local first touched before the registry
    //! is destroyed after it. A registry kept in a thread-local with drop
    //! glue would be gone by then (its callbacks lost, the watch flags of
    //! its blocks left set: leaked blocks). So the registry lives on the
    //! heap, and the thread-local holding it, [`SLOT`], is `const` and has
    //! no drop glue: with native thread-locals (`cfg(target_thread_local)`:
    //! Linux, macOS, Windows with MSVC, Miri, among others) std registers
    //! no destructor for it, and it stays usable while any other
    //! thread-local is destroyed.
    //!
    //! A second thread-local, [`EXIT_PASS`], registered when the registry
    //! is created, has the destructor: it runs the thread's at-exit
    //! finalizers (newest first, including those created meanwhile), then
    //! marks the thread as exiting and frees the registry if it is empty.
    //! From then on, whichever access leaves the registry empty frees it
    //! (values dying in later destructors still find it, and a
    //! registration made then creates a new one). Nothing leaks unless a
    //! registration itself is leaked (a value kept alive for ever, with its
    //! `WeakRef` or finalizer): then the registry stays, as the value does.
    //!
    //! On targets whose `thread_local!` uses OS keys (no native
    //! thread-locals), std gives even [`SLOT`] a destructor, run in an
    //! order the OS chooses. A value that dies after it ran finds a fresh,
    //! empty slot: its callbacks and finalizers do not run, and the death
    //! path only clears its watch flag, so that its block is still freed.
    //! Registrations still pending when [`SLOT`] was destroyed are leaked
    //! there, with the registry holding them.

    use core::cell::{Cell, RefCell};
    use core::ptr::NonNull;

    use super::*;
    use crate::count::{LocalCount, Width};

    /// This thread's registry.
    type LocalRegistry = RefCell<Registry<dyn FnOnce()>>;

    /// Where this thread's registry is. No drop glue (see the module docs).
    struct Slot {
        /// The registry, created on first use; freed (and `None` again)
        /// once the thread is exiting and the registry is empty.
        registry: Cell<Option<NonNull<LocalRegistry>>>,
        /// Whether the thread's exit pass has run: from then on an empty
        /// registry is freed.
        exiting: Cell<bool>,
    }

    /// Runs the thread's at-exit finalizers when its thread-locals are
    /// destroyed (for the main thread: at process exit), then lets the
    /// registry go once empty.
    struct ExitPass;

    std::thread_local! {
        static SLOT: Slot = const {
            Slot {
                registry: Cell::new(None),
                exiting: Cell::new(false),
            }
        };
        static EXIT_PASS: ExitPass = const { ExitPass };
    }

    impl Slot {
        /// Runs `f` on the registry, creating it if needed; frees it
        /// afterwards if the thread is exiting and `f` left it empty.
        fn with<R>(&self, f: impl FnOnce(&mut Registry<dyn FnOnce()>) -> R) -> R {
            let registry = match self.registry.get() {
                Some(registry) => registry,
                None => self.create(),
            };
            // SAFETY: `registry` came from `Box::leak` in `create` and is
            // freed only by `free_if_empty`, which first takes it out of
            // `self.registry` and frees nothing while it is borrowed. The
            // reference lives until the `borrow_mut` guard, held across
            // `f`, is dropped at the end of this statement: a nested
            // `free_if_empty` (there is none: `f` runs no user code) would
            // find it borrowed and leave it.
            let result = f(&mut unsafe { registry.as_ref() }.borrow_mut());
            if self.exiting.get() {
                self.free_if_empty();
            }
            result
        }

        /// A new, empty registry for this thread.
        fn create(&self) -> NonNull<LocalRegistry> {
            // Registers the exit pass's destructor. Failing means it has
            // run (or is running): the thread is exiting.
            if EXIT_PASS.try_with(|_| ()).is_err() {
                self.exiting.set(true);
            }
            let registry = NonNull::from(Box::leak(Box::new(RefCell::new(Registry::new()))));
            self.registry.set(Some(registry));
            registry
        }

        /// Frees the registry if it exists, is not borrowed and is empty.
        fn free_if_empty(&self) {
            let Some(registry) = self.registry.get() else {
                return;
            };
            // SAFETY: as in `with`: the pointer is live while it is in
            // `self.registry`.
            let empty = unsafe { registry.as_ref() }
                .try_borrow()
                .is_ok_and(|r| r.is_empty());
            if empty {
                self.registry.set(None);
                // SAFETY: `registry` came from `Box::leak` in `create`. It
                // was taken out of `self.registry` just above, so no later
                // access reaches it, and it is not borrowed: no `with` is
                // running `f` on it (`try_borrow` succeeded), and no other
                // reference to it outlives a `with` call.
                drop(unsafe { Box::from_raw(registry.as_ptr()) });
            }
        }
    }

    impl Drop for ExitPass {
        fn drop(&mut self) {
            // Failing: the slot is gone (OS keys); nothing left to run.
            let _ = SLOT.try_with(|slot| {
                // Newest first, one at a time, the borrow released before
                // the finalizer runs.
                while let Some(action) = slot.with(|r| r.pop_at_exit()) {
                    crate::callbacks::panics::run_guarded(action);
                }
                slot.exiting.set(true);
                slot.free_if_empty();
            });
        }
    }

    impl<W: Width> sealed::Family for LocalCount<W> {
        type Callback = dyn FnOnce();

        fn invoke(callback: Box<Self::Callback>) {
            callback();
        }

        fn with_registry<R>(f: impl FnOnce(&mut Registry<Self::Callback>) -> R) -> Option<R> {
            // The registry never runs user code while borrowed, so this
            // borrow cannot be taken twice.
            SLOT.try_with(|slot| slot.with(f)).ok()
        }

        fn install_exit_hook() {
            // Nothing to do: the exit pass was registered with the registry.
        }
    }

    impl<W: Width> CallbackFamily for LocalCount<W> {}

    impl<W: Width> LocalCount<W> {
        /// The death hook `RawCount::notify_death` calls: this layer's
        /// callbacks (the counter below does not name them).
        #[inline]
        pub(crate) fn run_death_hooks(&self, block: usize) {
            crate::callbacks::run_death_callbacks(self, block);
        }
    }

    impl<W: Width, F: FnOnce() + 'static> IntoCallback<LocalCount<W>> for F {
        fn into_callback(self) -> Box<dyn FnOnce()> {
            Box::new(self)
        }
    }
}

#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic", weakref_loom))]
mod global {
    use super::*;
    use crate::count::{AtomicCount, AtomicWidth, StrongProtocol};
    use crate::shim;

    type GlobalRegistry = shim::Mutex<Registry<dyn FnOnce() + Send>>;

    shim::global! {
        /// The atomic family's registry.
        fn registry() -> &'static GlobalRegistry = shim::Mutex::new(Registry::new());
    }

    /// At process exit: the live at-exit finalizers, newest first,
    /// including those created meanwhile.
    extern "C" fn run_at_exit() {
        loop {
            let next = registry().lock().pop_at_exit();
            match next {
                Some(action) => crate::callbacks::panics::run_guarded(action),
                None => break,
            }
        }
    }

    impl<W: AtomicWidth, S: StrongProtocol> sealed::Family for AtomicCount<W, S> {
        type Callback = dyn FnOnce() + Send;

        fn invoke(callback: Box<Self::Callback>) {
            callback();
        }

        fn with_registry<R>(f: impl FnOnce(&mut Registry<Self::Callback>) -> R) -> Option<R> {
            Some(f(&mut registry().lock()))
        }

        fn install_exit_hook() {
            shim::at_exit(run_at_exit);
        }
    }

    impl<W: AtomicWidth, S: StrongProtocol> CallbackFamily for AtomicCount<W, S> {}

    impl<W: AtomicWidth, S: StrongProtocol> AtomicCount<W, S> {
        /// The death hook `RawCount::notify_death` calls: this layer's
        /// callbacks (the counter below does not name them).
        #[inline]
        pub(crate) fn run_death_hooks(&self, block: usize) {
            crate::callbacks::run_death_callbacks(self, block);
        }
    }

    impl<W: AtomicWidth, S: StrongProtocol, F: FnOnce() + Send + 'static>
        IntoCallback<AtomicCount<W, S>> for F
    {
        fn into_callback(self) -> Box<dyn FnOnce() + Send> {
            Box::new(self)
        }
    }
}
