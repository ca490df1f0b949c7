//! [`AtomicCount`]: the thread-safe counter, std `Arc`'s protocol.
//!
//! | operation          | atomic access                                    | std reference          |
//! |--------------------|--------------------------------------------------|------------------------|
//! | `inc_strong`       | `fetch_add` Relaxed, abort above `MAX_REFCOUNT` (`u8`/`u16`: CAS, check first) | `Arc::clone` |
//! | `try_inc_strong`   | CAS loop, Acquire on success, never 0 → 1        | `Weak::upgrade`        |
//! | `dec_strong`       | `fetch_sub` Release; last: `acquire!`            | `Arc::drop`            |
//! | `try_take_strong`  | CAS 1 → 0, Acquire                               | `Arc::try_unwrap`      |
//! | `publish_strong`   | `store(1)` Release                               | `Arc::new_cyclic`      |
//! | `downgrade`        | CAS loop, Acquire, waits while weak is `LOCKED`  | `Arc::downgrade`       |
//! | `inc_weak`         | `fetch_add` Relaxed (`u8`/`u16`: CAS, check first) | `Weak::clone`        |
//! | `dec_weak`         | `fetch_sub` Release; last: `acquire!`            | `Weak::drop`           |
//! | `only_implicit_weak` | weak load Acquire, is it 2 (last drop)          | `Arc::drop_slow`'s weak drop |
//! | `dec_implicit_weak`| as `dec_weak`; not last: tally `fetch_add` Release | `Arc::drop_slow`     |
//! | `is_unique`        | weak CAS 1 → `LOCKED` Acquire; strong Acquire; weak `store(1)` Release | `Arc::is_unique` |
//! | `sharing`          | strong CAS 1 → 0 Acquire; weak load Acquire; restore `store(1)` Release | `Arc::make_mut` |
//!
//! That is the default strong protocol, [`CasLoop`]. With [`WaitFree`]
//! ([`WaitFreeCount`](super::WaitFreeCount)) the strong-side rows follow
//! the table in `wait_free.rs`; the weak side is shared.

use core::marker::PhantomData;

#[cfg(doc)]
use super::wait_free::WaitFree;
use super::wait_free::{CasLoop, StrongProtocol};
use super::{RawCount, RawCountUnique, RawCountWatch, Sharing, StrongRelease, Width};
use crate::shim::{self, Ordering::*};

/// std's `acquire!`: the Acquire half of the last-reference handshake.
///
/// An Acquire **fence**, as std's `Arc` uses: free on x86. ThreadSanitizer
/// does not model fences, so builds with `--cfg weakref_tsan` (ci/san.sh)
/// use an Acquire **load** of the same atomic instead, the form bytes and
/// std-under-TSan use. STYLE.md asked for the load everywhere; measured
/// here, that load after a locked decrement cost 2.5–3 ns per last drop
/// (`Arc::new` + drop at 1.32 × std), so the fence is the default.
macro_rules! acquire {
    ($atomic:expr) => {{
        #[cfg(not(weakref_tsan))]
        shim::fence(Acquire);
        #[cfg(weakref_tsan)]
        W::load($atomic, Acquire);
    }};
}

/// An integer [`Width`] with an atomic type: the operations
/// [`AtomicCount`] needs, in `usize` terms.
///
/// Sealed through [`Width`]; implemented for `u8`, `u16`, `u32` and `usize`
/// where the target has atomics of that size.
pub trait AtomicWidth: Width {
    /// The atomic integer of this width (`AtomicUsize` for `usize`).
    type Atomic: Send + Sync + core::fmt::Debug;

    /// Whether increments check the limit *before* adding (a CAS loop)
    /// rather than after (`fetch_add`): true for widths under 32 bits,
    /// whose headroom racing threads could exhaust (see
    /// [`AtomicCount::MAX_REFCOUNT`]).
    #[doc(hidden)]
    const CHECK_BEFORE_ADD: bool;

