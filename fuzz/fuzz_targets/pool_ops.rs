//! `pool_ops`: single-threaded programs with every block in a four-slot
//! static pool (`static_pool!` + `Pooled`, one per counter; the first byte
//! picks `LocalCount` or `AtomicCount`). Exhaustion must make `try_new_in`
//! fail with `AllocError` exactly when the model's live blocks fill the
//! pool, slots come back for reuse when the last weak handle goes (weak
//! handles keep a dead value's slot), and `in_use()` is checked against the
//! model after every step (`weakref_tests::model::run_ops_in`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use weakref_core::count::{AtomicCount, LocalCount};
use weakref_core::pool::Pooled;
use weakref_core::static_pool;
use weakref_tests::model::{Payload, Program, run_ops_in};

static_pool! {
    /// Four blocks of `Rc`-style payloads.
    struct LocalSlots: Pool<Payload, LocalCount, 4>;
}

static_pool! {
    /// Four blocks of `Arc`-style payloads.
    struct AtomicSlots: Pool<Payload, AtomicCount, 4>;
}

fuzz_target!(|input: (bool, Program)| {
    let (atomic, Program(ops)) = input;
    if atomic {
        run_ops_in::<AtomicCount, _>(&ops, Pooled::<AtomicSlots>::new());
    } else {
        run_ops_in::<LocalCount, _>(&ops, Pooled::<LocalSlots>::new());
    }
});
