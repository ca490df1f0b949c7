//! Parity with std: every stable item of `std::rc::Rc`, `std::sync::Arc`
//! and their `Weak`s (as of Rust 1.95: inherent functions, trait impls in
//! `alloc` and `std`), used through weakref's types in both families. Each
//! item is first named with its std shape (a function pointer of std's
//! signature, or a trait bound), so a missing item or a different
//! signature fails to compile; then it is called.
//!
//! Still missing, and why:
//!
//! * `Rc::new_cyclic` etc. are here; the *unstable* std items
//!   (`UniqueRc`, `get_mut_unchecked`, `is_unique`, `map`, `clone_from_ref`,
//!   `LocalWake`, `downcast_unchecked`) are out of scope (ours, where they
//!   exist, are checked elsewhere).
//! * `AsHandle` (Windows, both families) and `AsSocket` (Windows, `Arc`):
//!   not written, since no Windows target is built here to check them.
//! * `Eq`'s pointer-equality shortcut (std specialises `Rc<T: Eq>` ==
//!   to compare addresses first): stable Rust has no specialisation; ours
//!   always compares values (the same answer for lawful `Eq`).
//! * `impl Read/Write/Seek for Arc<R>` covers `File` only, as std 1.95
//!   does (later std versions may add other handles).
//! * Implicit unsizing coercions (`CoerceUnsized`, not an item): stable
//!   Rust cannot implement them; `unsize!` is the stand-in.
//!
//! Differences that remain in items present: the `From` conversions of
//! `CStr`, `OsStr` and `Path`, and `make_mut`'s copy of them, go through a
//! `Box` (one more allocation); `make_mut`'s bound is the sealed
//! `CloneToBlock` (std: the unstable `CloneToUninit`), implemented for the
//! same stable types;
//! `Rc<T>` implements `Error` too (std: only `Arc<T>`); `Weak`'s `Debug`
//! says whether the value lives (std prints `(Weak)`).

use std::any::Any;
use std::borrow::{Borrow, Cow};
use std::ffi::{CStr, CString, OsStr, OsString};
use std::fmt::{Debug, Pointer};
use std::hash::Hash;
use std::mem::MaybeUninit;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::path::{Path, PathBuf};
use std::pin::Pin;

fn is_clone<T: Clone>() {}
fn is_default<T: Default>() {}
fn is_debug<T: Debug + ?Sized>() {}
fn is_unwind_safe<T: UnwindSafe + RefUnwindSafe>() {}
fn is_send_sync<T: Send + Sync>() {}
fn is_unpin<T: Unpin>() {}