    /// A new atomic holding `n`.
    #[doc(hidden)]
    fn new_atomic(n: usize) -> Self::Atomic;
    /// `Atomic::load`.
    #[doc(hidden)]
    fn load(a: &Self::Atomic, order: shim::Ordering) -> usize;
    /// `Atomic::store`.
    #[doc(hidden)]
    fn store(a: &Self::Atomic, n: usize, order: shim::Ordering);
    /// `Atomic::fetch_add(n)`, returning the old value.
    #[doc(hidden)]
    fn fetch_add(a: &Self::Atomic, n: usize, order: shim::Ordering) -> usize;
    /// `Atomic::fetch_sub(n)`, returning the old value.
    #[doc(hidden)]
    fn fetch_sub(a: &Self::Atomic, n: usize, order: shim::Ordering) -> usize;
    /// `Atomic::fetch_or(n)`, returning the old value.
    #[doc(hidden)]
    fn fetch_or(a: &Self::Atomic, n: usize, order: shim::Ordering) -> usize;
    /// `Atomic::fetch_and(n)`, returning the old value.
    #[doc(hidden)]
    fn fetch_and(a: &Self::Atomic, n: usize, order: shim::Ordering) -> usize;
    /// `Atomic::compare_exchange`.
    #[doc(hidden)]
    fn compare_exchange(
        a: &Self::Atomic,
        current: usize,
        new: usize,
        success: shim::Ordering,
        failure: shim::Ordering,
    ) -> Result<usize, usize>;
    /// `Atomic::compare_exchange_weak`.
    #[doc(hidden)]
    fn compare_exchange_weak(
        a: &Self::Atomic,
        current: usize,
        new: usize,
        success: shim::Ordering,
        failure: shim::Ordering,
    ) -> Result<usize, usize>;
}

macro_rules! impl_atomic_width {
    ($($int:ty => $atomic:ident if $size:literal),*) => {$(
        #[cfg(any(target_has_atomic = $size, feature = "portable-atomic", weakref_loom))]
        impl AtomicWidth for $int {
            type Atomic = shim::$atomic;

            const CHECK_BEFORE_ADD: bool = <$int>::BITS < 32;

            #[inline(always)]
            fn new_atomic(n: usize) -> Self::Atomic {
                shim::$atomic::new(Self::from_usize(n))
            }
            #[inline(always)]
            fn load(a: &Self::Atomic, order: shim::Ordering) -> usize {
                a.load(order) as usize
            }
            #[inline(always)]
            fn store(a: &Self::Atomic, n: usize, order: shim::Ordering) {
                a.store(Self::from_usize(n), order)
            }
            #[inline(always)]
            fn fetch_add(a: &Self::Atomic, n: usize, order: shim::Ordering) -> usize {
                a.fetch_add(Self::from_usize(n), order) as usize
            }
            #[inline(always)]
            fn fetch_sub(a: &Self::Atomic, n: usize, order: shim::Ordering) -> usize {
                a.fetch_sub(Self::from_usize(n), order) as usize
            }
            #[inline(always)]
            fn fetch_or(a: &Self::Atomic, n: usize, order: shim::Ordering) -> usize {
                a.fetch_or(Self::from_usize(n), order) as usize
            }
            #[inline(always)]
            fn fetch_and(a: &Self::Atomic, n: usize, order: shim::Ordering) -> usize {
                a.fetch_and(Self::from_usize(n & <Self as Width>::MAX), order) as usize
            }
            #[inline(always)]
            fn compare_exchange(
                a: &Self::Atomic,
                current: usize,
                new: usize,
                success: shim::Ordering,
                failure: shim::Ordering,
            ) -> Result<usize, usize> {
                a.compare_exchange(Self::from_usize(current), Self::from_usize(new), success, failure)
                    .map(|n| n as usize)
                    .map_err(|n| n as usize)
            }
            #[inline(always)]
            fn compare_exchange_weak(
                a: &Self::Atomic,
                current: usize,
                new: usize,
                success: shim::Ordering,
                failure: shim::Ordering,
            ) -> Result<usize, usize> {
                a.compare_exchange_weak(Self::from_usize(current), Self::from_usize(new), success, failure)
                    .map(|n| n as usize)
                    .map_err(|n| n as usize)
            }
        }
    )*};
}

impl_atomic_width!(u8 => AtomicU8 if "8", u16 => AtomicU16 if "16", usize => AtomicUsize if "ptr");
#[cfg(not(target_pointer_width = "16"))]
impl_atomic_width!(u32 => AtomicU32 if "32");

