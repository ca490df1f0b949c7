//! [`LocalCount`]: the single-threaded counter, two `Cell`s.

use core::cell::Cell;

use super::{RawCount, RawCountUnique, RawCountWatch, Sharing, Width};
use crate::shim;

/// A single-threaded counter: two [`Cell`]s, no atomics, no fences.
///
/// `Cell` makes it `!Sync`, so every handle built on it is `!Send` and
/// `!Sync`: the compiler keeps it on one thread. It builds on targets with
/// no atomics at all. `W` is the integer it counts in (see [`Width`]); a
/// count that would pass `W::MAX` aborts the process, as std's `Rc` does
/// when its count would wrap.
///
/// # Examples
///
/// ```
/// use weakref_core::count::{LocalCount, RawCount};
///
/// let count = LocalCount::<u32>::new(1, 1);
/// count.inc_strong();
/// assert_eq!(count.strong(), 2);
/// assert!(!count.dec_strong());
/// assert!(count.dec_strong()); // the last strong handle
/// ```
#[derive(Debug)]
pub struct LocalCount<W: Width = usize> {
    strong: Cell<W>,
    weak: Cell<W>,
}

impl<W: Width> LocalCount<W> {
    /// `cell + 1`, aborting if it wraps to 0 (std
    /// `RcInnerPtr::inc_strong`, in the same shape: the add sets the flag
    /// the abort test reads, one instruction fewer than a check before).
    #[inline(always)]
    fn increment(cell: &Cell<W>) {
        let new = cell.get().wrapping_inc();
        cell.set(new);
        if new == W::ZERO {
            shim::abort();
        }
    }

    /// `cell - 1`; returns whether it reached 0.
    #[inline(always)]
    fn decrement(cell: &Cell<W>) -> bool {
        let new = cell.get().dec();
        cell.set(new);
        new == W::ZERO
    }

    /// One more weak handle: the stored weak steps by 2 (its low bit is the
    /// watch flag), aborting if it would wrap.
    #[inline(always)]
    fn increment_weak(&self) {
        let new = self.weak.get().wrapping_add_two();
        self.weak.set(new);
        // Wrapped past the top (to 0, or 1 with the flag set).
        if new.to_usize() < 2 {
            shim::abort();
        }
    }
}

// SAFETY: every method does exactly what its contract says on two `Cell`s;
// increments abort at `W::MAX` instead of wrapping; `try_inc_strong` checks
// for 0 first. `LocalCount` is `!Sync` (it holds `Cell`s), so it has no
// concurrency duty.
// Caught if broken by: the unit tests below, `it::overflow` (abort at the
// width's limit), `it::model` and fuzz `rc_ops` (every operation against a
// reference model).
unsafe impl<W: Width> RawCount for LocalCount<W> {
    #[inline]
    fn new(strong: usize, weak: usize) -> Self {
        LocalCount {
            strong: Cell::new(W::from_usize(strong)),
            weak: Cell::new(W::from_usize(weak * 2)),
        }
    }

    #[inline(always)]
    fn strong(&self) -> usize {
        self.strong.get().to_usize()
    }

    #[inline(always)]
    fn weak(&self) -> usize {
        self.weak.get().to_usize() >> 1
    }

    #[inline(always)]
    fn inc_strong(&self) {
        Self::increment(&self.strong);
    }

    #[inline(always)]
    fn try_inc_strong(&self) -> bool {
        if self.strong() == 0 {
            return false;
        }
        Self::increment(&self.strong);
        true
    }

    #[inline(always)]
    fn dec_strong(&self) -> bool {
        Self::decrement(&self.strong)
    }

    #[inline]
    fn try_take_strong(&self) -> bool {
        if self.strong() != 1 {
            return false;
        }
        self.strong.set(W::from_usize(0));
        true
    }

    #[inline]
    fn publish_strong(&self) {
        debug_assert_eq!(self.strong(), 0);
        self.strong.set(W::from_usize(1));
    }

    #[inline(always)]
    fn downgrade(&self) {
        self.increment_weak();
    }

    #[inline(always)]
    fn inc_weak(&self) {
        self.increment_weak();
    }

    #[inline(always)]
    fn dec_weak(&self) -> bool {
        // The flag is clear when the last weak count goes (module docs), so
        // the stored value is then exactly 2.
        let new = self.weak.get().sub_two();
        self.weak.set(new);
        new == W::ZERO
    }

    #[inline(always)]
    fn only_implicit_weak(&self) -> bool {
        // One weak count (stored doubled), the watch flag clear.
        self.weak.get().to_usize() == 2
    }

    #[inline(always)]
    fn is_watched(&self) -> bool {
        self.weak.get().to_usize() & 1 == 1
    }

