//! weakref's `no_std` suite, run on an emulated Cortex-M core: each test
//! prints its name through semihosting, a failed assertion panics, and the
//! panic handler (panic-semihosting, `exit`) prints the message and exits
//! QEMU with failure. After the last test, one pass line and exit 0.
//!
//! `cargo run --release --target thumbv6m-none-eabi --bin suite` from
//! tests/firmware (see its Cargo.toml); ci/embedded.sh runs both cores.

#![no_std]
#![no_main]

use core::cell::Cell;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use critical_section::Mutex;
use panic_semihosting as _;

mod handles;
mod race;

/// The core this build is for, named in the pass line.
#[cfg(target_has_atomic = "ptr")]
const CORE: &str = "Cortex-M4F (thumbv7em-none-eabihf, QEMU mps2-an386; native LDREX/STREX)";
#[cfg(not(target_has_atomic = "ptr"))]
const CORE: &str =
    "Cortex-M0 (thumbv6m-none-eabi, QEMU microbit; portable-atomic CAS in a critical section)";

/// A count shared by the main loop and the SysTick handler (a plain
/// `AtomicU32` has no `fetch_add` on the Cortex-M0).
struct Counter(Mutex<Cell<u32>>);

impl Counter {
    const fn new() -> Self {
        Counter(Mutex::new(Cell::new(0)))
    }

    fn add(&self, n: u32) {
        critical_section::with(|cs| {
            let cell = self.0.borrow(cs);
            cell.set(cell.get() + n);
        });
    }

    fn get(&self) -> u32 {
        critical_section::with(|cs| self.0.borrow(cs).get())
    }
}

#[entry]
fn main() -> ! {
    let peripherals = cortex_m::Peripherals::take().expect("the peripherals, taken once");
    let tests: [(&str, fn()); 7] = [
        (
            "arc_weak_upgrade_downgrade_drop",
            handles::upgrade_downgrade_drop,
        ),
        ("sensor_bus_observers", handles::sensor_bus_observers),
        ("compact_headers_u32_u16", handles::compact_headers),
        (
            "pool_fills_refuses_refills",
            handles::pool_fills_refuses_refills,
        ),
        ("weak_outlives_value", handles::weak_outlives_value),
        (
            "make_mut_get_mut_with_weak",
            handles::make_mut_get_mut_with_weak,
        ),
        (
            "make_mut_clones_when_shared",
            handles::make_mut_clones_when_shared,
        ),
    ];
    for (name, test) in tests {
        hprintln!("test {name} ...");
        test();
    }
    hprintln!("test systick_upgrade_race ...");
    let race = race::run(peripherals.SYST);
    hprintln!("  {race}");
    hprintln!(
        "weakref firmware: {} tests passed on {CORE}",
        tests.len() + 1
    );
    debug::exit(debug::EXIT_SUCCESS);
    // `exit` returns only without a debugger attached.
    loop {
        cortex_m::asm::wfi();
    }
}
