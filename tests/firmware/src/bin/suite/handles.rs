//! The handles on the target, one test a function: upgrade, downgrade and
//! drop; the compact headers; the pool filling, refusing and refilling; a
//! weak handle outliving its value; `make_mut` / `get_mut` with weak
//! handles present. Every test leaves the pools empty.

use weakref_core::count::AtomicCount;
use weakref_core::pool::{Pool, Pooled, StaticPool};
use weakref_core::storage::AllocError;
use weakref_core::{Strong, Weak, static_pool};
use weakref_embedded::{ReadingWeak, Readings, SensorBus};

use crate::Counter;

/// Drops of `Tracked` values, so far.
static DROPS: Counter = Counter::new();
/// Clones of `Tracked` values, so far.
static CLONES: Counter = Counter::new();

/// A value that counts its drops and clones.
#[derive(Debug)]
struct Tracked {
    id: u32,
}

impl Clone for Tracked {
    fn clone(&self) -> Self {
        CLONES.add(1);
        Tracked { id: self.id }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        DROPS.add(1);
    }
}

static_pool! {
    /// Four slots for `Tracked` values, default header (two `usize`s).
    struct Values: Pool<Tracked, AtomicCount, 4>;
}
type Arc = Strong<Tracked, AtomicCount, Pooled<Values>>;
type WeakArc = Weak<Tracked, AtomicCount, Pooled<Values>>;

fn new_arc(id: u32) -> Arc {
    Arc::try_new_in(Tracked { id }, Pooled::new()).expect("a free slot")
}

fn in_use() -> usize {
    Values::get().in_use()
}

pub(crate) fn upgrade_downgrade_drop() {
    assert_eq!(size_of::<Arc>(), size_of::<usize>(), "one pointer wide");
    assert_eq!(size_of::<Option<Arc>>(), size_of::<usize>());
    assert_eq!(size_of::<WeakArc>(), size_of::<usize>());
    let drops = DROPS.get();
    let a = new_arc(1);
    assert_eq!(in_use(), 1);
    let weak = Arc::downgrade(&a);
    assert_eq!((Arc::strong_count(&a), Arc::weak_count(&a)), (1, 1));
    let b = weak.upgrade().expect("alive: `a` holds it");
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(b.id, 1);
    assert_eq!(weak.strong_count(), 2);
    let weak2 = weak.clone();
    assert_eq!(weak.weak_count(), 2);
    drop(a);
    assert_eq!(weak.upgrade().map(|v| v.id), Some(1), "`b` still holds it");
    assert_eq!(DROPS.get(), drops);
    drop(b);
    assert_eq!(
        DROPS.get(),
        drops + 1,
        "dropped with the last strong handle"
    );
    assert!(weak.upgrade().is_none());
    assert_eq!(weak.strong_count(), 0);
    assert_eq!(in_use(), 1, "the weak handles keep the block");
    drop(weak);
    assert_eq!(in_use(), 1);
    drop(weak2);
    assert_eq!(in_use(), 0, "the last weak handle gives the slot back");
    assert_eq!(DROPS.get(), drops + 1);
}

/// weakref-embedded's `SensorBus` (the crate ci/nostd.sh builds): observers
/// hold replaced readings' blocks until they let go.
pub(crate) fn sensor_bus_observers() {
    let pool = Readings::get();
    let mut bus = SensorBus::new();
    let mut watchers: [Option<ReadingWeak>; 4] = [const { None }; 4];
    for (i, watcher) in watchers.iter_mut().enumerate() {
        let slot = bus.publish(i as f32).expect("room");
        *watcher = bus.observe(slot);
    }
    // Four more readings replace the watched ones: dead, but their blocks
    // stay for the watchers, so the eight slots fill up.
    for i in 4..8 {
        bus.publish(i as f32).expect("room for the eighth block");
    }
    assert_eq!(pool.in_use(), pool.capacity());
    assert!(bus.publish(99.0).is_none(), "full: an error, not a panic");
    for watcher in &watchers {
        assert!(watcher.as_ref().expect("observed").upgrade().is_none());
    }
    watchers = [const { None }; 4];
    assert!(watchers.iter().all(Option::is_none));
    assert_eq!(pool.in_use(), 4, "the watchers gave the dead blocks back");
    let slot = bus.publish(8.0).expect("room again");
    assert_eq!(bus.latest(slot), Some(8.0));
    assert_eq!(pool.in_use(), 4, "the replaced reading had no watcher");
    drop(bus);
    assert_eq!(pool.in_use(), 0);
}

