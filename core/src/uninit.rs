//! Uninitialised and zeroed constructors (std's `Rc::new_uninit`,
//! `new_zeroed`, `new_uninit_slice`, `new_zeroed_slice`, their `_in` and
//! `try_` forms) and `assume_init`.
//!
//! The block is allocated and its counts written, but the value is left
//! as the allocator gave it (or zeroed): a `MaybeUninit<T>` is valid
//! whatever its bytes, so I3 holds from the start. The caller writes the
//! value through [`Strong::get_mut`] and then calls `assume_init`, which
//! only re-types the block pointer.

use core::alloc::Layout;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use crate::block::{Block, allocate_block};
use crate::count::RawCount;
use crate::shim;
#[cfg(feature = "alloc")]
use crate::storage::Global;
use crate::storage::{AllocError, Allocator};
use crate::strong::Strong;

/// A handle to a slice of uninitialised elements.
type UninitSlice<T, C, A> = Strong<[MaybeUninit<T>], C, A>;

/// `# type Rc<T> = …` for the examples.
macro_rules! doc_alias {
    () => {
        "# type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;"
    };
}

impl<T, C: RawCount, A: Allocator> Strong<T, C, A> {
    /// A block for a `MaybeUninit<T>` in `alloc`, zeroed if `zeroed`.
    fn try_uninit_in(alloc: A, zeroed: bool) -> Result<Strong<MaybeUninit<T>, C, A>, AllocError> {
        let block = Strong::<MaybeUninit<T>, C, A>::allocate_for_value(&alloc, 1, 1)?;
        if zeroed {
            // SAFETY: I1: the block is allocated, for a `MaybeUninit<T>`.
            let slot = unsafe { Block::value_ptr(block) };
            // SAFETY: the slot is in bounds and aligned for one
            // `MaybeUninit<T>`, and no handle exists yet.
            unsafe { slot.write_bytes(0, 1) };
        }
        // SAFETY: the block is in `alloc` with strong 1, handed to the
        // handle; a `MaybeUninit<T>` is initialised whatever its bytes (I3).
        Ok(unsafe { Strong::from_inner_in(block, alloc) })
    }

    /// A new handle to an uninitialised value, in `alloc`.
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// use weakref_core::storage::Global;
    /// let mut five = Rc::<u32>::new_uninit_in(Global);
    /// Rc::get_mut(&mut five).unwrap().write(5);
    /// // SAFETY: the value was written just above.
    /// let five = unsafe { five.assume_init() };
    /// assert_eq!(*five, 5);
    /// ```
    #[must_use = "this returns a new handle"]
    pub fn new_uninit_in(alloc: A) -> Strong<MaybeUninit<T>, C, A> {
        match Self::try_uninit_in(alloc, false) {
            Ok(this) => this,
            Err(AllocError) => shim::alloc_failed(Layout::new::<Block<C, T>>()),
        }
    }

    /// [`new_uninit_in`](Self::new_uninit_in), or an error if allocation
    /// fails.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when `alloc` has no room.
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// use weakref_core::storage::Global;
    /// let x = Rc::<u64>::try_new_uninit_in(Global)?;
    /// # drop(x);
    /// # Ok::<(), weakref_core::storage::AllocError>(())
    /// ```
    pub fn try_new_uninit_in(alloc: A) -> Result<Strong<MaybeUninit<T>, C, A>, AllocError> {
        Self::try_uninit_in(alloc, false)
    }

    /// A new handle to a value whose bytes are all zero, in `alloc`
    /// (`assume_init` is then sound if zero bytes are a valid `T`).
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// use weakref_core::storage::Global;
    /// let zero = Rc::<u32>::new_zeroed_in(Global);
    /// // SAFETY: zero bytes are a valid `u32`.
    /// assert_eq!(*unsafe { zero.assume_init() }, 0);
    /// ```
    #[must_use = "this returns a new handle"]
    pub fn new_zeroed_in(alloc: A) -> Strong<MaybeUninit<T>, C, A> {
        match Self::try_uninit_in(alloc, true) {
            Ok(this) => this,
            Err(AllocError) => shim::alloc_failed(Layout::new::<Block<C, T>>()),
        }
    }

