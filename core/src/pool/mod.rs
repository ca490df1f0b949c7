//! [`Pool`]: a static, fixed-capacity home for blocks — strong and weak
//! handles with no heap at all.
//!
//! A `Pool<T, C, N>` holds `N` slots, each the size of one block of a `T`
//! with counter `C`, and one flag per slot. A reference to it, `&Pool`,
//! implements [`Allocator`], so any handle can live in it:
//! `Strong::try_new_in(value, &POOL)`. The pool itself is not an allocator:
//! its blocks live inside it, and an allocator must keep its blocks valid
//! when it is moved; a borrowed pool cannot move. A slot is
//! taken when a value is created and given back when its **last weak
//! handle** goes (the block outlives the value while weak handles exist,
//! exactly as on the heap). A full pool makes `try_new_in` return
//! [`AllocError`]: never a panic, never an abort.
//!
//! ```text
//!  Pool<T, C, 4>
//!  used:  [ true ][ false ][ true ][ false ]     one AtomicBool per slot
//!  slots: [ Block ][ ..... ][ Block ][ ..... ]   Block<C, T> = counts + value
//!  next:  2                                      where the next search starts
//! ```
//!
//! # Why per-slot flags
//!
//! Taking a slot is one compare-and-swap of its flag from `false` to
//! `true` (Acquire); giving it back is one store of `false` (Release). There
//! is no linked free list, so there is no ABA problem to defend against (a
//! Treiber stack needs a tag, and a 64-bit tagged word has no CAS on
//! Cortex-M), and no lock, so a preempted thread never blocks the others.
//! The search starts after the slot taken last, so while the pool is not
//! nearly full it succeeds at the first flag it tries; a full scan costs `N`
//! loads, which is small for the pool sizes embedded code uses.
//!
//! # One pointer wide
//!
//! `&'static Pool` works as an allocator, but makes handles two pointers
//! wide. [`static_pool!`](crate::static_pool) declares a zero-sized name
//! for one static pool; [`Pooled<P>`] is then a zero-sized allocator, and
//! handles stay one pointer wide.
//!
//! # Per thread
//!
//! With feature `std`, [`thread_local_pool!`](crate::thread_local_pool)
//! gives each thread a pool of its own with cell flags (no atomic
//! instruction at all), through the zero-sized `LocalPooled<P>`.
//!
//! An allocator's blocks must stay valid until the allocator and all its
//! copies are gone, and a handle that is leaked (`Box::leak`,
//! `mem::forget`, a `Pin` that is never dropped) never drops its allocator:
//! its block must stay valid for ever. Thread-local storage dies with its
//! thread, so a pool kept *in* a thread-local would free the memory of a
//! handle leaked on that thread (a `&'static` to its value may have left the
//! thread) and hand it to the next value.
//!
//! So each thread's pool is an **arena**: a `Pool` on the heap that is never
//! freed. The thread-local only holds a pointer to it ([`LocalArena`], a
//! `Cell` without drop glue, usable during the other thread-locals'
//! destructors). When the thread exits, its arena is closed: no new block is
//! taken from it, and once no block is in use (at once, or when the last
//! block is given back by a later thread-local destructor) the arena goes to
//! the pool's spares ([`Arenas`]) from which the next thread that needs one
//! takes it. An arena with a leaked block is never empty, so it is never
//! handed on: the leaked value keeps its memory for ever. The number of
//! arenas is the largest number of threads that used the pool at once,
//! plus one per thread that exited with blocks still in use.
//!
//! ```text
//!  state of a thread's LocalArena   on allocate     on give back          at thread exit
//!  Unopened                         open an arena   (not ours: panic)     -> Closed
//!  Open(arena)                      take a slot     give back             empty: -> spares, Closed
//!                                                                         else:  -> Closing(arena)
//!  Closing(arena)                   AllocError      give back; empty:     -
//!                                                   -> spares, Closed
//!  Closed                           AllocError      (not ours: panic)     -
//! ```
//!
//! On targets where `thread_local!` uses OS keys rather than native
//! thread-local storage, the `LocalArena` itself may be gone during the
//! last thread-local destructors: then a block given back there stays taken
//! (its arena is never handed on), and `allocate` fails. Nothing is freed
//! early either way.
//!
//! # Examples
//!
//! ```
//! use weakref_core::count::AtomicCount;
//! use weakref_core::pool::Pooled;
//! use weakref_core::{Strong, static_pool};
//!
//! struct Reading {
//!     celsius: f32,
//! }
//!
//! static_pool! {
//!     /// Room for four readings.
//!     struct Readings: Pool<Reading, AtomicCount, 4>;
//! }
//! type Arc<T> = Strong<T, AtomicCount, Pooled<Readings>>;
//!
//! let first = Arc::try_new_in(Reading { celsius: 21.5 }, Pooled::new())?;
//! let weak = Arc::downgrade(&first);
//! assert_eq!(weak.upgrade().map(|r| r.celsius), Some(21.5));
//! assert_eq!(size_of::<Arc<Reading>>(), size_of::<usize>());
//! # Ok::<(), weakref_core::storage::AllocError>(())
//! ```

