//! [`Strong`]: the generic strong handle (`Rc` / `Arc`).

use core::alloc::Layout;
use core::marker::PhantomData;
use core::mem::{self, ManuallyDrop};
use core::pin::Pin;
use core::ptr::{self, NonNull};

use crate::block::{Block, allocate_block};
use crate::count::{RawCount, RawCountUnique, Sharing, StrongRelease};
use crate::shim;
#[cfg(feature = "alloc")]
use crate::storage::Global;
use crate::storage::{AllocError, Allocator};
use crate::weak::{ImplicitWeak, LastCount, UninitWeak, Weak};

/// A strong reference-counted handle: the value lives while one exists.
///
/// `C` is the counter strategy ([`LocalCount`](crate::count::LocalCount) for
/// `Rc`, [`AtomicCount`](crate::count::AtomicCount) for `Arc`), `A` the
/// allocator the block lives in. The adapters export concrete aliases:
/// `weakref_std::Rc<T>` and `weakref_sync::Arc<T>`.
///
/// Like std's `Rc`/`Arc`, its operations are associated functions
/// (`Strong::downgrade(&this)`), so they never shadow a method of `T`.
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// let a = Rc::new(String::from("shared"));
/// let b = Rc::clone(&a);
/// assert_eq!(Rc::strong_count(&a), 2);
/// let w = Rc::downgrade(&a);
/// drop((a, b));
/// assert!(w.upgrade().is_none()); // the value died with its last strong handle
/// ```
pub struct Strong<T: ?Sized, C: RawCount, A: Allocator> {
    /// Points to a live block with strong > 0, one of which is ours (I1, I3).
    ptr: NonNull<Block<C, T>>,
    alloc: A,
    /// We own a `T` for the drop checker.
    _owns: PhantomData<Block<C, T>>,
}

// Why these bounds? Handles on different threads share one counter, so the
// counter must be `Sync`; `T: Send + Sync` as for std `Arc`: any thread may
// drop the last handle and so the value (Send), and every thread reads `&T`
// (Sync); `A: Send` because the handle carries its allocator along, which
// may free the block on the other thread. With `LocalCount` (`!Sync`) the
// handle is neither `Send` nor `Sync`.
//
// SAFETY: the counter's `RawCount` contract makes concurrent count
// operations sound when `C: Sync`; the bounds above cover the value and the
// allocator. Caught if broken by: the `compile_fail` examples in
// `crate::safety` (what must not be `Send`), `it::threads`, the loom models.
unsafe impl<T, C, A> Send for Strong<T, C, A>
where
    T: ?Sized + Send + Sync,
    C: RawCount + Send + Sync,
    A: Allocator + Send,
{
}

// SAFETY: as for `Send`: `&Strong` lets a thread clone the handle (counter
// `Sync`, allocator shared: `A: Sync`) and read `&T` (`T: Sync`); a clone can
// be dropped elsewhere (`T: Send`). Caught if broken by: as for `Send`.
unsafe impl<T, C, A> Sync for Strong<T, C, A>
where
    T: ?Sized + Send + Sync,
    C: RawCount + Send + Sync,
    A: Allocator + Sync,
{
}

impl<T: ?Sized, C: RawCount, A: Allocator> Strong<T, C, A> {
    /// Wraps a block pointer and allocator without touching the counts.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a block allocated by `alloc` with strong > 0 and
    /// the value initialised, and the caller must hand one strong count over
    /// to the returned handle.
    #[inline(always)]
    pub(crate) unsafe fn from_inner_in(ptr: NonNull<Block<C, T>>, alloc: A) -> Self {
        Strong {
            ptr,
            alloc,
            _owns: PhantomData,
        }
    }

    /// Consumes the handle into its block pointer and allocator, keeping the
    /// strong count it held (the inverse of `from_inner_in`).
    #[inline(always)]
    pub(crate) fn into_inner_with_allocator(this: Self) -> (NonNull<Block<C, T>>, A) {
        let this = ManuallyDrop::new(this);
        // SAFETY: `this` is never used or dropped again: the allocator is
        // moved, not duplicated.
        (this.ptr, unsafe { ptr::read(&raw const this.alloc) })
    }

    /// Our block pointer, with the metadata it was built with.
    #[inline(always)]
    pub(crate) fn as_block(this: &Self) -> NonNull<Block<C, T>> {
        this.ptr
    }

    /// A raw pointer to our value, with the block's provenance.
    #[inline(always)]
    fn value_ptr(&self) -> *mut T {
        // SAFETY: I1: we hold a strong handle, so the block is allocated.
        unsafe { Block::value_ptr(self.ptr) }
    }

    /// The counts of our block.
    #[inline(always)]
    pub(crate) fn count(&self) -> &C {
        // SAFETY: I1: we hold a strong handle, so the block is allocated for
        // at least as long as `&self`.
        unsafe { Block::count(self.ptr) }
    }

    /// The address of our block: the key of its death callbacks.
    #[inline(always)]
    pub(crate) fn block_addr(&self) -> usize {
        Block::addr(self.ptr)
    }

    /// Runs the death callbacks of `block`, if it has any: its strong
    /// count was just taken to 0 and the value moved out (`try_unwrap`,
    /// `make_mut`'s move).
    ///
    /// # Safety
    ///
    /// `block` must be allocated (the caller still holds its implicit
    /// weak, I1).
    #[inline]
    unsafe fn notify_if_watched(block: NonNull<Block<C, T>>) {
        // SAFETY: the caller keeps the block allocated.
        let count = unsafe { Block::count(block) };
        if count.is_watched() {
            count.notify_death(Block::addr(block));
        }
    }