static_pool! {
    /// `u32` values behind an 8-byte header.
    struct Compact32: Pool<u32, AtomicCount<u32>, 4>;
}
static_pool! {
    /// `u32` values behind a 4-byte header (16-bit counts).
    struct Compact16: Pool<u32, AtomicCount<u16>, 4>;
}

pub(crate) fn compact_headers() {
    type Arc32 = Strong<u32, AtomicCount<u32>, Pooled<Compact32>>;
    type Arc16 = Strong<u32, AtomicCount<u16>, Pooled<Compact16>>;
    assert_eq!(size_of::<usize>(), 4, "a 32-bit target");
    assert_eq!(size_of::<AtomicCount<u32>>(), 8, "the u32 header: 8 bytes");
    assert_eq!(size_of::<AtomicCount<u16>>(), 4, "the u16 header: 4 bytes");
    // Slots of header + value, one flag byte each, and the next-slot hint.
    assert_eq!(
        size_of::<Pool<u32, AtomicCount<u32>, 4>>(),
        4 * (8 + 4) + 4 + 4
    );
    assert_eq!(
        size_of::<Pool<u32, AtomicCount<u16>, 4>>(),
        4 * (4 + 4) + 4 + 4
    );

    let mut a = Arc32::try_new_in(7, Pooled::new()).expect("room");
    let b = Arc32::try_new_in(8, Pooled::new()).expect("room");
    // A fresh pool hands out slots 0 and 1: the values are one slot apart.
    assert_eq!(Arc32::as_ptr(&b).addr() - Arc32::as_ptr(&a).addr(), 8 + 4);
    let weak = Arc32::downgrade(&a);
    let a2 = Arc32::clone(&a);
    assert_eq!((Arc32::strong_count(&a), weak.weak_count()), (2, 1));
    drop(a2);
    *Arc32::make_mut(&mut a) += 1;
    assert_eq!(*a, 8);
    assert!(
        weak.upgrade().is_none(),
        "make_mut left the weak handle behind"
    );
    assert_eq!(Compact32::get().in_use(), 3);
    drop((a, b, weak));
    assert_eq!(Compact32::get().in_use(), 0);

    let c = Arc16::try_new_in(0x1616, Pooled::new()).expect("room");
    let d = Arc16::try_new_in(0x1717, Pooled::new()).expect("room");
    assert_eq!(Arc16::as_ptr(&d).addr() - Arc16::as_ptr(&c).addr(), 4 + 4);
    let clones: [Arc16; 16] = core::array::from_fn(|_| Arc16::clone(&c));
    assert_eq!(Arc16::strong_count(&c), 17);
    let weak16 = Arc16::downgrade(&c);
    drop(clones);
    assert_eq!(weak16.upgrade().as_deref(), Some(&0x1616));
    drop(c);
    assert!(weak16.upgrade().is_none());
    assert_eq!(Compact16::get().in_use(), 2);
    drop((d, weak16));
    assert_eq!(Compact16::get().in_use(), 0);
}