    /// [`new_zeroed_in`](Self::new_zeroed_in), or an error if allocation
    /// fails.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when `alloc` has no room.
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// use weakref_core::storage::Global;
    /// let zero = Rc::<u8>::try_new_zeroed_in(Global)?;
    /// // SAFETY: zero bytes are a valid `u8`.
    /// assert_eq!(*unsafe { zero.assume_init() }, 0);
    /// # Ok::<(), weakref_core::storage::AllocError>(())
    /// ```
    pub fn try_new_zeroed_in(alloc: A) -> Result<Strong<MaybeUninit<T>, C, A>, AllocError> {
        Self::try_uninit_in(alloc, true)
    }
}

#[cfg(feature = "alloc")]
impl<T, C: RawCount> Strong<T, C, Global> {
    /// A new handle to an uninitialised value (std's `Rc::new_uninit`).
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// let mut five = Rc::<u32>::new_uninit();
    /// Rc::get_mut(&mut five).unwrap().write(5);
    /// // SAFETY: the value was written just above.
    /// let five = unsafe { five.assume_init() };
    /// assert_eq!(*five, 5);
    /// ```
    #[must_use = "this returns a new handle"]
    pub fn new_uninit() -> Strong<MaybeUninit<T>, C, Global> {
        Self::new_uninit_in(Global)
    }

    /// [`new_uninit`](Self::new_uninit), or an error if allocation fails.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the heap has no room.
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// let x = Rc::<u64>::try_new_uninit()?;
    /// # drop(x);
    /// # Ok::<(), weakref_core::storage::AllocError>(())
    /// ```
    pub fn try_new_uninit() -> Result<Strong<MaybeUninit<T>, C, Global>, AllocError> {
        Self::try_new_uninit_in(Global)
    }

    /// A new handle to a value whose bytes are all zero (std's
    /// `Rc::new_zeroed`).
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// let zero = Rc::<u32>::new_zeroed();
    /// // SAFETY: zero bytes are a valid `u32`.
    /// assert_eq!(*unsafe { zero.assume_init() }, 0);
    /// ```
    #[must_use = "this returns a new handle"]
    pub fn new_zeroed() -> Strong<MaybeUninit<T>, C, Global> {
        Self::new_zeroed_in(Global)
    }

    /// [`new_zeroed`](Self::new_zeroed), or an error if allocation fails.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the heap has no room.
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// let zero = Rc::<u8>::try_new_zeroed()?;
    /// // SAFETY: zero bytes are a valid `u8`.
    /// assert_eq!(*unsafe { zero.assume_init() }, 0);
    /// # Ok::<(), weakref_core::storage::AllocError>(())
    /// ```
    pub fn try_new_zeroed() -> Result<Strong<MaybeUninit<T>, C, Global>, AllocError> {
        Self::try_new_zeroed_in(Global)
    }
}