/// A thread-safe counter: two atomics with std `Arc`'s orderings.
///
/// `S` is the strong protocol: [`CasLoop`] (std's, the default: `upgrade`
/// is a compare-and-swap loop) or [`WaitFree`] (`upgrade` is one
/// `fetch_add`; see [`WaitFreeCount`](super::WaitFreeCount)).
///
/// `W` is the integer it counts in (see [`Width`]): `usize` by default, `u32`
/// for an 8-byte header. A count passing [`AtomicCount::MAX_REFCOUNT`]
/// (half the width, `isize::MAX` for `usize`; a quarter for `u8`/`u16`
/// with [`WaitFree`]) aborts the process, as std's
/// `Arc` does; the other half is headroom for threads racing past the check
/// (`u8` and `u16` counts check before they add, and need none).
///
/// # The `weak` field
///
/// Stored as `2 × n + flag` (the [watch flag](super::RawCountWatch) in the
/// low bit), so weak handles are limited to half of `MAX_REFCOUNT`.
///
/// | stored value   | meaning                                                     |
/// |----------------|-------------------------------------------------------------|
/// | 0              | the block is being freed                                    |
/// | 2n + f, n ≥ 1  | n − 1 weak handles, + 1 implicit weak while strong > 0; f: watched |
/// | `W::MAX`       | `LOCKED`: `is_unique` is checking; means 1; `downgrade` waits |
///
/// # Examples
///
/// ```
/// use weakref_core::count::{AtomicCount, RawCount};
///
/// let count = AtomicCount::<usize>::new(1, 1);
/// assert!(count.try_inc_strong()); // an upgrade while alive
/// assert!(!count.dec_strong());
/// assert!(count.dec_strong()); // the last strong handle
/// assert!(!count.try_inc_strong()); // never 0 -> 1
/// ```
#[derive(Debug)]
pub struct AtomicCount<W: AtomicWidth = usize, S: StrongProtocol = CasLoop> {
    pub(super) strong: W::Atomic,
    weak: W::Atomic,
    protocol: PhantomData<S>,
}

impl<W: AtomicWidth, S: StrongProtocol> AtomicCount<W, S> {
    /// Removes one weak count, returning the stored value before: exactly
    /// [`ONE_WEAK`](Self::ONE_WEAK) if it was the last (the watch flag is
    /// clear when the last weak count goes, module docs), and then with the
    /// Acquire half done, so the caller may free the block.
    #[inline(always)]
    fn sub_weak(&self) -> usize {
        // ORDERING: Release; pairs with the Acquire below in the thread that
        // takes weak to 0 and frees the block.
        let old = W::fetch_sub(&self.weak, Self::ONE_WEAK, Release);
        if old == Self::ONE_WEAK {
            // ORDERING: Acquire (fence, or load under TSan); pairs with every
            // other handle's Release decrement, so their accesses to the
            // block happen before the free.
            acquire!(&self.weak);
        }
        old
    }

    /// The largest count that operations accept before aborting: half the
    /// width (`isize::MAX` for `usize`, std's `MAX_REFCOUNT`); a quarter
    /// for `u8`/`u16` with [`WaitFree`] (whose dead flag is the top bit).
    ///
    /// # Why the counts never wrap
    ///
    /// An increment must never take a count to `W::MAX` (weak: `LOCKED`)
    /// or past it (wrap to 0: a use after free). Every increment that
    /// checks the limit *before* it adds (the CAS loops of `downgrade` and
    /// `try_inc_strong`, and every increment of a width under 32 bits)
    /// stores at most `MAX_REFCOUNT + 2`, far below `W::MAX`.
    ///
    /// `inc_strong` and `inc_weak` of 32-bit and wider counts are std's
    /// `fetch_add`, checked *after* adding: a thread may add, be preempted
    /// before its check, and leave the count one step higher. Each such
    /// thread is stopped between two instructions, holding its own step, so
    /// passing `W::MAX` takes more than `(W::MAX - MAX_REFCOUNT) / 2`
    /// threads stopped there at once (2 is the weak step): 2^30 threads for
    /// `u32` (std's own margin on 32-bit targets, and above any operating
    /// system's thread limit: Linux caps thread ids at 2^22), 2^62 for a
    /// 64-bit `usize`. With [`WaitFree`], a strong count past
    /// `MAX_REFCOUNT` sets the top bit, the dead flag, at once: until the
    /// thread that added aborts, upgrades fail and `strong` reads 0, wrong
    /// answers but no unsoundness (a value is claimed only by a decrement
    /// that found exactly 1, and the `HELPED` claim needs the dead flag
    /// too). Its `u8`/`u16` counts check before adding and stop at a
    /// quarter of the width, so they never reach the flag. Any thread that reaches its check aborts the process.
    /// For `u16` it would take 16 384 threads, and for `u8` 64: a real
    /// program can have that many, so those widths use the CAS increment
    /// (`AtomicWidth::CHECK_BEFORE_ADD`), a little slower, and never store
    /// more than `MAX_REFCOUNT + 2`.
    pub const MAX_REFCOUNT: usize = W::MAX
        >> if S::WAIT_FREE && W::CHECK_BEFORE_ADD {
            2
        } else {
            1
        };