use core::alloc::Layout;
use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::NonNull;

#[cfg(feature = "std")]
mod thread_local;
#[cfg(feature = "std")]
pub use thread_local::{Arenas, LocalArena, LocalPooled, ThreadLocalPool};

use crate::block::Block;
use crate::shim::{AtomicBool, AtomicUsize, Ordering::*, SlotOwnership, UnsafeCell};
use crate::storage::{AllocError, Allocator};

/// A fixed-capacity pool of `N` blocks for values of type `T` counted by
/// `C`, usable as an [`Allocator`] from a `static`.
///
/// Any request that fits one slot (size and alignment) is served, so a pool
/// laid out for `T` also serves smaller values. See the [module
/// docs](crate::pool) for the design.
///
/// # Examples
///
/// ```
/// use weakref_core::count::LocalCount;
/// use weakref_core::pool::Pool;
/// use weakref_core::Strong;
///
/// static POOL: Pool<[u8; 64], LocalCount, 2> = Pool::new();
///
/// type Rc<T> = Strong<T, LocalCount, &'static Pool<[u8; 64], LocalCount, 2>>;
///
/// let a = Rc::try_new_in([1u8; 64], &POOL)?;
/// let b = Rc::try_new_in([2u8; 64], &POOL)?;
/// assert!(Rc::try_new_in([3u8; 64], &POOL).is_err()); // full
/// drop(a);
/// let c = Rc::try_new_in([4u8; 64], &POOL)?; // reused
/// // A value larger than the slots is refused too, never truncated.
/// assert!(Rc::try_new_in([0u64; 64], &POOL).is_err());
/// assert_eq!((b[0], c[0]), (2, 4));
/// # Ok::<(), weakref_core::storage::AllocError>(())
/// ```
///
/// A pool cannot move while a handle borrows it (its blocks live inside):
///
/// ```compile_fail,E0505
/// use weakref_core::count::LocalCount;
/// use weakref_core::pool::Pool;
/// use weakref_core::Strong;
///
/// let pool = Pool::<u64, LocalCount, 1>::new();
/// let five = Strong::<_, LocalCount, _>::try_new_in(5, &pool).unwrap();
/// let moved = pool; // error: `pool` is borrowed by `five`
/// assert_eq!(*five, 5);
/// # drop(moved);
/// ```
pub struct Pool<T, C, const N: usize, F: SlotFlag = AtomicFlag> {
    /// Slot `i` belongs to whoever set `used[i]` from false to true, until
    /// they store false again.
    slots: [UnsafeCell<MaybeUninit<Block<C, T>>>; N],
    /// | value | meaning |
    /// |-------|---------|
    /// | false | slot `i` is free |
    /// | true  | slot `i` holds a block (live value, or dead with weak handles) |
    used: [F; N],
    /// Zero-sized outside loom; under loom, makes each slot handover a
    /// tracked write, so a missing Acquire/Release on `used` is a reported
    /// race.
    owners: [SlotOwnership; N],
    /// A hint: the slot after the one taken last. Relaxed everywhere: a
    /// stale value only lengthens a search.
    next: AtomicUsize,
}

