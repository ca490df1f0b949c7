//! [`WeakMethod`]: Python's `weakref.WeakMethod`.

use core::fmt;

use super::{CallbackFamily, IntoCallback, Kind, WeakRef};
use crate::Strong;
use crate::storage::{Allocator, Global};

/// A method bound weakly to its receiver: Python's `WeakMethod`. Calling
/// it runs the method on the receiver while the receiver lives, and
/// returns `None` once it is gone. It may carry a callback, run once when
/// the receiver dies (unless the `WeakMethod` is dropped first).
///
/// The method is any `Fn(&T, Args) -> R`; pass several arguments as a
/// tuple.
///
/// # Examples
///
/// ```
/// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
/// use weakref_core::callbacks::WeakMethod;
///
/// struct Counter {
///     step: u32,
/// }
/// impl Counter {
///     fn advance(&self, from: u32) -> u32 {
///         from + self.step
///     }
/// }
///
/// let counter = Arc::new(Counter { step: 2 });
/// let advance = WeakMethod::new(&counter, Counter::advance);
/// assert_eq!(advance.call(40), Some(42));
/// drop(counter);
/// assert_eq!(advance.call(40), None);
/// ```
pub struct WeakMethod<T: ?Sized, F, C: CallbackFamily, A: Allocator = Global> {
    receiver: WeakRef<T, C, A>,
    method: F,
}

impl<T: ?Sized, F, C: CallbackFamily, A: Allocator + Clone> WeakMethod<T, F, C, A> {
    /// Binds `method` weakly to the receiver `strong`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::WeakMethod;
    ///
    /// let name = Arc::new(String::from("ada"));
    /// let shout = WeakMethod::new(&name, |s: &String, ()| s.to_uppercase());
    /// assert_eq!(shout.call(()).as_deref(), Some("ADA"));
    /// ```
    pub fn new(strong: &Strong<T, C, A>, method: F) -> Self {
        WeakMethod {
            receiver: WeakRef::register(strong, Kind::Method, None),
            method,
        }
    }

    /// Binds `method` weakly to `strong`; `callback` runs once when the
    /// receiver dies, unless this `WeakMethod` is dropped first.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use weakref_core::callbacks::WeakMethod;
    ///
    /// static GONE: AtomicBool = AtomicBool::new(false);
    /// let receiver = Arc::new(3);
    /// let double = WeakMethod::with_callback(&receiver, |n: &i32, ()| n * 2, || {
    ///     GONE.store(true, Ordering::Relaxed)
    /// });
    /// assert_eq!(double.call(()), Some(6));
    /// drop(receiver);
    /// assert!(GONE.load(Ordering::Relaxed));
    /// ```
    pub fn with_callback<G: IntoCallback<C>>(
        strong: &Strong<T, C, A>,
        method: F,
        callback: G,
    ) -> Self {
        WeakMethod {
            receiver: WeakRef::register(strong, Kind::Method, Some(callback.into_callback())),
            method,
        }
    }

    /// Calls the method on the receiver if it is alive (`None` once it is
    /// gone). The receiver is kept alive during the call.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::WeakMethod;
    ///
    /// let base = Arc::new(10);
    /// let add = WeakMethod::new(&base, |b: &i32, (x, y): (i32, i32)| b + x + y);
    /// assert_eq!(add.call((1, 2)), Some(13));
    /// ```
    pub fn call<Args, R>(&self, args: Args) -> Option<R>
    where
        F: Fn(&T, Args) -> R,
    {
        let receiver = self.receiver.upgrade()?;
        Some((self.method)(&receiver, args))
    }

    /// The receiver, if alive.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::WeakMethod;
    ///
    /// let receiver = Arc::new(1);
    /// let m = WeakMethod::new(&receiver, |n: &i32, ()| *n);
    /// assert!(Arc::ptr_eq(&m.receiver().unwrap(), &receiver));
    /// ```
    pub fn receiver(&self) -> Option<Strong<T, C, A>> {
        self.receiver.upgrade()
    }
}

impl<T: ?Sized, F, C: CallbackFamily, A: Allocator> WeakMethod<T, F, C, A> {
    /// Whether the receiver is alive.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::WeakMethod;
    ///
    /// let receiver = Arc::new(1);
    /// let m = WeakMethod::new(&receiver, |n: &i32, ()| *n);
    /// drop(receiver);
    /// assert!(!m.is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        self.receiver.is_alive()
    }
}

impl<T: ?Sized, F, C: CallbackFamily, A: Allocator> WeakMethod<T, F, C, A> {
    /// This handle's registration id (see [`WeakRef::id`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::{WeakMethod, registrations};
    ///
    /// let receiver = Arc::new(1);
    /// let m = WeakMethod::new(&receiver, |n: &i32, ()| *n);
    /// assert_eq!(registrations(&receiver)[0].id(), m.id());
    /// ```
    pub fn id(&self) -> u64 {
        self.receiver.id()
    }
}

impl<T: ?Sized, F, C: CallbackFamily, A: Allocator> fmt::Debug for WeakMethod<T, F, C, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.is_alive() { "alive" } else { "dead" };
        write!(f, "(WeakMethod #{}: {state})", self.receiver.id())
    }
}