    /// The `weak` value that marks it locked by `is_unique`.
    const LOCKED: usize = W::MAX;

    /// One weak count in the stored `weak` (its low bit is the watch flag).
    const ONE_WEAK: usize = 2;

    /// Aborts if an increment saw `old` above the limit (std's Boost
    /// argument: a count that high means a leak loop; abort before wrap).
    #[inline(always)]
    pub(super) fn check_overflow(old: usize) {
        if old > Self::MAX_REFCOUNT {
            shim::abort();
        }
    }

    /// Adds `step` to a count that an existing handle keeps non-zero,
    /// aborting above [`MAX_REFCOUNT`](Self::MAX_REFCOUNT): `fetch_add` then
    /// check (std), or for narrow widths check then CAS, so the limit is
    /// never passed by more than one step (see `MAX_REFCOUNT`). The choice
    /// is a constant: each width compiles to one of the two.
    ///
    /// Relaxed: the new handle is made from an existing one, which already
    /// keeps the block alive; what the new handle may see was already
    /// visible to its source (the Boost argument quoted in std's
    /// `Arc::clone`).
    #[inline(always)]
    fn increment(atomic: &W::Atomic, step: usize) {
        if W::CHECK_BEFORE_ADD {
            let mut cur = W::load(atomic, Relaxed);
            loop {
                Self::check_overflow(cur);
                match W::compare_exchange_weak(atomic, cur, cur + step, Relaxed, Relaxed) {
                    Ok(_) => return,
                    Err(old) => cur = old,
                }
            }
        } else {
            let old = W::fetch_add(atomic, step, Relaxed);
            Self::check_overflow(old);
        }
    }
}

// SAFETY: each method below implements its `RawCount` contract with the
// ordering the contract names; the ORDERING comments give each partner.
// Increments abort above MAX_REFCOUNT, far below wrap and below LOCKED
// (W::MAX) even with many threads racing past the check (the bound is
// argued at `MAX_REFCOUNT`). `try_inc_strong`
// checks for 0 inside its CAS loop, so it never moves strong 0 -> 1.
// With `WaitFree` the strong-side methods are those of `wait_free.rs`,
// whose module docs argue the same clauses: the abstract count never goes
// 0 -> 1 (a bare 0 is a pending last handle whose place an upgrade takes),
// the flag is sticky, exactly one thread claims the value after every
// Release decrement (I3, I4 in block.rs), and the count bits stay below
// the flags.
// Caught if broken by: the loom models (core/tests/loom.rs,
// core/tests/loom_wait_free.rs) and their canaries, `it::overflow`,
// `it::threads`, fuzz `arc_ops`; planted bugs 01-03 and 06-07 in
// ci/mutants are caught by loom.
unsafe impl<W: AtomicWidth, S: StrongProtocol> RawCount for AtomicCount<W, S> {
    #[inline]
    fn new(strong: usize, weak: usize) -> Self {
        AtomicCount {
            strong: W::new_atomic(Self::initial_strong(strong)),
            weak: W::new_atomic(weak * 2),
            protocol: PhantomData,
        }
    }

    #[inline(always)]
    fn strong(&self) -> usize {
        if S::WAIT_FREE {
            return self.wait_free_strong();
        }
        // Relaxed: a snapshot; callers draw no conclusion about other memory.
        W::load(&self.strong, Relaxed)
    }

    #[inline(always)]
    fn weak(&self) -> usize {
        // ORDERING: Acquire; pairs with the Release of `dec_weak`, so a
        // strong load after this one sees the strong decrement that preceded
        // that weak decrement (std `Weak::weak_count`).
        let weak = W::load(&self.weak, Acquire);
        if weak == Self::LOCKED { 1 } else { weak >> 1 }
    }

