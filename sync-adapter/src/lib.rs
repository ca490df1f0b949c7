//! Python's `weakref`, thread-safe: [`Arc`] and [`Weak`] whose weak handles
//! do not keep the value alive, usable from any thread.
//!
//! The same names and behaviour as `std::sync::Arc`, built on the verified
//! `weakref-core` control block (an atomic counter with std's orderings,
//! model-checked with loom). `#![no_std]`: it needs only `alloc`.
//!
//! ```
//! use weakref_sync::{Arc, Weak};
//!
//! let config = Arc::new(String::from("shared"));
//! let weak: Weak<String> = Arc::downgrade(&config);
//! let reader = std::thread::spawn(move || weak.upgrade().map(|s| s.len()));
//! assert_eq!(reader.join().unwrap(), Some(6));
//! ```
//!
//! `Arc<T>` is `Send` and `Sync` exactly when `T` is both:
//!
//! ```
//! fn assert_send_sync<T: Send + Sync>() {}
//! assert_send_sync::<weakref_sync::Arc<String>>();
//! assert_send_sync::<weakref_sync::Weak<String>>();
//! ```
//!
//! ```compile_fail,E0277
//! fn assert_send<T: Send>() {}
//! assert_send::<weakref_sync::Arc<core::cell::Cell<i32>>>(); // Cell is !Sync
//! ```
//!
//! ```compile_fail,E0277
//! fn assert_sync<T: Sync>() {}
//! assert_sync::<weakref_sync::Weak<core::cell::Cell<i32>>>();
//! ```
//!
//! ```compile_fail,E0277
//! fn assert_send<T: Send>() {}
//! assert_send::<weakref_sync::Arc<*const u8>>(); // raw pointers are neither
//! ```
//!
//! # Crate features
//!
//! * **`std`** (default): a reference-count overflow calls
//!   `std::process::abort` (without it: a double panic, which aborts too).
//!   Without `std` the crate is `no_std` + `alloc`.
//! * **`portable-atomic`**: the atomic counter from the `portable-atomic`
//!   crate, for targets without native compare-and-swap
//!   (`thumbv6m-none-eabi`). The final binary chooses how CAS is emulated:
//!   `portable-atomic`'s `critical-section` feature, or `--cfg
//!   portable_atomic_unsafe_assume_single_core` on a single-core chip.
//!
//! # Comparison with std
//!
//! `weakref_sync::Arc<T>` is `weakref_core::Strong<T, AtomicCount, Global>`:
//! every std method and trait of `Arc` is there (see [`Arc`]), with the same
//! memory orderings (each commented in `weakref-core`), on stable, with
//! `try_new`/`try_new_in` that report [`AllocError`] instead of aborting.
//! Differences: no `CoerceUnsized` (build unsized values with
//! `From<Box<T>>`, `From<Vec<T>>`, `From<&str>`, `collect()`), and `Eq`
//! compares values without std's pointer-equality shortcut.

#![no_std]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

pub use weakref_core::storage::{AllocError, Allocator, Global};

#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic"))]
use weakref_core::count::AtomicCount;

/// A thread-safe reference-counted pointer (std's `Arc`).
///
/// An alias of [`weakref_core::Strong`] with the atomic counter; its
/// methods are documented there.
///
/// # Examples
///
/// ```
/// use weakref_sync::Arc;
///
/// let a = Arc::new(5);
/// let b = Arc::clone(&a);
/// std::thread::spawn(move || assert_eq!(*b, 5)).join().unwrap();
/// assert_eq!(Arc::strong_count(&a), 1);
/// ```
#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic"))]
pub type Arc<T, A = Global> = weakref_core::Strong<T, AtomicCount, A>;

/// A weak handle to an [`Arc`]'s value (std's `sync::Weak`; Python's
/// `weakref.ref`).
///
/// An alias of [`weakref_core::Weak`] with the atomic counter.
///
/// # Examples
///
/// ```
/// use weakref_sync::{Arc, Weak};
///
/// let strong = Arc::new(1);
/// let weak: Weak<i32> = Arc::downgrade(&strong);
/// assert_eq!(weak.upgrade().as_deref(), Some(&1));
/// drop(strong);
/// assert!(weak.upgrade().is_none());
/// ```
#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic"))]
#[doc(alias = "ref")]
pub type Weak<T, A = Global> = weakref_core::Weak<T, AtomicCount, A>;
