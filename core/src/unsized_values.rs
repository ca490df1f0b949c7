//! Unsized values on stable Rust: `Strong<[T]>`, `Strong<str>`, and any
//! `Strong<dyn Trait>` through `From<Box<dyn Trait>>`.
//!
//! Each constructor allocates a block sized for the value
//! ([`Block::layout_for_value`]) and builds the wide block pointer from the
//! allocation and the source's metadata ([`Block::with_metadata_of`]).

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::alloc::Layout;
use core::mem::ManuallyDrop;
use core::ptr::{self, NonNull};

use crate::block::Block;
use crate::count::RawCount;
use crate::shim;
use crate::storage::{Allocator, Global};
use crate::strong::Strong;

/// Allocates a block in `Global` for a value with layout `value`, with
/// counts `(1, 1)` written; returns its start and its layout.
fn allocate_block<C: RawCount>(value: Layout) -> (NonNull<u8>, Layout) {
    let Ok(layout) = Block::<C, ()>::layout_for_value(value) else {
        panic!("weakref: value too large for a block")
    };
    let Ok(mem) = Global.allocate(layout) else {
        shim::alloc_failed(layout)
    };
    let mem = mem.cast::<u8>();
    // SAFETY: fresh memory laid out for a block: the counts sit at offset 0
    // (`#[repr(C)]`), aligned for `C` (the block's alignment covers it).
    unsafe { mem.cast::<C>().write(C::new(1, 1)) };
    (mem, layout)
}

/// A `[T]` block being filled, element by element. Dropped before
/// [`finish`](SliceBuilder::finish) (a panicking `clone`, a lying
/// iterator), it drops the elements written so far and frees the block.
struct SliceBuilder<C: RawCount, T> {
    block: NonNull<Block<C, [T]>>,
    layout: Layout,
    len: usize,
    written: usize,
}

impl<C: RawCount, T> SliceBuilder<C, T> {
    fn new(len: usize) -> Self {
        let Ok(value) = Layout::array::<T>(len) else {
            panic!("weakref: slice too large for a block")
        };
        let (mem, layout) = allocate_block::<C>(value);
        let block = Block::with_metadata_of(mem, ptr::slice_from_raw_parts(ptr::null::<T>(), len));
        SliceBuilder {
            block,
            layout,
            len,
            written: 0,
        }
    }

    /// The first element's slot.
    fn elems(&self) -> *mut T {
        // SAFETY: I1: the block is allocated (we free it only in `drop`),
        // with the metadata it was built with.
        unsafe { Block::value_ptr(self.block) }.cast::<T>()
    }

    fn push(&mut self, value: T) {
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

    /// Moves all of `vec`'s elements in at once (it must be exactly as long
    /// as the block), leaving `vec` empty.
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

    fn finish(self) -> Strong<[T], C, Global> {
        assert!(
            self.written == self.len,
            "weakref: iterator yielded fewer elements than it promised"
        );
        let this = ManuallyDrop::new(self);
        // SAFETY: the block is in `Global`, its counts are (1, 1) and all
        // `len` elements are written: we hand strong 1 to the handle.
        unsafe { Strong::from_inner_in(this.block, Global) }
    }
}

impl<C: RawCount, T> Drop for SliceBuilder<C, T> {
    fn drop(&mut self) {
        let written = ptr::slice_from_raw_parts_mut(self.elems(), self.written);
        // SAFETY: the first `written` slots are initialised, and no handle
        // exists to see them.
        unsafe { ptr::drop_in_place(written) };
        // SAFETY: the block came from `Global.allocate(self.layout)` and no
        // handle to it exists.
        unsafe { Global.deallocate(self.block.cast(), self.layout) };
    }
}

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

impl<T, C: RawCount> Default for Strong<[T], C, Global> {
    /// An empty slice.
    fn default() -> Self {
        SliceBuilder::new(0).finish()
    }
}

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
        let bytes = Strong::<[u8], C, Global>::from(s.as_bytes());
        let (block, alloc) = Strong::into_inner_with_allocator(bytes);
        // The cast keeps the length metadata (`Block<C, str>`'s tail is
        // `str`, whose metadata is its length in bytes, as for `[u8]`).
        let block = block.as_ptr() as *mut Block<C, str>;
        let block = NonNull::new(block).expect("a block address is not null");
        // SAFETY: the block holds a copy of `s`'s bytes, valid UTF-8, laid
        // out as a `str` of the same length; strong 1 passes to the handle.
        unsafe { Strong::from_inner_in(block, alloc) }
    }
}

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

impl<C: RawCount> Default for Strong<str, C, Global> {
    /// An empty string.
    fn default() -> Self {
        Self::from("")
    }
}

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
        let value = Layout::for_value::<T>(&boxed);
        let (mem, _) = allocate_block::<C>(value);
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
        // SAFETY: counts (1, 1), value initialised, block in `Global`.
        unsafe { Strong::from_inner_in(block, Global) }
    }
}