    #[inline(always)]
    fn inc_strong(&self) {
        // Relaxed (in `increment`): a new strong handle is made from an
        // existing one, which already keeps the value alive.
        Self::increment(&self.strong, 1);
    }

    #[inline]
    fn try_inc_strong(&self) -> bool {
        if S::WAIT_FREE && !W::CHECK_BEFORE_ADD {
            return self.wait_free_try_inc_strong();
        }
        // Relaxed first read: only a guess for the CAS below.
        let mut n = W::load(&self.strong, Relaxed);
        loop {
            if Self::cannot_upgrade(n) {
                return false;
            }
            Self::check_overflow(n);
            // ORDERING: Acquire on success; pairs with the Release of
            // `publish_strong` (new_cyclic's value is initialised) and of
            // `dec_strong` (writes through handles that are gone). Relaxed
            // on failure: we only retry.
            match W::compare_exchange_weak(&self.strong, n, n + 1, Acquire, Relaxed) {
                Ok(_) => {
                    self.count_revival(n);
                    return true;
                }
                Err(old) => n = old,
            }
        }
    }

    #[inline(always)]
    fn dec_strong(&self) -> bool {
        if S::WAIT_FREE {
            return self.wait_free_release_strong() == StrongRelease::Last;
        }
        // ORDERING: Release; pairs with the Acquire load below, executed by
        // whichever thread takes the count to 0: every use of the value
        // through this handle happens before that thread drops it.
        if W::fetch_sub(&self.strong, 1, Release) != 1 {
            return false;
        }
        // ORDERING: Acquire (fence, or load under TSan); pairs with the
        // Release decrements of all other strong handles (std's `acquire!`).
        acquire!(&self.strong);
        true
    }

    #[inline(always)]
    fn release_strong(&self) -> StrongRelease {
        if S::WAIT_FREE {
            return self.wait_free_release_strong();
        }
        StrongRelease::or_kept(self.dec_strong(), StrongRelease::Last)
    }

    #[inline]
    fn try_take_strong(&self) -> bool {
        // ORDERING: Acquire on success; pairs with the Release of the other
        // handles' `dec_strong`, as the last-drop path does. Relaxed on
        // failure: nothing is read. (`DEAD`: 0, or the sticky flag.)
        W::compare_exchange(&self.strong, 1, Self::DEAD, Acquire, Relaxed).is_ok()
    }

    #[inline]
    fn publish_strong(&self) {
        if S::WAIT_FREE {
            return self.wait_free_publish_strong();
        }
        // ORDERING: Release; pairs with the Acquire of `try_inc_strong`: an
        // upgrade that sees 1 sees the value written before this store.
        W::store(&self.strong, 1, Release);
    }

    #[inline]
    fn downgrade(&self) {
        // Relaxed first read: only a guess for the CAS below.
        let mut cur = W::load(&self.weak, Relaxed);
        loop {
            if cur == Self::LOCKED {
                // `is_unique` holds the lock for three instructions.
                shim::spin_loop();
                cur = W::load(&self.weak, Relaxed);
                continue;
            }
            Self::check_overflow(cur);
            // ORDERING: Acquire on success; pairs with the Release store
            // that ends `is_unique`, so what the unique handle did before it
            // unlocked (a `get_mut` write) happens before this new weak
            // handle exists (std `Arc::downgrade`).
            match W::compare_exchange_weak(&self.weak, cur, cur + Self::ONE_WEAK, Acquire, Relaxed)
            {
                Ok(_) => return,
                Err(old) => cur = old,
            }
        }
    }

    #[inline(always)]
    fn inc_weak(&self) {
        // Relaxed (in `increment`): made from an existing weak handle, so
        // weak >= 2 and the lock (taken only at weak == 1) cannot be held.
        Self::increment(&self.weak, Self::ONE_WEAK);
    }

    #[inline(always)]
    fn dec_weak(&self) -> bool {
        self.sub_weak() == Self::ONE_WEAK
    }