// Why unconditionally? The pool never reads, writes or drops a `T` or a `C`:
// it hands out raw slots, each owned by one allocation at a time through its
// flag (the CAS is the synchronisation). Whether the values may cross
// threads is decided by the handles' own `Send`/`Sync` bounds, which include
// the allocator (`&Pool: Send` needs `Pool: Sync`).
//
// SAFETY: the slots are only reached through pointers handed out by
// `allocate`, each to one owner at a time (flag CAS, Acquire/Release).
// Only with atomic flags: a `CellFlag` pool is single-threaded.
unsafe impl<T, C, const N: usize> Sync for Pool<T, C, N, AtomicFlag> {}

// SAFETY: as for `Sync`: the pool owns no `T` or `C` values, only memory;
// moving it (when nothing borrows it, so no block is out) moves no value.
unsafe impl<T, C, const N: usize, F: SlotFlag> Send for Pool<T, C, N, F> {}

impl<T, C, const N: usize, F: SlotFlag> Pool<T, C, N, F> {
    /// An empty pool; `const`, so it can initialise a `static`.
    ///
    /// (Under `--cfg weakref_loom` it is not `const`: loom's atomics are
    /// not.)
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::count::AtomicCount;
    /// use weakref_core::pool::Pool;
    ///
    /// static POOL: Pool<u32, AtomicCount, 16> = Pool::new();
    /// assert_eq!(POOL.capacity(), 16);
    /// assert_eq!(POOL.in_use(), 0);
    /// ```
    #[cfg(not(weakref_loom))]
    #[must_use]
    pub const fn new() -> Self {
        Pool {
            slots: [const { UnsafeCell::new(MaybeUninit::uninit()) }; N],
            used: [const { F::FREE }; N],
            owners: [const { SlotOwnership::new() }; N],
            next: AtomicUsize::new(0),
        }
    }

    /// An empty pool (loom build: not `const`).
    #[cfg(weakref_loom)]
    #[must_use]
    pub fn new() -> Self {
        Pool {
            slots: core::array::from_fn(|_| UnsafeCell::new(MaybeUninit::uninit())),
            used: core::array::from_fn(|_| F::free()),
            owners: core::array::from_fn(|_| SlotOwnership::new()),
            next: AtomicUsize::new(0),
        }
    }

    /// The number of slots.
    ///
    /// # Examples
    ///
    /// ```
    /// # use weakref_core::{count::LocalCount, pool::Pool};
    /// assert_eq!(Pool::<u8, LocalCount, 3>::new().capacity(), 3);
    /// ```
    pub const fn capacity(&self) -> usize {
        N
    }

    /// The number of slots holding a block now (a snapshot when other
    /// threads use the pool).
    ///
    /// # Examples
    ///
    /// ```
    /// # use weakref_core::{count::LocalCount, pool::Pool, Strong};
    /// let pool = Pool::<u8, LocalCount, 3>::new();
    /// let a = Strong::<_, LocalCount, _>::try_new_in(1, &pool)?;
    /// assert_eq!(pool.in_use(), 1);
    /// drop(a);
    /// assert_eq!(pool.in_use(), 0);
    /// # Ok::<(), weakref_core::storage::AllocError>(())
    /// ```
    pub fn in_use(&self) -> usize {
        self.used.iter().filter(|u| u.is_taken()).count()
    }

    /// Whether a request for `layout` fits one slot.
    fn fits(layout: Layout) -> bool {
        let slot = Layout::new::<Block<C, T>>();
        layout.size() <= slot.size() && layout.align() <= slot.align()
    }

