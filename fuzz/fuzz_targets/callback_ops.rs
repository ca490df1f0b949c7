//! `callback_ops`: the model of `weakref_tests::callback_model` (its docs say what
//! is checked), run on fuzzer-made programs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use weakref_tests::callback_model::Program;

fuzz_target!(|program: Program| program.run());
