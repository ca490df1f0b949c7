//! The control block: the counts, then the value, in one allocation.
//!
//! ```text
//!  Block<C, T>, #[repr(C)]                 (C = AtomicCount<usize>, 64-bit)
//! +----------------+----------------+---------------------------+
//! | strong (8 B)   | weak (8 B)     | value: T (padded to align) |
//! +----------------+----------------+---------------------------+
//! ^ the handles point here           ^ `as_ptr`/`into_raw` point here
//! ```
//!
//! # Invariants
//!
//! Every `// SAFETY:` comment in the crate cites these by name.
//!
//! * **I1 (allocation).** A handle that is not the dangling sentinel of
//!   `Weak::new` points to a block allocated by its allocator `A` (or a
//!   clone of it) with the layout [`Block::layout_of`] returns, and the block
//!   stays allocated while weak > 0.
//! * **I2 (the implicit weak).** weak = the number of `Weak` handles, plus 1
//!   while strong > 0: all strong handles together own one weak count. The
//!   handle that takes weak from 1 to 0 frees the block, exactly once; or
//!   the handle that took strong to 0, if it then finds weak at 1 (its
//!   implicit weak the only count, which nobody can add to:
//!   `RawCount::only_implicit_weak`), frees it without the decrement.
//!   (`WaitFreeCount` also counts a weak count lent to each pending
//!   dropper whose place an upgrade took, released by that dropper through
//!   `RawCount::release_strong`: see `count/wait_free.rs`.)
//! * **I3 (value).** `value` is initialised while strong > 0. It is written
//!   before strong first becomes non-zero (construction, or `new_cyclic`'s
//!   `publish_strong`), and stays initialised until the handle that takes
//!   strong from 1 to 0 drops or moves it.
//! * **I4 (one owner at death).** Only the caller that takes strong from 1 to
//!   0 (`dec_strong` or `try_take_strong` returning `true`) may drop or move
//!   the value, and strong never goes back from 0 to 1, except by that same
//!   caller (`make_mut`'s restore) or by the unique owner of a block under
//!   construction (`new_cyclic`).
//! * **I5 (borrows).** `&T` is formed only from a live strong handle, and
//!   lives no longer than the borrow of that handle; `&mut T` only while that
//!   handle is the only handle (`get_mut`, `make_mut`, construction). Once
//!   strong may be 0, the block is reached through raw-pointer projections
//!   (`&raw`) only, and the counts through `&C` (interior mutability).
//!   [`Block::layout_of`] is the one documented exception, on compilers
//!   without `Layout::for_value_raw` only (see [`Block::value_layout`]).

use core::alloc::{Layout, LayoutError};
use core::ptr::NonNull;

use crate::count::RawCount;
use crate::storage::Allocator;

/// The allocation behind every handle: the counts first, then the value.
///
/// `#[repr(C)]` fixes the order, so the counts sit at offset 0 whatever `T`
/// is, and a pointer to the value is a fixed step from the block's start.
#[repr(C)]
pub(crate) struct Block<C, T: ?Sized> {
    pub(crate) count: C,
    pub(crate) value: T,
}

/// Allocates in `alloc` a block for a value with layout `value` and writes
/// its counts, `(1, 1)`; returns the block's start and layout. The value is
/// left unwritten: the caller writes it before any handle reads it (I3).
///
/// # Errors
///
/// `Err(Some(layout))` if `alloc` refused the block's `layout`;
/// `Err(None)` if the block would be larger than `isize::MAX` bytes.
pub(crate) fn allocate_block<C: RawCount, A: Allocator>(
    alloc: &A,
    value: Layout,
) -> Result<(NonNull<u8>, Layout), Option<Layout>> {
    let layout = Block::<C, ()>::layout_for_value(value).map_err(|_| None)?;
    let mem = alloc
        .allocate(layout)
        .map_err(|_| Some(layout))?
        .cast::<u8>();
    // SAFETY: fresh memory laid out for a block: the counts sit at offset 0
    // (`#[repr(C)]`), aligned for `C` (the block's alignment covers it). No
    // reference is formed.
    unsafe { mem.cast::<C>().write(C::new(1, 1)) };
    Ok((mem, layout))
}

impl<C, T: ?Sized> Block<C, T> {
    /// The layout of a block holding a value with layout `value`: std's
    /// `rc_inner_layout_for_value_layout` (a header, the value at its
    /// alignment, the whole padded to its alignment — std #54908 was a
    /// misaligned value from skipping the `extend`).
    ///
    /// # Errors
    ///
    /// If the total size overflows `isize::MAX`.
    #[inline]
    pub(crate) fn layout_for_value(value: Layout) -> Result<Layout, LayoutError> {
        Ok(Layout::new::<Block<C, ()>>()
            .extend(value)?
            .0
            .pad_to_align())
    }

