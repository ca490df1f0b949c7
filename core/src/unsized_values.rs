//! Unsized values on stable Rust: `Strong<[T]>`, `Strong<str>`, and any
//! `Strong<dyn Trait>` through `From<Box<dyn Trait>>`.
//!
//! Each constructor allocates a block sized for the value
//! ([`Block::layout_for_value`]) and builds the wide block pointer from the
//! allocation and the source's metadata ([`Block::with_metadata_of`]).
//! The slice builder works in any allocator (`make_mut` of a `[T]` clones
//! into its handle's allocator); the `From` conversions use `Global`.

#[cfg(feature = "alloc")]
use alloc::boxed::Box;
#[cfg(feature = "alloc")]
use alloc::string::String;
#[cfg(feature = "alloc")]
use alloc::vec::Vec;
use core::alloc::Layout;
use core::mem::ManuallyDrop;
use core::ptr::{self, NonNull};

use crate::block::{Block, allocate_block};
use crate::count::RawCount;
use crate::shim;
use crate::storage::Allocator;
#[cfg(feature = "alloc")]
use crate::storage::Global;
use crate::strong::CloneToBlock;
use crate::strong::Strong;

/// [`allocate_block`] for a constructor that cannot return an error: a
/// value too large panics, a refused allocation goes to `alloc_failed`.
fn allocate_block_in<C: RawCount, A: Allocator>(value: Layout, alloc: &A) -> (NonNull<u8>, Layout) {
    match allocate_block::<C, A>(alloc, value) {
        Ok(block) => block,
        Err(None) => panic!("weakref: value too large for a block"),
        Err(Some(layout)) => shim::alloc_failed(layout),
    }
}

/// A `[T]` block being filled, element by element. Dropped before
/// [`finish`](SliceBuilder::finish) (a panicking `clone`, a lying
/// iterator), it drops the elements written so far and frees the block.
pub(crate) struct SliceBuilder<C: RawCount, T, A: Allocator> {
    block: NonNull<Block<C, [T]>>,
    layout: Layout,
    len: usize,
    written: usize,
    alloc: A,
}

#[cfg(feature = "alloc")]
impl<C: RawCount, T> SliceBuilder<C, T, Global> {
    /// A builder for `len` elements on the heap.
    pub(crate) fn new(len: usize) -> Self {
        Self::new_in(len, Global)
    }
}

impl<C: RawCount, T, A: Allocator> SliceBuilder<C, T, A> {
    /// A builder for `len` elements in `alloc`.
    pub(crate) fn new_in(len: usize, alloc: A) -> Self {
        let Ok(value) = Layout::array::<T>(len) else {
            panic!("weakref: slice too large for a block")
        };
        let (mem, layout) = allocate_block_in::<C, A>(value, &alloc);
        let block = Block::with_metadata_of(mem, ptr::slice_from_raw_parts(ptr::null::<T>(), len));
        SliceBuilder {
            block,
            layout,
            len,
            written: 0,
            alloc,
        }
    }

    /// The first element's slot.
    fn elems(&self) -> *mut T {
        // SAFETY: I1: the block is allocated (we free it only in `drop`),
        // with the metadata it was built with.
        unsafe { Block::value_ptr(self.block) }.cast::<T>()
    }

    pub(crate) fn push(&mut self, value: T) {
        assert!(
            self.written < self.len,
            "weakref: iterator yielded more elements than it promised"
        );
        // SAFETY: slot `written` is inside the `len`-element value (checked
        // above) and not yet written.
        let slot = unsafe { self.elems().add(self.written) };
        // SAFETY: as above: in bounds, aligned, free.
        unsafe { slot.write(value) };
        self.written += 1;
    }

    /// Copies all of `src`'s elements in at once (it must be exactly as
    /// long as the block).
    fn copy_all(&mut self, src: &[T])
    where
        T: Copy,
    {
        let len = self.len;
        assert!(self.written == 0 && src.len() == len);
        // SAFETY: `len` readable elements in `src`, `len` free slots here,
        // and the block is a fresh allocation: no overlap. `T: Copy`, so
        // the source keeps its own.
        unsafe { ptr::copy_nonoverlapping(src.as_ptr(), self.elems(), len) };
        self.written = len;
    }

