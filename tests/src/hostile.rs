//! Hostile allocators: [`CountingAlloc`]s whose user code panics on demand.
//!
//! A handle runs its allocator's code (`allocate`, `deallocate`, `Clone`,
//! `Drop`)
//! in the middle of its own operations. These wrappers make that code
//! panic at a chosen moment, to check that no count stays taken and no
//! block or allocator clone leaks when it does. Each forwards to a
//! [`CountingAlloc`], so [`assert_balanced`](CountingAlloc::assert_balanced)
//! (reached through `Deref`) catches the leaks.
//!
//! Clones share the switch: arming any clone arms all of them, including
//! the ones already handed to handles.
//!
//! ```
//! use std::panic::{AssertUnwindSafe, catch_unwind};
//! use weakref_core::{count::LocalCount, Strong};
//! use weakref_tests::hostile::PanicOnClone;
//!
//! let alloc = PanicOnClone::new();
//! let rc = Strong::<_, LocalCount, _>::new_in(1, alloc.clone());
//! alloc.arm();
//! assert!(catch_unwind(AssertUnwindSafe(|| Strong::clone(&rc))).is_err());
//! alloc.disarm();
//! assert_eq!(Strong::strong_count(&rc), 1, "the failed clone took no count");
//! drop(rc);
//! alloc.assert_balanced();
//! ```

// The `unsafe impl`s only forward to `CountingAlloc` (see lib.rs on why
// this test kit may hold them).

use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

use allocator_api2::alloc::{AllocError, Allocator};
use core::alloc::Layout;

use crate::CountingAlloc;

/// The on/off switch shared by the clones of one hostile allocator.
#[derive(Debug, Clone, Default)]
struct Switch(Arc<AtomicBool>);

impl Switch {
    fn set(&self, on: bool) {
        // Relaxed: the tests flip it on the thread that then runs the code.
        self.0.store(on, Relaxed);
    }

    fn is_on(&self) -> bool {
        self.0.load(Relaxed)
    }
}

macro_rules! hostile_common {
    ($name:ident, $what:literal) => {
        impl $name {
            /// A disarmed allocator with a fresh ledger.
            pub fn new() -> Self {
                Self::default()
            }

            #[doc = concat!("From now on, ", $what, " panics (for every clone).")]
            pub fn arm(&self) {
                self.armed.set(true);
            }

            /// From now on, it behaves (for every clone).
            pub fn disarm(&self) {
                self.armed.set(false);
            }
        }

        impl Deref for $name {
            type Target = CountingAlloc;

            /// The ledger: `live`, `allocations`, `assert_balanced`.
            fn deref(&self) -> &CountingAlloc {
                &self.inner
            }
        }
    };
}

/// A [`CountingAlloc`] whose `allocate` panics while armed.
///
/// # Examples
///
/// ```
/// use std::panic::{AssertUnwindSafe, catch_unwind};
/// use weakref_core::{count::LocalCount, Strong};
/// use weakref_tests::hostile::PanicOnAllocate;
///
/// let alloc = PanicOnAllocate::new();
/// alloc.arm();
/// let a = alloc.clone();
/// let new = AssertUnwindSafe(move || Strong::<_, LocalCount, _>::new_in(1, a));
/// assert!(catch_unwind(new).is_err());
/// alloc.assert_balanced();
/// ```
#[derive(Debug, Clone, Default)]
pub struct PanicOnAllocate {
    inner: CountingAlloc,
    armed: Switch,
}

hostile_common!(PanicOnAllocate, "`allocate`");

// SAFETY: forwards to `CountingAlloc`, or panics before allocating.
unsafe impl Allocator for PanicOnAllocate {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if self.armed.is_on() {
            panic!("PanicOnAllocate: allocate panics, as asked");
        }
        self.inner.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded: `ptr` was allocated by `inner` (a clone of it)
        // with `layout`.
        unsafe { self.inner.deallocate(ptr, layout) }
    }
}

