//! The weakref test kit: payloads that count their drops, an allocator that
//! checks every free against its allocation, and a payload that panics when
//! dropped. Shared by the integration tests, the benches and (later) the
//! fuzz targets, so that no test writes its own.
//!
//! ```
//! use weakref_core::{count::LocalCount, Strong};
//! use weakref_tests::{CountingAlloc, DropLog};
//!
//! let alloc = CountingAlloc::new();
//! let log = DropLog::new();
//! let rc = Strong::<_, LocalCount, _>::new_in(log.tracked(1), alloc.clone());
//! drop(rc);
//! assert_eq!(log.dropped(), [1]);
//! alloc.assert_balanced();
//! ```

// Not `forbid(unsafe_code)`: implementing `Allocator` takes an `unsafe impl`
// (test infrastructure only; the libraries' unsafe lives in weakref-core).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use allocator_api2::alloc::{AllocError, Allocator, Global};
use core::alloc::Layout;
use core::ptr::NonNull;

/// The first occupied slot at or after `i` (taken modulo the number of
/// slots), cyclically: how the models' operations find their source handle
/// without wasting fuzzer bytes on empty slots. `None` if every slot is
/// empty.
///
/// # Examples
///
/// ```
/// use weakref_tests::next_occupied;
///
/// let slots = [None, Some('a'), None, Some('b')];
/// assert_eq!(next_occupied(&slots, 2), Some(3));
/// assert_eq!(next_occupied(&slots, 4), Some(1)); // 4 % 4 = 0, then on
/// assert_eq!(next_occupied(&[None::<char>; 3], 1), None);
/// ```
pub fn next_occupied<T>(slots: &[Option<T>], i: u8) -> Option<usize> {
    let n = slots.len();
    (0..n)
        .map(|k| (usize::from(i) + k) % n)
        .find(|&j| slots[j].is_some())
}

/// The workspace README's code blocks, compiled and run as doctests (from
/// here, the one package that depends on every crate they use).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

pub mod callback_model;
pub mod hostile;
pub mod leak;
pub mod map_model;
pub mod model;
pub mod reentrant;
pub mod timing;

/// Statistics shared by the clones of one [`CountingAlloc`].
#[derive(Debug, Default)]
struct Ledger {
    /// Live blocks: address → the layout they were allocated with.
    live: HashMap<usize, Layout>,
    allocations: usize,
    frees: usize,
}

/// An allocator that forwards to the global heap and keeps a ledger: every
/// free must match a live allocation with the same layout (a wrong layout
/// or a double free panics at once), and [`assert_balanced`] checks that
/// nothing is left.
///
/// Clones share one ledger, so it can be handed to every handle.
///
/// [`assert_balanced`]: CountingAlloc::assert_balanced
///
/// # Examples
///
/// ```
/// use weakref_core::{count::AtomicCount, Strong};
/// use weakref_tests::CountingAlloc;
///
/// let alloc = CountingAlloc::new();
/// let a = Strong::<_, AtomicCount, _>::new_in([0u8; 64], alloc.clone());
/// assert_eq!(alloc.live(), 1);
/// drop(a);
/// alloc.assert_balanced();
/// ```
#[derive(Debug, Clone, Default)]
pub struct CountingAlloc {
    ledger: Arc<Mutex<Ledger>>,
    /// When set, `allocate` fails once the ledger holds this many blocks.
    limit: Option<usize>,
}

