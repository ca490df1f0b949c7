//! Unsized values: `str`, `[T]`, `dyn Trait`, through the `From` impls.

use core::any::Any;
use core::fmt::Display;

use weakref_core::count::RawCountUnique;
use weakref_core::storage::Global;
use weakref_core::{Strong, Weak};
use weakref_tests::{DropLog, Tracked};

type G<T, C> = Strong<T, C, Global>;

fn str_from_str_and_string<C: RawCountUnique>() {
    let a = G::<str, C>::from("hello");
    let b = G::<str, C>::from(String::from("hello"));
    assert_eq!(&*a, "hello");
    assert_eq!(a, b);
    assert!(!G::ptr_eq(&a, &b));
    let empty = G::<str, C>::default();
    assert_eq!(&*empty, "");
    let bytes = G::<[u8], C>::from(a);
    assert_eq!(&*bytes, b"hello");
}

fn slices_from_vec_slice_and_iter<C: RawCountUnique>() {
    let log = DropLog::new();
    let v = G::<[Tracked], C>::from(vec![log.tracked(1), log.tracked(2)]);
    assert_eq!(v.len(), 2);
    assert!(log.dropped().is_empty(), "moved, not copied and dropped");
    let cloned = G::<[Tracked], C>::from(&v[..]);
    drop(v);
    assert_eq!(log.dropped(), [1, 2]);
    drop(cloned);
    assert_eq!(log.dropped(), [1, 2, 1, 2]);
    let squares: G<[u64], C> = (1..=4).map(|i| i * i).collect();
    assert_eq!(&*squares, [1, 4, 9, 16]);
    let empty: G<[String], C> = G::default();
    assert!(empty.is_empty());
}

fn dyn_trait_from_box<C: RawCountUnique>() {
    let log = DropLog::new();
    let shown = G::<dyn Display, C>::from(Box::new(42) as Box<dyn Display>);
    assert_eq!(shown.to_string(), "42");
    let any = G::<dyn Any, C>::from(Box::new(log.tracked(7)) as Box<dyn Any>);
    assert_eq!(any.downcast_ref::<Tracked>().map(|t| t.id), Some(7));
    let weak: Weak<dyn Any, C, Global> = G::downgrade(&any);
    drop(any);
    assert_eq!(
        log.dropped(),
        [7],
        "the value dies with the last strong handle"
    );
    assert!(weak.upgrade().is_none());
    drop(weak); // frees the block with the layout read from the vtable
}

fn unsized_raw_round_trip<C: RawCountUnique>() {
    let s = G::<str, C>::from("round trip");
    let ptr = G::into_raw(s);
    // SAFETY: `ptr` comes from `into_raw` of a `Global` handle.
    let back = unsafe { G::<str, C>::from_raw(ptr) };
    assert_eq!(&*back, "round trip");
    let weak_raw = G::downgrade(&back).into_raw();
    drop(back);
    // SAFETY: from `Weak::into_raw`; the value is dead, the block is not.
    let weak = unsafe { Weak::<str, C, Global>::from_raw(weak_raw) };
    assert!(weak.upgrade().is_none());
}

fn get_mut_on_unsized<C: RawCountUnique>() {
    let mut v = G::<[u8], C>::from(vec![1, 2, 3]);
    G::get_mut(&mut v).unwrap()[0] = 9;
    assert_eq!(&*v, [9, 2, 3]);
}

super::for_each_counter!(
    str_from_str_and_string,
    slices_from_vec_slice_and_iter,
    dyn_trait_from_box,
    unsized_raw_round_trip,
    get_mut_on_unsized,
);
