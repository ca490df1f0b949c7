//! Weak references with no heap at all: `Arc` and `Weak` handles whose
//! blocks live in a static pool, as firmware would use them. The pool has
//! room for three readings; a fourth is refused with an error until a slot
//! comes back — and a slot comes back only when the last weak handle to its
//! block goes.
//!
//! Run with `cargo run -p weakref-core --features pool --example no_heap`.

use weakref_core::count::AtomicCount;
use weakref_core::pool::{Pooled, StaticPool};
use weakref_core::{Strong, Weak, static_pool};

#[derive(Debug)]
struct Reading {
    sensor: u8,
    celsius: f32,
}

static_pool! {
    /// Three readings at most, in a `static`: no allocator involved.
    struct Readings: Pool<Reading, AtomicCount, 3>;
}

type Arc<T> = Strong<T, AtomicCount, Pooled<Readings>>;
type WeakReading = Weak<Reading, AtomicCount, Pooled<Readings>>;

fn main() {
    println!(
        "handle size: {} bytes (one pointer)",
        size_of::<Arc<Reading>>()
    );
    let mut live: Vec<Arc<Reading>> = (0..3)
        .map(|i| {
            Arc::try_new_in(
                Reading {
                    sensor: i,
                    celsius: 20.0 + f32::from(i),
                },
                Pooled::new(),
            )
            .unwrap()
        })
        .collect();
    println!(
        "pool: {} of {} slots in use",
        Readings::get().in_use(),
        Readings::get().capacity()
    );

    let extra = Arc::try_new_in(
        Reading {
            sensor: 9,
            celsius: 0.0,
        },
        Pooled::new(),
    );
    println!("a fourth reading: {:?}", extra.map(|_| ()));

    let watcher: WeakReading = Arc::downgrade(&live[0]);
    drop(live.remove(0));
    println!(
        "reading 0 dropped; the watcher sees {:?}",
        watcher.upgrade().map(|r| r.sensor)
    );
    println!(
        "its slot is still held by the watcher: {} in use",
        Readings::get().in_use()
    );
    drop(watcher);
    println!("watcher gone: {} in use", Readings::get().in_use());

    let again = Arc::try_new_in(
        Reading {
            sensor: 3,
            celsius: 23.5,
        },
        Pooled::new(),
    )
    .unwrap();
    println!("a new reading fits again: {:?}", *again);
    println!(
        "still live: {:?}",
        live.iter().map(|r| r.celsius).collect::<Vec<_>>()
    );
}