    /// Moves all of `vec`'s elements in at once (it must be exactly as long
    /// as the block), leaving `vec` empty.
    #[cfg(feature = "alloc")]
    fn take_all(&mut self, vec: &mut Vec<T>) {
        let len = self.len;
        assert!(self.written == 0 && vec.len() == len);
        // SAFETY: `len` readable elements in `vec`, `len` free slots here,
        // two different allocations. Setting `vec`'s length to 0 then makes
        // the move final: `vec` will not drop them.
        unsafe { ptr::copy_nonoverlapping(vec.as_ptr(), self.elems(), len) };
        // SAFETY: 0 <= capacity, and the elements were moved out above.
        unsafe { vec.set_len(0) };
        self.written = len;
    }

    pub(crate) fn finish(self) -> Strong<[T], C, A> {
        assert!(
            self.written == self.len,
            "weakref: iterator yielded fewer elements than it promised"
        );
        let this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again: the allocator is
        // moved, not duplicated.
        let alloc = unsafe { ptr::read(&raw const this.alloc) };
        // SAFETY: the block is in `alloc`, its counts are (1, 1) and all
        // `len` elements are written: we hand strong 1 to the handle.
        unsafe { Strong::from_inner_in(this.block, alloc) }
    }
}

impl<C: RawCount, T, A: Allocator> Drop for SliceBuilder<C, T, A> {
    fn drop(&mut self) {
        let written = ptr::slice_from_raw_parts_mut(self.elems(), self.written);
        // SAFETY: the first `written` slots are initialised, and no handle
        // exists to see them.
        unsafe { ptr::drop_in_place(written) };
        // SAFETY: the block came from `self.alloc.allocate(self.layout)` and
        // no handle to it exists.
        unsafe { self.alloc.deallocate(self.block.cast(), self.layout) };
    }
}

#[cfg(feature = "alloc")]
impl<T: Clone, C: RawCount> From<&[T]> for Strong<[T], C, Global> {
    /// A new block holding clones of the slice's elements.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let shared: Rc<[i32]> = Rc::from(&[1, 2, 3][..]);
    /// assert_eq!(&shared[..], [1, 2, 3]);
    /// ```
    fn from(slice: &[T]) -> Self {
        let mut builder = SliceBuilder::new(slice.len());
        for elem in slice {
            builder.push(elem.clone());
        }
        builder.finish()
    }
}

#[cfg(feature = "alloc")]
impl<T, C: RawCount> From<Vec<T>> for Strong<[T], C, Global> {
    /// Moves the vector's elements into a new block (and frees the
    /// vector's buffer).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let shared: Rc<[String]> = Rc::from(vec!["a".to_owned(), "b".to_owned()]);
    /// assert_eq!(shared.len(), 2);
    /// ```
    fn from(mut vec: Vec<T>) -> Self {
        let mut builder = SliceBuilder::new(vec.len());
        builder.take_all(&mut vec);
        builder.finish()
    }
}

#[cfg(feature = "alloc")]
impl<T, C: RawCount> FromIterator<T> for Strong<[T], C, Global> {
    /// Collects into a new `[T]` block (through a `Vec`, as std does for
    /// iterators of unknown length).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let evens: Rc<[u32]> = (0..5).map(|i| i * 2).collect();
    /// assert_eq!(&*evens, [0, 2, 4, 6, 8]);
    /// ```
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self::from(iter.into_iter().collect::<Vec<T>>())
    }
}

#[cfg(feature = "alloc")]
impl<T, C: RawCount> Default for Strong<[T], C, Global> {
    /// An empty slice.
    fn default() -> Self {
        SliceBuilder::new(0).finish()
    }
}

#[cfg(feature = "alloc")]
impl<C: RawCount> From<&str> for Strong<str, C, Global> {
    /// A new block holding a copy of the string.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let shared: Rc<str> = Rc::from("statue");
    /// assert_eq!(&*shared, "statue");
    /// ```
    fn from(s: &str) -> Self {
        str_in(s, Global)
    }
}

