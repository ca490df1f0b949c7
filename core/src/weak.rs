//! [`Weak`]: the generic weak handle.

use core::alloc::Layout;
use core::fmt;
use core::mem::{self, ManuallyDrop};
use core::ptr::{self, NonNull};

use crate::block::Block;
use crate::count::RawCount;
use crate::storage::Allocator;
#[cfg(feature = "alloc")]
use crate::storage::Global;
use crate::strong::Strong;

/// A weak handle: it keeps the block's memory but not the value alive.
///
/// [`upgrade`](Weak::upgrade) gives a [`Strong`] handle while the value
/// lives and `None` forever after — Python's `weakref.ref(obj)()`. A `Weak`
/// made by [`Weak::new`] never upgrades and allocates nothing.
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// let strong = Rc::new(5);
/// let weak = Rc::downgrade(&strong);
/// assert_eq!(weak.upgrade().as_deref(), Some(&5));
/// drop(strong);
/// assert_eq!(weak.upgrade(), None);
/// ```
pub struct Weak<T: ?Sized, C: RawCount, A: Allocator> {
    /// Either the dangling sentinel (address `usize::MAX`, made for sized
    /// `T` only, but it may carry unsized metadata after a nightly
    /// `CoerceUnsized` coercion; every path tests the address first: no
    /// block can start there, as it must be aligned and non-empty)
    /// or a block holding one weak count for us (I1, I2).
    ptr: NonNull<Block<C, T>>,
    alloc: A,
}

// Why these bounds? As for `Strong`: an upgrade on another thread yields a
// `Strong` there, so the same conditions apply (std `Weak`'s bounds).
//
// SAFETY: the counter's `RawCount` contract makes concurrent count
// operations sound when `C: Sync`; `T: Send + Sync` covers the `Strong` an
// upgrade makes; the allocator moves with the handle (`A: Send`). Caught if
// broken by: the `compile_fail` examples in `crate::safety`, the loom models.
unsafe impl<T, C, A> Send for Weak<T, C, A>
where
    T: ?Sized + Send + Sync,
    C: RawCount + Send + Sync,
    A: Allocator + Send,
{
}

// SAFETY: as for `Send`: `&Weak` can upgrade or clone on any thread, sharing
// the counter (`C: Sync`) and the allocator (`A: Sync`). Caught if broken
// by: as for `Send`.
unsafe impl<T, C, A> Sync for Weak<T, C, A>
where
    T: ?Sized + Send + Sync,
    C: RawCount + Send + Sync,
    A: Allocator + Sync,
{
}

/// The address of `Weak::new`'s sentinel.
const DANGLING: usize = usize::MAX;

#[cfg(feature = "alloc")]
impl<T, C: RawCount> Weak<T, C, Global> {
    /// A weak handle to nothing: it never upgrades, and allocates nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Weak<T> = weakref_core::Weak<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let empty: Weak<i64> = Weak::new();
    /// assert!(empty.upgrade().is_none());
    /// assert_eq!(empty.strong_count(), 0);
    /// ```
    #[must_use]
    #[inline]
    pub const fn new() -> Self {
        Self::new_in(Global)
    }
}

impl<T, C: RawCount, A: Allocator> Weak<T, C, A> {
    /// A weak handle to nothing, carrying `alloc`; it never upgrades.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Weak<T> = weakref_core::Weak<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use weakref_core::storage::Global;
    /// let empty: Weak<i64> = Weak::new_in(Global);
    /// assert!(empty.upgrade().is_none());
    /// ```
    #[must_use]
    #[inline]
    pub const fn new_in(alloc: A) -> Self {
        // SAFETY: `DANGLING` is not 0.
        let ptr = unsafe { NonNull::new_unchecked(ptr::without_provenance_mut(DANGLING)) };
        Weak { ptr, alloc }
    }
}