    /// The slot index of a pointer handed out by `allocate`.
    ///
    /// # Panics
    ///
    /// If `ptr` is not the start of one of this pool's slots (a block
    /// given back to the wrong pool).
    fn index_of(&self, ptr: NonNull<u8>) -> usize {
        let base = self.slots.as_ptr().addr();
        let offset = ptr.as_ptr().addr().wrapping_sub(base);
        let size = size_of::<UnsafeCell<MaybeUninit<Block<C, T>>>>().max(1);
        let index = offset / size;
        assert!(
            index < N && offset % size == 0,
            "weakref: a block was given back to a pool that did not allocate it"
        );
        index
    }
}

impl<T, C, const N: usize, F: SlotFlag> Default for Pool<T, C, N, F> {
    /// [`Pool::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl<T, C, const N: usize, F: SlotFlag> fmt::Debug for Pool<T, C, N, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("capacity", &N)
            .field("in_use", &self.in_use())
            .finish()
    }
}

impl<T, C, const N: usize, F: SlotFlag> Pool<T, C, N, F> {
    /// Takes a free slot for `layout`: `Allocator::allocate` of `&Pool`.
    fn take_slot(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if !Self::fits(layout) {
            return Err(AllocError);
        }
        let start = self.next.load(Relaxed);
        // Two passes: the first skips slots that look taken (a plain load,
        // no locked instruction); a `Relaxed` load may see a flag that
        // another thread has since cleared, so before reporting the pool
        // full, the second tries every slot with the read-modify-write,
        // which sees each flag's latest value.
        for pre_check in [true, false] {
            for step in 0..N {
                let index = (start + step) % N;
                if pre_check && self.used[index].is_taken() {
                    continue;
                }
                if self.used[index].try_take() {
                    self.owners[index].touch();
                    self.next.store(index + 1, Relaxed);
                    let slot = self.slots[index].get().cast::<u8>();
                    let slot = NonNull::new(slot).ok_or(AllocError)?;
                    return Ok(NonNull::slice_from_raw_parts(
                        slot,
                        size_of::<Block<C, T>>(),
                    ));
                }
            }
        }
        Err(AllocError)
    }

    /// Gives back the slot at `ptr`: `Allocator::deallocate` of `&Pool`.
    ///
    /// # Panics
    ///
    /// If `ptr` is not the start of one of this pool's slots.
    fn give_back_slot(&self, ptr: NonNull<u8>) {
        let index = self.index_of(ptr);
        self.owners[index].touch();
        self.used[index].give_back();
    }
}

// Only by reference: a pool's blocks live inside the pool value, so a pool
// moved or dropped would take its blocks with it. allocator-api2's contract
// asks that moving an allocator keep its blocks valid; a `&Pool` meets it,
// as the borrow keeps the pool in place for as long as any handle that
// carries it (and a pool in a `static` never moves).
//
// SAFETY: clause by clause (allocator-api2's `Allocator` contract):
// * "memory blocks returned from an allocator must point to valid memory
//   and retain their validity until the instance and all of its copies and
//   clones are dropped": `take_slot` hands out slot `i` only after `try_take`
//   of `used[i]` moved it from false to true (a CAS for atomic flags; on one
//   thread for cell flags), so each slot has one owner at a time; the slot
//   is inside `*self`, which the reference's lifetime keeps in place and alive
//   while any copy of this `&Pool` exists; it is sized and aligned for
//   `Block<C, T>`, which `fits` checked covers the request, until
//   `deallocate` gives it back.
// * "copying, cloning or moving the allocator must not invalidate memory
//   blocks returned from it": copies of `&Pool` all reach the same pool, so
//   a block may be freed through any of them; moving the reference moves no
//   slot.
// * "any pointer to a memory block currently allocated may be passed to any
//   other method of the allocator": `deallocate` accepts only pointers to
//   this pool's slots (`index_of` panics otherwise), so even a caller that
//   broke its contract could not free another pool's memory here.
// Caught if broken by: `adversary::pools` (moved pools, leaked handles) and
// the `compile_fail` example on `PoolKind`.
unsafe impl<T, C, const N: usize, F: SlotFlag> Allocator for &Pool<T, C, N, F> {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.take_slot(layout)
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, _layout: Layout) {
        self.give_back_slot(ptr);
    }
}