    #[inline]
    fn notify_death(&self, block: usize) {
        // The counter only reports the death; the hooks belong to the layer
        // above (`callbacks`, which defines `run_death_hooks` with `std`).
        self.run_death_hooks(block);
    }

    // Per thread: a `LocalCount` value dies on the thread that owns it.
    // Without `std` there is no thread-local tally (purges always scan).
    #[cfg(all(feature = "collections", feature = "std", not(weakref_loom)))]
    #[inline(always)]
    fn weak_deaths() -> Option<usize> {
        Some(LOCAL_WEAK_DEATHS.with(Cell::get))
    }

    #[cfg(all(feature = "collections", feature = "std", not(weakref_loom)))]
    #[inline(always)]
    fn dec_implicit_weak(&self) -> bool {
        if self.dec_weak() {
            return true;
        }
        // The weak handles left (the stored count is doubled).
        let left = self.weak.get().to_usize() >> 1;
        LOCAL_WEAK_DEATHS.with(|n| n.set(n.get().wrapping_add(left)));
        false
    }
}

/// Without `std` there is no local registry: the watch flag is never set,
/// and no hook runs at a death.
#[cfg(not(feature = "std"))]
impl<W: Width> LocalCount<W> {
    #[inline(always)]
    fn run_death_hooks(&self, _block: usize) {}
}

// SAFETY: the flag is the low bit of the stored weak, which every other
// method steps by 2 or shifts away; on one thread the accesses cannot race.
// Caught if broken by: `the_watch_flag_leaves_the_counts_alone` below and
// the callback suites (`it::callbacks`, `adversary::callbacks`).
unsafe impl<W: Width> RawCountWatch for LocalCount<W> {
    #[inline]
    fn set_watched(&self) {
        self.weak.set(self.weak.get().with_low_bit());
    }

    #[inline]
    fn clear_watched(&self) {
        self.weak.set(self.weak.get().without_low_bit());
    }
}

// SAFETY: on one thread nothing can change the counts between the two reads,
// and the caller's handle is the one counted in `strong == 1`.
// Caught if broken by: `uniqueness_counts_weak_handles` below, `it::strong`.
unsafe impl<W: Width> RawCountUnique for LocalCount<W> {
    #[inline]
    fn is_unique(&self) -> bool {
        self.strong() == 1 && self.weak.get() == W::from_usize(2)
    }

    #[inline]
    fn sharing(&self) -> Sharing {
        if self.strong() != 1 {
            Sharing::Shared
        } else if self.weak.get() != W::from_usize(2) {
            self.strong.set(W::ZERO);
            Sharing::OnlyWeak
        } else {
            Sharing::Unique
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgrade_never_revives_a_dead_count() {
        let count = LocalCount::<u8>::new(1, 1);
        assert!(count.try_inc_strong());
        assert!(!count.dec_strong());
        assert!(count.dec_strong());
        assert!(!count.try_inc_strong());
        assert_eq!(count.strong(), 0);
    }

    #[test]
    fn take_strong_only_from_one() {
        let count = LocalCount::<u16>::new(2, 1);
        assert!(!count.try_take_strong());
        assert!(!count.dec_strong());
        assert!(count.try_take_strong());
        assert_eq!(count.strong(), 0);
        count.publish_strong();
        assert_eq!(count.strong(), 1);
    }

    #[test]
    fn uniqueness_counts_weak_handles() {
        let count = LocalCount::<usize>::new(1, 1);
        assert!(count.is_unique());
        count.downgrade();
        assert!(!count.is_unique());
        assert!(!count.dec_weak());
        assert!(count.is_unique());
    }

    #[test]
    fn the_watch_flag_leaves_the_counts_alone() {
        let count = LocalCount::<u8>::new(1, 1);
        count.downgrade();
        assert!(!count.is_watched());
        count.set_watched();
        assert!(count.is_watched());
        assert_eq!((count.strong(), count.weak()), (1, 2));
        assert!(!count.is_unique());
        count.clear_watched();
        assert!(!count.is_watched());
        assert!(!count.dec_weak());
        assert!(count.is_unique());
    }

    #[test]
    fn counts_reach_the_width_limit() {
        let count = LocalCount::<u8>::new(1, 1);
        for _ in 1..u8::MAX {
            count.inc_strong();
        }
        assert_eq!(count.strong(), 255);
    }
}

#[cfg(all(feature = "collections", feature = "std", not(weakref_loom)))]
std::thread_local! {
    /// [`RawCount::weak_deaths`] for every `LocalCount` width, on this
    /// thread. `const` and without a destructor: usable even while the
    /// thread's other locals are being destroyed.
    static LOCAL_WEAK_DEATHS: Cell<usize> = const { Cell::new(0) };
}
