//! [`WaitFree`]: the strong protocol whose `upgrade` is one `fetch_add`
//! (Parkinson, Clebsch and Simner, "Wait-Free Weak Reference Counting",
//! ISMM 2023), as a parameter of [`AtomicCount`]. The weak side (weak
//! count, watch flag, uniqueness lock, deaths tally) is `AtomicCount`'s.
//!
//! # The strong word
//!
//! `ZERO` is the top bit of the width and `HELPED` the one below it.
//! `HELPED` means something only with `ZERO`: a live count may use every
//! bit below `ZERO` ([`AtomicCount::MAX_REFCOUNT`] is std's, half the
//! width, checked after the add as std does, so `clone` costs what std's
//! does; `u8`/`u16` counts check before adding and stop at a quarter).
//!
//! | stored value          | meaning                                                   |
//! |-----------------------|-----------------------------------------------------------|
//! | n, 0 < n < `ZERO`     | n strong handles                                          |
//! | 0                     | the last handle has decremented and not yet flagged: an upgrade now keeps the value alive |
//! | `ZERO` + s            | dead, for good (sticky); s upgrades that saw the flag have not yet taken their step back |
//! | `ZERO` + `HELPED` + s | dead, declared by a reader that saw 0; the dropper has not yet claimed the value |
//!
//! A block under construction (`new_cyclic`) and a value taken out
//! (`try_take_strong`, `make_mut`'s weak-only case) also read `ZERO`: the
//! owner that put it there is the only one who may clear it
//! ([`RawCount::publish_strong`]).
//!
//! # The orderings
//!
//! | operation          | atomic access                                                 | partner |
//! |--------------------|---------------------------------------------------------------|---------|
//! | `inc_strong`       | `fetch_add` Relaxed, as `CasLoop`                              | (an existing handle) |
//! | `try_inc_strong`   | load Relaxed, fail on `ZERO`; `fetch_add` Acquire; saw `ZERO`: `fetch_sub` Relaxed, fail; saw 0: `inc_weak` (`u8`/`u16`: CAS loop, fail on `ZERO`) | `release_strong`'s and `publish_strong`'s Release |
//! | `release_strong`   | `fetch_sub` Release; last: CAS 0 → `ZERO` Acquire; failed on `HELPED`: `fetch_and(!HELPED)` Acquire; claim failed: `dec_weak` | every handle's Release decrement (one release sequence) |
//! | `strong`           | load Relaxed; read 0: CAS 0 → `ZERO` + `HELPED` Relaxed         | none: decides, reads nothing |
//! | `try_take_strong`  | CAS 1 → `ZERO` Acquire                                          | the Release decrements |
//! | `publish_strong`   | `fetch_sub(ZERO - 1)` Release (clears `ZERO`, adds 1, keeps s) | `try_inc_strong`'s Acquire |
//! | `sharing`          | CAS 1 → `ZERO` Acquire; weak load Acquire; restore `store(1)` Release | as `CasLoop` |
//!
//! # Why it is right
//!
//! The strong count of the [`RawCount`] contract (the *abstract* count)
//! is the stored count while `ZERO` is clear, except that a stored 0 still
//! counts the pending last handle as 1; it is 0 once `ZERO` is set.
//!
//! * **A revived count is not a resurrection.** A decrement that takes the
//!   word 1 → 0 is not yet the last drop: it is pending until its CAS
//!   0 → `ZERO`. An upgrade whose `fetch_add` reads 0 takes the pending
//!   handle's place (abstract count 1 → 1), and the dropper's CAS then
//!   fails on the non-zero word: it returns "not last". So the abstract
//!   count never goes 0 → 1, the value stays initialised while the word is
//!   0 (I3), and the upgrader's Acquire reads the dropper's Release
//!   decrement, so it sees every write made through the handle that went.
//! * **Dead is sticky.** Once `ZERO` is set, only `publish_strong` clears
//!   it, and only the owner that set it by a take calls that (I4). An
//!   upgrade that reads `ZERO` fails; its step (the `fetch_add` is
//!   unconditional) sits under the flag until it takes it back, so the
//!   count bits of a dead word hold at most the upgrades in flight, and
//!   every reader masks them (`strong` reads a flagged word as 0).
//! * **Exactly one thread drops the value.** The word leaves 0 once per
//!   life, by one RMW: an upgrade (revival, nobody drops), a dropper's CAS
//!   0 → `ZERO` (that dropper drops the value; it may be an earlier
//!   pending dropper of a revived count, which does just as well), or a
//!   reader's CAS 0 → `ZERO` + `HELPED`. In the last case the most recent
//!   dropper has not run its CAS yet (the word was 0 from its decrement
//!   to the reader's CAS), so at least one dropper's CAS fails on
//!   `HELPED`; each such dropper clears `HELPED` with one `fetch_and`, and
//!   the one that finds it set drops the value. `HELPED` is set at most
//!   once per life, so it is claimed once.
//! * **The drop happens after every use.** Every strong decrement is a
//!   Release RMW of this one word, and every later access to it is an
//!   RMW too, so each decrement heads a release sequence running through
//!   the RMW by which the dropper claims the value (its CAS or its
//!   `fetch_and`), both Acquire: it synchronises with them all (std's
//!   fence argument, with the fence folded into that RMW). The reader's
//!   helping CAS is Relaxed: it is part of the sequence and decides only
//!   who drops; the reader itself touches no value.
//! * **The block outlives a pending dropper.** A dropper whose count
//!   was revived still runs its CAS after its decrement, while the
//!   reviving handle may already have died, claimed the value and
//!   released the implicit weak: without more, the last weak handle could
//!   free the block under that CAS. So an upgrade that reads a bare 0
//!   adds a weak count (it holds a weak handle, so the block is there and
//!   unlocked) and every dropper whose claim fails releases one, freeing
//!   the block if it was the last ([`RawCount::release_strong`] answers
//!   `FreeBlock`). The counts match: a claim fails only after a revival
//!   followed its decrement (a 0 is left only by an upgrade, the claiming
//!   CAS or a reader's), and each 1 → 0 after the first follows a
//!   revival, so the failed claims of a life are exactly its revivals;
//!   and each pending dropper has a count of its own until it releases
//!   it (the implicit weak for the latest one, a lent count for each
//!   one a revival superseded). While lent, the count reads in
//!   `weak_count` and makes `get_mut` wait, as a weak handle would.
//! * **A reader never sees a count that comes back.** `strong` reading 0
//!   makes the death definite (the helping CAS) before it answers 0, so a
//!   weak map that purges an entry it reads as dead never purges a value
//!   that an upgrade then revives.
//! * **Wait-free.** Every operation is a bounded number of steps:
//!   `try_inc_strong` a load and one RMW (two when it fails after the
//!   load saw the value alive: the paper's hybrid, whose load spares a
//!   value already dead any RMW), `dec_strong` at most three, `strong` at
//!   most two. (Widths under 32 bits keep a CAS loop for
//!   their increments, whose limit they check before adding: lock-free.)
//! * **No overflow into the flags.** Live counts abort above
//!   `MAX_REFCOUNT` as `CasLoop`'s do. A `usize`/`u32` count that passes
//!   it reaches `ZERO` at once, but only until the thread that added
//!   aborts: upgrades fail and readers see 0 meanwhile (wrong answers, as
//!   std's are past its limit, not unsound: only a decrement that found
//!   exactly 1 claims the value, and a `HELPED` claim needs `ZERO` too).
//!   The steps under a dead flag are taken back, so they never
//!   accumulate. `HELPED` is set only together with `ZERO`, from 0, and
//!   never again once cleared.
//! * **`make_mut`'s restore keeps stray steps.** After `sharing` or
//!   `try_take_strong` set `ZERO`, an upgrader that read 1 just before may
//!   still add its step and take it back. `publish_strong` subtracts
//!   `ZERO - 1` (clears the flag, adds the owner's 1) instead of storing 1,
//!   so the step it would overwrite survives to be taken back. `sharing`'s
//!   unique restore stores 1: with weak at 1 no upgrader holds a weak
//!   handle, and its Acquire weak load orders their undone steps first.
//!
//! The models in `core/tests/loom_wait_free.rs` check these races, each
//! against a planted bug it must catch (`loom_wait_free_canary.rs`).

