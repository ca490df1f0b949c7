//! A `no_std`, no-heap user of weakref, as firmware would be: `Arc` and
//! `Weak` over a static pool, with no allocator anywhere. CI builds it for
//! `thumbv7em-none-eabihf`, `thumbv6m-none-eabi` (with `portable-atomic`)
//! and `riscv32imc-unknown-none-elf` (with `portable-atomic`); on the host
//! its unit tests run it, and on emulated Cortex-M0 and Cortex-M4F cores the
//! firmware suite in `tests/firmware` does (`ci/embedded.sh`).
//!
//! ```
//! let mut bus = weakref_embedded::SensorBus::new();
//! let id = bus.publish(21.5).expect("room in the pool");
//! assert_eq!(bus.latest(id), Some(21.5));
//! ```

#![no_std]

use weakref_core::count::AtomicCount;
use weakref_core::pool::Pooled;
use weakref_core::{Strong, Weak, static_pool};

/// One sensor reading.
#[derive(Debug)]
pub struct Reading {
    /// Degrees Celsius.
    pub celsius: f32,
}

static_pool! {
    /// Room for eight readings; no heap.
    pub struct Readings: Pool<Reading, AtomicCount, 8>;
}

/// A reading handle: one pointer wide, freed back to [`Readings`].
pub type ReadingArc = Strong<Reading, AtomicCount, Pooled<Readings>>;
/// A weak handle to a reading.
pub type ReadingWeak = Weak<Reading, AtomicCount, Pooled<Readings>>;

/// A bus that keeps the latest readings alive and lets observers hold them
/// weakly.
#[derive(Debug, Default)]
pub struct SensorBus {
    latest: [Option<ReadingArc>; 4],
    next: usize,
}

impl SensorBus {
    /// An empty bus.
    pub const fn new() -> Self {
        SensorBus {
            latest: [None, None, None, None],
            next: 0,
        }
    }

    /// Publishes a reading, replacing the oldest; returns its slot, or
    /// `None` when the pool is full (observers hold too many old ones).
    pub fn publish(&mut self, celsius: f32) -> Option<usize> {
        let reading = ReadingArc::try_new_in(Reading { celsius }, Pooled::new()).ok()?;
        let slot = self.next;
        self.latest[slot] = Some(reading);
        self.next = (slot + 1) % self.latest.len();
        Some(slot)
    }

    /// A weak handle to the reading in `slot`, for an observer.
    pub fn observe(&self, slot: usize) -> Option<ReadingWeak> {
        self.latest.get(slot)?.as_ref().map(ReadingArc::downgrade)
    }

    /// The reading in `slot`, if any.
    pub fn latest(&self, slot: usize) -> Option<f32> {
        Some(self.latest.get(slot)?.as_ref()?.celsius)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use weakref_core::pool::StaticPool;

    #[test]
    fn observers_see_replaced_readings_die() {
        let mut bus = SensorBus::new();
        let first = bus.publish(1.0).unwrap();
        let watcher = bus.observe(first).unwrap();
        for i in 0..4 {
            bus.publish(i as f32).unwrap();
        }
        assert!(watcher.upgrade().is_none(), "replaced: the value is gone");
        assert_eq!(
            Readings::get().in_use(),
            5,
            "4 live + 1 kept by the watcher"
        );
        drop(watcher);
        assert_eq!(Readings::get().in_use(), 4);
        assert_eq!(size_of::<ReadingArc>(), size_of::<usize>());
    }
}
