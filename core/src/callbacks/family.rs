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
        /// local family). `None` if the registry is gone (the local one,
        /// while its thread exits).
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
    use core::cell::RefCell;

    use super::*;
    use crate::count::{LocalCount, Width};

    /// This thread's registry.
    struct LocalRegistry(RefCell<Registry<dyn FnOnce()>>);

    /// Runs this thread's at-exit finalizers when the thread exits (for the
    /// main thread: at process exit). A thread-local of its own, first
    /// touched after the registry, so that its destructor runs first (std
    /// runs thread-local destructors in reverse order of registration) and
    /// the registry is still there: finalizers created meanwhile register
    /// and run too.
    struct ExitDriver;

    impl Drop for ExitDriver {
        fn drop(&mut self) {
            loop {
                // Newest first, one at a time, the borrow released before
                // the finalizer runs.
                let next = LOCAL.try_with(|r| r.0.borrow_mut().pop_at_exit());
                match next {
                    Ok(Some(action)) => crate::callbacks::panics::run_guarded(action),
                    _ => break,
                }
            }
        }
    }

    std::thread_local! {
        static LOCAL: LocalRegistry = const { LocalRegistry(RefCell::new(Registry::new())) };
        static EXIT_DRIVER: ExitDriver = const { ExitDriver };
    }

    impl<W: Width> sealed::Family for LocalCount<W> {
        type Callback = dyn FnOnce();

        fn invoke(callback: Box<Self::Callback>) {
            callback();
        }

        fn with_registry<R>(f: impl FnOnce(&mut Registry<Self::Callback>) -> R) -> Option<R> {
            // The registry never runs user code while borrowed, so this
            // borrow cannot be taken twice.
            LOCAL.try_with(|r| f(&mut r.0.borrow_mut())).ok()
        }

        fn install_exit_hook() {
            // Registers the driver's destructor (after the registry's: the
            // caller just used the registry). Failing means the thread is
            // already exiting: the driver is then running.
            let _ = EXIT_DRIVER.try_with(|_| ());
        }
    }

    impl<W: Width> CallbackFamily for LocalCount<W> {}

    impl<W: Width, F: FnOnce() + 'static> IntoCallback<LocalCount<W>> for F {
        fn into_callback(self) -> Box<dyn FnOnce()> {
            Box::new(self)
        }
    }
}

#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic", weakref_loom))]
mod global {
    use super::*;
    use crate::count::{AtomicCount, AtomicWidth};
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

    impl<W: AtomicWidth> sealed::Family for AtomicCount<W> {
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

    impl<W: AtomicWidth> CallbackFamily for AtomicCount<W> {}

    impl<W: AtomicWidth, F: FnOnce() + Send + 'static> IntoCallback<AtomicCount<W>> for F {
        fn into_callback(self) -> Box<dyn FnOnce() + Send> {
            Box::new(self)
        }
    }
}