impl<T: ?Sized, C: RawCount, A: Allocator> Weak<T, C, A> {
    /// Wraps a block pointer and allocator without touching the counts.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a block allocated by `alloc` (or an allocator
    /// equal to it), and the caller must hand one weak count over to the
    /// returned handle.
    #[inline(always)]
    pub(crate) unsafe fn from_inner_in(ptr: NonNull<Block<C, T>>, alloc: A) -> Self {
        Weak { ptr, alloc }
    }

    /// Consumes the handle into its block pointer and allocator, keeping the
    /// weak count it held (the inverse of `from_inner_in`).
    #[inline(always)]
    pub(crate) fn into_inner_with_allocator(self) -> (NonNull<Block<C, T>>, A) {
        let this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again: the allocator is
        // moved, not duplicated.
        (this.ptr, unsafe { ptr::read(&raw const this.alloc) })
    }

    /// Whether this is `Weak::new`'s sentinel rather than a block.
    #[inline(always)]
    fn is_dangling(&self) -> bool {
        self.ptr.as_ptr().cast::<u8>().addr() == DANGLING
    }

    /// Asks the CPU to start loading our block's counts into the cache,
    /// without waiting for them (the weak collections' scans). A hint: it
    /// reads nothing the program can see, and is a no-op under Miri and
    /// on targets other than x86-64.
    #[cfg(feature = "collections")]
    #[inline(always)]
    pub(crate) fn prefetch(&self) {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        #[allow(
            unused_unsafe,
            reason = "safe to call since Rust 1.86 (target_feature 1.1), unsafe on our MSRV"
        )]
        // SAFETY: PREFETCHT0 only hints the cache: it is no memory access
        // in the language's sense and does not fault on any address (Intel
        // SDM, PREFETCHh), so the sentinel's address is as fine as a
        // block's. SSE, which the intrinsic needs, is in x86-64's baseline.
        unsafe {
            core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                self.ptr.as_ptr().cast::<i8>(),
            );
        }
    }

    /// The counts of our block, or `None` for the sentinel.
    #[inline(always)]
    pub(crate) fn count(&self) -> Option<&C> {
        if self.is_dangling() {
            None
        } else {
            // SAFETY: I1: our weak count keeps the block allocated for as
            // long as `&self` is borrowed.
            Some(unsafe { Block::count(self.ptr) })
        }
    }

    /// A [`Strong`] handle to the value if it is still alive, `None` if it
    /// has been dropped (or this came from [`Weak::new`]). Once `None`,
    /// always `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let five = Rc::new(5);
    /// let weak_five = Rc::downgrade(&five);
    /// assert_eq!(weak_five.upgrade().as_deref(), Some(&5));
    /// drop(five);
    /// assert!(weak_five.upgrade().is_none());
    /// ```
    #[doc(alias = "__call__")]
    #[must_use = "this returns a new `Strong` handle, without modifying the original `Weak`"]
    #[inline]
    pub fn upgrade(&self) -> Option<Strong<T, C, A>>
    where
        A: Clone,
    {
        let count = self.count()?;
        // The allocator first: if its `clone` panics, no count is taken yet.
        // A failed upgrade drops it again (no code for a zero-sized
        // allocator such as `Global`).
        let alloc = self.alloc.clone();
        if count.try_inc_strong() {
            // SAFETY: we just added the strong count the handle owns (never
            // from 0, so the value is initialised: I3, I4); the block lives
            // in `self.alloc`, of which `alloc` is a clone.
            Some(unsafe { Strong::from_inner_in(self.ptr, alloc) })
        } else {
            None
        }
    }

    /// The number of strong handles to the value (0 once it is dropped, or
    /// for [`Weak::new`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let five = Rc::new(5);
    /// let weak = Rc::downgrade(&five);
    /// assert_eq!(weak.strong_count(), 1);
    /// drop(five);
    /// assert_eq!(weak.strong_count(), 0);
    /// ```
    #[inline]
    pub fn strong_count(&self) -> usize {
        self.count().map_or(0, C::strong)
    }

    /// The number of weak handles to the value, this one included; 0 once
    /// no strong handle remains (as std's `Weak::weak_count`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let five = Rc::new(5);
    /// let weak = Rc::downgrade(&five);
    /// let _weak2 = weak.clone();
    /// assert_eq!(weak.weak_count(), 2);
    /// drop(five);
    /// assert_eq!(weak.weak_count(), 0);
    /// ```
    #[inline]
    pub fn weak_count(&self) -> usize {
        let Some(count) = self.count() else { return 0 };
        // Weak first (Acquire), then strong: a non-zero strong seen after
        // that means the implicit weak was counted in `weak` (see
        // `RawCount::weak`).
        let weak = count.weak();
        if count.strong() == 0 { 0 } else { weak - 1 }
    }

    /// Whether two weak handles point to the same allocation (two
    /// [`Weak::new`] handles are equal to each other).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let first = Rc::new(5);
    /// let a = Rc::downgrade(&first);
    /// let b = Rc::downgrade(&first);
    /// let c = Rc::downgrade(&Rc::new(5));
    /// assert!(a.ptr_eq(&b));
    /// assert!(!a.ptr_eq(&c));
    /// ```
    #[inline]
    pub fn ptr_eq(&self, other: &Self) -> bool {
        ptr::addr_eq(self.ptr.as_ptr(), other.ptr.as_ptr())
    }

    /// A reference to the allocator the block lives in.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Weak<T> = weakref_core::Weak<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use weakref_core::storage::Global;
    /// let w: Weak<u8> = Weak::new();
    /// assert_eq!(*w.allocator(), Global);
    /// ```
    #[inline]
    pub fn allocator(&self) -> &A {
        &self.alloc
    }

    /// A raw pointer to the value (which may be dropped: dereference it only
    /// while a strong handle lives). For [`Weak::new`] it is dangling.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let strong = Rc::new("hello".to_owned());
    /// let weak = Rc::downgrade(&strong);
    /// assert!(core::ptr::eq(&*strong, weak.as_ptr()));
    /// ```
    #[inline]
    pub fn as_ptr(&self) -> *const T {
        if self.is_dangling() {
            // No block: hand back the sentinel itself, with whatever
            // metadata it carries (none, or a coercion's).
            self.ptr.as_ptr() as *const T
        } else {
            // SAFETY: I1: our weak count keeps the block allocated.
            unsafe { Block::value_ptr(self.ptr) }
        }
    }

    /// Consumes the handle, returning the value pointer and the allocator;
    /// the weak count it held stays taken until
    /// [`from_raw_in`](Self::from_raw_in).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type Weak<T> = weakref_core::Weak<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let strong = Rc::new(1);
    /// let (ptr, alloc) = Rc::downgrade(&strong).into_raw_with_allocator();
    /// // SAFETY: from `into_raw_with_allocator`, count still held.
    /// let weak = unsafe { Weak::from_raw_in(ptr, alloc) };
    /// assert_eq!(weak.upgrade().as_deref(), Some(&1));
    /// ```
    #[must_use = "losing the pointer will leak memory"]
    #[inline]
    pub fn into_raw_with_allocator(self) -> (*const T, A) {
        let ptr = self.as_ptr();
        (ptr, self.into_inner_with_allocator().1)
    }

    /// Consumes the handle, returning the value pointer (the allocator is
    /// forgotten); the weak count stays taken until
    /// [`from_raw`](Self::from_raw).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type Weak<T> = weakref_core::Weak<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let strong = Rc::new(1);
    /// let raw = Rc::downgrade(&strong).into_raw();
    /// assert_eq!(Rc::weak_count(&strong), 1);
    /// // SAFETY: from `into_raw`, count still held.
    /// drop(unsafe { Weak::from_raw(raw) });
    /// assert_eq!(Rc::weak_count(&strong), 0);
    /// ```
    #[must_use = "losing the pointer will leak memory"]
    #[inline]
    pub fn into_raw(self) -> *const T {
        let (ptr, alloc) = self.into_raw_with_allocator();
        mem::forget(alloc);
        ptr
    }

    /// Rebuilds a weak handle from
    /// [`into_raw_with_allocator`](Self::into_raw_with_allocator), taking
    /// back its weak count.
    ///
    /// # Safety
    ///
    /// * `ptr` must come from `Weak::into_raw`/`as_ptr` (or from
    ///   [`Strong::as_ptr`]) of a handle whose block lives in `alloc`;
    /// * the caller must own one weak count of that block (from
    ///   `Weak::into_raw`), which the returned handle takes over; the
    ///   value may be dead.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type Weak<T> = weakref_core::Weak<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use weakref_core::storage::Global;
    /// let raw = Rc::downgrade(&Rc::new(1)).into_raw(); // the value is dead
    /// // SAFETY: from `into_raw` with `Global`; the weak count is still held.
    /// let weak = unsafe { Weak::from_raw_in(raw, Global) };
    /// assert!(weak.upgrade().is_none());
    /// ```
    #[inline]
    pub unsafe fn from_raw_in(ptr: *const T, alloc: A) -> Self {
        let block = if ptr.cast::<u8>().addr() == DANGLING {
            // `as_ptr` hands out the sentinel unchanged.
            ptr as *mut Block<C, T>
        } else {
            // SAFETY: the caller's weak count keeps the block allocated and
            // `ptr` carries the metadata it was built with.
            unsafe { Block::from_value_ptr(ptr) }.as_ptr()
        };
        // SAFETY: the sentinel is not null, nor is a block address.
        let ptr = unsafe { NonNull::new_unchecked(block) };
        // SAFETY: the caller hands over one weak count of a block in `alloc`.
        unsafe { Self::from_inner_in(ptr, alloc) }
    }
}