#[cfg(feature = "alloc")]
impl<C: RawCount> From<String> for Strong<str, C, Global> {
    /// A new block holding the string's contents (the `String`'s buffer is
    /// freed).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let shared: Rc<str> = Rc::from(String::from("statue"));
    /// assert_eq!(&*shared, "statue");
    /// ```
    fn from(s: String) -> Self {
        Self::from(s.as_str())
    }
}

#[cfg(feature = "alloc")]
impl<C: RawCount> Default for Strong<str, C, Global> {
    /// An empty string.
    fn default() -> Self {
        Self::from("")
    }
}

#[cfg(feature = "alloc")]
impl<C: RawCount> From<Strong<str, C, Global>> for Strong<[u8], C, Global> {
    /// The same block, seen as bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let s: Rc<str> = Rc::from("eggplant");
    /// let bytes: Rc<[u8]> = Rc::from(s);
    /// assert_eq!(b"eggplant", &bytes[..]);
    /// ```
    fn from(s: Strong<str, C, Global>) -> Self {
        let (block, alloc) = Strong::into_inner_with_allocator(s);
        // The cast keeps the length metadata, as in `From<&str>`.
        let block = block.as_ptr() as *mut Block<C, [u8]>;
        let block = NonNull::new(block).expect("a block address is not null");
        // SAFETY: a `str` is valid as bytes; the strong count we took from
        // `s` passes to the new handle.
        unsafe { Strong::from_inner_in(block, alloc) }
    }
}

#[cfg(feature = "alloc")]
impl<T: ?Sized, C: RawCount> From<Box<T>> for Strong<T, C, Global> {
    /// Moves a boxed value into a new block (and frees the box). Works for
    /// unsized values: `Box<str>`, `Box<[T]>`, `Box<dyn Trait>`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use core::fmt::Display;
    /// let shown: Rc<dyn Display> = Rc::from(Box::new(5) as Box<dyn Display>);
    /// assert_eq!(shown.to_string(), "5");
    /// ```
    fn from(boxed: Box<T>) -> Self {
        box_into_block_in(boxed, Global)
    }
}

/// Moves a boxed value into a new block in `alloc` (and frees the box):
/// a bit-for-bit move, whatever `T`'s layout, so it serves types whose
/// layout is private (`CStr`, `OsStr`, `Path`).
#[cfg(feature = "alloc")]
fn box_into_block_in<C: RawCount, T: ?Sized, A: Allocator>(
    boxed: Box<T>,
    alloc: A,
) -> Strong<T, C, A> {
    let value = Layout::for_value::<T>(&boxed);
    // Allocated while `boxed` still owns the value: if `allocate` panics,
    // the box drops it.
    let (mem, _) = allocate_block_in::<C, A>(value, &alloc);
    let raw = Box::into_raw(boxed);
    let block = Block::with_metadata_of(mem, raw);
    // SAFETY: I1: the block is allocated with `raw`'s metadata.
    let slot = unsafe { Block::value_ptr(block) };
    // SAFETY: `raw` holds `value.size()` initialised bytes; the slot has
    // room for them (laid out from the same layout); two allocations.
    unsafe { ptr::copy_nonoverlapping(raw.cast::<u8>(), slot.cast::<u8>(), value.size()) };
    // Free the box's memory without dropping the value, now moved.
    // SAFETY: `raw` came from `Box::into_raw`; `ManuallyDrop<T>` has
    // `T`'s layout, so the box frees exactly what it allocated.
    drop(unsafe { Box::from_raw(raw as *mut ManuallyDrop<T>) });
    // SAFETY: counts (1, 1), value initialised, block in `alloc`.
    unsafe { Strong::from_inner_in(block, alloc) }
}

#[cfg(feature = "alloc")]
impl crate::strong::sealed::Sealed for core::ffi::CStr {}

#[cfg(feature = "alloc")]
impl CloneToBlock for core::ffi::CStr {
    /// Copies the C string into a new block (through a `Box<CStr>`).
    fn clone_to_block<C: RawCount, A: Allocator + Clone>(
        this: &Strong<core::ffi::CStr, C, A>,
    ) -> Strong<core::ffi::CStr, C, A> {
        // The allocator first: if its `clone` panics, nothing is taken.
        let alloc = Strong::allocator(this).clone();
        box_into_block_in(Box::<core::ffi::CStr>::from(&**this), alloc)
    }
}

