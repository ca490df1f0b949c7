//! `arc_ops`: `Arc`-style handles on two or three threads. The first byte
//! picks the counter (`AtomicCount`, `usize` or compact `u32` width: bit 0;
//! with the wait-free upgrade, `WaitFreeCount`: bit 2) and the thread count
//! (bit 1); the rest is a list of phases. In each
//! phase every thread runs its ops on its own slots, all released at once,
//! so `upgrade` races the last drop, `into_inner` races `into_inner`,
//! `get_mut`/`make_mut` race `downgrade`/`upgrade`. Each thread checks what
//! must hold whatever the interleaving; between phases the model is
//! checked exactly (`weakref_tests::model::run_threaded_ops`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use weakref_core::count::{AtomicCount, WaitFreeCount};
use weakref_tests::model::{ThreadedProgram, run_threaded_ops};

fuzz_target!(|input: (u8, ThreadedProgram)| {
    let (flags, ThreadedProgram(phases)) = input;
    let threads = if flags & 2 == 0 { 2 } else { 3 };
    match flags & 5 {
        0 => run_threaded_ops::<AtomicCount>(threads, &phases),
        1 => run_threaded_ops::<AtomicCount<u32>>(threads, &phases),
        4 => run_threaded_ops::<WaitFreeCount>(threads, &phases),
        _ => run_threaded_ops::<WaitFreeCount<u32>>(threads, &phases),
    }
});
