//! Death callbacks, finalizers, weak methods and proxies over [`Arc`]
//! (Python's `weakref.ref(obj, callback)`, `finalize`, `WeakMethod`,
//! `proxy`, `getweakrefs`). Their rules (newest first, every weak handle
//! already dead, panics reported and the rest still run, dropping a handle
//! unregisters it) are in [`weakref_core::callbacks`].

use alloc::vec::Vec;

use weakref_core::count::AtomicCount;

#[cfg(feature = "std")]
pub use weakref_core::callbacks::{CallbackPanic, set_panic_hook, take_panic_hook};
pub use weakref_core::callbacks::{Kind, ReferenceError, Registration};

use crate::{Allocator, Arc, Global};

/// A registered weak handle with an optional death callback (Python's
/// `weakref.ref(obj, callback)`): see [`weakref_core::callbacks::WeakRef`].
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use weakref_sync::{Arc, WeakRef};
///
/// static DEATHS: AtomicUsize = AtomicUsize::new(0);
/// let value = Arc::new("session");
/// let r = WeakRef::with_callback(&value, || {
///     DEATHS.fetch_add(1, Ordering::Relaxed);
/// });
/// assert!(r.is_alive());
/// drop(value);
/// assert!(r.upgrade().is_none());
/// assert_eq!(DEATHS.load(Ordering::Relaxed), 1);
/// ```
pub type WeakRef<T, A = Global> = weakref_core::callbacks::WeakRef<T, AtomicCount, A>;

/// A function run once when a value dies, on `call()`, or at
/// process exit (with feature `std`) (Python's `weakref.finalize`): see
/// [`weakref_core::callbacks::Finalizer`]. Made by [`finalize`].
///
/// # Examples
///
/// ```
/// use weakref_sync::{Arc, finalize};
///
/// let value = Arc::new(1);
/// let fin = finalize(&value, || "closed");
/// assert!(fin.alive());
/// assert_eq!(fin.call(), Some("closed"));
/// assert!(!fin.alive());
/// ```
pub type Finalizer<T, F, A = Global> = weakref_core::callbacks::Finalizer<T, F, AtomicCount, A>;

/// A method bound weakly to its receiver (Python's `WeakMethod`): see
/// [`weakref_core::callbacks::WeakMethod`].
///
/// # Examples
///
/// ```
/// use weakref_sync::{Arc, WeakMethod};
///
/// let receiver = Arc::new(20);
/// let add = WeakMethod::new(&receiver, |n: &i32, x: i32| n + x);
/// assert_eq!(add.call(22), Some(42));
/// drop(receiver);
/// assert_eq!(add.call(22), None);
/// ```
pub type WeakMethod<T, F, A = Global> = weakref_core::callbacks::WeakMethod<T, F, AtomicCount, A>;

/// A weak handle whose accesses fail with [`ReferenceError`] once the value
/// died (Python's `weakref.proxy`): see [`weakref_core::callbacks::Proxy`].
///
/// # Examples
///
/// ```
/// use weakref_sync::{Arc, Proxy, ReferenceError};
///
/// let value = Arc::new(String::from("abc"));
/// let proxy = Proxy::new(&value);
/// assert_eq!(proxy.with(|s| s.len()), Ok(3));
/// drop(value);
/// assert_eq!(proxy.with(|s| s.len()), Err(ReferenceError));
/// ```
pub type Proxy<T, A = Global> = weakref_core::callbacks::Proxy<T, AtomicCount, A>;

/// Registers `func` to run once when the value of `strong` dies (Python's
/// `weakref.finalize(obj, func)`); see [`Finalizer`]. Dropping the returned
/// handle does not cancel it; `detach()` does.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use weakref_sync::{Arc, finalize};
///
/// static CLOSED: AtomicBool = AtomicBool::new(false);
/// let file = Arc::new("log.txt");
/// finalize(&file, || CLOSED.store(true, Ordering::Relaxed));
/// drop(file);
/// assert!(CLOSED.load(Ordering::Relaxed));
/// ```
pub fn finalize<T, F, R, A>(strong: &Arc<T, A>, func: F) -> Finalizer<T, F, A>
where
    T: ?Sized + Send + Sync + 'static,
    F: FnOnce() -> R + Send + 'static,
    A: Allocator + Clone + Send + Sync + 'static,
{
    Finalizer::new(strong, func)
}

/// The registered handles ([`WeakRef`], [`Proxy`], [`WeakMethod`],
/// [`Finalizer`]) of a live value, oldest first (Python's `getweakrefs`);
/// the count of all weak handles is `Arc::weak_count` (`getweakrefcount`).
///
/// # Examples
///
/// ```
/// use weakref_sync::{Arc, Kind, Proxy, WeakRef, getweakrefs};
///
/// let value = Arc::new(1);
/// let _r = WeakRef::new(&value);
/// let _p = Proxy::new(&value);
/// let kinds: Vec<Kind> = getweakrefs(&value).iter().map(|r| r.kind()).collect();
/// assert_eq!(kinds, [Kind::Ref, Kind::Proxy]);
/// ```
pub fn getweakrefs<T: ?Sized, A: Allocator>(strong: &Arc<T, A>) -> Vec<Registration> {
    weakref_core::callbacks::registrations(strong)
}