/// A new `str` block in `alloc` holding a copy of `s`.
fn str_in<C: RawCount, A: Allocator>(s: &str, alloc: A) -> Strong<str, C, A> {
    let mut builder = SliceBuilder::<C, u8, A>::new_in(s.len(), alloc);
    builder.copy_all(s.as_bytes());
    let (block, alloc) = Strong::into_inner_with_allocator(builder.finish());
    // The cast keeps the length metadata (`Block<C, str>`'s tail is `str`,
    // whose metadata is its length in bytes, as for `[u8]`).
    let block = block.as_ptr() as *mut Block<C, str>;
    let block = NonNull::new(block).expect("a block address is not null");
    // SAFETY: the block holds a copy of `s`'s bytes, valid UTF-8, laid out
    // as a `str` of the same length; strong 1 passes to the handle.
    unsafe { Strong::from_inner_in(block, alloc) }
}

impl<T: Clone> crate::strong::sealed::Sealed for [T] {}

impl<T: Clone> CloneToBlock for [T] {
    /// Clones the elements one by one into a new block; if a `clone`
    /// panics, the builder drops those cloned so far and frees the block.
    fn clone_to_block<C: RawCount, A: Allocator + Clone>(
        this: &Strong<[T], C, A>,
    ) -> Strong<[T], C, A> {
        // The allocator first: if its `clone` panics, nothing is taken.
        let mut builder = SliceBuilder::new_in(this.len(), Strong::allocator(this).clone());
        for elem in this.iter() {
            builder.push(elem.clone());
        }
        builder.finish()
    }
}

impl crate::strong::sealed::Sealed for str {}

impl CloneToBlock for str {
    /// Copies the bytes into a new block.
    fn clone_to_block<C: RawCount, A: Allocator + Clone>(
        this: &Strong<str, C, A>,
    ) -> Strong<str, C, A> {
        str_in(this, Strong::allocator(this).clone())
    }
}

#[cfg(feature = "alloc")]
impl<T, C: RawCount, const N: usize> From<[T; N]> for Strong<[T], C, Global> {
    /// Moves the array's elements into a new `[T]` block.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let shared: Rc<[String]> = Rc::from(["a".to_owned(), "b".to_owned()]);
    /// assert_eq!(&shared[..], ["a", "b"]);
    /// ```
    fn from(array: [T; N]) -> Self {
        let mut builder = SliceBuilder::new(N);
        for elem in array {
            builder.push(elem);
        }
        builder.finish()
    }
}

#[cfg(feature = "alloc")]
impl<T: Clone, C: RawCount> From<&mut [T]> for Strong<[T], C, Global> {
    /// A new block holding clones of the slice's elements (as
    /// `From<&[T]>`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let mut original = [1, 2, 3];
    /// let shared: Rc<[i32]> = Rc::from(&mut original[..]);
    /// assert_eq!(&shared[..], [1, 2, 3]);
    /// ```
    fn from(slice: &mut [T]) -> Self {
        Self::from(&*slice)
    }
}

#[cfg(feature = "alloc")]
impl<C: RawCount> From<&mut str> for Strong<str, C, Global> {
    /// A new block holding a copy of the string (as `From<&str>`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let mut original = String::from("statue");
    /// let shared: Rc<str> = Rc::from(original.as_mut_str());
    /// assert_eq!(&*shared, "statue");
    /// ```
    fn from(s: &mut str) -> Self {
        Self::from(&*s)
    }
}