#[cfg(feature = "alloc")]
impl<T: ?Sized, C: RawCount> Weak<T, C, Global> {
    /// Rebuilds a heap weak handle from [`into_raw`](Self::into_raw).
    ///
    /// # Safety
    ///
    /// As [`from_raw_in`](Self::from_raw_in) with
    /// [`Global`](crate::storage::Global).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type Weak<T> = weakref_core::Weak<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let strong = Rc::new(1);
    /// let raw = Rc::downgrade(&strong).into_raw();
    /// // SAFETY: from `into_raw`, count still held.
    /// let weak = unsafe { Weak::from_raw(raw) };
    /// assert!(weak.upgrade().is_some());
    /// ```
    #[inline]
    pub unsafe fn from_raw(ptr: *const T) -> Self {
        // SAFETY: forwarded from the caller.
        unsafe { Self::from_raw_in(ptr, Global) }
    }
}

/// Frees a block whose last weak count the caller just released.
///
/// # Safety
///
/// * The caller must have taken weak from 1 to 0 for `block` (I2: strong
///   is 0, the value is gone or was never there, no other handle remains),
///   and must not touch the block again;
/// * `block` must have been allocated by `alloc` (or an allocator equal to
///   it), with the pointer metadata it was built with (I1).
#[inline]
pub(crate) unsafe fn free_block<T: ?Sized, C, A: Allocator>(
    block: NonNull<Block<C, T>>,
    alloc: &A,
) {
    // SAFETY: I1: the block is still allocated (we free it below), with the
    // metadata it was built with (caller).
    let layout = unsafe { Block::layout_of(block) };
    // SAFETY: we are the one handle that took weak 1 -> 0 (caller), so we
    // free the block once, with the layout and allocator it was allocated
    // with (I1).
    unsafe { alloc.deallocate(block.cast(), layout) };
}

