//! Uninitialised and zeroed constructors and `assume_init`: one block each,
//! values dropped once after `assume_init` and never before, allocation
//! failure and oversized slices reported by the `try_` forms.

use core::mem::MaybeUninit;

use weakref_core::Strong;
use weakref_core::count::RawCountUnique;
use weakref_core::storage::Global;
use weakref_tests::{CountingAlloc, DropLog, Tracked};

type S<T, C> = Strong<T, C, CountingAlloc>;
type G<T, C> = Strong<T, C, Global>;

fn uninit_then_init<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let mut slot = S::<Tracked, C>::new_uninit_in(alloc.clone());
    S::get_mut(&mut slot).unwrap().write(log.tracked(1));
    let weak = S::downgrade(&slot);
    // SAFETY: written just above.
    let value: S<Tracked, C> = unsafe { slot.assume_init() };
    assert_eq!(value.id, 1);
    assert_eq!((S::strong_count(&value), S::weak_count(&value)), (1, 1));
    drop(value);
    assert_eq!(log.dropped(), [1]);
    assert!(weak.upgrade().is_none());
    drop(weak);
    // Never initialised: nothing to drop, the block is still freed.
    drop(S::<Tracked, C>::new_uninit_in(alloc.clone()));
    assert_eq!(log.dropped(), [1]);
    assert_eq!(alloc.allocations(), 2);
    alloc.assert_balanced();
}

fn zeroed<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let zero = S::<[u64; 4], C>::new_zeroed_in(alloc.clone());
    // SAFETY: zero bytes are valid `u64`s.
    assert_eq!(*unsafe { zero.assume_init() }, [0; 4]);
    let zero = S::<(u8, u32), C>::try_new_zeroed_in(alloc.clone()).unwrap();
    // SAFETY: zero bytes are valid integers.
    assert_eq!(*unsafe { zero.assume_init() }, (0, 0));
    let unit = S::<(), C>::new_zeroed_in(alloc.clone());
    // SAFETY: `()` has no bytes.
    drop(unsafe { unit.assume_init() });
    alloc.assert_balanced();
    let g = G::<u32, C>::new_zeroed();
    // SAFETY: zero bytes are a valid `u32`.
    assert_eq!(*unsafe { g.assume_init() }, 0);
    let g = G::<u32, C>::try_new_zeroed().unwrap();
    // SAFETY: as above.
    assert_eq!(*unsafe { g.assume_init() }, 0);
}

fn slices<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let mut slots = S::<[Tracked], C>::new_uninit_slice_in(3, alloc.clone());
    assert_eq!(slots.len(), 3);
    for (i, slot) in S::get_mut(&mut slots).unwrap().iter_mut().enumerate() {
        slot.write(log.tracked(i as u32));
    }
    // SAFETY: every element was written just above.
    let values: S<[Tracked], C> = unsafe { slots.assume_init() };
    assert_eq!(values.iter().map(|t| t.id).collect::<Vec<_>>(), [0, 1, 2]);
    let weak = S::downgrade(&values);
    drop(values);
    assert_eq!(log.dropped(), [0, 1, 2]);
    drop(weak); // frees with the layout read from the length
    let zeros = S::<[u32], C>::new_zeroed_slice_in(5, alloc.clone());
    // SAFETY: zero bytes are valid `u32`s.
    assert_eq!(*unsafe { zeros.assume_init() }, [0; 5]);
    let empty = S::<[Tracked], C>::try_new_uninit_slice_in(0, alloc.clone()).unwrap();
    // SAFETY: no elements to initialise.
    assert!(unsafe { empty.assume_init() }.is_empty());
    let units = S::<[()], C>::try_new_zeroed_slice_in(usize::MAX, alloc.clone()).unwrap();
    assert_eq!(units.len(), usize::MAX);
    drop(units);
    // Dropped uninitialised: nothing dropped, block freed.
    drop(S::<[Tracked], C>::new_uninit_slice_in(2, alloc.clone()));
    assert_eq!(log.dropped(), [0, 1, 2]);
    alloc.assert_balanced();
    let mut g = G::<[u8], C>::new_uninit_slice(2);
    G::get_mut(&mut g).unwrap().fill(MaybeUninit::new(9));
    // SAFETY: filled just above.
    assert_eq!(*unsafe { g.assume_init() }, [9, 9]);
    let g = G::<[u16], C>::new_zeroed_slice(2);
    // SAFETY: zero bytes are valid `u16`s.
    assert_eq!(*unsafe { g.assume_init() }, [0, 0]);
    assert_eq!(G::<[u8], C>::try_new_uninit_slice(3).unwrap().len(), 3);
    assert_eq!(G::<[u8], C>::try_new_zeroed_slice(3).unwrap().len(), 3);
}

fn failures<C: RawCountUnique>() {
    let full = CountingAlloc::with_limit(0);
    assert!(S::<u64, C>::try_new_uninit_in(full.clone()).is_err());
    assert!(S::<u64, C>::try_new_zeroed_in(full.clone()).is_err());
    assert!(S::<[u64], C>::try_new_uninit_slice_in(1, full.clone()).is_err());
    assert!(S::<[u64], C>::try_new_zeroed_slice_in(1, full.clone()).is_err());
    let alloc = CountingAlloc::new();
    let huge = usize::MAX / 8;
    assert!(S::<[u64], C>::try_new_uninit_slice_in(huge, alloc.clone()).is_err());
    assert!(G::<[u64], C>::try_new_zeroed_slice(huge).is_err());
    let panicked = std::panic::catch_unwind(|| G::<[u64], C>::new_uninit_slice(huge));
    assert!(
        panicked.is_err(),
        "too large for a block: a panic, not an abort"
    );
    assert_eq!(alloc.allocations(), 0);
    full.assert_balanced();
    alloc.assert_balanced();
    let g = G::<u8, C>::try_new_uninit().unwrap();
    drop(G::<u8, C>::new_uninit());
    drop(g);
}

super::for_each_counter!(uninit_then_init, zeroed, slices, failures);
