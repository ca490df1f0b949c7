//! [`WeakRef`]: Python's `weakref.ref`, with an optional death callback.

use alloc::boxed::Box;
use core::fmt;
use core::hash::{Hash, Hasher};

use super::{CallbackFamily, Digest, IntoCallback, Kind, unregister};
use crate::shim;
use crate::storage::{Allocator, Global};
use crate::{Strong, Weak};

/// A registered weak handle: Python's `weakref.ref(obj, callback)`.
///
/// Like [`Weak`], it does not keep the value alive and
/// [`upgrade`](Self::upgrade)s while the value lives. Unlike `Weak`:
///
/// * it may carry a **death callback**, run once when the value dies,
///   newest first with the value's other callbacks, after every weak handle
///   is dead; dropping the `WeakRef` first unregisters it (rules 2–6);
/// * it is listed by [`registrations`](super::registrations)
///   (`getweakrefs`);
/// * it compares and hashes like Python's refs (rule 8): two live refs
///   compare by value; if either is dead, by identity (the same value). The
///   hash is the value's, computed on first use and cached, so a ref hashed
///   while alive still hashes once dead.
///
/// The callback is held strongly: a callback that captures a strong handle
/// to the value keeps it alive until the `WeakRef` is dropped (rule 7).
///
/// # Examples
///
/// ```
/// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use weakref_core::callbacks::WeakRef;
///
/// static DIED: AtomicBool = AtomicBool::new(false);
/// let value = Arc::new(String::from("config"));
/// let r = WeakRef::with_callback(&value, || DIED.store(true, Ordering::Relaxed));
/// assert_eq!(r.upgrade().as_deref().map(String::as_str), Some("config"));
/// drop(value);
/// assert!(DIED.load(Ordering::Relaxed));
/// assert!(r.upgrade().is_none());
/// ```
#[doc(alias = "ref")]
pub struct WeakRef<T: ?Sized, C: CallbackFamily, A: Allocator = Global> {
    weak: Weak<T, C, A>,
    key: usize,
    /// `None` if the registry was unreachable (the local family, on a
    /// target with OS-key thread-locals, late in its thread's exit): then
    /// nothing is registered.
    id: Option<u64>,
    /// The value's hash, once computed (rule 8).
    hash: shim::Mutex<Option<u64>>,
}

impl<T: ?Sized, C: CallbackFamily, A: Allocator + Clone> WeakRef<T, C, A> {
    /// A registered weak handle without a callback: Python's
    /// `weakref.ref(obj)`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::WeakRef;
    ///
    /// let value = Arc::new(5);
    /// let r = WeakRef::new(&value);
    /// assert_eq!(r.upgrade().map(|v| *v), Some(5));
    /// drop(value);
    /// assert!(!r.is_alive());
    /// ```
    pub fn new(strong: &Strong<T, C, A>) -> Self {
        Self::register(strong, Kind::Ref, None)
    }

    /// A registered weak handle whose `callback` runs when the value dies,
    /// unless this handle is dropped first.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use std::sync::mpsc;
    /// use weakref_core::callbacks::WeakRef;
    ///
    /// let (tx, rx) = mpsc::channel();
    /// let value = Arc::new(7);
    /// let _r = WeakRef::with_callback(&value, move || tx.send("gone").unwrap());
    /// drop(value);
    /// assert_eq!(rx.try_recv(), Ok("gone"));
    /// ```
    pub fn with_callback<F: IntoCallback<C>>(strong: &Strong<T, C, A>, callback: F) -> Self {
        Self::register(strong, Kind::Ref, Some(callback.into_callback()))
    }

    /// Registers a new handle of `kind`.
    pub(crate) fn register(
        strong: &Strong<T, C, A>,
        kind: Kind,
        callback: Option<Box<C::Callback>>,
    ) -> Self {
        // The weak handle first: from here on weak >= 2, as the watch flag's
        // contract asks, and the block stays at this address while the
        // entry exists.
        let weak = Strong::downgrade(strong);
        let key = strong.block_addr();
        let id = C::with_registry(|r| r.insert(strong.count(), key, kind, callback));
        WeakRef {
            weak,
            key,
            id,
            hash: shim::Mutex::new(None),
        }
    }

    /// A strong handle to the value if it is alive (Python's `r()`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::WeakRef;
    ///
    /// let value = Arc::new(1);
    /// let r = WeakRef::new(&value);
    /// assert!(r.upgrade().is_some());
    /// drop(value);
    /// assert!(r.upgrade().is_none());
    /// ```
    pub fn upgrade(&self) -> Option<Strong<T, C, A>> {
        self.weak.upgrade()
    }