    /// The number of strong handles to this value.
    ///
    /// With an atomic counter this is a snapshot: other threads may change
    /// it at any time.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let five = Rc::new(5);
    /// let _also_five = Rc::clone(&five);
    /// assert_eq!(2, Rc::strong_count(&five));
    /// ```
    #[inline]
    pub fn strong_count(this: &Self) -> usize {
        this.count().strong()
    }

    /// The number of [`Weak`] handles to this value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let five = Rc::new(5);
    /// let _weak_five = Rc::downgrade(&five);
    /// assert_eq!(1, Rc::weak_count(&five));
    /// ```
    #[doc(alias = "getweakrefcount")]
    #[inline]
    pub fn weak_count(this: &Self) -> usize {
        // We hold a strong handle, so the implicit weak is counted (I2).
        this.count().weak() - 1
    }

    /// Whether two handles point to the same allocation (like `ptr::eq`,
    /// comparing addresses only, not trait-object metadata).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let five = Rc::new(5);
    /// let same_five = Rc::clone(&five);
    /// let other_five = Rc::new(5);
    /// assert!(Rc::ptr_eq(&five, &same_five));
    /// assert!(!Rc::ptr_eq(&five, &other_five));
    /// ```
    #[inline]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        ptr::addr_eq(this.ptr.as_ptr(), other.ptr.as_ptr())
    }

    /// A raw pointer to the value, valid while a strong handle lives.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let x = Rc::new("hello".to_owned());
    /// let y = Rc::clone(&x);
    /// assert_eq!(Rc::as_ptr(&x), Rc::as_ptr(&y));
    /// // SAFETY: `x` keeps the value alive.
    /// assert_eq!(unsafe { &*Rc::as_ptr(&x) }, "hello");
    /// ```
    #[inline]
    pub fn as_ptr(this: &Self) -> *const T {
        this.value_ptr()
    }

    /// A reference to the allocator the block lives in.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use weakref_core::storage::Global;
    /// let x = Rc::new(1);
    /// assert_eq!(*Rc::allocator(&x), Global);
    /// ```
    #[inline]
    pub fn allocator(this: &Self) -> &A {
        &this.alloc
    }

    /// Consumes the handle, returning the value pointer and the allocator.
    /// The strong count it held stays taken: give it back with
    /// [`from_raw_in`](Self::from_raw_in).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let x = Rc::new(7);
    /// let (ptr, alloc) = Rc::into_raw_with_allocator(x);
    /// // SAFETY: the pointer and allocator come from `into_raw_with_allocator`.
    /// let x = unsafe { Rc::from_raw_in(ptr, alloc) };
    /// assert_eq!(*x, 7);
    /// ```
    #[must_use = "losing the pointer will leak memory"]
    #[inline]
    pub fn into_raw_with_allocator(this: Self) -> (*const T, A) {
        let (block, alloc) = Self::into_inner_with_allocator(this);
        // SAFETY: I1: the strong count we keep holds the block allocated.
        (unsafe { Block::value_ptr(block) }, alloc)
    }

    /// Consumes the handle, returning the value pointer; the strong count it
    /// held stays taken (and the allocator is forgotten: for stateless
    /// allocators such as [`Global`](crate::storage::Global)).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let x = Rc::new("hello".to_owned());
    /// let ptr = Rc::into_raw(x);
    /// // SAFETY: `ptr` comes from `into_raw`, and its count is still taken.
    /// assert_eq!(unsafe { &*ptr }, "hello");
    /// // SAFETY: as above; this gives the count back.
    /// let x = unsafe { Rc::from_raw(ptr) };
    /// assert_eq!(Rc::strong_count(&x), 1);
    /// ```
    #[must_use = "losing the pointer will leak memory"]
    #[inline]
    pub fn into_raw(this: Self) -> *const T {
        let (ptr, alloc) = Self::into_raw_with_allocator(this);
        mem::forget(alloc);
        ptr
    }

    /// Rebuilds a handle from [`into_raw`](Self::into_raw) /
    /// [`into_raw_with_allocator`](Self::into_raw_with_allocator), taking
    /// back the strong count it held.
    ///
    /// # Safety
    ///
    /// * `ptr` must come from `into_raw` (or `as_ptr`) of a `Strong<T, C, A>`
    ///   whose block lives in `alloc` (or an allocator equal to it);
    /// * the caller must own one strong count of that block (from
    ///   `into_raw`, or added by
    ///   [`increment_strong_count_in`](Self::increment_strong_count_in)), which
    ///   the returned handle takes over.
    ///
    /// Calling it twice for one `into_raw` frees the value twice:
    ///
    /// ```no_run
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let ptr = Rc::into_raw(Rc::new(1));
    /// // SAFETY: none: this breaks the contract on purpose.
    /// let (a, b) = unsafe { (Rc::from_raw(ptr), Rc::from_raw(ptr)) };
    /// drop((a, b)); // undefined behaviour: two handles for one count
    /// ```
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use weakref_core::storage::Global;
    /// let ptr = Rc::into_raw(Rc::new([1, 2, 3]));
    /// // SAFETY: `ptr` comes from `into_raw` of a `Global` handle.
    /// let x = unsafe { Rc::from_raw_in(ptr, Global) };
    /// assert_eq!(*x, [1, 2, 3]);
    /// ```
    #[inline]
    pub unsafe fn from_raw_in(ptr: *const T, alloc: A) -> Self {
        // SAFETY: the caller guarantees `ptr` is the value pointer of a live
        // block (its strong count is held), so the block is allocated and
        // the metadata is real.
        let block = unsafe { Block::from_value_ptr(ptr) };
        // SAFETY: the caller hands over one strong count; the value is
        // initialised because strong > 0 (I3).
        unsafe { Self::from_inner_in(block, alloc) }
    }

    /// Adds one to the strong count of the value behind `ptr`, as if a
    /// handle had been cloned and leaked through
    /// [`into_raw`](Self::into_raw).
    ///
    /// # Safety
    ///
    /// * `ptr` must come from `into_raw`/`as_ptr` of a `Strong<T, C, A>` in
    ///   `alloc`, and
    /// * at least one strong count of that block must be alive for the whole
    ///   call.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use weakref_core::storage::Global;
    /// let five = Rc::new(5);
    /// let ptr = Rc::into_raw(five);
    /// // SAFETY: `ptr` comes from `into_raw`; its count keeps the value alive.
    /// unsafe { Rc::increment_strong_count_in(ptr, Global) };
    /// // SAFETY: each call takes back one of the two counts now held.
    /// let (a, b) = unsafe { (Rc::from_raw(ptr), Rc::from_raw(ptr)) };
    /// assert_eq!(Rc::strong_count(&a), 2);
    /// drop((a, b));
    /// ```
    #[inline]
    pub unsafe fn increment_strong_count_in(ptr: *const T, alloc: A) {
        // SAFETY: forwarded: a live strong count stands behind `ptr`; the
        // temporary handle borrows it and gives it back below.
        let this = unsafe { Self::from_raw_in(ptr, alloc) };
        this.count().inc_strong();
        // Give the borrowed count back without releasing it, and drop the
        // allocator (std's version leaks it; for `Global` that is the same).
        drop(Self::into_inner_with_allocator(this).1);
    }

    /// Takes one from the strong count of the value behind `ptr`, as if one
    /// handle leaked through [`into_raw`](Self::into_raw) were dropped (which
    /// may drop the value).
    ///
    /// # Safety
    ///
    /// * `ptr` must come from `into_raw`/`as_ptr` of a `Strong<T, C, A>` in
    ///   `alloc`, and
    /// * the caller must own the strong count it gives up (and not use it
    ///   again).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use weakref_core::storage::Global;
    /// let five = Rc::new(5);
    /// let ptr = Rc::into_raw(Rc::clone(&five));
    /// // SAFETY: `ptr` holds the count from the clone above.
    /// unsafe { Rc::decrement_strong_count_in(ptr, Global) };
    /// assert_eq!(Rc::strong_count(&five), 1);
    /// ```
    #[inline]
    pub unsafe fn decrement_strong_count_in(ptr: *const T, alloc: A) {
        // SAFETY: forwarded: the caller gives up a strong count, which the
        // temporary handle takes and releases when dropped here.
        drop(unsafe { Self::from_raw_in(ptr, alloc) });
    }

    /// A mutable reference to the value, without checking uniqueness.
    ///
    /// # Safety
    ///
    /// While the returned borrow lives, no other handle (strong, or weak
    /// through `upgrade`) to the same block may be dereferenced. std's
    /// unstable `Rc::get_mut_unchecked` has the same contract.
    ///
    /// ```no_run
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let mut x = Rc::new(1);
    /// let y = Rc::clone(&x);
    /// // SAFETY: none: `y` is read while the `&mut` lives.
    /// let m = unsafe { Rc::get_mut_unchecked(&mut x) };
    /// let r = &*y;
    /// *m = 2; // undefined behaviour: `r` aliases `m`
    /// # let _ = r;
    /// ```
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let mut x = Rc::new(String::new());
    /// // SAFETY: `x` is the only handle.
    /// unsafe { Rc::get_mut_unchecked(&mut x) }.push_str("foo");
    /// assert_eq!(*x, "foo");
    /// ```
    #[inline]
    pub unsafe fn get_mut_unchecked(this: &mut Self) -> &mut T {
        // SAFETY: I3: strong > 0, so the value is initialised; the caller
        // guarantees no other access while the borrow lives (I5).
        unsafe { &mut *this.value_ptr() }
    }

    /// A new [`Weak`] handle to this value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let five = Rc::new(5);
    /// let weak_five = Rc::downgrade(&five);
    /// assert_eq!(*weak_five.upgrade().unwrap(), 5);
    /// ```
    #[doc(alias = "ref")]
    #[must_use = "this returns a new `Weak` pointer, without modifying the original `Strong`"]
    #[inline]
    pub fn downgrade(this: &Self) -> Weak<T, C, A>
    where
        A: Clone,
    {
        // The allocator first: if its `clone` panics, no count is taken yet.
        let alloc = this.alloc.clone();
        this.count().downgrade();
        // SAFETY: we just added the weak count the new handle owns, and the
        // block lives in `this.alloc`, of which `alloc` is a clone.
        unsafe { Weak::from_inner_in(this.ptr, alloc) }
    }

    /// A mutable reference to the value if this is the only handle, strong
    /// or weak; `None` otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let mut x = Rc::new(3);
    /// *Rc::get_mut(&mut x).unwrap() = 4;
    /// assert_eq!(*x, 4);
    /// let _y = Rc::clone(&x);
    /// assert!(Rc::get_mut(&mut x).is_none());
    /// ```
    #[inline]
    pub fn get_mut(this: &mut Self) -> Option<&mut T>
    where
        C: RawCountUnique,
    {
        if this.count().is_unique() {
            // SAFETY: `is_unique` proved this is the only handle, and no
            // handle can be made without `this`, borrowed mutably here.
            Some(unsafe { Self::get_mut_unchecked(this) })
        } else {
            None
        }
    }

    /// Drops the value and releases the implicit weak, freeing the block if
    /// no weak handle remains. The slow path of `drop`, out of line.
    ///
    /// # Safety
    ///
    /// The caller must have taken strong from 1 to 0 for this block (I4)
    /// and must not use the value afterwards.
    #[inline(never)]
    unsafe fn drop_slow(&mut self) {
        if self.count().only_implicit_weak() {
            // No other handle, no callback, nothing for the tally: the block
            // is ours alone (count/mod.rs, "The last drop").
            // SAFETY: strong was > 0 until our decrement, so the implicit
            // weak (I2) is still counted, and it is the block's only weak
            // count, which no handle can add to (`only_implicit_weak`): this
            // guard frees the block when it goes, even if `T::drop` panics.
            // The block lives in `self.alloc`.
            let _block = unsafe { LastCount::new(self.ptr, &self.alloc) };
            // SAFETY: I4: we took strong 1 -> 0, so we own the value; it is
            // initialised (I3) and nobody else reads it (I5).
            unsafe { ptr::drop_in_place(self.value_ptr()) };
            return;
        }
        if self.count().is_watched() {
            // A tail call with nothing to clean up here, so that this path
            // costs the common one no stack frame.
            // SAFETY: forwarded from our caller.
            return unsafe { self.drop_watched() };
        }
        // Released when this function ends, even if `T::drop` panics: the
        // block is freed (if no weak handle remains) either way.
        // SAFETY: strong was > 0 until our decrement, so the implicit weak
        // (I2) is still counted; this temporary handle takes it over. The
        // block lives in `self.alloc`.
        let _implicit_weak = unsafe { ImplicitWeak::new(self.ptr, &self.alloc) };
        // SAFETY: I4: we took strong 1 -> 0, so we own the value; it is
        // initialised (I3) and nobody else reads it (I5).
        unsafe { ptr::drop_in_place(self.value_ptr()) };
    }

    /// `drop_slow` for a block with death callbacks: in Python's order,
    /// every weak handle is dead (strong is 0), the callbacks run, then the
    /// value goes. Out of line: most values never get a callback.
    ///
    /// # Safety
    ///
    /// As `drop_slow`.
    #[cold]
    #[inline(never)]
    unsafe fn drop_watched(&self) {
        // SAFETY: as in `drop_slow`: the implicit weak is still counted, and
        // this temporary releases it when the function ends, even if the
        // value's drop or (without `std`) a callback unwinds.
        let _implicit_weak = unsafe { ImplicitWeak::new(self.ptr, &self.alloc) };
        /// Drops the value when it goes, so that the value is dropped even
        /// if a death callback unwinds (possible only without `std`).
        struct DropValue<T: ?Sized>(*mut T);
        impl<T: ?Sized> Drop for DropValue<T> {
            fn drop(&mut self) {
                // SAFETY: I4: our caller took strong 1 -> 0, so we own the
                // value; it is initialised (I3), nobody else reads it (I5),
                // and this guard is the one place that drops it.
                unsafe { ptr::drop_in_place(self.0) };
            }
        }
        let value = DropValue(self.value_ptr());
        self.count().notify_death(self.block_addr());
        drop(value);
    }

    /// Moves the value out of a block whose strong count the caller has
    /// taken from 1 to 0, releasing the implicit weak.
    ///
    /// # Safety
    ///
    /// The caller must have taken strong 1 -> 0 for `block`, which lives
    /// in `alloc` (I4).
    #[inline]
    unsafe fn take_value(block: NonNull<Block<C, T>>, alloc: A) -> T
    where
        T: Sized,
    {
        // SAFETY: as in `drop_slow`: the implicit weak is still counted, and
        // this temporary releases it when the function ends.
        let _implicit_weak = unsafe { ImplicitWeak::new(block, alloc) };
        // SAFETY: I1: the implicit weak keeps the block allocated.
        let value = unsafe { Block::value_ptr(block) };
        // SAFETY: I4: we own the initialised value and move it out once.
        let value = unsafe { ptr::read(value) };
        // The value has left the block: its weak handles are dead, so its
        // death callbacks run (the value is dropped if one unwinds).
        // SAFETY: I1: the implicit weak above keeps the block allocated.
        unsafe { Self::notify_if_watched(block) };
        value
    }
}

