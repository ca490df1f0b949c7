//! [`Proxy`] and [`ReferenceError`]: Python's `weakref.proxy`.

use core::fmt;

use super::{CallbackFamily, IntoCallback, Kind, WeakRef};
use crate::Strong;
use crate::storage::{Allocator, Global};

/// The error of using a [`Proxy`] whose value has died: Python's
/// `ReferenceError`, with its message.
///
/// # Examples
///
/// ```
/// use weakref_core::callbacks::ReferenceError;
///
/// assert_eq!(
///     ReferenceError.to_string(),
///     "weakly-referenced object no longer exists"
/// );
/// let _as_error: &dyn core::error::Error = &ReferenceError;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReferenceError;

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("weakly-referenced object no longer exists")
    }
}

impl core::error::Error for ReferenceError {}

/// A weak handle used as if it were the value: Python's `weakref.proxy`.
/// Every access returns `Result<_, ReferenceError>`, an error once the value
/// is dead. Registered, with an optional callback, like [`WeakRef`].
///
/// # Examples
///
/// ```
/// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
/// use weakref_core::callbacks::{Proxy, ReferenceError};
///
/// let value = Arc::new(vec![1, 2, 3]);
/// let proxy = Proxy::new(&value);
/// assert_eq!(proxy.with(|v| v.len()), Ok(3));
/// drop(value);
/// assert_eq!(proxy.with(|v| v.len()), Err(ReferenceError));
/// ```
#[doc(alias = "proxy")]
pub struct Proxy<T: ?Sized, C: CallbackFamily, A: Allocator = Global> {
    target: WeakRef<T, C, A>,
}

impl<T: ?Sized, C: CallbackFamily, A: Allocator + Clone> Proxy<T, C, A> {
    /// A proxy to the value of `strong`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::Proxy;
    ///
    /// let value = Arc::new(2);
    /// assert_eq!(Proxy::new(&value).with(|v| v * 10), Ok(20));
    /// ```
    pub fn new(strong: &Strong<T, C, A>) -> Self {
        Proxy {
            target: WeakRef::register(strong, Kind::Proxy, None),
        }
    }

    /// A proxy whose `callback` runs when the value dies, unless the proxy
    /// is dropped first (Python's `proxy(obj, callback)`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use weakref_core::callbacks::Proxy;
    ///
    /// static CALLS: AtomicUsize = AtomicUsize::new(0);
    /// let value = Arc::new(2);
    /// let _proxy = Proxy::with_callback(&value, || {
    ///     CALLS.fetch_add(1, Ordering::Relaxed);
    /// });
    /// drop(value);
    /// assert_eq!(CALLS.load(Ordering::Relaxed), 1);
    /// ```
    pub fn with_callback<F: IntoCallback<C>>(strong: &Strong<T, C, A>, callback: F) -> Self {
        Proxy {
            target: WeakRef::register(strong, Kind::Proxy, Some(callback.into_callback())),
        }
    }

    /// A strong handle to the value, or [`ReferenceError`] once it died.
    ///
    /// # Errors
    ///
    /// [`ReferenceError`] if the value is dead.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::{Proxy, ReferenceError};
    ///
    /// let value = Arc::new(2);
    /// let proxy = Proxy::new(&value);
    /// assert_eq!(proxy.get().map(|v| *v), Ok(2));
    /// drop(value);
    /// assert_eq!(proxy.get().map(|v| *v), Err(ReferenceError));
    /// ```
    pub fn get(&self) -> Result<Strong<T, C, A>, ReferenceError> {
        self.target.upgrade().ok_or(ReferenceError)
    }

    /// Runs `f` on the value, or returns [`ReferenceError`] once it died.
    /// The value is kept alive while `f` runs.
    ///
    /// # Errors
    ///
    /// [`ReferenceError`] if the value is dead.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::Proxy;
    ///
    /// let value = Arc::new(String::from("abc"));
    /// assert_eq!(Proxy::new(&value).with(|s| s.to_uppercase()).as_deref(), Ok("ABC"));
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Result<R, ReferenceError> {
        let value = self.get()?;
        Ok(f(&value))
    }
}

impl<T: ?Sized, C: CallbackFamily, A: Allocator> Proxy<T, C, A> {
    /// Whether the value is alive.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::Proxy;
    ///
    /// let value = Arc::new(2);
    /// let proxy = Proxy::new(&value);
    /// drop(value);
    /// assert!(!proxy.is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        self.target.is_alive()
    }

    /// This proxy's registration id (see [`WeakRef::id`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::{Proxy, registrations};
    ///
    /// let value = Arc::new(2);
    /// let proxy = Proxy::new(&value);
    /// assert_eq!(registrations(&value)[0].id(), proxy.id());
    /// ```
    pub fn id(&self) -> u64 {
        self.target.id()
    }
}

impl<T: ?Sized, C: CallbackFamily, A: Allocator> fmt::Debug for Proxy<T, C, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.is_alive() { "alive" } else { "dead" };
        write!(f, "(Proxy #{}: {state})", self.id())
    }
}