impl<T: ?Sized, C: RawCount, A: Allocator> Drop for Weak<T, C, A> {
    /// Gives up this weak count; the last one frees the block.
    #[inline]
    fn drop(&mut self) {
        let Some(count) = self.count() else {
            return;
        };
        if count.dec_weak() {
            // SAFETY: we took weak 1 -> 0 for our block, in `self.alloc`.
            unsafe { free_block(self.ptr, &self.alloc) };
        }
    }
}

/// The implicit weak count (I2) of a block whose value has just died,
/// taken over by the handle that took strong to 0 and released when this
/// guard goes, even if dropping the value unwinds: it frees the block if
/// no weak handle remains, and otherwise adds the weak handles left to the
/// weak collections' tally ([`RawCount::dec_implicit_weak`]).
///
/// The allocator is a field of the guard, so it is dropped even if
/// `deallocate` unwinds.
pub(crate) struct ImplicitWeak<T: ?Sized, C: RawCount, A: Allocator> {
    ptr: NonNull<Block<C, T>>,
    alloc: A,
}

impl<T: ?Sized, C: RawCount, A: Allocator> ImplicitWeak<T, C, A> {
    /// # Safety
    ///
    /// The caller took strong 1 -> 0 for `ptr`, a block in `alloc`, and
    /// hands its implicit weak count over to the guard.
    #[inline(always)]
    pub(crate) unsafe fn new(ptr: NonNull<Block<C, T>>, alloc: A) -> Self {
        ImplicitWeak { ptr, alloc }
    }
}

