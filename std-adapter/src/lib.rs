//! Python's `weakref`, single-threaded: [`Rc`] and [`Weak`] whose weak
//! handles do not keep the value alive.
//!
//! The same names and behaviour as `std::rc`, built on the verified
//! `weakref-core` control block (a `Cell` counter, the heap through
//! [`Global`]). For the thread-safe family see `weakref-sync`.
//!
//! ```
//! use weakref_std::{Rc, Weak};
//!
//! struct Image {
//!     pixels: Vec<u8>,
//! }
//!
//! let image = Rc::new(Image { pixels: vec![0; 600 * 1200] });
//! let weak: Weak<Image> = Rc::downgrade(&image);
//! // While a strong handle lives, the weak one upgrades to the same object.
//! let again = weak.upgrade().expect("alive");
//! assert!(Rc::ptr_eq(&image, &again));
//! assert_eq!(again.pixels.len(), 720_000);
//! drop((image, again));
//! // Then the value is gone, and `upgrade` says so.
//! assert!(weak.upgrade().is_none());
//! ```
//!
//! | Python | Rust |
//! |---|---|
//! | `weakref.ref(obj)` | [`Rc::downgrade(&rc)`](Rc::downgrade) |
//! | `r()` | [`weak.upgrade()`](Weak::upgrade) → `Option<Rc<T>>` |
//! | `weakref.getweakrefcount(obj)` | [`Rc::weak_count(&rc)`](Rc::weak_count) |
//! | `sys.getrefcount(obj)` | [`Rc::strong_count(&rc)`](Rc::strong_count) |
//!
//! `Rc` is neither `Send` nor `Sync` (its counter is two `Cell`s):
//!
//! ```compile_fail,E0277
//! fn assert_send<T: Send>() {}
//! assert_send::<weakref_std::Rc<i32>>();
//! ```
//!
//! ```compile_fail,E0277
//! fn assert_sync<T: Sync>() {}
//! assert_sync::<weakref_std::Rc<i32>>();
//! ```
//!
//! ```compile_fail,E0277
//! fn assert_send<T: Send>() {}
//! assert_send::<weakref_std::Weak<i32>>();
//! ```
//!
//! and a [`Weak`] has no `Deref`: reach the value through `upgrade`.
//!
//! ```compile_fail,E0614
//! let rc = weakref_std::Rc::new(5);
//! let weak = weakref_std::Rc::downgrade(&rc);
//! let five: i32 = *weak;
//! ```
//!
//! # Crate features
//!
//! None yet: this crate always uses `std`.
//!
//! # Comparison with std
//!
//! `weakref_std::Rc<T>` is `weakref_core::Strong<T, LocalCount, Global>`:
//! every std method and trait of `Rc` is there (see [`Rc`]), on stable,
//! with `try_new`/`try_new_in` that report [`AllocError`] instead of
//! aborting. Differences: no `CoerceUnsized` (build unsized values with
//! `From<Box<T>>`, `From<Vec<T>>`, `From<&str>`, `collect()`), and `Eq`
//! compares values without std's pointer-equality shortcut.

#![no_std]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

pub use weakref_core::storage::{AllocError, Allocator, Global};

use weakref_core::count::LocalCount;

/// The README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// A single-threaded reference-counted pointer (std's `Rc`).
///
/// An alias of [`weakref_core::Strong`] with the `Cell` counter; its
/// methods are documented there.
///
/// # Examples
///
/// ```
/// use weakref_std::Rc;
///
/// let a = Rc::new(vec![1, 2, 3]);
/// let b = Rc::clone(&a);
/// assert_eq!(Rc::strong_count(&a), 2);
/// assert_eq!(*b, [1, 2, 3]);
/// ```
pub type Rc<T, A = Global> = weakref_core::Strong<T, LocalCount, A>;

/// A weak handle to an [`Rc`]'s value (std's `rc::Weak`; Python's
/// `weakref.ref`).
///
/// An alias of [`weakref_core::Weak`] with the `Cell` counter.
///
/// # Examples
///
/// ```
/// use weakref_std::{Rc, Weak};
///
/// let strong = Rc::new("value");
/// let weak: Weak<&str> = Rc::downgrade(&strong);
/// assert_eq!(weak.upgrade().as_deref(), Some(&"value"));
/// drop(strong);
/// assert!(weak.upgrade().is_none());
/// ```
#[doc(alias = "ref")]
pub type Weak<T, A = Global> = weakref_core::Weak<T, LocalCount, A>;