impl CountingAlloc {
    /// A fresh allocator with an empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// An allocator that refuses to hold more than `blocks` live blocks.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::{count::LocalCount, Strong};
    /// use weakref_tests::CountingAlloc;
    ///
    /// let alloc = CountingAlloc::with_limit(0);
    /// assert!(Strong::<_, LocalCount, _>::try_new_in(1, alloc.clone()).is_err());
    /// ```
    pub fn with_limit(blocks: usize) -> Self {
        CountingAlloc {
            limit: Some(blocks),
            ..Self::default()
        }
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        // A panicking test may poison the lock; the ledger stays coherent
        // because every update is a single insert or remove.
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The number of blocks allocated and not yet freed.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_tests::CountingAlloc;
    /// assert_eq!(CountingAlloc::new().live(), 0);
    /// ```
    pub fn live(&self) -> usize {
        self.ledger().live.len()
    }

    /// How many allocations were made in all.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_tests::CountingAlloc;
    /// assert_eq!(CountingAlloc::new().allocations(), 0);
    /// ```
    pub fn allocations(&self) -> usize {
        self.ledger().allocations
    }

    /// Panics unless every allocation was freed and every clone of this
    /// allocator handed to a handle was dropped again (a leaked allocator
    /// is a leak too, even when the blocks balance).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_tests::CountingAlloc;
    /// CountingAlloc::new().assert_balanced();
    /// ```
    #[track_caller]
    pub fn assert_balanced(&self) {
        let clones = Arc::strong_count(&self.ledger);
        assert_eq!(
            clones,
            1,
            "{} clone(s) of the allocator outlive their handles",
            clones - 1
        );
        let ledger = self.ledger();
        assert!(
            ledger.live.is_empty(),
            "{} block(s) leaked ({} allocations, {} frees): {:?}",
            ledger.live.len(),
            ledger.allocations,
            ledger.frees,
            ledger.live
        );
    }
}

// SAFETY: every block comes from `Global` and goes back to it with the
// layout recorded at allocation (checked); clones share the ledger, so a
// block allocated by one clone may be freed by another, as the trait asks.
unsafe impl Allocator for CountingAlloc {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let mut ledger = self.ledger();
        if self.limit.is_some_and(|limit| ledger.live.len() >= limit) {
            return Err(AllocError);
        }
        let mem = Global.allocate(layout)?;
        let previous = ledger.live.insert(mem.cast::<u8>().as_ptr().addr(), layout);
        assert!(
            previous.is_none(),
            "the heap handed out a live address twice"
        );
        ledger.allocations += 1;
        Ok(mem)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        {
            let mut ledger = self.ledger();
            match ledger.live.remove(&ptr.as_ptr().addr()) {
                Some(recorded) => {
                    assert_eq!(recorded, layout, "freed with another layout than allocated")
                }
                None => panic!("free of a block that is not live (double free?)"),
            }
            ledger.frees += 1;
        }
        // SAFETY: the ledger shows `ptr` came from `Global.allocate` with
        // `layout` and was not freed since.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

/// A log of which [`Tracked`] payloads were dropped, in order.
///
/// # Examples
///
/// ```
/// use weakref_tests::DropLog;
/// let log = DropLog::new();
/// drop((log.tracked(1), log.tracked(2)));
/// assert_eq!(log.dropped(), [1, 2]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct DropLog {
    dropped: Arc<Mutex<Vec<u32>>>,
}

impl DropLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// A payload that writes `id` into this log when dropped.
    pub fn tracked(&self, id: u32) -> Tracked {
        Tracked {
            id,
            log: self.clone(),
            panic_on_drop: false,
        }
    }

    /// A payload that writes `id` into this log, then panics, when dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_tests::DropLog;
    /// let log = DropLog::new();
    /// let bomb = log.panicking(7);
    /// assert!(std::panic::catch_unwind(move || drop(bomb)).is_err());
    /// assert_eq!(log.dropped(), [7]);
    /// ```
    pub fn panicking(&self, id: u32) -> Tracked {
        Tracked {
            id,
            log: self.clone(),
            panic_on_drop: true,
        }
    }

    /// The ids dropped so far, in drop order.
    pub fn dropped(&self) -> Vec<u32> {
        self.dropped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// A payload that records its drop in a [`DropLog`] (and may then panic).
#[derive(Debug)]
pub struct Tracked {
    /// The id written to the log.
    pub id: u32,
    log: DropLog,
    panic_on_drop: bool,
}

impl Clone for Tracked {
    /// A clone with the same id and log (its drop is logged too); a clone
    /// of a panicking payload does not panic.
    fn clone(&self) -> Self {
        self.log.tracked(self.id)
    }
}

impl PartialEq for Tracked {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.log
            .dropped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(self.id);
        if self.panic_on_drop && !std::thread::panicking() {
            panic!("Tracked({}) panics in drop, as asked", self.id);
        }
    }
}