impl<T: ?Sized, C: RawCount, A: Allocator> Drop for ImplicitWeak<T, C, A> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: I1: the implicit weak count we own keeps the block
        // allocated.
        let count = unsafe { Block::count(self.ptr) };
        // Counts the weak handles left for the collections' tally.
        if count.dec_implicit_weak() {
            // SAFETY: we took weak 1 -> 0 for our block, in `self.alloc`
            // (`new`'s contract).
            unsafe { free_block(self.ptr, &self.alloc) };
        }
    }
}

/// The last count of a block: the implicit weak of a value that has just
/// died, found to be the block's only weak count
/// ([`RawCount::only_implicit_weak`]). No other handle exists or can be
/// made, so the guard frees the block when it goes, even if dropping the
/// value unwinds, without writing the counter.
pub(crate) struct LastCount<T: ?Sized, C, A: Allocator> {
    ptr: NonNull<Block<C, T>>,
    alloc: A,
}

impl<T: ?Sized, C, A: Allocator> LastCount<T, C, A> {
    /// # Safety
    ///
    /// The caller took strong 1 -> 0 for `ptr`, a block in `alloc`, and
    /// `only_implicit_weak` then returned `true`.
    #[inline(always)]
    pub(crate) unsafe fn new(ptr: NonNull<Block<C, T>>, alloc: A) -> Self {
        LastCount { ptr, alloc }
    }
}

impl<T: ?Sized, C, A: Allocator> Drop for LastCount<T, C, A> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: our count is the block's last (`new`'s contract): we
        // free it once, in `self.alloc`, as the handle taking weak 1 -> 0
        // would (I2).
        unsafe { free_block(self.ptr, &self.alloc) };
    }
}

/// The weak handle `new_cyclic` lends its closure, while the value slot is
/// still uninitialised (strong 0). If the closure unwinds, dropping the
/// guard releases its weak count and, if it was the last, frees the block
/// with `Block<C, T>`'s static layout: `T` is sized here, so no `&T` to the
/// value that is not there is ever formed (the rule "no reference to a
/// value that is not there").
pub(crate) struct UninitWeak<T, C: RawCount, A: Allocator>(ManuallyDrop<Weak<T, C, A>>);