#[cfg(feature = "alloc")]
impl<T, C: RawCount> Strong<T, C, Global> {
    /// A new handle owning `value`, on the heap.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let five = Rc::new(5);
    /// assert_eq!(*five, 5);
    /// ```
    #[inline]
    pub fn new(value: T) -> Self {
        Self::new_in(value, Global)
    }

    /// A new handle owning `value`, or an error if allocation fails (the
    /// value is then dropped).
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the allocator has no memory.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let five = Rc::try_new(5)?;
    /// assert_eq!(*five, 5);
    /// # Ok::<(), weakref_core::storage::AllocError>(())
    /// ```
    #[inline]
    pub fn try_new(value: T) -> Result<Self, AllocError> {
        Self::try_new_in(value, Global)
    }

    /// A new handle to a value built from a [`Weak`] to itself, for
    /// self-referencing structures. `data_fn` gets a weak handle that does
    /// not upgrade yet (the value does not exist); once `new_cyclic`
    /// returns, it and its clones do.
    ///
    /// If `data_fn` panics, the block is freed once the last weak handle it
    /// may have kept is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type Weak<T> = weakref_core::Weak<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// struct Gadget {
    ///     me: Weak<Gadget>,
    /// }
    /// let gadget = Rc::new_cyclic(|me| {
    ///     assert!(me.upgrade().is_none()); // not built yet
    ///     Gadget { me: me.clone() }
    /// });
    /// assert!(Rc::ptr_eq(&gadget.me.upgrade().unwrap(), &gadget));
    /// ```
    #[inline]
    pub fn new_cyclic<F>(data_fn: F) -> Self
    where
        F: FnOnce(&Weak<T, C, Global>) -> T,
    {
        Self::new_cyclic_in(data_fn, Global)
    }

