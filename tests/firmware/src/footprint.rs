//! The skeleton of the footprint programs (`footprint-*`): the result is the
//! semihosting exit status, and a panic exits with failure without printing,
//! so no formatting code is linked and the sizes compare the pointers, not
//! `core::fmt`.

use core::panic::PanicInfo;

use cortex_m_semihosting::debug;

/// Exits QEMU: success when `ok`.
pub(crate) fn finish(ok: bool) -> ! {
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // `exit` returns only without a debugger attached.
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    finish(false)
}