impl<T, C: RawCount, A: Allocator> UninitWeak<T, C, A> {
    /// # Safety
    ///
    /// `ptr` must point to a `Block<C, T>` allocated by `alloc` (or an
    /// allocator equal to it) with `Layout::new::<Block<C, T>>()`, whose
    /// strong count is 0 and stays 0 while the guard lives; the caller
    /// hands one weak count over to the guard.
    #[inline(always)]
    pub(crate) unsafe fn new(ptr: NonNull<Block<C, T>>, alloc: A) -> Self {
        // SAFETY: forwarded: the block is in `alloc`, and the weak count is
        // the one the handle owns.
        UninitWeak(ManuallyDrop::new(unsafe {
            Weak::from_inner_in(ptr, alloc)
        }))
    }

    /// The weak handle, to lend to the closure.
    #[inline(always)]
    pub(crate) fn get(&self) -> &Weak<T, C, A> {
        &self.0
    }

    /// Disarms the guard, keeping its weak count taken, and returns its
    /// allocator.
    #[inline(always)]
    pub(crate) fn into_allocator(self) -> A {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so the handle is
        // taken out once.
        let weak = unsafe { ManuallyDrop::take(&mut this.0) };
        weak.into_inner_with_allocator().1
    }
}

impl<T, C: RawCount, A: Allocator> Drop for UninitWeak<T, C, A> {
    fn drop(&mut self) {
        // SAFETY: the guard is being dropped, so the handle is taken out
        // once; `into_inner_with_allocator` then keeps it from releasing
        // the count through `Weak::drop`, which would compute the layout
        // from the uninitialised value.
        let weak = unsafe { ManuallyDrop::take(&mut self.0) };
        let (ptr, alloc) = weak.into_inner_with_allocator();
        // SAFETY: I1: the weak count we own keeps the block allocated.
        if unsafe { Block::count(ptr) }.dec_weak() {
            // SAFETY: we took weak 1 -> 0 and strong is 0 (`new`'s
            // contract): no handle remains and the value was never written
            // (I3). The block was allocated by `alloc` with this layout.
            unsafe { alloc.deallocate(ptr.cast(), Layout::new::<Block<C, T>>()) };
        }
    }
}

impl<T: ?Sized, C: RawCount, A: Allocator + Clone> Clone for Weak<T, C, A> {
    /// Another weak handle to the same block.
    #[inline]
    fn clone(&self) -> Self {
        // The allocator first: if its `clone` panics, no count is taken yet.
        let alloc = self.alloc.clone();
        if let Some(count) = self.count() {
            count.inc_weak();
        }
        // SAFETY: we just added the weak count the new handle owns (or both
        // are the sentinel, which owns none); the block is in `self.alloc`,
        // of which `alloc` is a clone.
        unsafe { Self::from_inner_in(self.ptr, alloc) }
    }
}

#[cfg(feature = "alloc")]
impl<T, C: RawCount> Default for Weak<T, C, Global> {
    /// [`Weak::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl<T: ?Sized, C: RawCount, A: Allocator> fmt::Debug for Weak<T, C, A> {
    /// Whether the value is alive, and if so its type and address, like
    /// Python's `<weakref at …; to 'T' at …>` / `<weakref at …; dead>`.
    ///
    /// The value itself is not printed (std prints only `(Weak)`): a
    /// `#[derive(Debug)]` tree whose nodes hold `Weak` parents would
    /// otherwise recurse from child to parent to child without end, and
    /// `T: Debug` would be required.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let strong = Rc::new(5u8);
    /// let weak = Rc::downgrade(&strong);
    /// assert!(format!("{weak:?}").starts_with("(Weak: alive, u8 at 0x"));
    /// drop(strong);
    /// assert_eq!(format!("{weak:?}"), "(Weak: dead)");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.strong_count() == 0 {
            f.write_str("(Weak: dead)")
        } else {
            write!(
                f,
                "(Weak: alive, {} at {:p})",
                core::any::type_name::<T>(),
                self.as_ptr()
            )
        }
    }
}