macro_rules! parity {
    ($family:ident, $krate:ident, $Rc:ident, $Any:ty) => {
        mod $family {
            use super::*;
            use $krate::{Weak, $Rc as Rc};

            #[test]
            fn constructors() {
                let f: fn(i32) -> Rc<i32> = Rc::new;
                assert_eq!(*f(1), 1);
                let f: fn(fn(&Weak<i32>) -> i32) -> Rc<i32> = Rc::new_cyclic;
                assert_eq!(*f(|w| w.upgrade().map_or(2, |_| 0)), 2);
                let f: fn(i32) -> Pin<Rc<i32>> = Rc::pin;
                assert_eq!(*f(3), 3);
                let f: fn() -> Rc<MaybeUninit<i32>> = Rc::<i32>::new_uninit;
                let g: unsafe fn(Rc<MaybeUninit<i32>>) -> Rc<i32> =
                    Rc::<MaybeUninit<i32>>::assume_init;
                let mut u = f();
                Rc::get_mut(&mut u).unwrap().write(4);
                // SAFETY: written just above.
                assert_eq!(*unsafe { g(u) }, 4);
                let f: fn() -> Rc<MaybeUninit<i32>> = Rc::<i32>::new_zeroed;
                // SAFETY: zero is a valid `i32`.
                assert_eq!(*unsafe { f().assume_init() }, 0);
                let f: fn(usize) -> Rc<[MaybeUninit<i32>]> = Rc::<[i32]>::new_uninit_slice;
                let g: unsafe fn(Rc<[MaybeUninit<i32>]>) -> Rc<[i32]> =
                    Rc::<[MaybeUninit<i32>]>::assume_init;
                let mut u = f(2);
                for slot in Rc::get_mut(&mut u).unwrap() {
                    slot.write(5);
                }
                // SAFETY: written just above.
                assert_eq!(*unsafe { g(u) }, [5, 5]);
                let f: fn(usize) -> Rc<[MaybeUninit<i32>]> = Rc::<[i32]>::new_zeroed_slice;
                // SAFETY: zeros are valid `i32`s.
                assert_eq!(*unsafe { f(2).assume_init() }, [0, 0]);
            }

            #[test]
            fn ownership() {
                let f: fn(Rc<i32>) -> Result<i32, Rc<i32>> = Rc::try_unwrap;
                assert_eq!(f(Rc::new(1)), Ok(1));
                let f: fn(Rc<i32>) -> Option<i32> = Rc::into_inner;
                assert_eq!(f(Rc::new(2)), Some(2));
                let f: fn(Rc<i32>) -> i32 = Rc::unwrap_or_clone;
                assert_eq!(f(Rc::new(3)), 3);
                let f: fn(&mut Rc<i32>) -> Option<&mut i32> = Rc::get_mut;
                let mut x = Rc::new(4);
                *f(&mut x).unwrap() += 1;
                let f: fn(&mut Rc<i32>) -> &mut i32 = Rc::make_mut;
                let y = Rc::clone(&x);
                *f(&mut x) += 1;
                assert_eq!((*x, *y), (6, 5));
                let f: fn(&mut Rc<[i32]>) -> &mut [i32] = Rc::make_mut;
                let mut s: Rc<[i32]> = Rc::from([1, 2]);
                let t = Rc::clone(&s);
                f(&mut s)[0] = 0;
                assert_eq!((&s[..], &t[..]), (&[0, 2][..], &[1, 2][..]));
                let f: fn(&mut Rc<str>) -> &mut str = Rc::make_mut;
                let mut s: Rc<str> = Rc::from("a");
                f(&mut s).make_ascii_uppercase();
                assert_eq!(&*s, "A");
                let f: fn(&mut Rc<CStr>) -> &mut CStr = Rc::make_mut;
                let mut c: Rc<CStr> = Rc::from(c"a");
                let d = Rc::clone(&c);
                assert_eq!(f(&mut c), &*d);
                let f: fn(&mut Rc<OsStr>) -> &mut OsStr = Rc::make_mut;
                let mut o: Rc<OsStr> = Rc::from(OsStr::new("a"));
                f(&mut o).make_ascii_uppercase();
                assert_eq!(&*o, "A");
                let f: fn(&mut Rc<Path>) -> &mut Path = Rc::make_mut;
                let mut p: Rc<Path> = Rc::from(Path::new("a"));
                assert_eq!(f(&mut p), Path::new("a"));
                let f: fn(Rc<$Any>) -> Result<Rc<i32>, Rc<$Any>> = Rc::<$Any>::downcast::<i32>;
                let any: Rc<$Any> = weakref_core::unsize!(Rc::new(7), $Any);
                assert_eq!(*f(any).unwrap(), 7);
            }

            #[test]
            fn counts_and_raw() {
                let x = Rc::new(1);
                let f: fn(&Rc<i32>) -> Weak<i32> = Rc::downgrade;
                let w = f(&x);
                let f: fn(&Rc<i32>) -> usize = Rc::strong_count;
                let g: fn(&Rc<i32>) -> usize = Rc::weak_count;
                assert_eq!((f(&x), g(&x)), (1, 1));
                let f: fn(&Rc<i32>, &Rc<i32>) -> bool = Rc::ptr_eq;
                assert!(f(&x, &Rc::clone(&x)));
                let f: fn(&Rc<i32>) -> *const i32 = Rc::as_ptr;
                let p = f(&x);
                let f: fn(Rc<i32>) -> *const i32 = Rc::into_raw;
                assert_eq!(f(Rc::clone(&x)), p);
                let f: unsafe fn(*const i32) = Rc::increment_strong_count;
                let g: unsafe fn(*const i32) = Rc::decrement_strong_count;
                // SAFETY: `p` came from `into_raw` above and holds a count.
                unsafe { f(p) };
                assert_eq!(Rc::strong_count(&x), 3);
                // SAFETY: two counts are held through `p`; give both back.
                unsafe { g(p) };
                let f: unsafe fn(*const i32) -> Rc<i32> = Rc::from_raw;
                // SAFETY: one count is still held through `p`.
                drop(unsafe { f(p) });
                assert_eq!(Rc::strong_count(&x), 1);

                const EMPTY: Weak<i32> = Weak::new();
                let f: fn() -> Weak<i32> = Weak::new;
                assert!(f().upgrade().is_none() && EMPTY.upgrade().is_none());
                let f: fn(&Weak<i32>) -> Option<Rc<i32>> = Weak::upgrade;
                assert_eq!(f(&w).as_deref(), Some(&1));
                let f: fn(&Weak<i32>) -> usize = Weak::strong_count;
                let g: fn(&Weak<i32>) -> usize = Weak::weak_count;
                assert_eq!((f(&w), g(&w)), (1, 1));
                let f: fn(&Weak<i32>, &Weak<i32>) -> bool = Weak::ptr_eq;
                assert!(f(&w, &w.clone()));
                let f: fn(&Weak<i32>) -> *const i32 = Weak::as_ptr;
                assert_eq!(f(&w), p);
                let f: fn(Weak<i32>) -> *const i32 = Weak::into_raw;
                let g: unsafe fn(*const i32) -> Weak<i32> = Weak::from_raw;
                // SAFETY: from `into_raw` of a `Weak`.
                let w = unsafe { g(f(w)) };
                drop(x);
                assert!(w.upgrade().is_none());
            }

            #[test]
            fn traits_of_the_handle() {
                fn deref<T: std::ops::Deref<Target = i32>>(x: T) -> i32 {
                    *x
                }
                assert_eq!(deref(Rc::new(1)), 1);
                assert!(std::mem::needs_drop::<Rc<i32>>());
                is_clone::<Rc<i32>>();
                is_default::<Rc<i32>>();
                is_default::<Rc<str>>();
                is_default::<Rc<[i32]>>();
                is_default::<Rc<CStr>>();
                is_default::<Pin<Rc<i32>>>();
                assert_eq!(<Pin<Rc<i32>>>::default().as_ref().get_ref(), &0);
                assert_eq!(&*Rc::<CStr>::default(), c"");
                assert!(Rc::new(1) == Rc::new(1) && Rc::new(1) < Rc::new(2));
                assert_eq!(Rc::new(1).cmp(&Rc::new(1)), std::cmp::Ordering::Equal);
                fn hash<T: Hash + Eq + Ord>(_: T) {}
                hash(Rc::new(1));
                assert_eq!(format!("{} {:?}", Rc::new(1), Rc::new("a")), "1 \"a\"");
                fn pointer<T: Pointer>(x: T) -> String {
                    format!("{x:p}")
                }
                let x = Rc::new(1);
                assert_eq!(pointer(Rc::clone(&x)), format!("{:p}", Rc::as_ptr(&x)));
                let b: &i32 = Borrow::borrow(&x);
                let r: &i32 = AsRef::as_ref(&x);
                assert_eq!((b, r), (&1, &1));
                is_unpin::<Rc<std::marker::PhantomPinned>>();
                is_unwind_safe::<Rc<i32>>();
                let e: Rc<std::fmt::Error> = Rc::new(std::fmt::Error);
                fn error<T: std::error::Error>(_: &T) {}
                error(&e);
                #[cfg(unix)]
                {
                    use std::os::fd::{AsFd, AsRawFd};
                    let out = Rc::new(std::io::stdout());
                    assert_eq!((out.as_fd().as_raw_fd(), out.as_raw_fd()), (1, 1));
                }
            }

            #[test]
            fn conversions() {
                let _: Rc<i32> = Rc::from(1);
                let a: Rc<[i32]> = Rc::from([1, 2]);
                assert_eq!(a, Rc::from(&[1, 2][..]));
                assert_eq!(a, Rc::from(&mut [1, 2][..]));
                assert_eq!(a, Rc::from(vec![1, 2]));
                assert_eq!(a, Rc::from(Box::from([1, 2])));
                assert_eq!(a, [1, 2].into_iter().collect::<Rc<[i32]>>());
                assert_eq!(a, Rc::from(Cow::Borrowed(&[1, 2][..])));
                let s: Rc<str> = Rc::from("x");
                assert_eq!(s, Rc::from(String::from("x").as_mut_str()));
                assert_eq!(s, Rc::from(String::from("x")));
                assert_eq!(s, Rc::from(Cow::Borrowed("x")));
                assert_eq!(&Rc::<[u8]>::from(Rc::clone(&s))[..], b"x");
                let arr: Result<Rc<[i32; 2]>, Rc<[i32]>> = Rc::try_from(Rc::clone(&a));
                assert_eq!(*arr.unwrap(), [1, 2]);
                let c: Rc<CStr> = Rc::from(c"x");
                assert_eq!(c, Rc::from(CString::from(c"x")));
                assert_eq!(c, Rc::from(&mut *CString::from(c"x").into_boxed_c_str()));
                assert_eq!(c, Rc::from(Cow::Borrowed(c"x")));
                let o: Rc<OsStr> = Rc::from(OsStr::new("x"));
                assert_eq!(o, Rc::from(OsString::from("x")));
                assert_eq!(o, Rc::from(&mut *OsString::from("x")));
                assert_eq!(o, Rc::from(Cow::Borrowed(OsStr::new("x"))));
                let p: Rc<Path> = Rc::from(Path::new("x"));
                assert_eq!(p, Rc::from(PathBuf::from("x")));
                assert_eq!(p, Rc::from(&mut *PathBuf::from("x")));
                assert_eq!(p, Rc::from(Cow::Borrowed(Path::new("x"))));
            }

            #[test]
            fn traits_of_weak() {
                is_clone::<Weak<i32>>();
                is_default::<Weak<i32>>();
                is_debug::<Weak<str>>();
                assert!(std::mem::needs_drop::<Weak<i32>>());
                assert!(Weak::<i32>::default().upgrade().is_none());
                // std prints `(Weak)` always; ours says whether it is alive.
                assert_eq!(format!("{:?}", Weak::<i32>::new()), "(Weak: dead)");
            }
        }
    };
}

