//! Counter strategies: the strong + weak state machine behind every handle.
//!
//! [`RawCount`] is the protocol; [`LocalCount`] (`Cell`s, single-threaded)
//! and [`AtomicCount`] (atomics with std's orderings) implement it;
//! [`WaitFreeCount`] is `AtomicCount` with a wait-free `upgrade`. Both are
//! generic over the integer [`Width`] they count in: `usize` by default (a
//! 16-byte header on 64-bit targets), `u32` for an 8-byte header, `u8` or
//! `u16` where small limits are wanted (the overflow tests use `u8`).
//!
//! # The protocol
//!
//! A counter holds two numbers:
//!
//! * **strong**: the number of strong handles. The value lives while it is
//!   non-zero. It never goes from 0 back to 1, except once, by the unique
//!   owner of a block under construction ([`RawCount::publish_strong`]).
//! * **weak**: the number of weak handles, **plus one** while strong is
//!   non-zero — the *implicit weak*, owned by all strong handles together.
//!   The block is freed when it reaches 0.
//!
//! Whoever moves strong 1 → 0 drops the value and then releases the implicit
//! weak; whoever moves weak 1 → 0 frees the block.
//!
//! # The watch flag
//!
//! Both counters store weak as `2 × weak + flag`: a weak handle steps the
//! stored value by 2, and its low bit is the *watch flag*, set while death
//! callbacks are registered for the block ([`RawCountWatch`], the
//! `callbacks` module). The hot paths cost the same as with a step of 1
//! (an add by 2 sets the same carry/zero flags an add by 1 does). The flag
//! is set only while a registration holds a weak handle of its own, so it
//! is clear whenever weak is 1 (the uniqueness lock and the final release
//! compare against the flag-free value), and a last drop with no weak
//! handle left never tests it (below, "The last drop"); one with weak
//! handles left pays one load and one test for it
//! ([`RawCount::is_watched`]).
//!
//! # The last drop
//!
//! The handle that takes strong to 0 reads the weak word once, before it
//! drops the value ([`RawCount::only_implicit_weak`]). Exactly one weak
//! count with the flag clear (the stored 2) means its own implicit weak is
//! the block's last count and nobody can add one: it drops the value and
//! frees the block, with no watch-flag test, no tally and no
//! read-modify-write of the weak count. std's `Rc`/`Arc` pay a decrement
//! of the weak count there; this path does not, so it costs less than
//! theirs (measured in BENCHMARKS.md, "Instructions per operation": the
//! `last drop` rows). Any other word (weak handles left, or callbacks
//! registered, which hold weak handles of their own) takes the full path:
//! the flag test, the callbacks, the value's drop, then
//! [`RawCount::dec_implicit_weak`] with its tally. That path pays the one
//! extra load and compare.

mod local;
pub use local::LocalCount;

#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic", weakref_loom))]
mod atomic;
#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic", weakref_loom))]
pub use atomic::{AtomicCount, AtomicWidth};

#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic", weakref_loom))]
mod wait_free;
#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic", weakref_loom))]
pub use wait_free::{CasLoop, StrongProtocol, WaitFree, WaitFreeCount};

/// The strong + weak counter of one block.
///
/// # Safety
///
/// Implementors promise, for every method, the behaviour written on it. In
/// particular:
///
/// * the counts change only as each method says (no spontaneous changes);
/// * [`inc_strong`](Self::inc_strong), [`downgrade`](Self::downgrade) and
///   [`inc_weak`](Self::inc_weak) never let a count wrap: they abort instead;
/// * [`try_inc_strong`](Self::try_inc_strong) never moves strong from 0 to 1;
/// * if `Self: Sync`, every method is sound under concurrent calls from
///   several threads, with the memory orderings written on it (the `Acquire`
///   / `Release` pairs of std's `Arc`). The blanket `Send`/`Sync` impls of the
///   handles rely on this. A counter that is not `Sync` (such as
///   [`LocalCount`]) makes its handles neither `Send` nor `Sync`, and has no
///   ordering duty.
///
/// The handles call these methods only on a counter inside a live block, and
/// never call [`dec_strong`](Self::dec_strong) or
/// [`dec_weak`](Self::dec_weak) more often than the matching increments.
pub unsafe trait RawCount {
    /// A counter with the given counts (`strong` handles; `weak` including
    /// the implicit weak). Blocks start at `(1, 1)`, or at `(0, 1)` while
    /// under construction (`new_cyclic`).
    fn new(strong: usize, weak: usize) -> Self;

    /// The strong count (a `Relaxed` snapshot). An answer of 0 is final:
    /// no later [`try_inc_strong`](Self::try_inc_strong) succeeds (a
    /// counter may make it so first: [`WaitFreeCount`] marks a count it
    /// reads between a last drop and its dead flag as dead).
    fn strong(&self) -> usize;