    #[inline(always)]
    fn only_implicit_weak(&self) -> bool {
        // ORDERING: Acquire; pairs with the Release decrement (`sub_weak`)
        // of every weak handle that has gone: all are RMWs of this word, so
        // reading the stored 2 synchronises with each, as `sub_weak`'s
        // Acquire on its last path does, and the caller may free the block.
        // A 2 read here stays 2: strong is 0 for good, so no handle can add
        // a count, and none is left to take one away. With `WaitFree`, a
        // pending dropper whose claim failed still holds a lent weak count
        // until it has done with the block (wait_free.rs), so a 2 also
        // means no such dropper is left.
        W::load(&self.weak, Acquire) == Self::ONE_WEAK
    }

    #[inline(always)]
    fn is_watched(&self) -> bool {
        // Relaxed: the death path reads this after `dec_strong`'s Acquire,
        // which orders it after every registration made while a strong
        // handle was held; racing unregistrations may be seen either way.
        W::load(&self.weak, Relaxed) & 1 == 1
    }

    #[inline]
    fn notify_death(&self, block: usize) {
        // The counter only reports the death; the hooks belong to the layer
        // above (`callbacks`, which defines `run_death_hooks` with `alloc`).
        self.run_death_hooks(block);
    }

    // The tally is process-wide: an `Arc` value may die on any thread. Also
    // under loom, where its Acquire/Release pairing with the purge's scan is
    // modelled (`core/tests/loom.rs`, `purge_skip_vs_death`).
    #[cfg(feature = "collections")]
    #[inline(always)]
    fn weak_deaths() -> Option<usize> {
        // ORDERING: Acquire, pairing with the Release of `dec_implicit_weak`:
        // a purge that reads a death's increment then sees that value's
        // strong count at 0, so a scan made after this read cannot keep a
        // dead entry whose death the tally already shows (the skip would
        // then miss it for good).
        Some(weak_deaths_tally().load(Acquire))
    }

    #[cfg(feature = "collections")]
    #[inline(always)]
    fn dec_implicit_weak(&self) -> bool {
        let old = self.sub_weak();
        if old == Self::ONE_WEAK {
            return true;
        }
        // The weak handles left: `old` counted ours too, doubled, with the
        // watch flag in the low bit (never `LOCKED`: that needs a strong
        // handle). The block itself may be gone by now; only `old` is read.
        let left = (old >> 1) - 1;
        // ORDERING: Release, pairing with the Acquire of `weak_deaths`: the
        // strong count's 1 -> 0, earlier in this thread, is visible to a
        // purge that reads this increment.
        weak_deaths_tally().fetch_add(left, Release);
        false
    }
}

#[cfg(feature = "collections")]
shim::global! {
    /// [`RawCount::weak_deaths`] for every `AtomicCount` width.
    fn weak_deaths_tally() -> &'static shim::AtomicUsize = shim::AtomicUsize::new(0);
}

/// Without `alloc` there is no registry: the watch flag is never set, and
/// no hook runs at a death.
#[cfg(not(feature = "alloc"))]
impl<W: AtomicWidth, S: StrongProtocol> AtomicCount<W, S> {
    #[inline(always)]
    fn run_death_hooks(&self, _block: usize) {}
}

// SAFETY: the flag is the low bit of the stored weak; `fetch_or`/`fetch_and`
// of that bit leave the count (stepped by 2) alone. The callers' contract
// keeps weak >= 2, so `LOCKED` (all bits set) is never the value they change.
// Caught if broken by: loom `get_mut_vs_callback_register_and_unregister`.
unsafe impl<W: AtomicWidth, S: StrongProtocol> RawCountWatch for AtomicCount<W, S> {
    #[inline]
    fn set_watched(&self) {
        // Relaxed: serialised by the callback registry's lock.
        W::fetch_or(&self.weak, 1, Relaxed);
    }

    #[inline]
    fn clear_watched(&self) {
        // Relaxed: serialised by the callback registry's lock.
        W::fetch_and(&self.weak, !1, Relaxed);
    }
}