/// How a [`Pool`] marks its slots taken: [`AtomicFlag`] (the default; the
/// pool is `Sync` and lives in a `static`) or [`CellFlag`] (single-threaded:
/// no atomic instruction at all; see
/// [`thread_local_pool!`](crate::thread_local_pool)). Sealed.
pub trait SlotFlag: sealed::Sealed {
    /// A free slot's flag.
    #[doc(hidden)]
    #[cfg(not(weakref_loom))]
    const FREE: Self;
    /// A free slot's flag (loom's atomics are not `const`).
    #[doc(hidden)]
    fn free() -> Self;
    /// Whether the slot is taken (a hint when another thread may change it).
    #[doc(hidden)]
    fn is_taken(&self) -> bool;
    /// Takes the slot if it is free; returns whether this call took it.
    #[doc(hidden)]
    fn try_take(&self) -> bool;
    /// Gives the slot back.
    #[doc(hidden)]
    fn give_back(&self);
}

/// Atomic slot flags: taking a slot is one compare-and-swap, so the pool is
/// `Sync`. The default flag of [`Pool`].
#[derive(Debug)]
pub struct AtomicFlag(AtomicBool);

impl sealed::Sealed for AtomicFlag {}

impl SlotFlag for AtomicFlag {
    #[cfg(not(weakref_loom))]
    const FREE: Self = AtomicFlag(AtomicBool::new(false));

    fn free() -> Self {
        AtomicFlag(AtomicBool::new(false))
    }

    #[inline]
    fn is_taken(&self) -> bool {
        // Relaxed: a hint (`in_use`, the search's pre-check); `try_take`
        // decides.
        self.0.load(Relaxed)
    }

    #[inline]
    fn try_take(&self) -> bool {
        // ORDERING: Acquire; pairs with the Release store in `give_back`:
        // the previous owner's accesses to the slot happen before ours.
        self.0
            .compare_exchange(false, true, Acquire, Relaxed)
            .is_ok()
    }

    #[inline]
    fn give_back(&self) {
        // ORDERING: Release; pairs with the Acquire CAS in `try_take`, so
        // our accesses to the slot happen before its next owner's.
        self.0.store(false, Release);
    }
}

/// Single-threaded slot flags: a `Cell<bool>`, no atomic instruction. A
/// pool with them is not `Sync`, so it lives in a thread-local
/// ([`thread_local_pool!`](crate::thread_local_pool)) or on the stack, and
/// serves only handles that stay on its thread.
///
/// ```compile_fail,E0277
/// use weakref_core::count::AtomicCount;
/// use weakref_core::pool::{CellFlag, Pool};
/// fn assert_sync<T: Sync>() {}
/// assert_sync::<Pool<u64, AtomicCount, 1, CellFlag>>();
/// ```
///
/// so a handle that borrows one stays on its thread, whatever its counter:
///
/// ```compile_fail,E0277
/// use weakref_core::count::AtomicCount;
/// use weakref_core::pool::{CellFlag, Pool};
/// use weakref_core::Strong;
/// fn assert_send<T: Send>() {}
/// assert_send::<Strong<u64, AtomicCount, &Pool<u64, AtomicCount, 1, CellFlag>>>();
/// ```
#[derive(Debug)]
pub struct CellFlag(Cell<bool>);

impl sealed::Sealed for CellFlag {}

impl SlotFlag for CellFlag {
    #[cfg(not(weakref_loom))]
    const FREE: Self = CellFlag(Cell::new(false));

