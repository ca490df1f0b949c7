//! [`Wake`]: std's `Wake` for the atomic family, so that a
//! `Strong<W, AtomicCount, Global>` (weakref-sync's `Arc<W>`) becomes a
//! [`Waker`] without a custom [`RawWaker`].
//!
//! std's `Wake` is implemented for types held in std's `Arc` (its methods
//! take `self: Arc<Self>`), which our handles are not. This is the same
//! trait for ours, with associated functions taking the handle (as every
//! operation on [`Strong`] is), and the same conversions:
//! `Waker::from(arc)` and `RawWaker::from(arc)`.

use core::mem::ManuallyDrop;
use core::task::{RawWaker, RawWakerVTable, Waker};

use crate::count::AtomicCount;
use crate::storage::Global;
use crate::strong::Strong;

/// The handle a [`Wake`] implementor is woken through (weakref-sync's
/// `Arc<W>`).
type Arc<W> = Strong<W, AtomicCount, Global>;

/// A task waker held in the atomic family's handle (std's
/// `std::task::Wake`, for `Strong<W, AtomicCount, Global>`).
///
/// Implement it, then turn an `Arc<W>` into a [`Waker`] with
/// `Waker::from(arc)`: waking calls [`wake`](Wake::wake) or
/// [`wake_by_ref`](Wake::wake_by_ref); cloning the waker clones the handle,
/// dropping it drops the handle.
///
/// # Examples
///
/// ```
/// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
/// use core::sync::atomic::{AtomicUsize, Ordering};
/// use core::task::Waker;
/// use weakref_core::task::Wake;
///
/// struct Counter(AtomicUsize);
/// impl Wake for Counter {
///     fn wake(this: Arc<Self>) {
///         this.0.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// let counter = Arc::new(Counter(AtomicUsize::new(0)));
/// let waker = Waker::from(Arc::clone(&counter));
/// waker.wake_by_ref();
/// waker.clone().wake();
/// assert_eq!(counter.0.load(Ordering::Relaxed), 2);
/// drop(waker);
/// assert_eq!(Arc::strong_count(&counter), 1);
/// ```
pub trait Wake {
    /// Wakes the task, consuming the handle (std's `Wake::wake`).
    fn wake(this: Arc<Self>);

    /// Wakes the task without consuming the handle (std's
    /// `Wake::wake_by_ref`). By default it clones the handle and calls
    /// [`wake`](Wake::wake); override it to avoid the clone.
    fn wake_by_ref(this: &Arc<Self>) {
        Self::wake(Arc::clone(this));
    }
}

impl<W: Wake + Send + Sync + 'static> From<Arc<W>> for Waker {
    /// A waker that wakes through `W`'s [`Wake`] (std's
    /// `impl From<Arc<W>> for Waker`). The waker owns the handle's strong
    /// count; it is given back when the last waker is dropped or woken.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use core::task::Waker;
    /// use weakref_core::task::Wake;
    ///
    /// struct Nop;
    /// impl Wake for Nop {
    ///     fn wake(_this: Arc<Self>) {}
    /// }
    /// let nop = Arc::new(Nop);
    /// let waker = Waker::from(Arc::clone(&nop));
    /// assert_eq!(Arc::strong_count(&nop), 2);
    /// drop(waker);
    /// assert_eq!(Arc::strong_count(&nop), 1);
    /// ```
    fn from(waker: Arc<W>) -> Waker {
        // SAFETY: `raw_waker` returns a `RawWaker` whose data pointer holds
        // one strong count of a live `Arc<W>` and whose vtable functions
        // meet `RawWakerVTable`'s contract (each documented below);
        // `W: Send + Sync + 'static` makes the handle usable from any
        // thread for as long as any waker lives, as `Waker` requires.
        unsafe { Waker::from_raw(raw_waker(waker)) }
    }
}