// SAFETY: while weak holds LOCKED no weak handle can be created (`downgrade`
// waits; `inc_weak` needs an existing weak handle, which weak == 1 rules
// out), and no strong handle can be created without the caller's (upgrade
// needs a weak handle, clone needs a strong one besides the caller's, and
// strong == 1 means there is none). So the two reads form one atomic
// observation. The Acquires give the synchronisation the contract asks for.
// Caught if broken by: loom `downgrade_vs_get_mut` and `make_mut_vs_upgrade`
// (planted bug 03 in ci/mutants).
unsafe impl<W: AtomicWidth, S: StrongProtocol> RawCountUnique for AtomicCount<W, S> {
    #[inline]
    fn is_unique(&self) -> bool {
        // ORDERING: Acquire on success; pairs with the Release of `dec_weak`
        // of weak handles that are gone. Relaxed on failure: we give up.
        if W::compare_exchange(&self.weak, Self::ONE_WEAK, Self::LOCKED, Acquire, Relaxed).is_err()
        {
            return false;
        }
        // ORDERING: Acquire; pairs with the Release of `dec_strong` of strong
        // handles that are gone, so their reads happen before our `&mut`.
        let unique = W::load(&self.strong, Acquire) == 1;
        // ORDERING: Release; pairs with the Acquire CAS of `downgrade`.
        W::store(&self.weak, Self::ONE_WEAK, Release);
        unique
    }

    #[inline]
    fn sharing(&self) -> Sharing {
        // std `Arc::make_mut`: take strong 1 -> 0 so that no upgrade can
        // slip in while we look at the weak count.
        // ORDERING: Acquire on success; pairs with the Release `dec_strong`
        // of the other strong handles that are gone, as the last drop does.
        if W::compare_exchange(&self.strong, 1, Self::DEAD, Acquire, Relaxed).is_err() {
            return Sharing::Shared;
        }
        // Strong is dead, so no weak handle can upgrade, and only weak
        // handles could change this count; `LOCKED` cannot appear
        // (`is_unique` needs a strong handle, and ours is the only one).
        // ORDERING: Acquire; pairs with the Release `dec_weak` of the weak
        // handles that are gone. `CasLoop` needs none; a `WaitFree`
        // upgrader that failed on our flag undoes its step before it drops
        // its weak handle, so when we read 1 here that undo happens before
        // the restoring store below (which would otherwise lose it).
        if W::load(&self.weak, Acquire) != Self::ONE_WEAK {
            return Sharing::OnlyWeak;
        }
        // The only handle of either kind: put strong back.
        // ORDERING: Release; pairs with the Acquire of `try_inc_strong` (a
        // weak handle made later by `downgrade` sees our writes). A store
        // for either protocol: no upgrader's step is pending (above).
        W::store(&self.strong, 1, Release);
        Sharing::Unique
    }
}

#[cfg(all(test, not(weakref_loom)))]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_the_width() {
        assert_eq!(AtomicCount::<u8>::MAX_REFCOUNT, 127);
        assert_eq!(AtomicCount::<usize>::MAX_REFCOUNT, isize::MAX as usize);
        assert_eq!(AtomicCount::<u32>::MAX_REFCOUNT, i32::MAX as usize);
    }

    #[test]
    fn narrow_widths_check_before_adding() {
        let checked = [
            u8::CHECK_BEFORE_ADD,
            u16::CHECK_BEFORE_ADD,
            u32::CHECK_BEFORE_ADD,
            usize::CHECK_BEFORE_ADD,
        ];
        assert_eq!(checked, [true, true, false, false]);
        // The CAS increment accepts every count up to the limit: the last
        // step stores MAX_REFCOUNT + 1 (the next one would abort).
        let count = AtomicCount::<u8>::new(1, 1);
        for _ in 0..AtomicCount::<u8>::MAX_REFCOUNT {
            count.inc_strong();
        }
        assert_eq!(count.strong(), 128);
        let count = AtomicCount::<u16>::new(1, 1);
        count.inc_weak();
        assert_eq!(count.weak(), 2);
    }

    #[test]
    fn locked_weak_reads_as_one() {
        let count = AtomicCount::<u16>::new(1, 1);
        assert!(count.is_unique());
        assert_eq!(count.weak(), 1);
        count.downgrade();
        assert!(!count.is_unique());
        assert_eq!(count.weak(), 2);
    }

    #[test]
    fn take_and_publish() {
        let count = AtomicCount::<usize>::new(2, 1);
        assert!(!count.try_take_strong());
        assert!(!count.dec_strong());
        assert!(count.try_take_strong());
        assert!(!count.try_inc_strong());
        count.publish_strong();
        assert!(count.try_inc_strong());
        assert_eq!(count.strong(), 2);
    }
}