    /// The weak count including the implicit weak (an `Acquire` snapshot).
    ///
    /// The `Acquire` makes a later [`strong`](Self::strong) load see every
    /// strong decrement that happened before the weak decrement observed
    /// here, so `weak() - 1` is never taken from a released implicit weak
    /// after seeing a non-zero strong count (std `Weak::weak_count`).
    /// A weak count held by [`RawCountUnique::is_unique`] reads as 1.
    fn weak(&self) -> usize;

    /// Adds a strong handle, from an existing strong handle (`clone`).
    /// Aborts instead of letting the count pass its limit.
    fn inc_strong(&self);

    /// Adds a strong handle if strong is not 0 (`Weak::upgrade`); never
    /// moves strong from 0 to 1. Returns whether it did.
    ///
    /// On success, `Acquire`: it synchronises with the `Release` of
    /// [`publish_strong`](Self::publish_strong) (the value is initialised)
    /// and of [`dec_strong`](Self::dec_strong) (earlier handles' writes).
    fn try_inc_strong(&self) -> bool;

    /// Removes a strong handle. Returns `true` if it was the last one: the
    /// caller then owns the value and must drop it (or move it out), then
    /// release the implicit weak.
    ///
    /// `Release`, and `Acquire` when it returns `true`: every use of the
    /// value through other handles happens before the caller drops it.
    ///
    /// The handles call [`release_strong`](Self::release_strong), which
    /// may also hand them a block to free; a counter that overrides it
    /// ([`WaitFreeCount`]) leaks its block here in that case.
    fn dec_strong(&self) -> bool;

    /// [`dec_strong`](Self::dec_strong) as the handles call it:
    /// [`StrongRelease::Last`] where `dec_strong` returns `true`;
    /// [`StrongRelease::FreeBlock`] when the handle was not the last, but
    /// the counter made the caller release a weak count that was the last
    /// one (the caller then frees the block, as after
    /// [`dec_weak`](Self::dec_weak) returned `true`); otherwise
    /// [`StrongRelease::Kept`]. The default never answers `FreeBlock`.
    #[inline(always)]
    fn release_strong(&self) -> StrongRelease
    where
        Self: Sized,
    {
        StrongRelease::or_kept(self.dec_strong(), StrongRelease::Last)
    }

    /// Moves strong from 1 to 0 if it is 1 (`try_unwrap`).
    /// Returns whether it did; the caller then owns the value.
    ///
    /// `Acquire` on success, as [`dec_strong`](Self::dec_strong)'s last path.
    fn try_take_strong(&self) -> bool;

    /// Moves strong from 0 to 1, by the only owner of a block whose strong
    /// count it set to 0 itself (`new_cyclic`'s publish; `make_mut`'s
    /// restore when an allocation fails).
    ///
    /// `Release`: pairs with the `Acquire` of
    /// [`try_inc_strong`](Self::try_inc_strong), so an upgrader sees the
    /// initialised value.
    fn publish_strong(&self);

    /// Adds a weak handle from a strong handle (`downgrade`). Aborts
    /// instead of letting the count pass its limit.
    fn downgrade(&self);

    /// Adds a weak handle from an existing weak handle (`Weak::clone`).
    /// Aborts instead of letting the count pass its limit.
    fn inc_weak(&self);

    /// Removes a weak handle (or the implicit weak). Returns `true` if it
    /// was the last one: the caller then frees the block.
    ///
    /// `Release`, and `Acquire` when it returns `true`: every access to the
    /// block happens before it is freed.
    fn dec_weak(&self) -> bool;

    /// Whether the block's [watch flag](RawCountWatch) is set: death
    /// callbacks may be registered (`Relaxed`). Read by the handle that took
    /// strong to 0, before it calls [`notify_death`](Self::notify_death).
    /// The default (a counter without the flag) is `false`.
    #[inline(always)]
    fn is_watched(&self) -> bool {
        false
    }

    /// Runs the block's death callbacks: called, when
    /// [`is_watched`](Self::is_watched) says so, by the handle that took
    /// strong to 0 (after [`dec_strong`](Self::dec_strong),
    /// [`try_take_strong`](Self::try_take_strong) or an `OnlyWeak`
    /// [`RawCountUnique::sharing`] returned), before the value is dropped or
    /// moved, with the block's address. The default does nothing.
    #[inline]
    fn notify_death(&self, block: usize) {
        let _ = block;
    }

