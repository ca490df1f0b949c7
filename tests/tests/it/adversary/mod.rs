//! The adversary suite: safe code that attacks the contracts `unsafe` code
//! relies on — allocators that move, panic or lie; user code (`Drop`,
//! `Hash`, `Eq`, `Clone`, callbacks) that panics or re-enters weakref at
//! awkward moments; thread exit while handles live; `mem::forget` and
//! `Box::leak` of every handle kind; uninhabited and zero-sized values.
//!
//! Each test is written from the attacker's side and states the rule it
//! attacks. The suite runs natively in `cargo test` and under Miri (stacked
//! and tree borrows, strict provenance) in `ci/miri.sh`, where a hole shows
//! as undefined behaviour or a leak rather than as a wrong value.
mod callbacks;
mod handles;
mod leaks;
mod pools;
