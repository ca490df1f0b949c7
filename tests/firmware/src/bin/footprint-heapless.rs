//! `footprint-weakref`'s program on heapless's pool `Arc` (four `u32`
//! blocks): fill, be refused, clone and drop, refill. No weak handle:
//! heapless has none.

#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use heapless::pool::arc::{Arc, ArcBlock};

#[path = "../footprint.rs"]
mod footprint;

/// (A module: `arc_pool!` declares a `pub struct` without docs.)
mod pool {
    heapless::arc_pool!(Readings: u32);
}
use pool::Readings;

fn alloc(value: u32) -> Option<Arc<Readings>> {
    Readings.alloc(black_box(value)).ok()
}

#[entry]
fn main() -> ! {
    static mut BLOCKS: [ArcBlock<u32>; 4] = [const { ArcBlock::new() }; 4];
    for block in BLOCKS.iter_mut() {
        Readings.manage(block);
    }
    let [first, rest @ ..]: [Option<Arc<Readings>>; 4] = core::array::from_fn(|i| alloc(i as u32));
    let full = alloc(9).is_none();
    let Some(first) = first else {
        footprint::finish(false)
    };
    let copy = first.clone();
    drop(first);
    let alive = *copy == 0;
    drop(copy);
    let refill = alloc(5).is_some();
    let sum: u32 = rest.iter().flatten().map(|v| **v).sum();
    footprint::finish(full && alive && refill && sum == 6)
}