    /// A new pinned handle: the value never moves again.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let pinned = Rc::pin(5);
    /// assert_eq!(*pinned, 5);
    /// ```
    #[inline]
    pub fn pin(value: T) -> Pin<Self> {
        Self::pin_in(value, Global)
    }
}

#[cfg(feature = "alloc")]
impl<T: ?Sized, C: RawCount> Strong<T, C, Global> {
    /// Rebuilds a heap handle from [`into_raw`](Self::into_raw).
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
    /// let ptr = Rc::into_raw(Rc::new(5));
    /// // SAFETY: `ptr` comes from `into_raw`.
    /// let five = unsafe { Rc::from_raw(ptr) };
    /// assert_eq!(*five, 5);
    /// ```
    #[inline]
    pub unsafe fn from_raw(ptr: *const T) -> Self {
        // SAFETY: forwarded from the caller.
        unsafe { Self::from_raw_in(ptr, Global) }
    }

    /// [`increment_strong_count_in`](Self::increment_strong_count_in) for
    /// heap handles.
    ///
    /// # Safety
    ///
    /// As [`increment_strong_count_in`](Self::increment_strong_count_in)
    /// with [`Global`](crate::storage::Global).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let ptr = Rc::into_raw(Rc::new(5));
    /// // SAFETY: `ptr` comes from `into_raw` and holds a count.
    /// unsafe { Rc::increment_strong_count(ptr) };
    /// // SAFETY: two counts are held; each handle takes one back.
    /// let (a, b) = unsafe { (Rc::from_raw(ptr), Rc::from_raw(ptr)) };
    /// assert_eq!(Rc::strong_count(&a), 2);
    /// # drop((a, b));
    /// ```
    #[inline]
    pub unsafe fn increment_strong_count(ptr: *const T) {
        // SAFETY: forwarded from the caller.
        unsafe { Self::increment_strong_count_in(ptr, Global) }
    }

