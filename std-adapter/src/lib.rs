//! Python's `weakref`, single-threaded: [`Rc`] and [`Weak`] whose weak
//! handles do not keep the value alive.
//!
//! The same names and behaviour as `std::rc`, built on the verified
//! `weakref-core` control block (a `Cell` counter, the heap through
//! [`Global`]). For the thread-safe family see `weakref-sync`.
//!
//! The types here are aliases of weakref-core's generic ones, and compiler
//! errors print those:
//!
//! | here | in compiler messages |
//! |---|---|
//! | `Rc<T>` | `weakref_core::Strong<T, LocalCount, Global>` |
//! | `Weak<T>` | `weakref_core::Weak<T, LocalCount, Global>` |
//! | `WeakRef<T>`, `Finalizer<T, F>`, … | `weakref_core::callbacks::WeakRef<T, LocalCount, Global>`, … |
//! | `WeakValueMap<K, V>` | `weakref_core::collections::WeakValueMap<K, V, LocalCount, RandomState>` |
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
//! | `WeakValueDictionary` | [`WeakValueMap<K, V>`](WeakValueMap) |
//! | `WeakKeyDictionary` | [`WeakKeyMap<K, V>`](WeakKeyMap) (by value), [`PtrWeakKeyMap<K, V>`](PtrWeakKeyMap) (by identity) |
//! | `WeakSet` | [`WeakSet<T>`](WeakSet) (by value), [`PtrWeakSet<T>`](PtrWeakSet) (by identity) |
//! | `weakref.ref(obj, callback)` | [`WeakRef::with_callback(&rc, f)`](WeakRef) |
//! | `weakref.finalize(obj, func)` | [`finalize(&rc, func)`](finalize) → [`Finalizer`] |
//! | `weakref.WeakMethod` | [`WeakMethod`] |
//! | `weakref.proxy`, `ReferenceError` | [`Proxy`], [`ReferenceError`] |
//! | `weakref.getweakrefs(obj)` | [`getweakrefs(&rc)`](getweakrefs) |
//!
//! The weak collections hold `Rc` handles weakly and hash with std's
//! `RandomState` by default; their semantics (dead entries are never
//! returned, `len` versus `live_len`, purging) are described in
//! [`weakref_core::collections`].
//!
//! ```
//! use weakref_std::{Rc, WeakValueMap};
//!
//! let mut cache: WeakValueMap<String, Vec<u8>> = WeakValueMap::new();
//! let image = Rc::new(vec![0u8; 600 * 1200]);
//! cache.insert("sunset.png".to_owned(), &image);
//! assert!(cache.contains_key("sunset.png"));
//! drop(image); // the cache does not keep it alive
//! assert!(cache.get("sunset.png").is_none());
//! ```
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
//! * **`serde`**: `Serialize`/`Deserialize` for [`Rc`] (the value; each
//!   deserialized `Rc` is a new allocation, sharing is not preserved) and
//!   [`Weak`] (an `Option`, `None` once dead; deserializes to an empty
//!   `Weak::new()`), as serde's `rc` feature does for std's.
//!
//! # Comparison with std
//!
//! `weakref_std::Rc<T>` is `weakref_core::Strong<T, LocalCount, Global>`.
//! Every stable item of `std::rc::Rc` and `std::rc::Weak` (Rust 1.95) is
//! there with std's signature, on stable Rust from 1.85: the workspace test
//! `std_parity` names and calls each one (constructors, `make_mut` for
//! sized values, slices, `str`, `CStr`, `OsStr` and `Path`, `downcast`, the raw-pointer functions,
//! every `From` conversion including arrays, `Cow`, `CStr`, `OsStr` and
//! `Path`, `TryFrom` into arrays, `Default` for `str`, `[T]`, `CStr` and
//! `Pin<Rc<T>>`, `UnwindSafe`, `AsFd`/`AsRawFd` …). Beyond std:
//! `try_new`/`try_new_in` report [`AllocError`] instead of aborting, and
//! the allocator API is stable.
//!
//! Differences that remain: no implicit `CoerceUnsized` on stable (write
//! [`unsize!`](crate::unsize!)); `Eq` compares values without std's
//! pointer-equality shortcut; the `From` conversions and `make_mut` of
//! `CStr`, `OsStr` and `Path` allocate once more than std (through a
//! `Box`); `Weak`'s
//! `Debug` says whether the value lives; `Rc<T>` is `Error` when `T` is
//! (std: only `Arc`); no `AsHandle` on Windows yet. See weakref-core's
//! "Comparison with std".

#![no_std]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

extern crate alloc;
extern crate std;

mod callbacks;
pub use callbacks::*;

pub use weakref_core::storage::{AllocError, Allocator, Global};