use super::atomic::{AtomicCount, AtomicWidth};
use super::{RawCount, StrongRelease, sealed};
use crate::shim::Ordering::*;

/// How an [`AtomicCount`] runs its strong count: [`CasLoop`] (std's) or
/// [`WaitFree`]. Sealed.
///
/// # Examples
///
/// ```
/// use weakref_core::count::{AtomicCount, CasLoop, StrongProtocol, WaitFree};
///
/// fn protocol<S: StrongProtocol>(_: &AtomicCount<usize, S>) {}
/// protocol::<CasLoop>(&weakref_core::count::RawCount::new(1, 1));
/// protocol::<WaitFree>(&weakref_core::count::RawCount::new(1, 1));
/// ```
pub trait StrongProtocol: sealed::Sealed + Copy + core::fmt::Debug + Send + Sync + 'static {
    /// Whether `upgrade` is a `fetch_add` with a sticky dead flag rather
    /// than a compare-and-swap loop.
    #[doc(hidden)]
    const WAIT_FREE: bool;
}

/// std `Arc`'s strong protocol: `upgrade` is a compare-and-swap loop that
/// gives up at 0. [`AtomicCount`]'s default.
///
/// # Examples
///
/// ```
/// use weakref_core::count::{AtomicCount, CasLoop, RawCount};
///
/// let count = AtomicCount::<usize, CasLoop>::new(1, 1);
/// assert!(count.try_inc_strong());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CasLoop;