    /// How many weak handles the values of this counter's family left
    /// behind when they died (were dropped or moved out): each death adds
    /// the weak handles, besides the implicit one, that still pointed at
    /// its block. A wrapping tally; `None` if the family does not keep one
    /// (the default).
    ///
    /// A weak collection compares it with the tally it saw at its last
    /// purge: each of its dead entries holds one weak handle of a value
    /// that died since, so it has at most that many dead entries (a value
    /// stored under several keys leaves one per key); unchanged means none.
    /// The tally is per thread for [`LocalCount`] (its values die on the
    /// thread that owns them) and process-wide for [`AtomicCount`]; both
    /// are kept only with feature `collections` (`LocalCount`'s also needs
    /// `std`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use weakref_core::count::{LocalCount, RawCount};
    ///
    /// let before = LocalCount::<usize>::weak_deaths();
    /// drop(Rc::new(1)); // no weak handle: not counted
    /// assert_eq!(LocalCount::<usize>::weak_deaths(), before);
    ///
    /// let rc = Rc::new(2);
    /// let weak = Rc::downgrade(&rc);
    /// let other = Rc::downgrade(&rc);
    /// drop(rc); // its two weak handles outlive it
    /// assert_eq!(
    ///     LocalCount::<usize>::weak_deaths(),
    ///     before.map(|n| n.wrapping_add(2))
    /// );
    /// # drop((weak, other));
    /// ```
    #[inline(always)]
    fn weak_deaths() -> Option<usize>
    where
        Self: Sized,
    {
        None
    }

    /// Whether the block's only weak count is the implicit weak, with the
    /// watch flag clear: asked by the handle that took strong to 0 (a
    /// [`StrongRelease::Last`] drop) before it drops the value. If so, no
    /// other handle exists, none can be made (a handle is made only from
    /// another one, or by an upgrade, which a dead strong count refuses),
    /// no death callback is registered and no weak handle is left for the
    /// [`weak_deaths`](Self::weak_deaths) tally: the caller owns the block
    /// outright, drops the value and frees the block without writing the
    /// counter again (module docs, "The last drop"). Otherwise it takes the
    /// full path: [`is_watched`](Self::is_watched), then
    /// [`dec_implicit_weak`](Self::dec_implicit_weak).
    ///
    /// `Acquire` when it returns `true`, as [`dec_weak`](Self::dec_weak)'s
    /// last path: the accesses of every weak handle that has gone happen
    /// before the block is freed. The default is `false` (always the full
    /// path).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::count::{AtomicCount, LocalCount, RawCount};
    ///
    /// let alone = LocalCount::<usize>::new(1, 1);
    /// assert!(alone.dec_strong());
    /// assert!(alone.only_implicit_weak()); // the block is the caller's
    ///
    /// let shared = AtomicCount::<usize>::new(1, 2); // one weak handle
    /// assert!(shared.dec_strong());
    /// assert!(!shared.only_implicit_weak()); // the full path
    /// assert!(!shared.dec_implicit_weak()); // the weak handle frees it
    /// assert!(shared.dec_weak());
    /// ```
    #[inline(always)]
    fn only_implicit_weak(&self) -> bool {
        false
    }

    /// [`dec_weak`](Self::dec_weak) for the implicit weak of a block whose
    /// value has just died (strong is 0), with the same result and
    /// orderings; a family that keeps the
    /// [`weak_deaths`](Self::weak_deaths) tally also adds to it the weak
    /// handles the value leaves behind (those that remain after this
    /// decrement: read from the decrement itself, as the block may be freed
    /// by another handle right after). The default is `dec_weak`.
    #[inline(always)]
    fn dec_implicit_weak(&self) -> bool
    where
        Self: Sized,
    {
        self.dec_weak()
    }
}

/// A counter with a *watch flag*: the mark that death callbacks are
/// registered for its block (see the module docs).
///
/// # Safety
///
/// [`set_watched`](Self::set_watched) and
/// [`clear_watched`](Self::clear_watched) change the flag and nothing else:
/// the counts, [`RawCount::weak`] and [`RawCountUnique`] answers stay as
/// they were. [`RawCount::is_watched`] returns the flag. They are
/// called only while the caller holds a weak handle of its own (so the weak
/// count is at least 2 and the uniqueness lock cannot be held), or by the
/// handle that took strong to 0; callers serialise them with a lock of
/// their own, so `Relaxed` is enough.
pub unsafe trait RawCountWatch: RawCount {
    /// Sets the flag (`Relaxed`).
    fn set_watched(&self);

    /// Clears the flag (`Relaxed`).
    fn clear_watched(&self);
}

/// A counter that can tell whether a strong handle is the only handle of
/// either kind (`get_mut`, `make_mut`'s fast path).
///
/// # Safety
///
/// [`is_unique`](Self::is_unique) must return `true` only if, at the moment
/// it returns, strong is 1 and no weak handle exists, and no other thread can
/// create a handle before the caller's strong handle is used again: while it
/// checks, [`RawCount::downgrade`] must wait (or the check must be atomic).
/// When `Self: Sync`, a `true` result is `Acquire`: it synchronises with the
/// `Release` decrements of every handle that has gone.
pub unsafe trait RawCountUnique: RawCount {
    /// Whether the calling strong handle is the only handle, strong or weak.
    fn is_unique(&self) -> bool;

