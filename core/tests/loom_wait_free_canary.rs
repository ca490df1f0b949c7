//! Canaries of `loom_wait_free.rs`: each of its scenarios, run on
//! `Planted<BUG>`, a small wait-free counter (the protocol of
//! `core/src/count/wait_free.rs`, `usize` only, no watch flag) with one
//! planted bug, must fail. A detected bug may panic inside `Drop` while
//! unwinding, which aborts the process, so each canary runs its model in a
//! child process (this test binary, re-run on that one test) and checks
//! that the child failed.

#![cfg(weakref_loom)]

#[path = "common/child.rs"]
mod child;
#[path = "common/loom.rs"]
mod common;
#[path = "common/wait_free_models.rs"]
mod models;

use common::model;
use loom::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use loom::sync::atomic::{AtomicUsize, fence};
use weakref_core::count::{RawCount, RawCountUnique, Sharing, StrongRelease};

/// The bugs, one per scenario.
mod bug {
    /// The last drop returns "last" at 0 without setting the dead flag, so
    /// an upgrade can bring the dropped value back.
    pub(crate) const NO_FLAG: u8 = 1;
    /// A dropper whose CAS 0 -> flag fails on a flag claims the value
    /// without looking for `HELPED`: after an upgrade revived the count and
    /// dropped it again itself, both drop the value.
    pub(crate) const CLAIM_ANY_FLAG: u8 = 2;
    /// A reader that sees 0 sets the flag without `HELPED`: the dropper's
    /// CAS fails and nobody drops the value.
    pub(crate) const HELPER_FORGETS: u8 = 3;
    /// `is_unique`'s lock and strong load are `Relaxed`: the upgrader's
    /// read is not ordered before `get_mut`'s write.
    pub(crate) const UNIQUE_RELAXED: u8 = 4;
    /// `sharing` takes strong 1 -> a bare 0, which an upgrade may revive
    /// while `make_mut` moves the value away.
    pub(crate) const TAKE_TO_BARE_ZERO: u8 = 5;
    /// The last drop's claim (the CAS 0 -> flag) is `Relaxed`: the other
    /// handles' reads are not ordered before the drop.
    pub(crate) const CLAIM_RELAXED: u8 = 6;
    /// `publish_strong` is `Relaxed`: an upgrade may read the value before
    /// `new_cyclic` wrote it.
    pub(crate) const PUBLISH_RELAXED: u8 = 7;
    /// A dropper whose claim fails keeps the weak count the reviving
    /// upgrade lent it: the block leaks.
    pub(crate) const LOAN_KEPT: u8 = 8;
}

const ZERO: usize = 1 << (usize::BITS - 1);
const HELPED: usize = ZERO >> 1;
const LOCKED: usize = usize::MAX;

/// The wait-free protocol with bug `BUG` planted (0: none).
struct Planted<const BUG: u8> {
    strong: AtomicUsize,
    weak: AtomicUsize,
}