/// Unsizing in place: `unsize!(rc, dyn Trait)`, `unsize!(rc, [T])`, and
/// the `Opaque` view its closure coerces (stable Rust's stand-in for
/// std's unsizing coercions; see [`weakref_core::unsize`](mod@weakref_core::unsize)).
///
/// # Examples
///
/// ```
/// use weakref_std::{Rc, Weak, unsize};
///
/// trait Listener {
///     fn notify(&self) -> &'static str;
/// }
/// struct Button;
/// impl Listener for Button {
///     fn notify(&self) -> &'static str {
///         "clicked"
///     }
/// }
///
/// let listener: Rc<dyn Listener> = unsize!(Rc::new(Button), dyn Listener);
/// let w: Weak<dyn Listener> = Rc::downgrade(&listener);
/// assert_eq!(w.upgrade().unwrap().notify(), "clicked");
/// ```
pub use weakref_core::unsize;

/// The weak collections' iterator and entry types (their generic forms,
/// over `LocalCount` here).
pub use weakref_core::collections::{TryReserveError, key_map, set, value_map};

use std::hash::RandomState;
use weakref_core::count::LocalCount;

/// This crate's README, its code blocks compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
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

/// A hash map holding its values weakly (Python's `WeakValueDictionary`):
/// an entry vanishes when the last [`Rc`] to its value is dropped.
///
/// An alias of [`weakref_core::collections::WeakValueMap`], whose methods
/// and guarantees are documented there.
///
/// # Examples
///
/// ```
/// use weakref_std::{Rc, WeakValueMap};
///
/// let mut by_name: WeakValueMap<&str, String> = WeakValueMap::new();
/// // The map holds the value weakly: `insert_new` returns the handle to keep.
/// let ada: Rc<String> = by_name.insert_new("ada", "Ada Lovelace".to_owned());
/// assert_eq!(by_name.get("ada").as_deref().map(String::as_str), Some("Ada Lovelace"));
/// drop(ada);
/// assert!(by_name.get("ada").is_none());
/// ```
#[doc(alias = "WeakValueDictionary")]
pub type WeakValueMap<K, V, S = RandomState> =
    weakref_core::collections::WeakValueMap<K, V, LocalCount, S>;

/// A hash map holding its keys weakly, compared by value (Python's
/// `WeakKeyDictionary`).
///
/// An alias of [`weakref_core::collections::WeakKeyMap`].
///
/// # Examples
///
/// ```
/// use weakref_std::{Rc, WeakKeyMap};
///
/// let mut notes: WeakKeyMap<String, &str> = WeakKeyMap::new();
/// // The map holds the key weakly: `insert_new` returns the handle to keep.
/// let page: Rc<String> = notes.insert_new("/about".to_owned(), "needs review");
/// assert_eq!(notes.get("/about"), Some(&"needs review"));
/// drop(page);
/// assert_eq!(notes.get("/about"), None);
/// ```
#[doc(alias = "WeakKeyDictionary")]
pub type WeakKeyMap<K, V, S = RandomState> =
    weakref_core::collections::WeakKeyMap<K, V, LocalCount, S>;

/// A hash map holding its keys weakly, compared by identity.
///
/// An alias of [`weakref_core::collections::PtrWeakKeyMap`].
///
/// # Examples
///
/// ```
/// use weakref_std::{PtrWeakKeyMap, Rc};
///
/// struct Node;
/// let mut depth: PtrWeakKeyMap<Node, u32> = PtrWeakKeyMap::new();
/// let root: Rc<Node> = depth.insert_new(Node, 0);
/// let child = Rc::new(Node);
/// depth.insert(&child, 1);
/// assert_eq!((depth.get(&root), depth.get(&child)), (Some(&0), Some(&1)));
/// ```
pub type PtrWeakKeyMap<K, V, S = RandomState> =
    weakref_core::collections::PtrWeakKeyMap<K, V, LocalCount, S>;

/// A hash set holding its elements weakly, compared by value (Python's
/// `WeakSet`).
///
/// An alias of [`weakref_core::collections::WeakSet`].
///
/// # Examples
///
/// ```
/// use weakref_std::{Rc, WeakSet};
///
/// let mut symbols: WeakSet<str> = WeakSet::new();
/// let a = symbols.get_or_insert_with("x", |s| Rc::from(s));
/// let b = symbols.get_or_insert_with("x", |s| Rc::from(s));
/// assert!(Rc::ptr_eq(&a, &b)); // interned
/// ```
pub type WeakSet<T, S = RandomState> = weakref_core::collections::WeakSet<T, LocalCount, S>;

/// A hash set holding its elements weakly, compared by identity.
///
/// An alias of [`weakref_core::collections::PtrWeakSet`].
///
/// # Examples
///
/// ```
/// use weakref_std::{PtrWeakSet, Rc};
///
/// let (a, b) = (Rc::new(1), Rc::new(1));
/// let mut members: PtrWeakSet<i32> = PtrWeakSet::new();
/// members.insert(&a);
/// members.insert(&b);
/// assert_eq!(members.live_len(), 2); // equal values, two objects
/// ```
pub type PtrWeakSet<T, S = RandomState> = weakref_core::collections::PtrWeakSet<T, LocalCount, S>;
