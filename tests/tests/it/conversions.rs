//! std's remaining conversions into unsized handles: arrays, `&mut`
//! slices and strings, `Cow`, `CStr`/`CString`, `OsStr`/`OsString`,
//! `Path`/`PathBuf`, and `TryFrom<Strong<[T]>>` for `Strong<[T; N]>` (the
//! same block, no allocation). One block each, every element dropped once.

use std::borrow::Cow;
use std::ffi::{CStr, CString, OsStr, OsString};
use std::path::{Path, PathBuf};

use weakref_core::Strong;
use weakref_core::count::RawCountUnique;
use weakref_core::storage::Global;
use weakref_tests::{CountingAlloc, DropLog};

type G<T, C> = Strong<T, C, Global>;
type S<T, C> = Strong<T, C, CountingAlloc>;

fn arrays_move_their_elements<C: RawCountUnique>() {
    let log = DropLog::new();
    let s: G<[_], C> = G::from([log.tracked(1), log.tracked(2), log.tracked(3)]);
    assert_eq!(s.iter().map(|t| t.id).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(log.dropped().is_empty());
    drop(s);
    assert_eq!(log.dropped(), [1, 2, 3]);
    let empty: G<[String], C> = G::from([]);
    assert!(empty.is_empty());
    let zst: G<[(); 3], C> = G::new([(); 3]);
    assert_eq!(zst.len(), 3);
}

fn mut_refs_and_cows<C: RawCountUnique>() {
    let mut v = [String::from("a"), String::from("b")];
    let s: G<[String], C> = G::from(&mut v[..]);
    assert_eq!(&s[..], ["a", "b"]);
    let mut owned = String::from("text");
    let t: G<str, C> = G::from(owned.as_mut_str());
    assert_eq!(&*t, "text");

    let b: G<[u8], C> = G::from(Cow::Borrowed(&[1u8, 2][..]));
    let o: G<[u8], C> = G::from(Cow::<[u8]>::Owned(vec![1, 2]));
    assert_eq!(b, o);
    let b: G<str, C> = G::from(Cow::Borrowed("x"));
    let o: G<str, C> = G::from(Cow::<str>::Owned("x".into()));
    assert_eq!(b, o);
    let b: G<CStr, C> = G::from(Cow::Borrowed(c"x"));
    let o: G<CStr, C> = G::from(Cow::<CStr>::Owned(c"x".into()));
    assert_eq!(b, o);
    let b: G<OsStr, C> = G::from(Cow::Borrowed(OsStr::new("x")));
    let o: G<OsStr, C> = G::from(Cow::<OsStr>::Owned("x".into()));
    assert_eq!(b, o);
    let b: G<Path, C> = G::from(Cow::Borrowed(Path::new("x")));
    let o: G<Path, C> = G::from(Cow::<Path>::Owned("x".into()));
    assert_eq!(b, o);
}

fn c_os_and_path_strings<C: RawCountUnique>() {
    let c: G<CStr, C> = G::from(c"hello");
    assert_eq!(c.to_bytes_with_nul(), b"hello\0");
    let c2: G<CStr, C> = G::from(CString::new("hello").unwrap());
    assert_eq!(c, c2);
    let mut owned = CString::new("hi").unwrap().into_boxed_c_str();
    let c3: G<CStr, C> = G::from(&mut *owned);
    assert_eq!(&*c3, c"hi");
    let d: G<CStr, C> = G::default();
    assert_eq!(d.to_bytes_with_nul(), b"\0");
    let w = G::downgrade(&d);
    drop(d);
    assert!(w.upgrade().is_none());

    let o: G<OsStr, C> = G::from(OsStr::new("dir"));
    assert_eq!(o, G::<OsStr, C>::from(OsString::from("dir")));
    let mut os = OsString::from("dir");
    assert_eq!(&*G::<OsStr, C>::from(&mut *os), "dir");

    let p: G<Path, C> = G::from(Path::new("/a/b"));
    assert_eq!(p.file_name(), Some(OsStr::new("b")));
    assert_eq!(p, G::<Path, C>::from(PathBuf::from("/a/b")));
    let mut pb = PathBuf::from("/a/b");
    assert_eq!(&*G::<Path, C>::from(&mut *pb), Path::new("/a/b"));

    let e: G<str, C> = G::default();
    let s: G<[u8], C> = G::default();
    assert!(e.is_empty() && s.is_empty());
}

fn try_from_slice_keeps_the_block<C: RawCountUnique>() {
    let alloc = CountingAlloc::new();
    let log = DropLog::new();
    let mut slots = S::<[_], C>::new_uninit_slice_in(2, alloc.clone());
    for (slot, id) in S::get_mut(&mut slots).unwrap().iter_mut().zip(1..) {
        slot.write(log.tracked(id));
    }
    // SAFETY: both elements were written just above.
    let slice = unsafe { slots.assume_init() };
    let weak = S::downgrade(&slice);
    let addr = S::as_ptr(&slice).cast::<u8>();
    // Wrong length: the same handle back.
    let slice = S::<[_; 3], C>::try_from(slice).unwrap_err();
    assert_eq!(S::as_ptr(&slice).cast::<u8>(), addr);
    let array: S<[_; 2], C> = S::try_from(slice).unwrap();
    assert_eq!(S::as_ptr(&array).cast::<u8>(), addr);
    assert_eq!((array[0].id, array[1].id), (1, 2));
    assert_eq!((S::strong_count(&array), S::weak_count(&array)), (1, 1));
    assert_eq!(alloc.allocations(), 1);
    assert!(log.dropped().is_empty());
    drop(array);
    assert_eq!(log.dropped(), [1, 2]);
    drop(weak);
    alloc.assert_balanced();
    // Empty slices and zero-sized elements.
    let e: G<[u64; 0], C> = G::try_from(G::<[u64], C>::from(vec![])).unwrap();
    assert!(e.is_empty());
    let z: G<[(); 4], C> = G::try_from(G::<[()], C>::from(vec![(); 4])).unwrap();
    assert_eq!(z.len(), 4);
}

crate::for_each_counter!(
    arrays_move_their_elements,
    mut_refs_and_cows,
    c_os_and_path_strings,
    try_from_slice_keeps_the_block,
);