    /// Classifies the calling strong handle for `make_mut`:
    ///
    /// * [`Sharing::Unique`]: the only handle of either kind; counts
    ///   unchanged.
    /// * [`Sharing::OnlyWeak`]: the only strong handle, but weak handles
    ///   exist; strong is now **0** and the caller owns the value (as after
    ///   [`try_take_strong`](RawCount::try_take_strong)).
    /// * [`Sharing::Shared`]: other strong handles exist; counts unchanged.
    ///
    /// When `Self: Sync`, `Unique` and `OnlyWeak` are `Acquire` results, as
    /// `try_take_strong`'s success.
    fn sharing(&self) -> Sharing;
}

/// What [`RawCount::release_strong`] asks of the handle that gave up a
/// strong count.
///
/// # Examples
///
/// ```
/// use weakref_core::count::{AtomicCount, RawCount, StrongRelease};
///
/// let count = AtomicCount::<usize>::new(2, 1);
/// assert_eq!(count.release_strong(), StrongRelease::Kept);
/// assert_eq!(count.release_strong(), StrongRelease::Last);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrongRelease {
    /// Other strong handles remain: nothing to do.
    Kept,
    /// The last strong handle: drop the value, then release the implicit
    /// weak.
    Last,
    /// Not the last strong handle, but the block's last weak count went
    /// with it: free the block (the value is already gone).
    FreeBlock,
}

impl StrongRelease {
    /// `then` if `cond`, else [`Kept`](Self::Kept).
    #[inline(always)]
    pub(crate) fn or_kept(cond: bool, then: Self) -> Self {
        if cond { then } else { Self::Kept }
    }
}

/// What [`RawCountUnique::sharing`] found (std `make_mut`'s three cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// The only handle, strong or weak.
    Unique,
    /// The only strong handle, with weak handles; strong was taken to 0.
    OnlyWeak,
    /// Other strong handles exist.
    Shared,
}

mod sealed {
    pub trait Sealed {}
}

/// An unsigned integer a counter can count in: `u8`, `u16`, `u32`, `usize`.
///
/// Sealed: the counters rely on these conversions being exact below
/// [`Width::MAX`].
pub trait Width: sealed::Sealed + Copy + Eq + core::fmt::Debug + 'static {
    /// The largest value of the integer, as a `usize`.
    const MAX: usize;

    /// Zero in this width.
    const ZERO: Self;

    /// `self + 1`, wrapping to 0 past the maximum.
    fn wrapping_inc(self) -> Self;

    /// `self - 1`; `self` is not 0.
    fn dec(self) -> Self;

    /// `self + 2`, wrapping past the maximum (the step of a weak count,
    /// whose low bit is the watch flag).
    fn wrapping_add_two(self) -> Self;

    /// `self - 2`; `self` is at least 2.
    fn sub_two(self) -> Self;

    /// `self | 1`.
    fn with_low_bit(self) -> Self;

    /// `self & !1`.
    fn without_low_bit(self) -> Self;

    /// The value as a `usize`.
    fn to_usize(self) -> usize;

    /// `n` in this width; `n` is at most [`Width::MAX`].
    fn from_usize(n: usize) -> Self;
}

macro_rules! impl_width {
    ($($int:ty),*) => {$(
        impl sealed::Sealed for $int {}
        impl Width for $int {
            const MAX: usize = <$int>::MAX as usize;
            const ZERO: Self = 0;

            #[inline(always)]
            fn wrapping_inc(self) -> Self {
                self.wrapping_add(1)
            }

            #[inline(always)]
            fn dec(self) -> Self {
                self - 1
            }

            #[inline(always)]
            fn wrapping_add_two(self) -> Self {
                self.wrapping_add(2)
            }

            #[inline(always)]
            fn sub_two(self) -> Self {
                self - 2
            }

            #[inline(always)]
            fn with_low_bit(self) -> Self {
                self | 1
            }

            #[inline(always)]
            fn without_low_bit(self) -> Self {
                self & !1
            }

            #[inline(always)]
            fn to_usize(self) -> usize {
                self as usize
            }

            #[inline(always)]
            fn from_usize(n: usize) -> Self {
                debug_assert!(n <= <Self as Width>::MAX);
                n as $int
            }
        }
    )*};
}

impl_width!(u8, u16, usize);
// On 16-bit targets a `u32` count could not be reported as a `usize`.
#[cfg(not(target_pointer_width = "16"))]
impl_width!(u32);