// SAFETY: NOT sound for BUG != 0, on purpose: each bug breaks one clause
// of the contract. Only the should-panic canaries below use those.
unsafe impl<const BUG: u8> RawCount for Planted<BUG> {
    fn new(strong: usize, weak: usize) -> Self {
        Planted {
            strong: AtomicUsize::new(if strong == 0 { ZERO } else { strong }),
            weak: AtomicUsize::new(weak),
        }
    }
    fn strong(&self) -> usize {
        let n = self.strong.load(Relaxed);
        if n != 0 {
            return if n & ZERO != 0 { 0 } else { n };
        }
        let flag = if BUG == bug::HELPER_FORGETS {
            ZERO
        } else {
            ZERO | HELPED
        };
        match self.strong.compare_exchange(0, flag, Relaxed, Relaxed) {
            Err(n) if n & ZERO == 0 => n,
            _ => 0,
        }
    }
    fn weak(&self) -> usize {
        // ORDERING: Acquire; pairs with `dec_weak`'s Release.
        match self.weak.load(Acquire) {
            LOCKED => 1,
            n => n,
        }
    }
    fn inc_strong(&self) {
        self.strong.fetch_add(1, Relaxed);
    }
    fn try_inc_strong(&self) -> bool {
        if self.strong.load(Relaxed) & ZERO != 0 {
            return false;
        }
        // ORDERING: Acquire; pairs with the Release decrements and publish.
        let old = self.strong.fetch_add(1, Acquire);
        if old & ZERO == 0 {
            if old == 0 {
                // A revival: lend the pending dropper a weak count.
                self.inc_weak();
            }
            return true;
        }
        self.strong.fetch_sub(1, Relaxed);
        false
    }
    fn dec_strong(&self) -> bool {
        self.release_strong() == StrongRelease::Last
    }
    fn release_strong(&self) -> StrongRelease {
        // ORDERING: Release; pairs with the claim's Acquire.
        if self.strong.fetch_sub(1, Release) != 1 {
            return StrongRelease::Kept;
        }
        if BUG == bug::NO_FLAG {
            // ORDERING: Acquire; pairs with the Release decrements.
            fence(Acquire);
            return StrongRelease::Last;
        }
        let claim = if BUG == bug::CLAIM_RELAXED {
            Relaxed
        } else {
            Acquire
        };
        // ORDERING: Acquire (but for CLAIM_RELAXED); as `dec_strong` above.
        let claimed = match self.strong.compare_exchange(0, ZERO, claim, Relaxed) {
            Ok(_) => true,
            // ORDERING: Acquire; as the CAS.
            Err(n) if n & (ZERO | HELPED) == ZERO | HELPED => {
                self.strong.fetch_and(!HELPED, Acquire) & HELPED != 0
            }
            Err(n) if BUG == bug::CLAIM_ANY_FLAG && n & ZERO != 0 => true,
            Err(_) => false,
        };
        if claimed {
            StrongRelease::Last
        } else if BUG != bug::LOAN_KEPT && self.dec_weak() {
            StrongRelease::FreeBlock
        } else {
            StrongRelease::Kept
        }
    }
    fn try_take_strong(&self) -> bool {
        // ORDERING: Acquire; pairs with the Release decrements.
        self.strong
            .compare_exchange(1, ZERO, Acquire, Relaxed)
            .is_ok()
    }
    fn publish_strong(&self) {
        let order = if BUG == bug::PUBLISH_RELAXED {
            Relaxed
        } else {
            Release
        };
        // ORDERING: Release (but for PUBLISH_RELAXED); pairs with upgrades.
        self.strong.fetch_sub(ZERO - 1, order);
    }
    fn downgrade(&self) {
        let mut cur = self.weak.load(Relaxed);
        loop {
            if cur == LOCKED {
                loom::thread::yield_now();
                cur = self.weak.load(Relaxed);
                continue;
            }
            // ORDERING: Acquire; pairs with `is_unique`'s Release unlock.
            match self.weak.compare_exchange(cur, cur + 1, Acquire, Relaxed) {
                Ok(_) => return,
                Err(n) => cur = n,
            }
        }
    }
    fn inc_weak(&self) {
        self.weak.fetch_add(1, Relaxed);
    }
    fn dec_weak(&self) -> bool {
        // ORDERING: Release, then Acquire on the last.
        if self.weak.fetch_sub(1, Release) != 1 {
            return false;
        }
        fence(Acquire);
        true
    }
}

// SAFETY: as `RawCount` above: NOT sound for BUG != 0, on purpose.
unsafe impl<const BUG: u8> RawCountUnique for Planted<BUG> {
    fn is_unique(&self) -> bool {
        let (lock, load) = if BUG == bug::UNIQUE_RELAXED {
            (Relaxed, Relaxed)
        } else {
            (Acquire, Acquire)
        };
        // ORDERING: Acquire (but for UNIQUE_RELAXED); pairs with the
        // Release decrements of the handles that are gone.
        if self
            .weak
            .compare_exchange(1, LOCKED, lock, Relaxed)
            .is_err()
        {
            return false;
        }
        let unique = self.strong.load(load) == 1;
        // ORDERING: Release; pairs with `downgrade`'s Acquire.
        self.weak.store(1, Release);
        unique
    }
    fn sharing(&self) -> Sharing {
        let dead = if BUG == bug::TAKE_TO_BARE_ZERO {
            0
        } else {
            ZERO
        };
        // ORDERING: Acquire; pairs with the Release decrements.
        if self
            .strong
            .compare_exchange(1, dead, Acquire, Relaxed)
            .is_err()
        {
            return Sharing::Shared;
        }
        // ORDERING: Acquire; pairs with the Release weak decrements.
        if self.weak.load(Acquire) != 1 {
            return Sharing::OnlyWeak;
        }
        // ORDERING: Release; pairs with upgrades.
        self.strong.store(1, Release);
        Sharing::Unique
    }
}

