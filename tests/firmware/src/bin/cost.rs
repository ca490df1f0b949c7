//! Instructions per pool operation on the emulated core, weakref against
//! heapless's pool `Arc`, counted with SysTick under `-icount shift=0`
//! (QEMU advances its virtual clock one nanosecond per instruction, and
//! SysTick counts that clock at the board's core frequency; QEMU models
//! no cycle counter). Each row is `ROUNDS` rounds of one operation minus
//! `ROUNDS` rounds of an empty loop, divided by `ROUNDS`.
//!
//! `cargo run --release --target thumbv7em-none-eabihf --bin cost` from
//! tests/firmware; ci/embedded.sh prints it for both cores.

#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use heapless::pool::arc::ArcBlock;
use panic_semihosting as _;
use weakref_core::count::AtomicCount;
use weakref_core::pool::Pooled;
use weakref_core::{Strong, static_pool};

/// The SysTick clock of the QEMU machine this target runs on, in Hz.
#[cfg(target_has_atomic = "ptr")]
const CORE_HZ: u64 = 25_000_000; // mps2-an386 SYSCLK
#[cfg(not(target_has_atomic = "ptr"))]
const CORE_HZ: u64 = 16_000_000; // microbit (nRF51) HCLK

const ROUNDS: u32 = 2_000;

static_pool! {
    struct Values: Pool<u32, AtomicCount, 4>;
}
type Arc = Strong<u32, AtomicCount, Pooled<Values>>;

/// (A module: `arc_pool!` declares a `pub struct` without docs.)
mod pool {
    heapless::arc_pool!(HeaplessValues: u32);
}
use pool::HeaplessValues;

/// SysTick clocks spent in `ROUNDS` calls of `op` (the counter counts
/// down from its 24-bit reload and does not wrap in one measurement).
fn clocks(mut op: impl FnMut(u32)) -> u64 {
    let start = SYST::get_current();
    for i in 0..ROUNDS {
        op(black_box(i));
    }
    let end = SYST::get_current();
    u64::from(start.wrapping_sub(end) & 0x00FF_FFFF)
}

/// Instructions per round of `op`, beyond the empty loop's, in tenths.
fn tenths_per_round(op_clocks: u64, empty_clocks: u64) -> u64 {
    let extra = op_clocks.saturating_sub(empty_clocks);
    extra * 1_000_000_000 * 10 / CORE_HZ / u64::from(ROUNDS)
}

#[entry]
fn main() -> ! {
    static mut BLOCKS: [ArcBlock<u32>; 4] = [const { ArcBlock::new() }; 4];
    for block in BLOCKS.iter_mut() {
        HeaplessValues.manage(block);
    }
    let mut peripherals = cortex_m::Peripherals::take().expect("the peripherals, taken once");
    let timer = &mut peripherals.SYST;
    timer.set_clock_source(SystClkSource::Core);
    timer.set_reload(0x00FF_FFFF);
    timer.clear_current();
    timer.enable_counter();

    let empty = clocks(|i| {
        black_box(i);
    });
    let weakref_alloc_free = clocks(|i| {
        drop(black_box(
            Arc::try_new_in(i, Pooled::new()).expect("a free slot"),
        ));
    });
    let heapless_alloc_free = clocks(|i| {
        drop(black_box(HeaplessValues.alloc(i).expect("a free block")));
    });
    let ours = Arc::try_new_in(7, Pooled::new()).expect("a free slot");
    let weakref_clone_drop = clocks(|_| drop(black_box(Arc::clone(&ours))));
    let theirs = HeaplessValues.alloc(7).expect("a free block");
    let heapless_clone_drop = clocks(|_| drop(black_box(theirs.clone())));
    let weak = Arc::downgrade(&ours);
    let weakref_upgrade_drop = clocks(|_| drop(black_box(weak.upgrade())));

    hprintln!(
        "instructions per operation ({ROUNDS} rounds, SysTick at {CORE_HZ} Hz, -icount shift=0), in tenths:"
    );
    // The empty loop's own count, a check on the clock-to-instruction
    // scale against its disassembly.
    hprintln!("cost empty-loop: {}", tenths_per_round(empty, 0));
    for (row, weakref, heapless) in [
        ("alloc+free", weakref_alloc_free, Some(heapless_alloc_free)),
        ("clone+drop", weakref_clone_drop, Some(heapless_clone_drop)),
        ("upgrade+drop", weakref_upgrade_drop, None),
    ] {
        let ours = tenths_per_round(weakref, empty);
        match heapless {
            Some(theirs) => {
                let theirs = tenths_per_round(theirs, empty);
                hprintln!("cost {row}: weakref {ours} heapless {theirs}");
            }
            None => hprintln!("cost {row}: weakref {ours} heapless -"),
        }
    }
    debug::exit(debug::EXIT_SUCCESS);
    loop {
        cortex_m::asm::wfi();
    }
}
