//! Leaking on purpose: [`forget`] and [`leak`] never drop their value, as
//! `mem::forget` and `Box::leak` don't, but keep it reachable from a
//! `static`, so that Miri's leak checker reports only the leaks a test did
//! not mean to make.
//!
//! ```
//! use weakref_std::Rc;
//!
//! let five = Rc::new(5);
//! let weak = Rc::downgrade(&five);
//! weakref_tests::leak::forget(five); // never dropped: the value lives on
//! assert_eq!(weak.upgrade().map(|v| *v), Some(5));
//! ```

use std::sync::Mutex;

/// Every value leaked so far, by address (with its provenance).
static KEPT: Mutex<Vec<Kept>> = Mutex::new(Vec::new());

/// A leaked value's address; never dereferenced.
struct Kept(#[allow(dead_code, reason = "held, never read")] *const ());

// SAFETY: the pointer is never dereferenced, only held so that the leaked
// box stays reachable; moving it across threads moves no access.
unsafe impl Send for Kept {}

/// Never drops `value` (as `mem::forget`), keeping it reachable.
///
/// # Examples
///
/// ```
/// let log = weakref_tests::DropLog::new();
/// weakref_tests::leak::forget(log.tracked(1));
/// assert!(log.dropped().is_empty());
/// ```
pub fn forget<T: 'static>(value: T) {
    let _ = leak(value);
}

/// `Box::leak(Box::new(value))`, keeping it reachable.
///
/// # Examples
///
/// ```
/// let forever: &'static u32 = weakref_tests::leak::leak(7);
/// assert_eq!(*forever, 7);
/// ```
pub fn leak<T: 'static>(value: T) -> &'static T {
    let leaked: &'static T = Box::leak(Box::new(value));
    KEPT.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Kept(core::ptr::from_ref(leaked).cast()));
    leaked
}