    /// [`decrement_strong_count_in`](Self::decrement_strong_count_in) for
    /// heap handles.
    ///
    /// # Safety
    ///
    /// As [`decrement_strong_count_in`](Self::decrement_strong_count_in)
    /// with [`Global`](crate::storage::Global).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let five = Rc::new(5);
    /// let ptr = Rc::into_raw(Rc::clone(&five));
    /// // SAFETY: `ptr` holds the count from the clone.
    /// unsafe { Rc::decrement_strong_count(ptr) };
    /// assert_eq!(Rc::strong_count(&five), 1);
    /// ```
    #[inline]
    pub unsafe fn decrement_strong_count(ptr: *const T) {
        // SAFETY: forwarded from the caller.
        unsafe { Self::decrement_strong_count_in(ptr, Global) }
    }
}

impl<T, C: RawCount, A: Allocator> Strong<T, C, A> {
    /// Allocates a block for a `T` in `alloc`, with counts `(strong, weak)`
    /// written and the value not.
    pub(crate) fn allocate_for_value(
        alloc: &A,
        strong: usize,
        weak: usize,
    ) -> Result<NonNull<Block<C, T>>, AllocError> {
        let block = alloc
            .allocate(Layout::new::<Block<C, T>>())?
            .cast::<Block<C, T>>();
        // SAFETY: the memory is fresh, sized and aligned for a `Block<C, T>`;
        // the counts sit at offset 0 (`#[repr(C)]`). No reference is formed.
        unsafe { block.cast::<C>().write(C::new(strong, weak)) };
        Ok(block)
    }

    /// A new handle owning `value`, in `alloc`.
    ///
    /// Allocation failure calls `handle_alloc_error` (with feature `alloc`;
    /// a panic without it); [`try_new_in`](Self::try_new_in) returns an
    /// error instead.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use weakref_core::storage::Global;
    /// let five = Rc::new_in(5, Global);
    /// assert_eq!(*five, 5);
    /// ```
    #[inline]
    pub fn new_in(value: T, alloc: A) -> Self {
        match Self::try_new_in(value, alloc) {
            Ok(this) => this,
            Err(AllocError) => shim::alloc_failed(Layout::new::<Block<C, T>>()),
        }
    }

