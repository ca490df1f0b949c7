//! An allocator that re-enters weakref from its `Clone` and `Drop`: the
//! attacker's tool against "no user code runs while a registry borrow or
//! lock is held" (DESIGN.md, "Rules learned the hard way").
//!
//! Every clone and every drop of a [`ReentrantAlloc`] calls a hook chosen
//! by the test (typically: create a value on the global heap, register a
//! `WeakRef` with a callback and a finalizer on it, and drop it all). Blocks
//! are allocated through a [`CountingAlloc`], so the test can still check
//! that nothing leaks.
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use weakref_core::{Strong, count::LocalCount};
//! use weakref_tests::{CountingAlloc, reentrant::ReentrantAlloc};
//!
//! let calls = Arc::new(AtomicUsize::new(0));
//! let counter = Arc::clone(&calls);
//! let ledger = CountingAlloc::new();
//! let alloc = ReentrantAlloc::new(ledger.clone(), move || {
//!     counter.fetch_add(1, Ordering::Relaxed);
//! });
//! let rc = Strong::<_, LocalCount, _>::new_in(1, alloc.clone()); // one clone
//! drop(rc); // one drop
//! drop(alloc); // and another
//! assert_eq!(calls.load(Ordering::Relaxed), 3);
//! ledger.assert_balanced();
//! ```

use core::alloc::Layout;
use core::fmt;
use core::ptr::NonNull;
use std::sync::Arc;

use allocator_api2::alloc::{AllocError, Allocator};

use crate::CountingAlloc;

/// What a [`ReentrantAlloc`] calls on each clone and drop.
type Hook = Arc<dyn Fn() + Send + Sync>;

/// An allocator whose `Clone` and `Drop` call a hook (user code that may
/// re-enter weakref), and which allocates through a [`CountingAlloc`].
///
/// Clones share the hook and the ledger.
pub struct ReentrantAlloc {
    inner: CountingAlloc,
    hook: Hook,
}

impl ReentrantAlloc {
    /// An allocator allocating through `inner` and calling `hook` on each of
    /// its clones and drops (the original's drop included).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_tests::{CountingAlloc, reentrant::ReentrantAlloc};
    ///
    /// let alloc = ReentrantAlloc::new(CountingAlloc::new(), || println!("re-entered"));
    /// # drop(alloc);
    /// ```
    pub fn new(inner: CountingAlloc, hook: impl Fn() + Send + Sync + 'static) -> Self {
        ReentrantAlloc {
            inner,
            hook: Arc::new(hook),
        }
    }
}

impl Clone for ReentrantAlloc {
    /// Calls the hook, then clones.
    fn clone(&self) -> Self {
        (self.hook)();
        ReentrantAlloc {
            inner: self.inner.clone(),
            hook: Arc::clone(&self.hook),
        }
    }
}

impl Drop for ReentrantAlloc {
    /// Calls the hook (the fields are dropped after it).
    fn drop(&mut self) {
        (self.hook)();
    }
}

impl fmt::Debug for ReentrantAlloc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReentrantAlloc")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

// SAFETY: every block is allocated and freed by the wrapped `CountingAlloc`
// (which checks each free against its ledger); clones share it, so a block
// allocated through one clone may be freed through another, and moving a
// `ReentrantAlloc` moves only handles to it. The hook runs in `clone` and
// `drop` only, never between an allocation and its use.
unsafe impl Allocator for ReentrantAlloc {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.inner.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded from our caller; `ptr` came from `self.inner`
        // (or a clone of it, sharing its ledger) with `layout`.
        unsafe { self.inner.deallocate(ptr, layout) }
    }
}