parity!(rc, weakref_std, Rc, dyn Any);
parity!(arc, weakref_sync, Arc, dyn Any + Send + Sync);

/// The atomic family's extras: `Send`/`Sync`, `Error`, `Read`/`Write`/
/// `Seek` for a shared `File`, `Weak`'s unwind safety, and `Wake`.
mod arc_only {
    use super::*;
    use std::io::{Read, Seek, SeekFrom, Write};
    use std::task::{RawWaker, Waker};
    use weakref_sync::{Arc, Wake, Weak};

    #[test]
    #[cfg_attr(miri, ignore = "opens a file, which Miri's isolation forbids")]
    fn threads_and_files() {
        is_send_sync::<Arc<i32>>();
        is_send_sync::<Weak<i32>>();
        is_unwind_safe::<Weak<i32>>();
        fn io<T: Read + Write + Seek>() {}
        io::<Arc<std::fs::File>>();
        let path = std::env::temp_dir().join(format!("weakref-parity-{}", std::process::id()));
        let mut file = Arc::new(
            std::fs::File::options()
                .create(true)
                .truncate(true)
                .read(true)
                .write(true)
                .open(&path)
                .unwrap(),
        );
        file.write_all(b"abc").unwrap();
        file.seek(SeekFrom::Start(1)).unwrap();
        let mut rest = String::new();
        Arc::clone(&file).read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "bc");
        drop(file);
        std::fs::remove_file(path).unwrap();
    }

    struct Nop;
    impl Wake for Nop {
        fn wake(_this: Arc<Self>) {}
    }

    #[test]
    fn wakers() {
        let f: fn(Arc<Nop>) -> Waker = Waker::from;
        let g: fn(Arc<Nop>) -> RawWaker = RawWaker::from;
        let n = Arc::new(Nop);
        f(Arc::clone(&n)).wake();
        // SAFETY: a `RawWaker` from `From<Arc<W>>` meets `Waker`'s contract.
        drop(unsafe { Waker::from_raw(g(Arc::clone(&n))) });
        assert_eq!(Arc::strong_count(&n), 1);
    }
}