    /// A new handle owning `value`, in `alloc`, or an error if allocation
    /// fails (the value is then dropped). Never aborts.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when `alloc` has no room.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use weakref_core::storage::Global;
    /// let five = Rc::try_new_in(5, Global)?;
    /// assert_eq!(*five, 5);
    /// # Ok::<(), weakref_core::storage::AllocError>(())
    /// ```
    #[inline]
    pub fn try_new_in(value: T, alloc: A) -> Result<Self, AllocError> {
        let block = Self::allocate_for_value(&alloc, 1, 1)?;
        // SAFETY: I1: the block is allocated, for a `Block<C, T>`.
        let slot = unsafe { Block::value_ptr(block) };
        // SAFETY: fresh memory; writing the value before any handle exists
        // establishes I3.
        unsafe { slot.write(value) };
        // SAFETY: the block is in `alloc`, strong is 1 and we hand that
        // count to the handle; the value is initialised.
        Ok(unsafe { Self::from_inner_in(block, alloc) })
    }

    /// [`new_cyclic`](Self::new_cyclic) in `alloc`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type Weak<T> = weakref_core::Weak<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use weakref_core::storage::Global;
    /// struct Node {
    ///     me: Weak<Node>,
    /// }
    /// let node = Rc::new_cyclic_in(|me| Node { me: me.clone() }, Global);
    /// assert!(Rc::ptr_eq(&node.me.upgrade().unwrap(), &node));
    /// ```
    pub fn new_cyclic_in<F>(data_fn: F, alloc: A) -> Self
    where
        F: FnOnce(&Weak<T, C, A>) -> T,
        A: Clone,
    {
        // The weak handle's allocator first: a panicking `clone` then leaves
        // nothing behind.
        let weak_alloc = alloc.clone();
        // Strong 0: `upgrade` fails until we publish; weak 1: owned by `weak`
        // below, and becomes the implicit weak on success (I2).
        let block = match Self::allocate_for_value(&alloc, 0, 1) {
            Ok(block) => block,
            Err(AllocError) => shim::alloc_failed(Layout::new::<Block<C, T>>()),
        };
        // SAFETY: the block is a `Block<C, T>` in `alloc` (`weak_alloc` is a
        // clone), weak 1 is this handle's, and strong stays 0 until we
        // publish, so the uninitialised value is never read (I3). If
        // `data_fn` panics, the guard releases that weak count and, if the
        // closure kept no clone, frees the block with the sized layout
        // (never forming `&T` to the value that is not there).
        let weak = unsafe { UninitWeak::new(block, weak_alloc) };
        let value = data_fn(weak.get());
        // SAFETY: I1: `weak` keeps the block allocated.
        let slot = unsafe { Block::value_ptr(block) };
        // SAFETY: strong is 0 and never left it, so nobody reads the value
        // slot (I3); we are its only writer.
        unsafe { slot.write(value) };
        // SAFETY: I1: `weak` keeps the block allocated.
        unsafe { Block::count(block) }.publish_strong();
        // `weak`'s count becomes the implicit weak of the new strong handle.
        let weak_alloc = weak.into_allocator();
        // SAFETY: strong is 1 (published above) and ours; the value is
        // initialised; the block is in `alloc`.
        let this = unsafe { Self::from_inner_in(block, alloc) };
        // Dropped after the handle exists: if its `drop` unwinds, the handle
        // is dropped too, and nothing leaks.
        drop(weak_alloc);
        this
    }

    /// A new pinned handle in `alloc`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use weakref_core::storage::Global;
    /// let pinned = Rc::pin_in(5, Global);
    /// assert_eq!(*pinned, 5);
    /// ```
    #[inline]
    pub fn pin_in(value: T, alloc: A) -> Pin<Self>
    where
        A: 'static,
    {
        // SAFETY: the value stays at one address until it is dropped: safe
        // code can move it out only with the `Strong` by value
        // (`try_unwrap`, `into_inner`) or with `&mut Strong` (`make_mut`),
        // and `Pin<Strong>` gives out neither unless `T: Unpin`. `A: 'static`
        // keeps the memory from being reclaimed by a borrowed allocator going
        // away without the drop running (std `Rc::pin_in`).
        unsafe { Pin::new_unchecked(Self::new_in(value, alloc)) }
    }

    /// The value, if this is the only strong handle; the handle back
    /// otherwise. Weak handles do not prevent it (they stop upgrading).
    ///
    /// # Errors
    ///
    /// `Err(this)` when other strong handles exist.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let x = Rc::new(3);
    /// assert_eq!(Rc::try_unwrap(x), Ok(3));
    /// let x = Rc::new(4);
    /// let _y = Rc::clone(&x);
    /// assert_eq!(*Rc::try_unwrap(x).unwrap_err(), 4);
    /// ```
    #[inline]
    pub fn try_unwrap(this: Self) -> Result<T, Self> {
        if !this.count().try_take_strong() {
            return Err(this);
        }
        let (block, alloc) = Self::into_inner_with_allocator(this);
        // SAFETY: we took strong 1 -> 0 for `block`, in `alloc`.
        Ok(unsafe { Self::take_value(block, alloc) })
    }