    fn free() -> Self {
        CellFlag(Cell::new(false))
    }

    #[inline]
    fn is_taken(&self) -> bool {
        self.0.get()
    }

    #[inline]
    fn try_take(&self) -> bool {
        !self.0.replace(true)
    }

    #[inline]
    fn give_back(&self) {
        self.0.set(false);
    }
}

/// Names one static [`Pool`]; implemented by the types
/// [`static_pool!`](crate::static_pool) declares.
///
/// A safe trait: [`Pooled`] relies only on what the type system and
/// [`Pool`]'s own checks guarantee, not on `get` being honest. `get`
/// returns a `&'static` pool (its memory lives for ever) that is `Sync`
/// (atomic slot flags), and a block given back to a pool that did not hand
/// it out makes that pool panic; so a `get` that returned a different pool
/// on each call could make a drop panic and leak a slot, never free memory
/// twice or hand one slot out twice.
///
/// # Examples
///
/// ```
/// use weakref_core::count::LocalCount;
/// use weakref_core::pool::{Pool, StaticPool};
///
/// struct Bytes;
/// impl StaticPool for Bytes {
///     type Value = u64;
///     type Count = LocalCount;
///     type Pool = Pool<u64, LocalCount, 8>;
///     fn get() -> &'static Self::Pool {
///         static POOL: Pool<u64, LocalCount, 8> = Pool::new();
///         &POOL
///     }
/// }
/// assert_eq!(Bytes::get().capacity(), 8);
/// ```
pub trait StaticPool: 'static {
    /// The value type the pool's slots are laid out for.
    type Value;
    /// The counter type the pool's slots are laid out for.
    type Count;
    /// The pool type: `Pool<Self::Value, Self::Count, N>`.
    type Pool: PoolKind + Sync + 'static;
    /// The pool.
    fn get() -> &'static Self::Pool;
}

mod sealed {
    pub trait Sealed {}
}

/// Implemented only by [`Pool`] (sealed): the slot operations that
/// [`Pooled`] and `LocalPooled` forward to, so that their `Allocator`
/// impls rely on `Pool`'s checks and on nothing a user wrote.
///
/// A pool is an allocator only by reference (`&Pool`), never by value: its
/// blocks live inside it, so a pool moved or dropped would take them along.
///
/// ```compile_fail,E0277
/// use weakref_core::count::LocalCount;
/// use weakref_core::pool::Pool;
/// use weakref_core::Strong;
///
/// type P = Pool<u64, LocalCount, 1>;
/// // A pool by value is not an allocator: the block would move with it.
/// let s = Strong::<u64, LocalCount, P>::new_in(5, Pool::new());
/// ```
///
/// # Examples
///
/// ```
/// use weakref_core::count::LocalCount;
/// use weakref_core::pool::{Pool, PoolKind};
///
/// fn capacity_of<P: PoolKind>(pool: &P) -> usize {
///     pool.slot_count()
/// }
/// assert_eq!(capacity_of(&Pool::<u8, LocalCount, 3>::new()), 3);
/// ```
pub trait PoolKind: sealed::Sealed {
    /// [`Pool::capacity`].
    fn slot_count(&self) -> usize;
    /// [`Pool::in_use`].
    fn slots_in_use(&self) -> usize;
    /// Takes a free slot for `layout` (`Allocator::allocate` of `&Pool`).
    #[doc(hidden)]
    fn take(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError>;
    /// Gives back the slot at `ptr`; panics if `ptr` is not one of this
    /// pool's slots.
    #[doc(hidden)]
    fn give_back(&self, ptr: NonNull<u8>);
}

impl<T, C, const N: usize, F: SlotFlag> sealed::Sealed for Pool<T, C, N, F> {}
impl<T, C, const N: usize, F: SlotFlag> PoolKind for Pool<T, C, N, F> {
    fn slot_count(&self) -> usize {
        N
    }

