//! Testing your own code with loom: the README's example, run by CI.
//!
//! With the ecosystem's `--cfg loom` and this crate's `loom` feature,
//! weakref's atomics, locks and allocations are loom's, so a model of code
//! that uses `Arc`/`Weak` explores their interleavings too:
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p weakref-sync --features loom --release --test loom
//! ```

#![cfg(loom)]

use weakref_sync::Arc;

/// A weak handle upgraded on one thread while the last strong handle goes
/// on another: the upgrade sees the value or nothing, never a dead one.
#[test]
fn upgrade_races_the_last_drop() {
    loom::model(|| {
        let value = Arc::new(String::from("config"));
        let weak = Arc::downgrade(&value);
        let dropper = loom::thread::spawn(move || drop(value));
        if let Some(alive) = weak.upgrade() {
            assert_eq!(*alive, "config");
        }
        dropper.join().unwrap();
        assert!(weak.upgrade().is_none());
    });
}