    /// The value if this is the last strong handle; `None` otherwise (the
    /// handle is dropped either way). Unlike `try_unwrap(this).ok()`, when
    /// several threads call it on the last handles, exactly one gets the
    /// value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let x = Rc::new(3);
    /// let y = Rc::clone(&x);
    /// assert_eq!(Rc::into_inner(x), None);
    /// assert_eq!(Rc::into_inner(y), Some(3));
    /// ```
    #[inline]
    pub fn into_inner(this: Self) -> Option<T> {
        let (block, alloc) = Self::into_inner_with_allocator(this);
        // SAFETY: I1: the strong count we still hold keeps it allocated.
        match unsafe { Block::count(block) }.release_strong() {
            // SAFETY: we took strong 1 -> 0 for `block`, in `alloc`.
            StrongRelease::Last => Some(unsafe { Self::take_value(block, alloc) }),
            // Our count is given up; `alloc` is dropped here.
            StrongRelease::Kept => None,
            StrongRelease::FreeBlock => {
                // SAFETY: the counter made us take weak 1 -> 0 for `block`,
                // which lives in `alloc`.
                unsafe { crate::weak::free_block(block, &alloc) };
                None
            }
        }
    }

    /// The value if this is the only strong handle, otherwise a clone of it.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let x = Rc::new(String::from("moved"));
    /// let y = Rc::new(String::from("cloned"));
    /// let _y2 = Rc::clone(&y);
    /// assert_eq!(Rc::unwrap_or_clone(x), "moved");
    /// assert_eq!(Rc::unwrap_or_clone(y), "cloned");
    /// ```
    #[inline]
    pub fn unwrap_or_clone(this: Self) -> T
    where
        T: Clone,
    {
        Self::try_unwrap(this).unwrap_or_else(|this| T::clone(&this))
    }
}

/// Values [`Strong::make_mut`] can clone into a new block: every sized
/// `T: Clone`, slices `[T]` of `T: Clone`, `str`, `CStr` (with feature
/// `alloc`), `OsStr` and `Path` (with feature `std`): the types for which
/// std's `make_mut` works on stable (it takes the unstable
/// `CloneToUninit`).
///
/// Sealed: `make_mut` relies on the clone being a new, unshared handle.
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// use weakref_core::CloneToBlock;
///
/// fn bump_first<T: ?Sized + CloneToBlock + AsMut<[u8]>>(rc: &mut Rc<T>) {
///     Rc::make_mut(rc).as_mut()[0] += 1;
/// }
/// let mut bytes: Rc<[u8]> = Rc::from([1, 2]);
/// let other = Rc::clone(&bytes);
/// bump_first(&mut bytes);
/// assert_eq!((&bytes[..], &other[..]), (&[2, 2][..], &[1, 2][..]));
/// ```
pub trait CloneToBlock: sealed::Sealed {
    /// A new handle, alone in a new block in a clone of `this`'s
    /// allocator, holding a clone of `this`'s value.
    #[doc(hidden)]
    fn clone_to_block<C: RawCount, A: Allocator + Clone>(
        this: &Strong<Self, C, A>,
    ) -> Strong<Self, C, A>;
}

pub(crate) mod sealed {
    /// Only this crate implements [`CloneToBlock`](super::CloneToBlock).
    pub trait Sealed {}
}

impl<T: Clone> sealed::Sealed for T {}

impl<T: Clone> CloneToBlock for T {
    #[inline]
    fn clone_to_block<C: RawCount, A: Allocator + Clone>(
        this: &Strong<T, C, A>,
    ) -> Strong<T, C, A> {
        Strong::new_in(T::clone(this), this.alloc.clone())
    }
}

impl<T: ?Sized + CloneToBlock, C: RawCountUnique, A: Allocator + Clone> Strong<T, C, A> {
    /// A mutable reference to the value, cloning it first if other strong
    /// handles share it (clone-on-write). If only weak handles share it,
    /// the value moves to a new block and those weak handles stop
    /// upgrading, as std's `make_mut` does.
    ///
    /// Works for sized `T: Clone`, for `[T]` (`T: Clone`), `str`, `CStr`,
    /// `OsStr` and `Path` ([`CloneToBlock`]). If a clone panics, `this` is left as it was and
    /// nothing leaks (a slice's elements cloned so far are dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let mut data = Rc::new(5);
    /// *Rc::make_mut(&mut data) += 1; // no clone
    /// let other = Rc::clone(&data);
    /// *Rc::make_mut(&mut data) += 1; // clones
    /// assert_eq!((*data, *other), (7, 6));
    ///
    /// let weak = Rc::downgrade(&data);
    /// *Rc::make_mut(&mut data) += 1; // moves away from `weak`
    /// assert!(weak.upgrade().is_none());
    ///
    /// let mut s: Rc<str> = Rc::from("hello");
    /// let other = Rc::clone(&s);
    /// Rc::make_mut(&mut s).make_ascii_uppercase(); // copies
    /// assert_eq!((&*s, &*other), ("HELLO", "hello"));
    /// ```
    #[inline]
    pub fn make_mut(this: &mut Self) -> &mut T {
        match this.count().sharing() {
            Sharing::Unique => {}
            Sharing::Shared => Self::clone_to_new_block(this),
            Sharing::OnlyWeak => Self::move_to_new_block(this),
        }
        // SAFETY: every branch leaves `this` the only handle to its block
        // (a fresh block from the sealed `clone_to_block`, or strong 1 and
        // weak 1 with `this` borrowed mutably), so no other borrow of the
        // value exists (I5).
        unsafe { Self::get_mut_unchecked(this) }
    }

    /// `make_mut`'s shared case, out of line: other strong handles exist,
    /// so clone the value into a new block.
    #[cold]
    #[inline(never)]
    fn clone_to_new_block(this: &mut Self) {
        let clone = T::clone_to_block(this);
        *this = clone;
    }
}