impl<T, C: RawCount, A: Allocator> Strong<[T], C, A> {
    /// A block for `len` `MaybeUninit<T>`s in `alloc`, zeroed if `zeroed`.
    ///
    /// # Errors
    ///
    /// `Err(Some(layout))` if `alloc` refused the block's `layout`;
    /// `Err(None)` if the slice is too large for a block (over
    /// `isize::MAX` bytes).
    fn try_uninit_slice_in(
        len: usize,
        alloc: A,
        zeroed: bool,
    ) -> Result<UninitSlice<T, C, A>, Option<Layout>> {
        let value = Layout::array::<T>(len).map_err(|_| None)?;
        let (mem, _) = allocate_block::<C, A>(&alloc, value)?;
        let block = Block::<C, [MaybeUninit<T>]>::with_metadata_of(
            mem,
            ptr::slice_from_raw_parts(ptr::null::<MaybeUninit<T>>(), len),
        );
        if zeroed {
            // SAFETY: I1: the block is allocated, with `len` elements.
            let elems = unsafe { Block::value_ptr(block) }.cast::<MaybeUninit<T>>();
            // SAFETY: `len` elements in bounds and aligned (the block was
            // laid out for `[T; len]`), no handle exists yet.
            unsafe { elems.write_bytes(0, len) };
        }
        // SAFETY: the block is in `alloc`, laid out for this `len` (the
        // layout the metadata gives back, I1), with strong 1 handed to the
        // handle; `MaybeUninit`s are initialised whatever their bytes (I3).
        Ok(unsafe { Strong::from_inner_in(block, alloc) })
    }

    /// [`try_uninit_slice_in`](Self::try_uninit_slice_in), aborting (or
    /// panicking) as `new_in` does.
    fn uninit_slice_in(len: usize, alloc: A, zeroed: bool) -> Strong<[MaybeUninit<T>], C, A> {
        match Self::try_uninit_slice_in(len, alloc, zeroed) {
            Ok(this) => this,
            Err(Some(layout)) => shim::alloc_failed(layout),
            Err(None) => panic!("weakref: slice too large for a block"),
        }
    }

    /// A new handle to `len` uninitialised elements, in `alloc`.
    ///
    /// # Panics
    ///
    /// If `len` elements of `T` exceed `isize::MAX` bytes.
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// use weakref_core::storage::Global;
    /// let mut values = Rc::<[u32]>::new_uninit_slice_in(3, Global);
    /// for (i, slot) in Rc::get_mut(&mut values).unwrap().iter_mut().enumerate() {
    ///     slot.write(i as u32);
    /// }
    /// // SAFETY: every element was written just above.
    /// let values = unsafe { values.assume_init() };
    /// assert_eq!(*values, [0, 1, 2]);
    /// ```
    #[must_use = "this returns a new handle"]
    pub fn new_uninit_slice_in(len: usize, alloc: A) -> Strong<[MaybeUninit<T>], C, A> {
        Self::uninit_slice_in(len, alloc, false)
    }

    /// [`new_uninit_slice_in`](Self::new_uninit_slice_in), or an error.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when `alloc` has no room, or when `len` elements of
    /// `T` exceed `isize::MAX` bytes.
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// use weakref_core::storage::Global;
    /// assert_eq!(Rc::<[u8]>::try_new_uninit_slice_in(4, Global)?.len(), 4);
    /// assert!(Rc::<[u64]>::try_new_uninit_slice_in(usize::MAX, Global).is_err());
    /// # Ok::<(), weakref_core::storage::AllocError>(())
    /// ```
    pub fn try_new_uninit_slice_in(
        len: usize,
        alloc: A,
    ) -> Result<Strong<[MaybeUninit<T>], C, A>, AllocError> {
        Self::try_uninit_slice_in(len, alloc, false).map_err(|_| AllocError)
    }

    /// A new handle to `len` elements whose bytes are all zero, in `alloc`.
    ///
    /// # Panics
    ///
    /// If `len` elements of `T` exceed `isize::MAX` bytes.
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// use weakref_core::storage::Global;
    /// let zeros = Rc::<[u16]>::new_zeroed_slice_in(3, Global);
    /// // SAFETY: zero bytes are valid `u16`s.
    /// assert_eq!(*unsafe { zeros.assume_init() }, [0, 0, 0]);
    /// ```
    #[must_use = "this returns a new handle"]
    pub fn new_zeroed_slice_in(len: usize, alloc: A) -> Strong<[MaybeUninit<T>], C, A> {
        Self::uninit_slice_in(len, alloc, true)
    }

