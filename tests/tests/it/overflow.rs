//! The overflow policy, through tiny-width counters (`u8`): a count that
//! would pass its limit aborts the process, as std's `Rc`/`Arc` do. No
//! 2^63-step loops: the limit of a `u8` strong count is 255 (local) or 127
//! (atomic, half the width, as `isize::MAX` is for `usize`; 63 for the
//! wait-free counter, whose top bit is its dead flag). Weak counts
//! are stored doubled (the low bit is the watch flag of death callbacks),
//! so their limits are half of those: 127 and 63 weak counts.
//!
//! Each test re-runs itself in a child process that must die by `abort`
//! (SIGABRT) right after printing that it reached the limit intact.

use weakref_core::Strong;
use weakref_core::count::{AtomicCount, LocalCount, RawCount, WaitFreeCount};
use weakref_core::storage::Global;

const AT_LIMIT: &str = "reached the limit intact";

/// In a child process (see `child`): runs `up_to_limit` (which must not
/// abort), prints the marker, then runs `past_limit` (which must). Checks
/// that the child died by abort, after the marker.
fn expect_abort(test: &str, up_to_limit: impl FnOnce(), past_limit: impl FnOnce()) {
    let Some(out) = crate::child::in_child(test, &[], || {
        up_to_limit();
        println!("{AT_LIMIT}");
        past_limit();
        println!("survived the overflow");
    }) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(AT_LIMIT), "aborted too early: {out:?}");
    assert!(!stdout.contains("survived"), "did not abort: {out:?}");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(6), "expected SIGABRT: {out:?}");
    }
    assert!(!out.status.success());
}

type Tiny<C> = Strong<u8, C, Global>;

/// Clones until the strong count is `limit`.
fn clone_up_to<C: RawCount>(rc: &Tiny<C>, limit: usize) {
    while Tiny::strong_count(rc) < limit {
        core::mem::forget(Tiny::clone(rc));
    }
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn local_strong_aborts_at_width_max() {
    let rc = Tiny::<LocalCount<u8>>::new(0);
    expect_abort(
        "overflow::local_strong_aborts_at_width_max",
        || clone_up_to(&rc, 255),
        || core::mem::forget(Tiny::clone(&rc)),
    );
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn local_weak_aborts_at_width_max() {
    let rc = Tiny::<LocalCount<u8>>::new(0);
    expect_abort(
        "overflow::local_weak_aborts_at_width_max",
        || {
            // The implicit weak is 1 (stored 2); 126 weak handles take the
            // stored value to 254, the last even value below the wrap.
            for _ in 0..126 {
                core::mem::forget(Tiny::downgrade(&rc));
            }
            assert_eq!(Tiny::weak_count(&rc), 126);
        },
        || core::mem::forget(Tiny::downgrade(&rc)),
    );
}

/// Clones until the strong count is `limit + 1` (an increment from
/// `limit` is the last one allowed: std aborts when the old value exceeds
/// `MAX_REFCOUNT`), then one more clone must abort.
fn clone_aborts_above<C: RawCount>(test: &str, limit: usize) {
    let arc = Tiny::<C>::new(0);
    expect_abort(
        test,
        || clone_up_to(&arc, limit + 1),
        || core::mem::forget(Tiny::clone(&arc)),
    );
}

/// Clones until the strong count is `limit`, upgrades once more (allowed),
/// then one more upgrade must abort.
fn upgrade_aborts_above<C: RawCount>(test: &str, limit: usize) {
    let arc = Tiny::<C>::new(0);
    let weak = Tiny::downgrade(&arc);
    expect_abort(
        test,
        || {
            clone_up_to(&arc, limit);
            core::mem::forget(
                weak.upgrade()
                    .expect("the increment from the limit is allowed"),
            );
        },
        || core::mem::forget(weak.upgrade()),
    );
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn atomic_strong_aborts_above_half_width() {
    assert_eq!(AtomicCount::<u8>::MAX_REFCOUNT, 127);
    clone_aborts_above::<AtomicCount<u8>>("overflow::atomic_strong_aborts_above_half_width", 127);
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn atomic_upgrade_aborts_above_half_width() {
    upgrade_aborts_above::<AtomicCount<u8>>(
        "overflow::atomic_upgrade_aborts_above_half_width",
        127,
    );
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn atomic_weak_aborts_above_half_width() {
    let arc = Tiny::<AtomicCount<u8>>::new(0);
    expect_abort(
        "overflow::atomic_weak_aborts_above_half_width",
        || {
            let weak = Tiny::downgrade(&arc);
            // Stored weak is 2 per count; an increment from stored 126 (63
            // counts) is the last one allowed, taking it to 64 counts: the
            // implicit weak and 63 weak handles.
            while weak.weak_count() < 63 {
                core::mem::forget(weak.clone());
            }
            core::mem::forget(weak);
        },
        || core::mem::forget(Tiny::downgrade(&arc)),
    );
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn wait_free_strong_aborts_above_a_quarter() {
    assert_eq!(WaitFreeCount::<u8>::MAX_REFCOUNT, 63);
    clone_aborts_above::<WaitFreeCount<u8>>(
        "overflow::wait_free_strong_aborts_above_a_quarter",
        63,
    );
}

#[test]
#[cfg_attr(miri, ignore = "spawns a process")]
fn wait_free_upgrade_aborts_above_a_quarter() {
    upgrade_aborts_above::<WaitFreeCount<u8>>(
        "overflow::wait_free_upgrade_aborts_above_a_quarter",
        63,
    );
}