impl<T: ?Sized, C: RawCountUnique, A: Allocator> Strong<T, C, A> {
    /// `make_mut`'s weak-only case, out of line, for sized and unsized
    /// values alike: `sharing` took strong to 0, so we own the value; weak
    /// handles exist, so move the value (bit for bit) to a new block of the
    /// same layout and leave them a dead one.
    #[cold]
    #[inline(never)]
    pub(crate) fn move_to_new_block(this: &mut Self) {
        /// Puts back the strong count `sharing` took (0 -> 1) when dropped:
        /// if the allocator fails or panics, `this` is again the live
        /// handle it was, and its weak handles still upgrade.
        struct RestoreStrong<'a, C: RawCount>(&'a C);
        impl<C: RawCount> Drop for RestoreStrong<'_, C> {
            fn drop(&mut self) {
                // We are the only owner of the block at strong 0 (I4: the
                // one that took it to 0), and the value is still in place.
                self.0.publish_strong();
            }
        }
        let restore = RestoreStrong(this.count());
        let old_value = this.value_ptr();
        // SAFETY: I1: we hold the implicit weak, so the block is allocated,
        // and `old_value` carries the metadata it was built with; I4: we
        // own the value, initialised (strong was 1 until `sharing`).
        let value = unsafe { Block::<C, T>::value_layout(old_value) };
        let mem = match allocate_block::<C, A>(&this.alloc, value) {
            Ok((mem, _)) => mem,
            Err(None) => unreachable!("the layout was valid at allocation"),
            Err(Some(layout)) => {
                // Leave our block as it was before reporting.
                drop(restore);
                shim::alloc_failed(layout)
            }
        };
        // The value moves: strong stays 0 for the old block.
        mem::forget(restore);
        // The fresh block has the old one's layout, so its value has the
        // old value's metadata (a slice's length, a vtable).
        let fresh = Block::with_metadata_of(mem, old_value);
        // SAFETY: I1: the fresh block is allocated, with that metadata.
        let slot = unsafe { Block::value_ptr(fresh) };
        // SAFETY: I4: we own the initialised value of the old block and move
        // it, byte for byte, into the fresh block's slot of the same layout
        // (two allocations: no overlap).
        unsafe {
            ptr::copy_nonoverlapping(old_value.cast::<u8>(), slot.cast::<u8>(), value.size())
        };
        // Point `this` at the fresh block without dropping the old handle
        // (its strong count is already given up).
        let old = mem::replace(&mut this.ptr, fresh);
        // SAFETY: the old block's implicit weak is still counted (strong was
        // 1 until `sharing` took it); this temporary releases it, freeing
        // the old block if the weak handles are gone meanwhile.
        let old_implicit_weak = unsafe { ImplicitWeak::new(old, &this.alloc) };
        // The old block's weak handles are dead: its death callbacks run.
        // SAFETY: I1: the implicit weak keeps the old block allocated.
        unsafe { Self::notify_if_watched(old) };
        drop(old_implicit_weak);
    }
}

impl<T: ?Sized, C: RawCount, A: Allocator> Drop for Strong<T, C, A> {
    /// Gives up this strong count; the last one drops the value and, if no
    /// weak handle remains, frees the block.
    #[inline]
    fn drop(&mut self) {
        match self.count().release_strong() {
            StrongRelease::Kept => {}
            // SAFETY: we took strong 1 -> 0.
            StrongRelease::Last => unsafe { self.drop_slow() },
            // SAFETY: the counter made us take weak 1 -> 0 for our block,
            // which lives in `self.alloc`.
            StrongRelease::FreeBlock => unsafe { crate::weak::free_block(self.ptr, &self.alloc) },
        }
    }
}

impl<T: ?Sized, C: RawCount, A: Allocator + Clone> Clone for Strong<T, C, A> {
    /// Another handle to the same value (the strong count goes up by one).
    #[inline]
    fn clone(&self) -> Self {
        // The allocator first: if its `clone` panics, no count is taken yet
        // (for a zero-sized allocator such as `Global` it is no code).
        let alloc = self.alloc.clone();
        self.count().inc_strong();
        // SAFETY: we just added the strong count the new handle owns; the
        // block lives in `self.alloc`, of which `alloc` is a clone.
        unsafe { Self::from_inner_in(self.ptr, alloc) }
    }
}

impl<T: ?Sized, C: RawCount, A: Allocator> core::ops::Deref for Strong<T, C, A> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: I3 and I5: our strong count keeps the value initialised
        // for as long as `&self` is borrowed.
        unsafe { &*self.value_ptr() }
    }
}

// Moving the handle never moves the value.
impl<T: ?Sized, C: RawCount, A: Allocator> Unpin for Strong<T, C, A> {}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;
    use crate::count::LocalCount;

    type Rc<T> = Strong<T, LocalCount, crate::storage::Global>;

    #[test]
    fn handles_are_one_pointer_wide() {
        assert_eq!(size_of::<Rc<u64>>(), size_of::<usize>());
        assert_eq!(size_of::<Option<Rc<u64>>>(), size_of::<usize>());
    }

    #[test]
    fn make_mut_restores_unique_counts() {
        let mut x = Rc::new(1);
        *Rc::make_mut(&mut x) = 2;
        assert_eq!((Rc::strong_count(&x), Rc::weak_count(&x)), (1, 0));
        let w = Rc::downgrade(&x);
        *Rc::make_mut(&mut x) = 3;
        assert_eq!((Rc::strong_count(&x), Rc::weak_count(&x)), (1, 0));
        assert_eq!((w.strong_count(), w.weak_count()), (0, 0));
    }
}