    /// The offset of `value` in a block whose value has alignment `align`.
    #[inline]
    pub(crate) fn data_offset(align: usize) -> usize {
        let header = Layout::new::<Block<C, ()>>();
        // `align` comes from a real value, so it is a power of two; the sum
        // cannot overflow because the block fits in `isize::MAX` bytes.
        (header.size() + align - 1) & !(align - 1)
    }

    /// The block's address: the key of its death callbacks.
    #[inline(always)]
    pub(crate) fn addr(block: NonNull<Self>) -> usize {
        block.as_ptr().cast::<u8>().addr()
    }

    /// A shared reference to the counts.
    ///
    /// # Safety
    ///
    /// * `block` must point to an allocated block (I1: some handle to it is
    ///   alive, or the caller holds a count), and
    /// * the returned reference must not outlive that allocation.
    #[inline(always)]
    pub(crate) unsafe fn count<'a>(block: NonNull<Self>) -> &'a C {
        // SAFETY: the caller guarantees the block is allocated; `count` is
        // at offset 0 (`#[repr(C)]`), aligned (the block's alignment covers
        // `C`'s) and initialised from allocation until free (I1); `&C` only
        // allows the counter's own interior mutability (I5).
        unsafe { block.cast::<C>().as_ref() }
    }

    /// A raw pointer to the value, formed without a reference (I5).
    ///
    /// The pointer keeps the provenance of the whole block, so
    /// [`Block::from_value_ptr`] can step back from it.
    ///
    /// # Safety
    ///
    /// `block` must point to an allocated block (I1) with the pointer
    /// metadata it was built with.
    #[inline(always)]
    pub(crate) unsafe fn value_ptr(block: NonNull<Self>) -> *mut T {
        // `&raw` on a place through a raw pointer creates no reference and
        // reads nothing; the offset is computed from the pointer's metadata.
        // SAFETY: the caller guarantees the block is allocated, so the
        // projection stays inside the allocation.
        unsafe { &raw mut (*block.as_ptr()).value }
    }

    /// The block that holds the value at `value`.
    ///
    /// # Safety
    ///
    /// * `value` must come from [`Block::value_ptr`] (through `into_raw` /
    ///   `as_ptr`) of a block of this type that is still allocated, and
    /// * the value must have been initialised at some point (its pointer
    ///   metadata is real); see [`Block::layout_of`].
    #[inline]
    pub(crate) unsafe fn from_value_ptr(value: *const T) -> NonNull<Self> {
        // SAFETY: forwarded from the caller: the block is allocated and the
        // metadata of `value` is the one the block was built with.
        let align = unsafe { Self::value_layout(value) }.align();
        let offset = Self::data_offset(align);
        // SAFETY: `value` is `offset` bytes into its block (it came from
        // `value_ptr`), so stepping back stays inside the allocation and
        // keeps the pointer's provenance and metadata. The cast keeps the
        // metadata: `Block<C, T>`'s unsized tail is `T`.
        let block = unsafe { value.byte_sub(offset) } as *mut Self;
        // SAFETY: a pointer to an allocation is not null.
        unsafe { NonNull::new_unchecked(block) }
    }