/// The wait-free strong protocol (ISMM 2023): `upgrade` is one
/// `fetch_add`, and a count that reached 0 is marked dead with a sticky
/// flag. See [`WaitFreeCount`].
///
/// # Examples
///
/// ```
/// use weakref_core::count::{AtomicCount, RawCount, WaitFree};
///
/// let count = AtomicCount::<usize, WaitFree>::new(1, 1);
/// assert!(count.dec_strong());
/// assert!(!count.try_inc_strong()); // dead for good
/// assert_eq!(count.strong(), 0);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct WaitFree;

impl sealed::Sealed for CasLoop {}
impl sealed::Sealed for WaitFree {}

impl StrongProtocol for CasLoop {
    const WAIT_FREE: bool = false;
}

impl StrongProtocol for WaitFree {
    const WAIT_FREE: bool = true;
}

/// A thread-safe counter whose `upgrade` never retries: [`AtomicCount`]
/// with the [`WaitFree`] strong protocol (Parkinson, Clebsch and Simner,
/// "Wait-Free Weak Reference Counting", ISMM 2023).
///
/// Under contention an upgrade costs one `fetch_add`, as a `clone` does,
/// where std's compare-and-swap loop may retry. The price is on the
/// value's death: the last drop adds a compare-and-swap (its 0 → dead
/// flag), and an upgrade of a value caught dying adds a `fetch_sub`.
/// Everything else (weak handles, callbacks, weak maps, `get_mut`,
/// `make_mut`) works as with [`AtomicCount`], at the same limit
/// ([`AtomicCount::MAX_REFCOUNT`]; a quarter of the width for `u8`/`u16`).
///
/// # Examples
///
/// ```
/// use weakref_core::count::WaitFreeCount;
/// type Arc<T> = weakref_core::Strong<T, WaitFreeCount, weakref_core::storage::Global>;
///
/// let strong = Arc::new(5);
/// let weak = Arc::downgrade(&strong);
/// assert_eq!(weak.upgrade().as_deref(), Some(&5));
/// drop(strong);
/// assert!(weak.upgrade().is_none());
/// ```
pub type WaitFreeCount<W = usize> = AtomicCount<W, WaitFree>;

impl<W: AtomicWidth, S: StrongProtocol> AtomicCount<W, S> {
    /// The sticky dead flag: the top bit.
    const ZERO: usize = W::MAX ^ (W::MAX >> 1);

    /// Set with `ZERO` by a reader that saw 0: the dropper still has to
    /// claim the value.
    const HELPED: usize = Self::ZERO >> 1;

    /// The word of a strong count that is 0 and must stay so until its
    /// owner publishes: 0 for `CasLoop`, `ZERO` for `WaitFree`.
    pub(super) const DEAD: usize = if S::WAIT_FREE { Self::ZERO } else { 0 };

    /// The stored strong word of a new counter.
    #[inline(always)]
    pub(super) fn initial_strong(strong: usize) -> usize {
        if strong == 0 { Self::DEAD } else { strong }
    }

    /// [`RawCount::strong`]: a flagged word reads as 0; a bare 0 is made
    /// dead first (the reader helps), so an answer of 0 is final.
    #[inline]
    pub(super) fn wait_free_strong(&self) -> usize {
        // Relaxed: a snapshot; callers draw no conclusion about other memory.
        let n = W::load(&self.strong, Relaxed);
        if n & Self::ZERO != 0 {
            return 0;
        }
        if n != 0 {
            return n;
        }
        // Relaxed: this CAS only decides that the value is dead; the
        // dropper that claims `HELPED` does the Acquire (module docs).
        match W::compare_exchange(&self.strong, 0, Self::ZERO | Self::HELPED, Relaxed, Relaxed) {
            Ok(_) => 0,
            Err(now) if now & Self::ZERO != 0 => 0,
            Err(revived) => revived,
        }
    }