impl<W: Wake + Send + Sync + 'static> From<Arc<W>> for RawWaker {
    /// The raw waker behind `Waker::from(arc)` (std's
    /// `impl From<Arc<W>> for RawWaker`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use core::task::{RawWaker, Waker};
    /// use weakref_core::task::Wake;
    ///
    /// struct Nop;
    /// impl Wake for Nop {
    ///     fn wake(_this: Arc<Self>) {}
    /// }
    /// let raw = RawWaker::from(Arc::new(Nop));
    /// // SAFETY: a `RawWaker` from `From<Arc<W>>` meets `Waker`'s contract.
    /// let waker = unsafe { Waker::from_raw(raw) };
    /// waker.wake();
    /// ```
    fn from(waker: Arc<W>) -> RawWaker {
        raw_waker(waker)
    }
}

/// The vtable of `W`'s wakers.
struct VTable<W>(core::marker::PhantomData<W>);

impl<W: Wake + Send + Sync + 'static> VTable<W> {
    const VTABLE: RawWakerVTable = RawWakerVTable::new(
        clone_waker::<W>,
        wake::<W>,
        wake_by_ref::<W>,
        drop_waker::<W>,
    );
}

/// A `RawWaker` owning `waker`'s strong count.
fn raw_waker<W: Wake + Send + Sync + 'static>(waker: Arc<W>) -> RawWaker {
    RawWaker::new(Arc::into_raw(waker).cast::<()>(), &VTable::<W>::VTABLE)
}

/// The waker's `clone`: one more strong count, for the new waker.
///
/// # Safety
///
/// `data` must be the data pointer of a live waker made by [`raw_waker`]
/// for this `W` (so it comes from `Arc::<W>::into_raw` and owns a strong
/// count, which stays held for the whole call).
unsafe fn clone_waker<W: Wake + Send + Sync + 'static>(data: *const ()) -> RawWaker {
    // SAFETY: the caller guarantees `data` came from `into_raw` of an
    // `Arc<W>` whose count the live waker holds during the call.
    unsafe { Arc::<W>::increment_strong_count(data.cast::<W>()) };
    RawWaker::new(data, &VTable::<W>::VTABLE)
}

/// The waker's `wake`: wakes through `W::wake`, giving the waker's count
/// to it.
///
/// # Safety
///
/// `data` must be the data pointer of a waker made by [`raw_waker`] for
/// this `W`, whose strong count the caller gives up (the waker is consumed).
unsafe fn wake<W: Wake + Send + Sync + 'static>(data: *const ()) {
    // SAFETY: the caller guarantees `data` came from `into_raw` of an
    // `Arc<W>` and hands over the waker's strong count, which the handle
    // takes back.
    let waker = unsafe { Arc::<W>::from_raw(data.cast::<W>()) };
    W::wake(waker);
}

/// The waker's `wake_by_ref`: wakes through `W::wake_by_ref`, keeping the
/// waker's count.
///
/// # Safety
///
/// `data` must be the data pointer of a live waker made by [`raw_waker`]
/// for this `W` (its strong count stays held for the whole call).
unsafe fn wake_by_ref<W: Wake + Send + Sync + 'static>(data: *const ()) {
    // SAFETY: the caller guarantees `data` came from `into_raw` of an
    // `Arc<W>` whose count the waker keeps; `ManuallyDrop` borrows that
    // count for the call and never gives it up.
    let waker = ManuallyDrop::new(unsafe { Arc::<W>::from_raw(data.cast::<W>()) });
    W::wake_by_ref(&waker);
}

/// The waker's `drop`: gives up the waker's strong count.
///
/// # Safety
///
/// `data` must be the data pointer of a waker made by [`raw_waker`] for
/// this `W`, whose strong count the caller gives up (the waker is dropped).
unsafe fn drop_waker<W: Wake + Send + Sync + 'static>(data: *const ()) {
    // SAFETY: the caller guarantees `data` came from `into_raw` of an
    // `Arc<W>` and gives up the waker's strong count.
    unsafe { Arc::<W>::decrement_strong_count(data.cast::<W>()) };
}