/// A [`CountingAlloc`] whose `Clone` panics while armed.
///
/// # Examples
///
/// ```
/// use std::panic::catch_unwind;
/// use weakref_tests::hostile::PanicOnClone;
///
/// let alloc = PanicOnClone::new();
/// alloc.arm();
/// assert!(catch_unwind(|| alloc.clone()).is_err());
/// alloc.disarm();
/// alloc.assert_balanced();
/// ```
#[derive(Debug, Default)]
pub struct PanicOnClone {
    inner: CountingAlloc,
    armed: Switch,
}

hostile_common!(PanicOnClone, "`clone`");

impl Clone for PanicOnClone {
    fn clone(&self) -> Self {
        if self.armed.is_on() {
            panic!("PanicOnClone: clone panics, as asked");
        }
        PanicOnClone {
            inner: self.inner.clone(),
            armed: self.armed.clone(),
        }
    }
}

// SAFETY: forwards to `CountingAlloc`; clones share its ledger.
unsafe impl Allocator for PanicOnClone {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.inner.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded: `ptr` was allocated by `inner` (a clone of it)
        // with `layout`.
        unsafe { self.inner.deallocate(ptr, layout) }
    }
}

/// A [`CountingAlloc`] whose `deallocate` frees the block, then panics,
/// while armed: any leak seen afterwards is the caller's, not the
/// allocator's.
///
/// # Examples
///
/// ```
/// use std::panic::{AssertUnwindSafe, catch_unwind};
/// use weakref_core::{count::LocalCount, Strong};
/// use weakref_tests::hostile::PanicOnDeallocate;
///
/// let alloc = PanicOnDeallocate::new();
/// let rc = Strong::<_, LocalCount, _>::new_in(1, alloc.clone());
/// alloc.arm();
/// assert!(catch_unwind(AssertUnwindSafe(move || drop(rc))).is_err());
/// alloc.assert_balanced();
/// ```
#[derive(Debug, Clone, Default)]
pub struct PanicOnDeallocate {
    inner: CountingAlloc,
    armed: Switch,
}

hostile_common!(PanicOnDeallocate, "`deallocate` (after freeing)");

// SAFETY: forwards to `CountingAlloc`; the panic comes after the block is
// freed, so no block is lost or freed twice by the allocator itself.
unsafe impl Allocator for PanicOnDeallocate {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.inner.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded: `ptr` was allocated by `inner` (a clone of it)
        // with `layout`.
        unsafe { self.inner.deallocate(ptr, layout) };
        if self.armed.is_on() {
            panic!("PanicOnDeallocate: deallocate panics, as asked");
        }
    }
}

/// A [`CountingAlloc`] whose `Drop` panics once after being armed: the
/// first clone dropped while armed disarms the switch and panics (a second
/// panic during the unwind would abort the test).
///
/// # Examples
///
/// ```
/// use std::panic::catch_unwind;
/// use weakref_tests::hostile::PanicOnDrop;
///
/// let alloc = PanicOnDrop::new();
/// let clone = alloc.clone();
/// alloc.arm();
/// assert!(catch_unwind(move || drop(clone)).is_err());
/// drop(alloc.clone()); // disarmed by the first panic
/// alloc.assert_balanced();
/// ```
#[derive(Debug, Clone, Default)]
pub struct PanicOnDrop {
    inner: CountingAlloc,
    armed: Switch,
}

hostile_common!(PanicOnDrop, "dropping a clone (once)");

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        if self.armed.0.swap(false, Relaxed) {
            panic!("PanicOnDrop: drop panics, as asked");
        }
    }
}

// SAFETY: forwards to `CountingAlloc`; clones share its ledger.
unsafe impl Allocator for PanicOnDrop {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.inner.allocate(layout)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: forwarded: `ptr` was allocated by `inner` (a clone of it)
        // with `layout`.
        unsafe { self.inner.deallocate(ptr, layout) }
    }
}