    fn slots_in_use(&self) -> usize {
        self.in_use()
    }

    #[inline]
    fn take(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.take_slot(layout)
    }

    #[inline]
    fn give_back(&self, ptr: NonNull<u8>) {
        self.give_back_slot(ptr);
    }
}

/// A zero-sized allocator for the static pool named by `P`: handles that
/// use it stay one pointer wide.
///
/// # Examples
///
/// ```
/// use weakref_core::count::LocalCount;
/// use weakref_core::pool::Pooled;
/// use weakref_core::{Strong, static_pool};
///
/// static_pool! {
///     struct Words: Pool<u32, LocalCount, 2>;
/// }
/// let word = Strong::<_, LocalCount, _>::try_new_in(7u32, Pooled::<Words>::new())?;
/// assert_eq!(*word, 7);
/// # Ok::<(), weakref_core::storage::AllocError>(())
/// ```
pub struct Pooled<P>(PhantomData<fn() -> P>);

impl<P> Pooled<P> {
    /// The allocator (it has no state).
    pub const fn new() -> Self {
        Pooled(PhantomData)
    }
}

impl<P> Clone for Pooled<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for Pooled<P> {}

impl<P> Default for Pooled<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P> fmt::Debug for Pooled<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pooled")
    }
}

// SAFETY: clause by clause (allocator-api2's `Allocator` contract):
// * valid blocks until every copy is dropped: every call forwards to a pool
//   `P::get()` returns, which is `&'static`, so its slots never move or go
//   away, and `Sync`, so taking and giving back slots from any thread is
//   synchronised by its atomic flags; `Pool::take_slot` gives each slot one
//   owner at a time.
// * copies are interchangeable: `Pooled` has no state.
// * any block may be given back through any copy: `give_back` checks that
//   the pointer is one of that pool's slots and panics otherwise, so a `get`
//   that returned different pools on different calls could only make a
//   drop panic (leaking the slot), never free a slot it did not hand out.
// Caught if broken by: `adversary::pools::a_lying_static_pool_only_panics`.
unsafe impl<P: StaticPool> Allocator for Pooled<P> {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        P::get().take(layout)
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, _layout: Layout) {
        P::get().give_back(ptr);
    }
}

/// Declares a zero-sized type naming one static [`Pool`], for use as
/// [`Pooled<Name>`](Pooled).
///
/// `static_pool! { pub struct Name: Pool<T, C, N>; }` declares `Name`,
/// (`N` is one token: a literal, a constant, or a `{ block }`),
/// implements [`StaticPool`] for it, and puts the pool in a `static`.
///
/// # Examples
///
/// ```
/// use weakref_core::count::AtomicCount;
/// use weakref_core::pool::{Pooled, StaticPool};
/// use weakref_core::{Strong, static_pool};
///
/// static_pool! {
///     /// Sensor frames, at most two at a time.
///     pub struct Frames: Pool<[u16; 32], AtomicCount, 2>;
/// }
/// let frame = Strong::<_, AtomicCount, _>::try_new_in([0u16; 32], Pooled::<Frames>::new())?;
/// assert_eq!(Frames::get().in_use(), 1);
/// drop(frame);
/// assert_eq!(Frames::get().in_use(), 0);
/// # Ok::<(), weakref_core::storage::AllocError>(())
/// ```
#[macro_export]
macro_rules! static_pool {
    ($(#[$meta:meta])* $vis:vis struct $name:ident: Pool<$value:ty, $count:ty, $capacity:tt>;) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $crate::pool::StaticPool for $name {
            type Value = $value;
            type Count = $count;
            type Pool = $crate::pool::Pool<$value, $count, { $capacity }>;

            #[inline]
            fn get() -> &'static Self::Pool {
                static POOL: $crate::pool::Pool<$value, $count, { $capacity }> = $crate::pool::Pool::new();
                &POOL
            }
        }
    };
}