    /// [`RawCount::try_inc_strong`]: a load that fails on the flag, then
    /// one `fetch_add`, failing on the flag.
    #[inline]
    pub(super) fn wait_free_try_inc_strong(&self) -> bool {
        // ORDERING: Acquire; pairs with the Release of `dec_strong` (writes
        // through handles that are gone, also a pending last handle whose
        // place we take when we read 0) and of `publish_strong` (the value
        // is initialised).
        // The paper's hybrid: a value already seen dead fails at once,
        // without an RMW (a dead upgrade costs a load, as std's does;
        // measured: 6.8 x std's time with the `fetch_add` and its undo, 0.75
        // x with this load). Relaxed: a flag we read is sticky (or set by
        // an owner that may publish later, when failing is also right).
        if W::load(&self.strong, Relaxed) & Self::ZERO != 0 {
            return false;
        }
        let old = W::fetch_add(&self.strong, 1, Acquire);
        if old & Self::ZERO != 0 {
            // Dead: take our step back (Relaxed: nothing is read, and the
            // flag stays whatever happens to the count bits).
            W::fetch_sub(&self.strong, 1, Relaxed);
            return false;
        }
        Self::check_overflow(old);
        self.count_revival(old);
        true
    }

    /// After an upgrade that read the strong word `old`: if it was a bare
    /// 0, the upgrade took the place of a pending last handle, whose
    /// dropper will still touch this block (its CAS). Adds a weak count
    /// that the dropper releases when its claim fails (module docs), so
    /// the block outlives it. Our own weak handle keeps the block, and
    /// the weak count above 1 (no uniqueness lock), until then.
    #[inline(always)]
    pub(super) fn count_revival(&self, old: usize) {
        if S::WAIT_FREE && old == 0 {
            self.inc_weak();
        }
    }

    /// Whether an upgrade's CAS loop must give up on the strong word `n`
    /// (`u8`/`u16` counts with `WaitFree`, which check their limit before
    /// adding, use the loop too): 0 for `CasLoop`; the flag for `WaitFree`,
    /// whose bare 0 the CAS may revive, as the `fetch_add` would.
    #[inline(always)]
    pub(super) fn cannot_upgrade(n: usize) -> bool {
        if S::WAIT_FREE {
            n & Self::ZERO != 0
        } else {
            n == 0
        }
    }

    /// [`RawCount::release_strong`]: a decrement; for the last handle the
    /// claim on the value; if the claim fails, the release of the weak
    /// count the reviving upgrade added for us (module docs).
    #[inline(always)]
    pub(super) fn wait_free_release_strong(&self) -> StrongRelease {
        // ORDERING: Release; pairs with the Acquire of whichever RMW claims
        // the value (below, in this or another dropping thread), and with
        // the Acquire of an upgrade that reads the 0 we leave.
        if W::fetch_sub(&self.strong, 1, Release) != 1 {
            return StrongRelease::Kept;
        }
        if self.claim_value() {
            return StrongRelease::Last;
        }
        // Orderings in `dec_weak`: Release, and Acquire if it is the last.
        StrongRelease::or_kept(self.dec_weak(), StrongRelease::FreeBlock)
    }

    /// After taking the word 1 → 0: whether this thread drops the value.
    #[inline]
    fn claim_value(&self) -> bool {
        // ORDERING: Acquire on success; pairs with the Release decrements
        // of every strong handle (they head release sequences through our
        // own decrement, which this CAS reads). Relaxed on failure: the
        // `fetch_and` below does the Acquire when it claims.
        match W::compare_exchange(&self.strong, 0, Self::ZERO, Acquire, Relaxed) {
            Ok(_) => true,
            // A reader saw 0 and set the flag for us: claim it. (`HELPED`
            // alone is a bit of a live count.)
            Err(now) if now & (Self::ZERO | Self::HELPED) == Self::ZERO | Self::HELPED => {
                // ORDERING: Acquire; pairs with the Release decrements, as
                // the CAS above would have (the reader's CAS is an RMW in
                // the same sequence).
                W::fetch_and(&self.strong, !Self::HELPED, Acquire) & Self::HELPED != 0
            }
            // Revived by an upgrade (no flag), or another dropper of this
            // life set the flag and drops the value.
            Err(_) => false,
        }
    }

    /// [`RawCount::publish_strong`]: clears the flag and adds the owner's
    /// handle in one RMW, keeping the steps of upgrades still to be taken
    /// back (module docs).
    #[inline]
    pub(super) fn wait_free_publish_strong(&self) {
        // ORDERING: Release; pairs with the Acquire of `try_inc_strong`: an
        // upgrade that reads a count from here sees the value written
        // before this RMW.
        W::fetch_sub(&self.strong, Self::ZERO - 1, Release);
    }
}

