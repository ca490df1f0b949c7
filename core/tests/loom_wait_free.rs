//! Loom models of the wait-free strong protocol (`WaitFreeCount`, see
//! `core/src/count/wait_free.rs`): its upgrade against the last drop (the
//! sticky-zero race, with two upgraders, with a reader that helps),
//! against `get_mut` and `make_mut`, `into_inner` from three threads, and
//! `new_cyclic`'s publish. `loom_wait_free_canary.rs` runs the same
//! scenarios on counters with one planted bug each, which they must catch.
//!
//! ```text
//! RUSTFLAGS="--cfg weakref_loom" LOOM_MAX_PREEMPTIONS=3 \
//!     cargo test -p weakref-core --features loom --release --test loom_wait_free
//! ```

#![cfg(weakref_loom)]

#[path = "common/loom.rs"]
mod common;
#[path = "common/wait_free_models.rs"]
mod models;

use common::model;
use weakref_core::count::WaitFreeCount;

#[test]
fn upgrade_vs_last_drop() {
    model(
        "wait_free upgrade_vs_last_drop",
        models::upgrade_vs_last_drop::<WaitFreeCount>,
    );
}

#[test]
fn upgrade_and_last_weak_vs_last_drop() {
    model(
        "wait_free upgrade_and_last_weak_vs_last_drop",
        models::upgrade_and_last_weak_vs_last_drop::<WaitFreeCount>,
    );
}

#[test]
fn two_upgraders_vs_last_drop() {
    model(
        "wait_free two_upgraders_vs_last_drop",
        models::two_upgraders_vs_last_drop::<WaitFreeCount>,
    );
}

#[test]
fn reader_vs_upgrade_vs_last_drop() {
    model(
        "wait_free reader_vs_upgrade_vs_last_drop",
        models::reader_vs_upgrade_vs_last_drop::<WaitFreeCount>,
    );
}

#[test]
fn upgrade_vs_get_mut() {
    model(
        "wait_free upgrade_vs_get_mut",
        models::upgrade_vs_get_mut::<WaitFreeCount>,
    );
}

#[test]
fn upgrade_vs_make_mut() {
    model(
        "wait_free upgrade_vs_make_mut",
        models::upgrade_vs_make_mut::<WaitFreeCount>,
    );
}

#[test]
fn into_inner_from_three_threads() {
    model(
        "wait_free into_inner_from_three_threads",
        models::into_inner_from_three_threads::<WaitFreeCount>,
    );
}

#[test]
fn new_cyclic_publish_vs_upgrade() {
    model(
        "wait_free new_cyclic_publish_vs_upgrade",
        models::new_cyclic_publish_vs_upgrade::<WaitFreeCount>,
    );
}

/// The narrow width's CAS-loop upgrade against the last drop.
#[test]
fn narrow_upgrade_vs_last_drop() {
    model(
        "wait_free narrow_upgrade_vs_last_drop",
        models::upgrade_vs_last_drop::<WaitFreeCount<u8>>,
    );
}