    /// [`new_zeroed_slice_in`](Self::new_zeroed_slice_in), or an error.
    ///
    /// # Errors
    ///
    /// As [`try_new_uninit_slice_in`](Self::try_new_uninit_slice_in).
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// use weakref_core::storage::Global;
    /// let zeros = Rc::<[u8]>::try_new_zeroed_slice_in(2, Global)?;
    /// // SAFETY: zero bytes are valid `u8`s.
    /// assert_eq!(*unsafe { zeros.assume_init() }, [0, 0]);
    /// # Ok::<(), weakref_core::storage::AllocError>(())
    /// ```
    pub fn try_new_zeroed_slice_in(
        len: usize,
        alloc: A,
    ) -> Result<Strong<[MaybeUninit<T>], C, A>, AllocError> {
        Self::try_uninit_slice_in(len, alloc, true).map_err(|_| AllocError)
    }
}

#[cfg(feature = "alloc")]
impl<T, C: RawCount> Strong<[T], C, Global> {
    /// A new handle to `len` uninitialised elements (std's
    /// `Rc::new_uninit_slice`).
    ///
    /// # Panics
    ///
    /// If `len` elements of `T` exceed `isize::MAX` bytes.
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// let mut values = Rc::<[u32]>::new_uninit_slice(2);
    /// let slots = Rc::get_mut(&mut values).unwrap();
    /// slots[0].write(7);
    /// slots[1].write(8);
    /// // SAFETY: both elements were written just above.
    /// assert_eq!(*unsafe { values.assume_init() }, [7, 8]);
    /// ```
    #[must_use = "this returns a new handle"]
    pub fn new_uninit_slice(len: usize) -> Strong<[MaybeUninit<T>], C, Global> {
        Self::new_uninit_slice_in(len, Global)
    }

    /// [`new_uninit_slice`](Self::new_uninit_slice), or an error.
    ///
    /// # Errors
    ///
    /// [`AllocError`] when the heap has no room, or when `len` elements of
    /// `T` exceed `isize::MAX` bytes.
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// assert!(Rc::<[u64]>::try_new_uninit_slice(usize::MAX).is_err());
    /// ```
    pub fn try_new_uninit_slice(
        len: usize,
    ) -> Result<Strong<[MaybeUninit<T>], C, Global>, AllocError> {
        Self::try_new_uninit_slice_in(len, Global)
    }

    /// A new handle to `len` elements whose bytes are all zero (std's
    /// `Rc::new_zeroed_slice`).
    ///
    /// # Panics
    ///
    /// If `len` elements of `T` exceed `isize::MAX` bytes.
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// let zeros = Rc::<[u32]>::new_zeroed_slice(3);
    /// // SAFETY: zero bytes are valid `u32`s.
    /// assert_eq!(*unsafe { zeros.assume_init() }, [0, 0, 0]);
    /// ```
    #[must_use = "this returns a new handle"]
    pub fn new_zeroed_slice(len: usize) -> Strong<[MaybeUninit<T>], C, Global> {
        Self::new_zeroed_slice_in(len, Global)
    }

    /// [`new_zeroed_slice`](Self::new_zeroed_slice), or an error.
    ///
    /// # Errors
    ///
    /// As [`try_new_uninit_slice`](Self::try_new_uninit_slice).
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// let zeros = Rc::<[u8]>::try_new_zeroed_slice(1)?;
    /// // SAFETY: zero bytes are valid `u8`s.
    /// assert_eq!(*unsafe { zeros.assume_init() }, [0]);
    /// # Ok::<(), weakref_core::storage::AllocError>(())
    /// ```
    pub fn try_new_zeroed_slice(
        len: usize,
    ) -> Result<Strong<[MaybeUninit<T>], C, Global>, AllocError> {
        Self::try_new_zeroed_slice_in(len, Global)
    }
}

