//! std's trait impls: comparison and hashing by value, formatting,
//! `Default`, `From`, `AsRef`/`Borrow`.

use core::borrow::Borrow;
use std::collections::{BTreeSet, HashSet};

use weakref_core::count::RawCountUnique;
use weakref_core::storage::Global;
use weakref_core::{Strong, Weak};

type G<T, C> = Strong<T, C, Global>;

fn compare_and_hash_by_value<C: RawCountUnique>() {
    let (a, b, c) = (G::<_, C>::new(1), G::<_, C>::new(1), G::<_, C>::new(2));
    assert_eq!(a, b);
    assert!(a < c && c > b);
    assert_eq!(a.cmp(&c), core::cmp::Ordering::Less);
    let set: HashSet<G<i32, C>> = [a.clone(), b.clone(), c.clone()].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(set.contains(&1), "Borrow<T> lets sets be queried by value");
    let ordered: BTreeSet<G<i32, C>> = [c, a, b].into_iter().collect();
    assert_eq!(ordered.iter().map(|x| **x).collect::<Vec<_>>(), [1, 2]);
}

fn format_like_the_value<C: RawCountUnique>() {
    let a = G::<_, C>::new(String::from("text"));
    assert_eq!(format!("{a}"), "text");
    assert_eq!(format!("{a:?}"), "\"text\"");
    assert_eq!(format!("{a:p}"), format!("{:p}", G::as_ptr(&a)));
    let w = Weak::<String, C, Global>::new();
    assert_eq!(format!("{w:?}"), "(Weak: dead)");
    let live = G::downgrade(&a);
    assert_eq!(
        format!("{live:?}"),
        format!(
            "(Weak: alive, alloc::string::String at {:p})",
            G::as_ptr(&a)
        )
    );
}

fn defaults_and_conversions<C: RawCountUnique>() {
    let d = G::<Vec<u8>, C>::default();
    assert!(d.is_empty());
    let f: G<u8, C> = 7.into();
    assert_eq!(*f, 7);
    let b: G<u8, C> = G::from(Box::new(8));
    let r: &u8 = b.as_ref();
    let br: &u8 = b.borrow();
    assert_eq!((*r, *br), (8, 8));
    let w = Weak::<u8, C, Global>::default();
    assert!(w.upgrade().is_none());
}

fn error_source_is_forwarded<C: RawCountUnique>() {
    let err = G::<std::io::Error, C>::new(std::io::Error::other("boom"));
    let dyn_err: &dyn std::error::Error = &err;
    assert_eq!(dyn_err.to_string(), "boom");
}

super::for_each_counter!(
    compare_and_hash_by_value,
    format_like_the_value,
    defaults_and_conversions,
    error_source_is_forwarded,
);
