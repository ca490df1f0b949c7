//! Where blocks live: any [`Allocator`] (allocator-api2 0.2, the trait
//! hashbrown 0.17 uses), and [`Global`], the heap, under feature `alloc`.

pub use allocator_api2::alloc::{AllocError, Allocator};

#[cfg(feature = "alloc")]
use core::{alloc::Layout, ptr::NonNull};

/// The global heap as an [`Allocator`]: what `Strong::new` uses.
///
/// A zero-sized type, so handles that use it are one pointer wide. It is
/// this crate's own rather than `allocator_api2::alloc::Global` so that
/// under `--cfg weakref_loom` every block goes through loom's allocator,
/// whose leak checker then sees it; otherwise the two behave the same.
///
/// # Examples
///
/// ```
/// use weakref_core::count::LocalCount;
/// use weakref_core::storage::Global;
/// use weakref_core::Strong;
///
/// let five = Strong::<_, LocalCount, _>::new_in(5, Global);
/// assert_eq!(*five, 5);
/// ```
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Global;

#[cfg(feature = "alloc")]
// SAFETY: clause by clause (allocator-api2's `Allocator` contract):
// * valid blocks until freed: `allocate` returns fresh memory from the
//   global allocator (or a dangling, aligned pointer for a zero size, which
//   `deallocate` ignores), valid until passed to `deallocate` with the same
//   layout, whatever happens to the `Global` value;
// * copies are interchangeable: `Global` has no state;
// * any block may be freed through any copy: they all reach one heap.
// Caught if broken by: the unit tests below, and Miri over every suite
// (`ci/miri.sh`: a wrong layout or a double free is reported there).
unsafe impl Allocator for Global {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let ptr = if layout.size() == 0 {
            // A dangling pointer at the requested alignment.
            NonNull::<u8>::dangling().with_addr(layout.align().try_into().map_err(|_| AllocError)?)
        } else {
            // SAFETY: the size is not zero (checked above).
            NonNull::new(unsafe { crate::shim::alloc(layout) }).ok_or(AllocError)?
        };
        Ok(NonNull::slice_from_raw_parts(ptr, layout.size()))
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        if layout.size() != 0 {
            // SAFETY: the caller guarantees `ptr` came from `allocate` with
            // this non-zero-sized layout, so from `shim::alloc`.
            unsafe { crate::shim::dealloc(ptr.as_ptr(), layout) }
        }
    }
}

#[cfg(all(test, feature = "alloc", not(weakref_loom)))]
mod tests {
    use super::*;

    #[test]
    fn zero_sized_requests_are_aligned_and_free_is_a_no_op() {
        let layout = Layout::from_size_align(0, 64).unwrap();
        let mem = Global.allocate(layout).unwrap();
        assert_eq!(mem.cast::<u8>().as_ptr().addr() % 64, 0);
        // SAFETY: `mem` came from `allocate` with `layout`.
        unsafe { Global.deallocate(mem.cast(), layout) };
    }

    #[test]
    fn round_trip() {
        let layout = Layout::new::<[u64; 4]>();
        let mem = Global.allocate(layout).unwrap();
        assert!(mem.len() >= 32);
        // SAFETY: `mem` came from `allocate` with `layout`.
        unsafe { Global.deallocate(mem.cast(), layout) };
    }
}