#[cfg(feature = "alloc")]
impl<'a, B, C: RawCount> From<alloc::borrow::Cow<'a, B>> for Strong<B, C, Global>
where
    B: alloc::borrow::ToOwned + ?Sized,
    Strong<B, C, Global>: From<&'a B> + From<B::Owned>,
{
    /// A new block holding the borrowed value's copy, or the owned value
    /// (through the `From` conversions of `&B` and `B::Owned`): `[T]`,
    /// `str`, `CStr`, and with feature `std` `OsStr` and `Path`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use std::borrow::Cow;
    /// let borrowed: Rc<str> = Rc::from(Cow::Borrowed("eggplant"));
    /// let owned: Rc<str> = Rc::from(Cow::<str>::Owned("eggplant".to_owned()));
    /// assert_eq!(borrowed, owned);
    /// ```
    fn from(cow: alloc::borrow::Cow<'a, B>) -> Self {
        match cow {
            alloc::borrow::Cow::Borrowed(b) => Self::from(b),
            alloc::borrow::Cow::Owned(o) => Self::from(o),
        }
    }
}

impl<T, C: RawCount, A: Allocator, const N: usize> TryFrom<Strong<[T], C, A>>
    for Strong<[T; N], C, A>
{
    type Error = Strong<[T], C, A>;

    /// The same block, as an array, if the slice has `N` elements (no
    /// copy, no allocation); the handle back otherwise.
    ///
    /// # Errors
    ///
    /// `Err(slice)` when `slice.len() != N`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let slice: Rc<[u8]> = Rc::from(vec![1, 2, 3]);
    /// let array: Rc<[u8; 3]> = Rc::try_from(slice).unwrap();
    /// assert_eq!(*array, [1, 2, 3]);
    /// let slice: Rc<[u8]> = Rc::from(vec![1, 2]);
    /// assert!(Rc::<[u8; 3]>::try_from(slice).is_err());
    /// ```
    fn try_from(slice: Strong<[T], C, A>) -> Result<Self, Self::Error> {
        if slice.len() != N {
            return Err(slice);
        }
        let (block, alloc) = Strong::into_inner_with_allocator(slice);
        // A `[T; N]` and an `N`-element `[T]` have the same layout, so the
        // block's layout and the value's offset are unchanged (I1); the
        // cast drops the length, which the type now carries.
        let block = block.cast::<Block<C, [T; N]>>();
        // SAFETY: the block is in `alloc` with our strong count, and holds
        // `N` initialised `T`s: an initialised `[T; N]` (I3).
        Ok(unsafe { Strong::from_inner_in(block, alloc) })
    }
}

#[cfg(feature = "alloc")]
impl<C: RawCount> From<&core::ffi::CStr> for Strong<core::ffi::CStr, C, Global> {
    /// A new block holding a copy of the C string (through a `Box<CStr>`:
    /// one more allocation than std, which may cast a byte block because
    /// it knows `CStr`'s private layout).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use core::ffi::CStr;
    /// let shared: Rc<CStr> = Rc::from(c"statue");
    /// assert_eq!(shared.to_bytes(), b"statue");
    /// ```
    fn from(s: &core::ffi::CStr) -> Self {
        Self::from(Box::<core::ffi::CStr>::from(s))
    }
}

#[cfg(feature = "alloc")]
impl<C: RawCount> From<&mut core::ffi::CStr> for Strong<core::ffi::CStr, C, Global> {
    /// As `From<&CStr>`.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use std::ffi::{CStr, CString};
    /// let mut owned = CString::new("statue").unwrap().into_boxed_c_str();
    /// let shared: Rc<CStr> = Rc::from(&mut *owned);
    /// assert_eq!(&*shared, c"statue");
    /// ```
    fn from(s: &mut core::ffi::CStr) -> Self {
        Self::from(&*s)
    }
}

#[cfg(feature = "alloc")]
impl<C: RawCount> From<alloc::ffi::CString> for Strong<core::ffi::CStr, C, Global> {
    /// A new block holding the C string's contents (its buffer is freed).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use std::ffi::{CStr, CString};
    /// let shared: Rc<CStr> = Rc::from(CString::new("statue").unwrap());
    /// assert_eq!(&*shared, c"statue");
    /// ```
    fn from(s: alloc::ffi::CString) -> Self {
        Self::from(s.into_boxed_c_str())
    }
}