    /// The layout of the value at `value`, read from its pointer metadata.
    ///
    /// # Safety
    ///
    /// * `value` must point into a block that is still allocated (I1), and
    /// * its metadata must be the one the value was built with.
    ///
    /// The value may never have been initialised (`new_cyclic`), or may have
    /// been dropped already.
    ///
    /// With `Layout::for_value_raw` (Rust 1.98, or a nightly with
    /// `layout_for_ptr`: build.rs probes for it) no reference is formed. On
    /// older compilers this is the one place the crate forms `&T` to a value
    /// that may not be there (the exception noted at I5); see the SAFETY
    /// comment inside for the rule that relies on.
    #[inline(always)]
    pub(crate) unsafe fn value_layout(value: *const T) -> Layout {
        #[cfg(weakref_layout_raw)]
        // SAFETY: `for_value_raw` asks for exact metadata (a slice's length
        // or a trait object's vtable as the value was built with, with the
        // whole value at most `isize::MAX` bytes): forwarded from the
        // caller, and the block holding the value was allocated with it.
        // A sized `T` needs nothing; nothing is read through `value`.
        let layout = unsafe { Layout::for_value_raw(value) };
        #[cfg(not(weakref_layout_raw))]
        // SAFETY: this relies on reference validity being *shallow*: `&T`
        // must be aligned, non-null and dereferenceable for `T`'s size, but
        // the bytes behind it need not be a valid `T` (the rule Miri checks
        // by default; the language has not made it deeper, and std's
        // `Weak::drop` relied on it before `for_value_raw` existed). Those
        // hold: the block is allocated (caller), laid out for this value,
        // so the slot is aligned and in bounds. The pointee of an unsized
        // value was initialised once, with this exact metadata (caller), so
        // its size and alignment come from metadata alone; `for_value`
        // reads nothing else, and the reference dies at the end of this
        // statement, on memory nobody writes meanwhile (strong is 0 or the
        // caller holds a count). The residual gap: for an *uninhabited*
        // sized `T` (`Infallible`) any `&T` is invalid even shallowly; only
        // a weak handle kept from a failed `new_cyclic` reaches here with
        // one, and only on compilers without `for_value_raw`.
        let layout = Layout::for_value(unsafe { &*value });
        layout
    }

    /// The layout the block at `block` was allocated with (I1).
    ///
    /// # Safety
    ///
    /// As [`Block::value_layout`]: the block is allocated and its pointer
    /// metadata is the one it was built with. The value may be dropped.
    #[inline(always)]
    pub(crate) unsafe fn layout_of(block: NonNull<Self>) -> Layout {
        // SAFETY: forwarded from the caller (both functions ask the same).
        let value = unsafe { Self::value_ptr(block) };
        // SAFETY: as above.
        let value = unsafe { Self::value_layout(value) };
        // The same computation succeeded when the block was allocated.
        match Self::layout_for_value(value) {
            Ok(layout) => layout,
            Err(_) => unreachable!("the layout was valid at allocation"),
        }
    }

    /// A pointer to a block at address `mem` whose value has the pointer
    /// metadata of `meta` (`ptr::with_metadata_of`, unstable, by hand).
    ///
    /// The result has `mem`'s provenance. It relies on a pointer to `T`
    /// being either one address word (sized `T`) or starting with its
    /// address word (slices, `str`, trait objects): every Rust compiler lays
    /// out wide pointers so, and std relied on it for years (`set_data_ptr`).
    /// An `assert!` checks it on every call; a compiler that differed would
    /// panic here, never produce a wrong pointer.
    #[inline]
    pub(crate) fn with_metadata_of(mem: NonNull<u8>, meta: *const T) -> NonNull<Self> {
        let mut block = meta as *mut Self;
        let address_word = (&raw mut block).cast::<*mut u8>();
        // SAFETY: `address_word` points to the local `block`, which is at
        // least one pointer wide and pointer-aligned; writing a `*mut u8`
        // (with `mem`'s provenance) over its first word leaves the metadata
        // word, if any, untouched.
        unsafe { address_word.write(mem.as_ptr()) };
        assert!(
            core::ptr::eq(block.cast::<u8>(), mem.as_ptr()),
            "weakref: unexpected wide-pointer layout"
        );
        // SAFETY: the assert shows `block` has `mem`'s address, not null.
        unsafe { NonNull::new_unchecked(block) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::LocalCount;

    #[test]
    fn header_then_value_at_its_alignment() {
        type B<T> = Block<LocalCount<usize>, T>;
        assert_eq!(B::<u8>::data_offset(1), 2 * size_of::<usize>());
        assert_eq!(B::<u8>::data_offset(32), 32);
        let layout = B::<[u64; 3]>::layout_for_value(Layout::new::<[u64; 3]>()).unwrap();
        assert_eq!(layout, Layout::new::<B<[u64; 3]>>());
        assert_eq!(layout.size() % layout.align(), 0);
        type Small = Block<LocalCount<u32>, ()>;
        assert_eq!(Layout::new::<Small>().size(), 8);
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn metadata_moves_to_a_new_address() {
        let slice: &[u16] = &[1, 2, 3];
        let mut storage = [0u64; 8];
        let mem = NonNull::from(&mut storage).cast::<u8>();
        let block = Block::<u32, [u16]>::with_metadata_of(mem, slice);
        assert_eq!(block.as_ptr().cast::<u8>(), mem.as_ptr());
        // SAFETY: the projection reads only the length metadata.
        let value = unsafe { &raw const (*block.as_ptr()).value };
        assert_eq!(value.len(), 3);
    }
}
