//! `downcast` on `Strong<dyn Any>`, `dyn Any + Send`, `dyn Any + Send +
//! Sync`: in place, counts kept, the handle back on a wrong type.

use core::any::Any;

use weakref_core::count::RawCountUnique;
use weakref_core::storage::Global;
use weakref_core::{Strong, unsize};
use weakref_tests::{CountingAlloc, DropLog, Tracked};

type S<T, C> = Strong<T, C, CountingAlloc>;

fn downcast_in_place<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let any: S<dyn Any, C> = unsize!(S::<_, C>::new_in(log.tracked(1), alloc.clone()), dyn Any);
    let weak_any = S::downgrade(&any);
    let other = S::clone(&any);
    let addr = S::as_ptr(&any).addr();
    let any = any.downcast::<String>().unwrap_err();
    assert_eq!(S::as_ptr(&any).addr(), addr, "the same handle back");
    let tracked: S<Tracked, C> = any.downcast::<Tracked>().ok().unwrap();
    assert_eq!(tracked.id, 1);
    assert_eq!(S::as_ptr(&tracked).addr(), addr);
    assert_eq!((S::strong_count(&tracked), S::weak_count(&tracked)), (2, 1));
    drop(other);
    // The weak trait object still sees the value, now held as a `Tracked`.
    assert_eq!(
        weak_any
            .upgrade()
            .and_then(|a| a.downcast_ref::<Tracked>().map(|t| t.id)),
        Some(1)
    );
    drop(tracked);
    assert_eq!(log.dropped(), [1]);
    assert!(weak_any.upgrade().is_none());
    drop(weak_any);
    assert_eq!(alloc.allocations(), 1);
    alloc.assert_balanced();
}

fn downcast_send_flavours<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let send: S<dyn Any + Send, C> =
        unsize!(S::<_, C>::new_in(7u16, alloc.clone()), dyn Any + Send);
    let send = send.downcast::<u32>().unwrap_err();
    assert_eq!(*send.downcast::<u16>().unwrap(), 7);
    let sync: S<dyn Any + Send + Sync, C> = unsize!(
        S::<_, C>::new_in([1u8; 3], alloc.clone()),
        dyn Any + Send + Sync
    );
    let sync = sync.downcast::<[u8; 2]>().unwrap_err();
    assert_eq!(*sync.downcast::<[u8; 3]>().unwrap(), [1, 1, 1]);
    let unit: S<dyn Any, C> = unsize!(S::<_, C>::new_in((), alloc.clone()), dyn Any);
    assert!(unit.downcast::<()>().is_ok());
    alloc.assert_balanced();
}

fn downcast_from_box<C: RawCountUnique>() {
    let log = DropLog::new();
    let any = Strong::<dyn Any, C, Global>::from(Box::new(log.tracked(2)) as Box<dyn Any>);
    let tracked = any.downcast::<Tracked>().ok().unwrap();
    assert_eq!(tracked.id, 2);
    drop(tracked);
    assert_eq!(log.dropped(), [2]);
}

super::for_each_counter!(downcast_in_place, downcast_send_flavours, downcast_from_box);

/// std's `Arc<dyn Any + Send + Sync>::downcast`, across threads.
fn arc_downcast_across_threads<C: RawCountUnique + Send + Sync + 'static>() {
    type Arc<T, C> = Strong<T, C, Global>;
    let any: Arc<dyn Any + Send + Sync, C> = unsize!(Arc::<_, C>::new(5i64), dyn Any + Send + Sync);
    let other = Arc::clone(&any);
    let five = std::thread::spawn(move || other.downcast::<i64>().map(|v| *v).ok())
        .join()
        .unwrap();
    assert_eq!(five, Some(5));
    assert_eq!(*any.downcast::<i64>().unwrap(), 5);
}

super::for_each_sync_counter!(arc_downcast_across_threads);