#[cfg(feature = "alloc")]
impl<C: RawCount> Default for Strong<core::ffi::CStr, C, Global> {
    /// An empty C string (only its nul terminator).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use core::ffi::CStr;
    /// let empty: Rc<CStr> = Rc::default();
    /// assert!(empty.is_empty());
    /// ```
    fn default() -> Self {
        Self::from(c"")
    }
}

/// `OsStr` and `Path` (std only): through `Box<OsStr>` / `Box<Path>`, as
/// for `CStr` (their layout is private to std).
#[cfg(feature = "std")]
mod std_values {
    use alloc::boxed::Box;
    use std::ffi::{OsStr, OsString};
    use std::path::{Path, PathBuf};

    use crate::count::RawCount;
    use crate::storage::Global;
    use crate::strong::Strong;

    /// `From<&X>`, `From<&mut X>` and `From<Owned>` for `Strong<X>`.
    macro_rules! std_unsized {
        ($borrowed:ident, $owned:ident, $into_boxed:ident, $example:literal) => {
            impl<C: RawCount> From<&$borrowed> for Strong<$borrowed, C, Global> {
                #[doc = concat!("A new block holding a copy of the `", stringify!($borrowed), "` (through a `Box`).")]
                ///
                /// # Examples
                ///
                /// ```
                /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
                #[doc = concat!("use std::", $example, ";")]
                #[doc = concat!("let shared: Rc<", stringify!($borrowed), "> = Rc::from(", stringify!($borrowed), "::new(\"a/b\"));")]
                #[doc = concat!("assert_eq!(&*shared, &*", stringify!($owned), "::from(\"a/b\"));")]
                /// ```
                fn from(value: &$borrowed) -> Self {
                    Self::from(Box::<$borrowed>::from(value))
                }
            }

            impl<C: RawCount> From<&mut $borrowed> for Strong<$borrowed, C, Global> {
                /// As `From<&_>`.
                ///
                /// # Examples
                ///
                /// ```
                /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
                #[doc = concat!("use std::", $example, ";")]
                #[doc = concat!("let mut owned = ", stringify!($owned), "::from(\"a/b\");")]
                #[doc = concat!("let shared: Rc<", stringify!($borrowed), "> = Rc::from(&mut *owned);")]
                #[doc = concat!("assert_eq!(&*shared, ", stringify!($borrowed), "::new(\"a/b\"));")]
                /// ```
                fn from(value: &mut $borrowed) -> Self {
                    Self::from(&*value)
                }
            }

            impl<C: RawCount> From<$owned> for Strong<$borrowed, C, Global> {
                /// A new block holding the contents (the buffer is freed).
                ///
                /// # Examples
                ///
                /// ```
                /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
                #[doc = concat!("use std::", $example, ";")]
                #[doc = concat!("let shared: Rc<", stringify!($borrowed), "> = Rc::from(", stringify!($owned), "::from(\"a/b\"));")]
                #[doc = concat!("assert_eq!(&*shared, ", stringify!($borrowed), "::new(\"a/b\"));")]
                /// ```
                fn from(value: $owned) -> Self {
                    Self::from(value.$into_boxed())
                }
            }
        };
    }

    /// `make_mut` for `X`: a copy through a `Box<X>`.
    macro_rules! clone_to_block {
        ($borrowed:ident) => {
            impl crate::strong::sealed::Sealed for $borrowed {}

            impl crate::strong::CloneToBlock for $borrowed {
                #[doc = concat!("Copies the `", stringify!($borrowed), "` into a new block (through a `Box`).")]
                fn clone_to_block<C: RawCount, A: crate::storage::Allocator + Clone>(
                    this: &Strong<$borrowed, C, A>,
                ) -> Strong<$borrowed, C, A> {
                    // The allocator first: if its `clone` panics, nothing is taken.
                    let alloc = Strong::allocator(this).clone();
                    super::box_into_block_in(Box::<$borrowed>::from(&**this), alloc)
                }
            }
        };
    }

    clone_to_block!(OsStr);
    clone_to_block!(Path);

    std_unsized!(OsStr, OsString, into_boxed_os_str, "ffi::{OsStr, OsString}");
    std_unsized!(Path, PathBuf, into_boxed_path, "path::{Path, PathBuf}");
}
