//! A minimal program using weakref's `Arc` + `Weak` in a static pool of
//! four `u32`s: fill it, be refused, keep a weak handle across the last
//! strong one, refill. `footprint-heapless` is the same program on
//! heapless's pool `Arc`, which has no weak handle.

#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use weakref_core::count::AtomicCount;
use weakref_core::pool::Pooled;
use weakref_core::{Strong, static_pool};

#[path = "../footprint.rs"]
mod footprint;

static_pool! {
    struct Readings: Pool<u32, AtomicCount, 4>;
}
type Arc = Strong<u32, AtomicCount, Pooled<Readings>>;

fn alloc(value: u32) -> Option<Arc> {
    Arc::try_new_in(black_box(value), Pooled::new()).ok()
}

#[entry]
fn main() -> ! {
    let [first, rest @ ..]: [Option<Arc>; 4] = core::array::from_fn(|i| alloc(i as u32));
    let full = alloc(9).is_none();
    let Some(first) = first else {
        footprint::finish(false)
    };
    let weak = Arc::downgrade(&first);
    let copy = Arc::clone(&first);
    drop(first);
    let alive = weak.upgrade().is_some_and(|v| *v == 0);
    drop(copy);
    let dead = weak.upgrade().is_none();
    drop(weak);
    let refill = alloc(5).is_some();
    let sum: u32 = rest.iter().flatten().map(|v| **v).sum();
    footprint::finish(full && alive && dead && refill && sum == 6)
}
