//! `rc_ops`: single-threaded programs on `Rc`-style handles (`LocalCount`,
//! `usize` or compact `u32` width, chosen by the first byte), blocks in a
//! counting allocator, every step checked against the reference model
//! (`weakref_tests::model`): counts, values, upgrades, pointer identity,
//! the drop log, live blocks; at the end every value dropped exactly once
//! and the allocator balanced.

#![no_main]

use libfuzzer_sys::fuzz_target;
use weakref_core::count::LocalCount;
use weakref_tests::model::{Program, run_ops};

fuzz_target!(|input: (bool, Program)| {
    let (compact, Program(ops)) = input;
    if compact {
        run_ops::<LocalCount<u32>>(&ops);
    } else {
        run_ops::<LocalCount>(&ops);
    }
});