    /// A plain [`Weak`] to the same value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::WeakRef;
    ///
    /// let value = Arc::new(1);
    /// let weak = WeakRef::new(&value).weak();
    /// assert!(weak.upgrade().is_some());
    /// ```
    pub fn weak(&self) -> Weak<T, C, A> {
        self.weak.clone()
    }
}

impl<T: ?Sized, C: CallbackFamily, A: Allocator> WeakRef<T, C, A> {
    /// Whether the value is alive (`r() is not None`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::WeakRef;
    ///
    /// let value = Arc::new(1);
    /// let r = WeakRef::new(&value);
    /// assert!(r.is_alive());
    /// drop(value);
    /// assert!(!r.is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        self.weak.strong_count() > 0
    }

    /// Whether this handle's callback is still pending: it has one, and the
    /// value has not died (Python's `__callback__ is not None`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::WeakRef;
    ///
    /// let value = Arc::new(1);
    /// let r = WeakRef::with_callback(&value, || {});
    /// assert!(r.has_callback());
    /// drop(value);
    /// assert!(!r.has_callback());
    /// ```
    pub fn has_callback(&self) -> bool {
        let (key, Some(id)) = (self.key, self.id) else {
            return false;
        };
        C::with_registry(|r| r.has_callback(key, id)).unwrap_or(false)
    }

    /// This handle's registration id, as [`registrations`](super::registrations)
    /// lists it (0 if it could not register: a local-family handle made
    /// late in its thread's exit, on a target whose thread-locals use OS
    /// keys).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::WeakRef;
    ///
    /// let value = Arc::new(1);
    /// assert_ne!(WeakRef::new(&value).id(), WeakRef::new(&value).id());
    /// ```
    pub fn id(&self) -> u64 {
        self.id.unwrap_or(0)
    }

    /// Whether both refer to the same allocation (identity, `is`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::WeakRef;
    ///
    /// let a = Arc::new(1);
    /// let b = Arc::new(1);
    /// assert!(WeakRef::ptr_eq(&WeakRef::new(&a), &WeakRef::new(&a)));
    /// assert!(!WeakRef::ptr_eq(&WeakRef::new(&a), &WeakRef::new(&b)));
    /// ```
    pub fn ptr_eq(&self, other: &Self) -> bool {
        self.weak.ptr_eq(&other.weak)
    }

    /// The number of strong handles (0 once dead).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::WeakRef;
    ///
    /// let value = Arc::new(1);
    /// assert_eq!(WeakRef::new(&value).strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.weak.strong_count()
    }

    /// The number of weak handles, this one included (0 once dead).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::WeakRef;
    ///
    /// let value = Arc::new(1);
    /// assert_eq!(WeakRef::new(&value).weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.weak.weak_count()
    }
}

impl<T: ?Sized, C: CallbackFamily, A: Allocator> Drop for WeakRef<T, C, A> {
    /// Unregisters the handle: its callback, if the value has not died yet,
    /// will never run (rule 6).
    fn drop(&mut self) {
        if let (Some(count), Some(id)) = (self.weak.count(), self.id) {
            unregister(count, self.key, id);
        }
    }
}

impl<T: ?Sized + PartialEq, C: CallbackFamily, A: Allocator + Clone> PartialEq
    for WeakRef<T, C, A>
{
    /// Two live refs compare by value; if either is dead, by identity.
    fn eq(&self, other: &Self) -> bool {
        match (self.upgrade(), other.upgrade()) {
            (Some(a), Some(b)) => *a == *b,
            _ => self.ptr_eq(other),
        }
    }
}

impl<T: ?Sized + Eq, C: CallbackFamily, A: Allocator + Clone> Eq for WeakRef<T, C, A> {}

impl<T: ?Sized + Hash, C: CallbackFamily, A: Allocator + Clone> Hash for WeakRef<T, C, A> {
    /// The value's hash, computed on first use and cached.
    ///
    /// # Panics
    ///
    /// If the value is dead and this handle was never hashed while it lived
    /// (where Python raises `TypeError`).
    fn hash<H: Hasher>(&self, state: &mut H) {
        let cached = *self.hash.lock();
        let digest = match cached {
            Some(digest) => digest,
            None => {
                let value = self.upgrade().expect(
                    "weakref: cannot hash a dead WeakRef that was never hashed while alive",
                );
                let mut digest = Digest::default();
                (*value).hash(&mut digest);
                let digest = digest.finish();
                *self.hash.lock() = Some(digest);
                digest
            }
        };
        state.write_u64(digest);
    }
}

impl<T: ?Sized, C: CallbackFamily, A: Allocator> fmt::Debug for WeakRef<T, C, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.is_alive() { "alive" } else { "dead" };
        write!(f, "(WeakRef #{}: {state})", self.id())
    }
}