#[cfg(all(test, not(weakref_loom)))]
mod tests {
    use super::*;
    use crate::count::{RawCount, RawCountUnique, Sharing};

    #[test]
    fn the_flags_sit_above_the_limit() {
        type C = WaitFreeCount<u8>;
        assert_eq!((C::ZERO, C::HELPED, C::MAX_REFCOUNT), (0x80, 0x40, 63));
        assert_eq!(WaitFreeCount::<u32>::MAX_REFCOUNT, i32::MAX as usize);
        assert_eq!(WaitFreeCount::<usize>::MAX_REFCOUNT, isize::MAX as usize);
    }

    #[test]
    fn a_dead_count_stays_dead() {
        for count in [WaitFreeCount::<usize>::new(1, 1), WaitFreeCount::new(2, 1)] {
            while !count.dec_strong() {}
            assert!(!count.try_inc_strong());
            assert_eq!(count.strong(), 0);
            // The failed upgrade took its step back.
            assert_eq!(
                usize::load(&count.strong, Relaxed),
                WaitFreeCount::<usize>::ZERO
            );
        }
        let narrow = WaitFreeCount::<u16>::new(1, 1);
        assert!(narrow.dec_strong());
        assert!(!narrow.try_inc_strong());
    }

    #[test]
    fn an_upgrade_at_a_bare_zero_revives_and_the_dropper_stands_down() {
        let count = WaitFreeCount::<usize>::new(1, 1);
        // The dropper's decrement, without its claim yet.
        usize::fetch_sub(&count.strong, 1, Relaxed);
        assert!(count.try_inc_strong());
        // The reviving upgrade lent the dropper a weak count.
        assert_eq!(count.weak(), 2);
        assert!(!count.claim_value());
        // The dropper gives it back (not the last weak count here).
        assert!(!count.dec_weak());
        assert_eq!((count.strong(), count.weak()), (1, 1));
        assert_eq!(count.release_strong(), StrongRelease::Last);
        let narrow = WaitFreeCount::<u8>::new(1, 1);
        u8::fetch_sub(&narrow.strong, 1, Relaxed);
        assert!(narrow.try_inc_strong());
        assert_eq!(narrow.weak(), 2);
        assert!(!narrow.claim_value());
    }

    #[test]
    fn a_failed_claim_may_free_the_block() {
        // The dropper's decrement; an upgrade revives (lending a weak
        // count), and that handle dies, claiming the value; the weak
        // handles go: the lent count is the block's last.
        let count = WaitFreeCount::<usize>::new(1, 2);
        usize::fetch_sub(&count.strong, 1, Relaxed);
        assert!(count.try_inc_strong());
        assert_eq!(count.release_strong(), StrongRelease::Last);
        assert!(!count.dec_weak()); // the implicit weak
        assert!(!count.dec_weak()); // the upgrader's weak handle
        assert!(!count.claim_value());
        assert!(count.dec_weak()); // the lent count: free the block
    }

    #[test]
    fn a_reader_at_a_bare_zero_makes_it_dead_and_the_dropper_claims_it() {
        let count = WaitFreeCount::<usize>::new(1, 1);
        usize::fetch_sub(&count.strong, 1, Relaxed);
        assert_eq!(count.strong(), 0); // helps: ZERO | HELPED
        assert!(!count.try_inc_strong());
        assert!(count.claim_value()); // the dropper claims HELPED
        assert!(!count.claim_value()); // nobody else can
        assert_eq!(count.strong(), 0);
    }

    #[test]
    fn a_live_count_with_the_helped_bit_is_not_claimed() {
        type C = WaitFreeCount<u8>;
        let count = C::new(C::HELPED, 1);
        assert!(!count.claim_value());
        assert_eq!(count.strong(), C::HELPED);
    }

    #[test]
    fn take_and_publish_keep_pending_steps() {
        let count = WaitFreeCount::<usize>::new(1, 2);
        assert_eq!(count.sharing(), Sharing::OnlyWeak);
        // An upgrade's step, taken back only after the publish.
        usize::fetch_add(&count.strong, 1, Relaxed);
        count.publish_strong();
        usize::fetch_sub(&count.strong, 1, Relaxed);
        assert_eq!(count.strong(), 1);
        assert!(count.try_take_strong());
        assert!(!count.try_inc_strong());
        let cyclic = WaitFreeCount::<usize>::new(0, 1);
        assert!(!cyclic.try_inc_strong());
        cyclic.publish_strong();
        assert!(cyclic.try_inc_strong());
        assert_eq!(cyclic.strong(), 2);
    }
}