pub(crate) fn pool_fills_refuses_refills() {
    let drops = DROPS.get();
    let [a, b, c, d] = core::array::from_fn(|i| new_arc(i as u32));
    assert_eq!(in_use(), 4);
    let refused = Arc::try_new_in(Tracked { id: 9 }, Pooled::new());
    assert!(matches!(refused, Err(AllocError)), "full");
    assert_eq!(
        DROPS.get(),
        drops + 1,
        "the refused value is dropped, not leaked"
    );
    let weak = Arc::downgrade(&b);
    drop(b);
    assert_eq!(DROPS.get(), drops + 2);
    assert!(
        Arc::try_new_in(Tracked { id: 10 }, Pooled::new()).is_err(),
        "still full: the weak handle keeps b's block"
    );
    drop(weak);
    assert_eq!(in_use(), 3);
    let e = new_arc(11);
    assert_eq!(e.id, 11);
    assert!(Arc::try_new_in(Tracked { id: 12 }, Pooled::new()).is_err());
    assert_eq!(DROPS.get(), drops + 4);
    drop((a, c, d, e));
    assert_eq!(DROPS.get(), drops + 8);
    assert_eq!(in_use(), 0);
    // Refilled to capacity after being emptied.
    let again: [Arc; 4] = core::array::from_fn(|i| new_arc(20 + i as u32));
    assert_eq!(in_use(), 4);
    assert!(again.iter().enumerate().all(|(i, v)| v.id == 20 + i as u32));
    drop(again);
    assert_eq!(in_use(), 0);
    assert_eq!(DROPS.get(), drops + 12);
}

pub(crate) fn weak_outlives_value() {
    let drops = DROPS.get();
    let weak = {
        let a = new_arc(5);
        Arc::downgrade(&a)
    };
    assert_eq!(DROPS.get(), drops + 1, "dropped with its strong handle");
    assert!(weak.upgrade().is_none());
    assert_eq!((weak.strong_count(), weak.weak_count()), (0, 0));
    assert_eq!(in_use(), 1, "the block stays for the weak handle");
    let weak2 = weak.clone();
    drop(weak);
    assert!(weak2.upgrade().is_none());
    assert_eq!(in_use(), 1);
    drop(weak2);
    assert_eq!(in_use(), 0);
    assert_eq!(DROPS.get(), drops + 1, "and only then");
    let empty = WeakArc::new_in(Pooled::new());
    assert!(empty.upgrade().is_none());
    assert_eq!(in_use(), 0, "`Weak::new_in` takes no slot");
}

pub(crate) fn make_mut_get_mut_with_weak() {
    let (drops, clones) = (DROPS.get(), CLONES.get());
    let mut a = new_arc(1);
    Arc::get_mut(&mut a).expect("unique").id = 2;
    let weak = Arc::downgrade(&a);
    assert!(
        Arc::get_mut(&mut a).is_none(),
        "the weak handle could upgrade"
    );
    Arc::make_mut(&mut a).id = 3;
    // Strong-unique with a weak handle: the value moves to a new block (no
    // clone, no drop) and the weak handle is left with the dead one.
    assert_eq!((DROPS.get(), CLONES.get()), (drops, clones));
    assert_eq!(in_use(), 2);
    assert!(weak.upgrade().is_none());
    assert_eq!(a.id, 3);
    assert_eq!(Arc::weak_count(&a), 0);
    assert!(Arc::get_mut(&mut a).is_some(), "unique again");
    drop(weak);
    assert_eq!(in_use(), 1);
    drop(a);
    assert_eq!(in_use(), 0);
    assert_eq!(DROPS.get(), drops + 1);
}

pub(crate) fn make_mut_clones_when_shared() {
    let (drops, clones) = (DROPS.get(), CLONES.get());
    let mut a = new_arc(1);
    let b = Arc::clone(&a);
    let weak = Arc::downgrade(&b);
    Arc::make_mut(&mut a).id = 2;
    assert_eq!(CLONES.get(), clones + 1, "shared: cloned");
    assert_eq!((a.id, b.id), (2, 1));
    assert!(Arc::ptr_eq(&weak.upgrade().expect("b"), &b));
    assert_eq!(in_use(), 2);
    drop(b);
    assert_eq!(DROPS.get(), drops + 1);
    assert!(weak.upgrade().is_none());
    drop(weak);
    drop(a);
    assert_eq!(in_use(), 0);
    assert_eq!(DROPS.get(), drops + 2);
}