impl<T, C: RawCount, A: Allocator> Strong<MaybeUninit<T>, C, A> {
    /// The handle as a handle of the initialised `T`, in place (std's
    /// `Rc::assume_init`).
    ///
    /// # Safety
    ///
    /// As for [`MaybeUninit::assume_init`]: the value must be initialised,
    /// a valid `T`. Calling this on a value that is not yet fully
    /// initialised is undefined behaviour at once. Other handles of type
    /// `MaybeUninit<T>` to the same block may remain; if the last handle
    /// to go is one of them, the `T` is leaked, not dropped.
    ///
    /// ```no_run
    #[doc = doc_alias!()]
    /// let x = Rc::<bool>::new_uninit();
    /// // Undefined behaviour: the `bool` was never written.
    /// let b = unsafe { x.assume_init() };
    /// # drop(b);
    /// ```
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// let mut hello = Rc::<String>::new_uninit();
    /// Rc::get_mut(&mut hello).unwrap().write("hello".to_owned());
    /// // SAFETY: the value was written just above.
    /// let hello = unsafe { hello.assume_init() };
    /// assert_eq!(*hello, "hello");
    /// ```
    #[must_use = "this returns the converted handle, consuming the original"]
    #[inline]
    pub unsafe fn assume_init(self) -> Strong<T, C, A> {
        let (block, alloc) = Strong::into_inner_with_allocator(self);
        // SAFETY: `MaybeUninit<T>` has `T`'s size and alignment, so
        // `Block<C, T>` has the same layout (I1 holds for the new type);
        // `cast` keeps the address and provenance. The value is a valid `T`
        // (the caller's contract), so I3 holds; the strong count moves over,
        // in the same allocator.
        unsafe { Strong::from_inner_in(block.cast::<Block<C, T>>(), alloc) }
    }
}

impl<T, C: RawCount, A: Allocator> Strong<[MaybeUninit<T>], C, A> {
    /// The handle as a handle of the initialised `[T]`, in place (std's
    /// `Rc::<[MaybeUninit<T>]>::assume_init`).
    ///
    /// # Safety
    ///
    /// As for [`MaybeUninit::assume_init`], for every element: each must
    /// be initialised, a valid `T`. Other `[MaybeUninit<T>]` handles to the
    /// same block may remain; if the last handle to go is one of them, the
    /// elements are leaked, not dropped.
    ///
    /// ```no_run
    #[doc = doc_alias!()]
    /// let x = Rc::<[bool]>::new_uninit_slice(2);
    /// // Undefined behaviour: the elements were never written.
    /// let b = unsafe { x.assume_init() };
    /// # drop(b);
    /// ```
    ///
    /// # Examples
    ///
    /// ```
    #[doc = doc_alias!()]
    /// let mut words = Rc::<[String]>::new_uninit_slice(2);
    /// let slots = Rc::get_mut(&mut words).unwrap();
    /// slots[0].write("a".to_owned());
    /// slots[1].write("b".to_owned());
    /// // SAFETY: both elements were written just above.
    /// let words = unsafe { words.assume_init() };
    /// assert_eq!(*words, ["a", "b"]);
    /// ```
    #[must_use = "this returns the converted handle, consuming the original"]
    #[inline]
    pub unsafe fn assume_init(self) -> Strong<[T], C, A> {
        let (block, alloc) = Strong::into_inner_with_allocator(self);
        // The slice length carries over with the cast (both tails are
        // slices); `MaybeUninit<T>` has `T`'s layout, so the block's layout
        // and the value's offset are unchanged (I1).
        let block = block.as_ptr() as *mut Block<C, [T]>;
        // SAFETY: `block` came from a `NonNull`, so it is not null.
        let block = unsafe { NonNull::new_unchecked(block) };
        // SAFETY: every element is a valid `T` (the caller's contract), so
        // I3 holds; the strong count moves over, in the same allocator.
        unsafe { Strong::from_inner_in(block, alloc) }
    }
}