/// In a child process (see `common/child.rs`): runs `scenario` under loom
/// and checks that it failed, printing how.
fn expect_caught(test: &str, scenario: fn()) {
    let Some(out) = child::in_child(test, &[], || model(test, scenario)) else {
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "planted bug not caught: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let how = stderr
        .lines()
        .skip_while(|l| !l.contains("panicked at"))
        .nth(1)
        .unwrap_or("(no panic message)");
    println!("canary {test}: caught: {how}");
}

/// The unplanted counter passes a scenario (so a canary's failure is its
/// bug's, not the scenario's or the test counter's).
#[test]
fn the_unplanted_counter_passes() {
    model(
        "canary baseline upgrade_vs_last_drop",
        models::upgrade_vs_last_drop::<Planted<0>>,
    );
    model(
        "canary baseline reader_vs_upgrade_vs_last_drop",
        models::reader_vs_upgrade_vs_last_drop::<Planted<0>>,
    );
}

#[test]
fn no_flag_is_caught_by_upgrade_vs_last_drop() {
    expect_caught(
        "no_flag_is_caught_by_upgrade_vs_last_drop",
        models::upgrade_vs_last_drop::<Planted<{ bug::NO_FLAG }>>,
    );
}

#[test]
fn claim_any_flag_is_caught_by_two_upgraders_vs_last_drop() {
    expect_caught(
        "claim_any_flag_is_caught_by_two_upgraders_vs_last_drop",
        models::two_upgraders_vs_last_drop::<Planted<{ bug::CLAIM_ANY_FLAG }>>,
    );
}

#[test]
fn helper_forgets_is_caught_by_reader_vs_upgrade_vs_last_drop() {
    expect_caught(
        "helper_forgets_is_caught_by_reader_vs_upgrade_vs_last_drop",
        models::reader_vs_upgrade_vs_last_drop::<Planted<{ bug::HELPER_FORGETS }>>,
    );
}

#[test]
fn unique_relaxed_is_caught_by_upgrade_vs_get_mut() {
    expect_caught(
        "unique_relaxed_is_caught_by_upgrade_vs_get_mut",
        models::upgrade_vs_get_mut::<Planted<{ bug::UNIQUE_RELAXED }>>,
    );
}

#[test]
fn take_to_bare_zero_is_caught_by_upgrade_vs_make_mut() {
    expect_caught(
        "take_to_bare_zero_is_caught_by_upgrade_vs_make_mut",
        models::upgrade_vs_make_mut::<Planted<{ bug::TAKE_TO_BARE_ZERO }>>,
    );
}

#[test]
fn loan_kept_is_caught_by_upgrade_and_last_weak_vs_last_drop() {
    expect_caught(
        "loan_kept_is_caught_by_upgrade_and_last_weak_vs_last_drop",
        models::upgrade_and_last_weak_vs_last_drop::<Planted<{ bug::LOAN_KEPT }>>,
    );
}

#[test]
fn claim_relaxed_is_caught_by_into_inner_from_three_threads() {
    expect_caught(
        "claim_relaxed_is_caught_by_into_inner_from_three_threads",
        models::into_inner_from_three_threads::<Planted<{ bug::CLAIM_RELAXED }>>,
    );
}

#[test]
fn publish_relaxed_is_caught_by_new_cyclic_publish_vs_upgrade() {
    expect_caught(
        "publish_relaxed_is_caught_by_new_cyclic_publish_vs_upgrade",
        models::new_cyclic_publish_vs_upgrade::<Planted<{ bug::PUBLISH_RELAXED }>>,
    );
}
