//! What the loom models share (`loom.rs`, `loom_wait_free.rs` and its
//! canary): the payload loom watches, and `model`, which counts the
//! executions each model explores.

use loom::cell::UnsafeCell;
use weakref_core::Strong;
use weakref_core::count::RawCountUnique;
use weakref_core::storage::Global;

/// The value slot seen by loom: reads through handles, a write in drop.
pub(crate) struct Payload(UnsafeCell<u32>);

/// A value no live payload holds.
const DROPPED: u32 = u32::MAX;

// SAFETY: shared access only reads (`get`); the one write is in `Drop`
// (exclusive). loom checks that the protocol orders them.
unsafe impl Sync for Payload {}

impl Payload {
    pub(crate) fn new(value: u32) -> Self {
        Payload(UnsafeCell::new(value))
    }

    /// Reads the value; loom reports a race with a concurrent drop.
    pub(crate) fn get(&self) -> u32 {
        // SAFETY: a shared read; loom tracks it against the drop's write.
        let value = self.0.with(|p| unsafe { *p });
        assert_ne!(value, DROPPED, "read a dropped payload");
        value
    }

    /// Writes through `&mut`, as `get_mut`/`make_mut` users do.
    pub(crate) fn set(&mut self, value: u32) {
        // SAFETY: `&mut self` is exclusive; loom tracks the write.
        self.0.with_mut(|p| unsafe { *p = value });
    }
}

impl Clone for Payload {
    fn clone(&self) -> Self {
        Payload::new(self.get())
    }
}

impl Drop for Payload {
    fn drop(&mut self) {
        self.set(DROPPED);
    }
}

/// `loom::model`, counting the executions it explores: CI prints the count
/// of every model (`ci/loom.sh` runs with `--nocapture`), so a model that
/// explores suspiciously few interleavings shows; for a failing model, the
/// executions it took to find the failure.
pub(crate) fn model(name: &str, f: impl Fn() + Sync + Send + 'static) {
    explore(name, loom::model::Builder::new(), f);
}

/// [`model`] with a builder of its own (its preemption bound still from
/// `LOOM_MAX_PREEMPTIONS`).
pub(crate) fn explore(
    name: &str,
    builder: loom::model::Builder,
    f: impl Fn() + Sync + Send + 'static,
) {
    use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    // Outside the model (loom does not see it), one per model run.
    let executions: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
    // Counted on failure too: how fast a planted bug is caught
    // (`ci/mutants.sh`).
    let result = std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| {
        builder.check(move || {
            executions.fetch_add(1, Relaxed);
            f();
        });
    }));
    println!("loom model {name}: {} executions", executions.load(Relaxed));
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// `get_mut` on `owner`, writing `value` through it if it succeeds:
/// whether it did.
pub(crate) fn set_if_unique<C: RawCountUnique>(
    owner: &mut Strong<Payload, C, Global>,
    value: u32,
) -> bool {
    match Strong::get_mut(owner) {
        Some(payload) => {
            payload.set(value);
            true
        }
        None => false,
    }
}
