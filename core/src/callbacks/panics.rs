//! Panics in callbacks: Python reports an exception raised in a callback
//! (`sys.unraisablehook`) and goes on with the others (rule 5).
//!
//! With `std`, each callback runs under `catch_unwind`; a panic is handed to
//! the hook set by [`set_panic_hook`] (by default a line on stderr, after
//! the panic message std's own hook printed) and the remaining callbacks
//! run, then the value is dropped and the block freed as usual. The panic's
//! payload is dropped under `catch_unwind` too: a payload whose `Drop`
//! panics (again and again) cannot make the panic escape.
//!
//! Without `std` a panic cannot be caught: the remaining callbacks still run
//! while it unwinds, the value is still dropped and the block freed, and the
//! panic then propagates from the drop that killed the value. A second
//! panic during that unwinding aborts, as any panic in a destructor during
//! unwinding does. Nothing leaks and nothing is freed twice.

#[cfg(feature = "std")]
use alloc::sync::Arc;
#[cfg(feature = "std")]
use core::any::Any;

/// What a panic hook gets: the payload of a callback's panic.
///
/// # Examples
///
/// ```
/// use weakref_core::callbacks::{CallbackPanic, set_panic_hook};
///
/// set_panic_hook(|panic: &CallbackPanic<'_>| {
///     eprintln!("callback failed: {}", panic.message().unwrap_or("?"));
/// });
/// ```
#[cfg(feature = "std")]
#[derive(Debug)]
pub struct CallbackPanic<'a> {
    payload: &'a (dyn Any + Send),
}

#[cfg(feature = "std")]
impl<'a> CallbackPanic<'a> {
    /// The panic's payload, as `catch_unwind` returned it.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::callbacks::{CallbackPanic, set_panic_hook};
    ///
    /// set_panic_hook(|panic: &CallbackPanic<'_>| {
    ///     let _is_str = panic.payload().is::<&str>();
    /// });
    /// ```
    pub fn payload(&self) -> &'a (dyn Any + Send) {
        self.payload
    }

    /// The panic message, when the payload is a string (what `panic!`
    /// makes).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::callbacks::{CallbackPanic, set_panic_hook};
    ///
    /// set_panic_hook(|panic: &CallbackPanic<'_>| {
    ///     let _text: Option<&str> = panic.message();
    /// });
    /// ```
    pub fn message(&self) -> Option<&'a str> {
        let payload = self.payload;
        payload.downcast_ref::<&'static str>().copied().or_else(|| {
            payload
                .downcast_ref::<alloc::string::String>()
                .map(|s| s.as_str())
        })
    }
}

#[cfg(feature = "std")]
type Hook = Arc<dyn Fn(&CallbackPanic<'_>) + Send + Sync>;

/// A panic hook, as [`take_panic_hook`] returns it.
#[cfg(feature = "std")]
type BoxedHook = Box<dyn Fn(&CallbackPanic<'_>) + Send + Sync>;

#[cfg(feature = "std")]
static HOOK: std::sync::RwLock<Option<Hook>> = std::sync::RwLock::new(None);

/// Replaces the hook that reports panics in death callbacks and finalizers
/// (Python's `sys.unraisablehook`). The default prints one line to stderr.
///
/// The hook runs on the thread whose drop ran the callback; a panic in the
/// hook itself is ignored.
///
/// # Examples
///
/// ```
/// use weakref_core::callbacks::{CallbackPanic, set_panic_hook, take_panic_hook};
///
/// set_panic_hook(|panic: &CallbackPanic<'_>| {
///     eprintln!("ignored: {:?}", panic.message());
/// });
/// take_panic_hook(); // back to the default
/// ```
#[cfg(feature = "std")]
#[doc(alias = "unraisablehook")]
pub fn set_panic_hook<F>(hook: F)
where
    F: Fn(&CallbackPanic<'_>) + Send + Sync + 'static,
{
    *HOOK.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(hook));
}

/// Removes the hook set by [`set_panic_hook`], restoring the default, and
/// returns it (`None` if the default was in place).
///
/// # Examples
///
/// ```
/// use weakref_core::callbacks::take_panic_hook;
///
/// assert!(take_panic_hook().is_none());
/// ```
#[cfg(feature = "std")]
pub fn take_panic_hook() -> Option<BoxedHook> {
    let hook = HOOK.write().unwrap_or_else(|e| e.into_inner()).take();
    hook.map(|hook| Box::new(move |p: &CallbackPanic<'_>| hook(p)) as Box<_>)
}

#[cfg(feature = "std")]
use alloc::boxed::Box;

/// Reports a caught panic through the hook.
#[cfg(feature = "std")]
fn report(payload: &(dyn Any + Send)) {
    let panic = CallbackPanic { payload };
    let hook = HOOK.read().unwrap_or_else(|e| e.into_inner()).clone();
    let reported = std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| match hook {
        Some(hook) => hook(&panic),
        None => std::eprintln!(
            "weakref: ignored a panic in a death callback or finalizer: {}",
            panic.message().unwrap_or("Box<dyn Any>")
        ),
    }));
    // A panicking hook is ignored, as Python ignores a failing hook.
    if let Err(payload) = reported {
        drop_payload(payload);
    }
}

/// Drops a caught panic's payload, whose own `Drop` may panic too: each
/// such panic is caught and its payload dropped in turn, until a drop
/// returns normally. These secondary panics are ignored (std's panic hook
/// has printed them), as a panic in the hook is.
#[cfg(feature = "std")]
fn drop_payload(payload: Box<dyn Any + Send>) {
    let mut payload = payload;
    while let Err(next) = std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| drop(payload)))
    {
        payload = next;
    }
}

/// Runs one callback; with `std`, a panic is caught and reported, and its
/// payload dropped without letting a panic of its own escape.
pub(crate) fn run_guarded(f: impl FnOnce()) {
    #[cfg(feature = "std")]
    if let Err(payload) = std::panic::catch_unwind(core::panic::AssertUnwindSafe(f)) {
        report(&*payload);
        drop_payload(payload);
    }
    #[cfg(not(feature = "std"))]
    f();
}

/// Runs `run` on every item in order. With `std` each runs guarded; without
/// it, if one unwinds, the rest still run during the unwinding (see the
/// module docs).
pub(crate) fn run_all<I: Iterator>(items: I, mut run: impl FnMut(I::Item)) {
    /// Runs what is left of the items when dropped during unwinding.
    struct Rest<'a, I: Iterator, F: FnMut(I::Item)>(&'a mut I, &'a mut F);
    impl<I: Iterator, F: FnMut(I::Item)> Drop for Rest<'_, I, F> {
        fn drop(&mut self) {
            for item in &mut *self.0 {
                (self.1)(item);
            }
        }
    }
    let mut items = items;
    let rest = Rest(&mut items, &mut run);
    while let Some(item) = rest.0.next() {
        run_guarded(|| (rest.1)(item));
    }
    // All ran: the guard finds nothing left.
}
