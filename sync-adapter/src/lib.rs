//! Python's `weakref`, thread-safe: [`Arc`] and [`Weak`] whose weak handles
//! do not keep the value alive, usable from any thread.
//!
//! The same names and behaviour as `std::sync::Arc`, built on the verified
//! `weakref-core` control block (an atomic counter with std's orderings,
//! model-checked with loom). `#![no_std]`: it needs only `alloc`.
//!
//! The types here are aliases of weakref-core's generic ones, and compiler
//! errors print those:
//!
//! | here | in compiler messages |
//! |---|---|
//! | `Arc<T>` | `weakref_core::Strong<T, AtomicCount, Global>` |
//! | `Weak<T>` | `weakref_core::Weak<T, AtomicCount, Global>` |
//! | `WeakRef<T>`, `Finalizer<T, F>`, … | `weakref_core::callbacks::WeakRef<T, AtomicCount, Global>`, … |
//! | `WeakCache<K, V>` | `weakref_core::collections::WeakCache<K, V, AtomicCount, RandomState>` |
//! | `WeakLruCache<K, V>` | `weakref_core::collections::WeakLruCache<K, V, AtomicCount, RandomState>` |
//! | `wait_free::Arc<T>` | `weakref_core::Strong<T, AtomicCount<usize, WaitFree>, Global>` |
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
//! # Death callbacks
//!
//! [`WeakRef::with_callback`](WeakRef), [`finalize`], [`WeakMethod`],
//! [`Proxy`] and [`getweakrefs`] (Python's `ref(obj, callback)`,
//! `finalize`, `WeakMethod`, `proxy`, `getweakrefs`): a callback runs once,
//! on the thread that dropped the last `Arc`, newest first, after every weak
//! handle died. The registry is one map behind a lock (std's `Mutex` with
//! the default `std` feature, a spin lock without it), held only for map
//! operations; a value that never gets a callback pays nothing for it.
//!
//! ```
//! use std::sync::mpsc;
//! use weakref_sync::{Arc, WeakRef};
//!
//! let (tx, rx) = mpsc::channel();
//! let job = Arc::new("job 7");
//! let _watch = WeakRef::with_callback(&job, move || tx.send("job 7 finished").unwrap());
//! std::thread::spawn(move || drop(job)).join().unwrap();
//! assert_eq!(rx.recv(), Ok("job 7 finished"));
//! ```
//!
//! # Weak collections
//!
//! [`WeakValueMap`], [`WeakKeyMap`], [`PtrWeakKeyMap`], [`WeakSet`] and
//! [`PtrWeakSet`] (Python's `WeakValueDictionary`, `WeakKeyDictionary` and
//! `WeakSet`) hold `Arc` handles weakly. They are `Send` and `Sync` when
//! their contents are, so a cache can sit behind a lock shared by threads;
//! a value dropped on another thread simply stops being returned. Their
//! semantics are described in [`weakref_core::collections`].
//!
//! ```
//! use std::sync::Mutex;
//! use weakref_sync::{Arc, WeakValueMap};
//!
//! let cache: Mutex<WeakValueMap<u32, String>> = Mutex::new(WeakValueMap::new());
//! let value = Arc::new("shared".to_owned());
//! cache.lock().unwrap().insert(1, &value);
//! std::thread::scope(|s| {
//!     s.spawn(|| assert!(cache.lock().unwrap().get(&1).is_some()));
//! });
//! drop(value);
//! assert!(cache.lock().unwrap().get(&1).is_none());
//! ```
//!
//! The hasher: with `std`, std's `RandomState` by default (HashDoS-resistant).
//! Without `std` the aliases take the hasher as a required parameter; feature
//! `default-hasher` offers [`DefaultHashBuilder`](weakref_core::collections)
//! (hashbrown's, foldhash-based): much faster on small keys, but **not
//! HashDoS-resistant**, so only for keys an adversary does not choose.
//!
//! # Crate features
//!
//! * **`std`** (default): a reference-count overflow calls
//!   `std::process::abort` (without it: a double panic, which aborts too),
//!   and the weak collections default to std's `RandomState`.
//!   Without `std` the crate is `no_std` + `alloc`.
//! * **`default-hasher`**: `DefaultHashBuilder`, hashbrown's fast hasher,
//!   for the weak collections without `std` (not HashDoS-resistant).
//! * **`portable-atomic`**: the atomic counter from the `portable-atomic`
//!   crate, for targets without native compare-and-swap
//!   (`thumbv6m-none-eabi`). The final binary chooses how CAS is emulated:
//!   `portable-atomic`'s `critical-section` feature, or `--cfg
//!   portable_atomic_unsafe_assume_single_core` on a single-core chip.
//!
//! # Comparison with std
//!
//! `weakref_sync::Arc<T>` is `weakref_core::Strong<T, AtomicCount, Global>`:
//! every stable item of `std::sync::Arc` and `std::sync::Weak` (Rust 1.95)
//! is there with std's signature and memory orderings (each commented in
//! `weakref-core`), on stable Rust from 1.85, as the workspace test
//! `std_parity` checks item by item, including [`Wake`] and
//! `Waker::from(arc)`. `try_new`/`try_new_in` report [`AllocError`]
//! instead of aborting. Differences: no implicit `CoerceUnsized` on stable
//! (write [`unsize!`](crate::unsize!)); `Eq` compares values without std's pointer-equality
//! shortcut; no `AsHandle`/`AsSocket` on Windows yet. See weakref-core's
//! "Comparison with std".

#![no_std]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

pub use weakref_core::storage::{AllocError, Allocator, Global};

/// std's `Wake` for this crate's [`Arc`]: implement it, then
/// `Waker::from(arc)` (see [`weakref_core::task`]).
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::task::Waker;
/// use weakref_sync::{Arc, Wake};
///
/// struct Flag(AtomicBool);
/// impl Wake for Flag {
///     fn wake(this: Arc<Self>) {
///         this.0.store(true, Ordering::Release);
///     }
/// }
/// let flag = Arc::new(Flag(AtomicBool::new(false)));
/// Waker::from(Arc::clone(&flag)).wake();
/// assert!(flag.0.load(Ordering::Acquire));
/// ```
pub use weakref_core::task::Wake;

/// Unsizing in place: `unsize!(rc, dyn Trait)`, `unsize!(rc, [T])`, and
/// the `Opaque` view its closure coerces (stable Rust's stand-in for
/// std's unsizing coercions; see [`weakref_core::unsize`](mod@weakref_core::unsize)).
///
/// # Examples
///
/// ```
/// use core::any::Any;
/// use weakref_sync::{Arc, unsize};
///
/// let any: Arc<dyn Any + Send + Sync> = unsize!(Arc::new(5u8), dyn Any + Send + Sync);
/// assert_eq!(any.downcast_ref::<u8>(), Some(&5));
/// let bytes: Arc<[u8]> = unsize!(Arc::new([1, 2, 3]), [u8]);
/// assert_eq!(bytes.len(), 3);
/// ```
pub use weakref_core::unsize;

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic"))]
mod callbacks;
#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic"))]
pub use callbacks::*;

/// The weak collections' iterator and entry types (their generic forms,
/// over `AtomicCount` here).
pub use weakref_core::collections::{TryReserveError, key_map, set, value_map};

/// hashbrown's default hasher (foldhash): fast, **not HashDoS-resistant**.
#[cfg(feature = "default-hasher")]
pub use weakref_core::collections::DefaultHashBuilder;

#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic"))]
use weakref_core::count::AtomicCount;

/// This crate's README, its code blocks compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

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

/// `Arc` and `Weak` whose `upgrade` never retries: the counter
/// [`WaitFreeCount`](weakref_core::count::WaitFreeCount) (Parkinson,
/// Clebsch and Simner, "Wait-Free Weak Reference Counting", ISMM 2023).
///
/// Under contention an upgrade is one `fetch_add`, as a clone is, where
/// [`crate::Arc`]'s (and std's) compare-and-swap loop may retry. The price
/// is paid when a value dies: its last drop adds a compare-and-swap (the
/// sticky dead flag). Everything else (callbacks, weak collections over
/// `WaitFreeCount`, `get_mut`, `make_mut`) works as with [`crate::Arc`];
/// BENCHMARKS.md has the trade-off measured against std and `AtomicCount`.
///
/// # Examples
///
/// ```
/// use weakref_sync::wait_free::{Arc, Weak};
///
/// let config = Arc::new(String::from("shared"));
/// let weak: Weak<String> = Arc::downgrade(&config);
/// let reader = std::thread::spawn(move || weak.upgrade().map(|s| s.len()));
/// assert_eq!(reader.join().unwrap(), Some(6));
/// ```
#[cfg(any(target_has_atomic = "ptr", feature = "portable-atomic"))]
pub mod wait_free {
    use weakref_core::count::WaitFreeCount;
    use weakref_core::storage::Global;

    /// [`crate::Arc`] with the wait-free upgrade (see the [module](self)).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_sync::wait_free::Arc;
    ///
    /// let a = Arc::new(5);
    /// let weak = Arc::downgrade(&a);
    /// assert_eq!(weak.upgrade().as_deref(), Some(&5));
    /// drop(a);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub type Arc<T, A = Global> = weakref_core::Strong<T, WaitFreeCount, A>;

    /// [`crate::Weak`] of a wait-free [`Arc`].
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_sync::wait_free::{Arc, Weak};
    ///
    /// let strong = Arc::new(1);
    /// let weak: Weak<i32> = Arc::downgrade(&strong);
    /// assert_eq!(weak.strong_count(), 1);
    /// ```
    pub type Weak<T, A = Global> = weakref_core::Weak<T, WaitFreeCount, A>;
}

/// Defines a collection alias over `AtomicCount`: with `std`, the hasher
/// defaults to std's `RandomState`; without, it must be named.
macro_rules! collection_alias {
    ($(#[$attr:meta])* $name:ident<$($param:ident),*> = $target:ident) => {
        $(#[$attr])*
        #[cfg(all(feature = "std", any(target_has_atomic = "ptr", feature = "portable-atomic")))]
        pub type $name<$($param,)* S = std::hash::RandomState> =
            weakref_core::collections::$target<$($param,)* AtomicCount, S>;

        $(#[$attr])*
        #[cfg(all(not(feature = "std"), any(target_has_atomic = "ptr", feature = "portable-atomic")))]
        pub type $name<$($param,)* S> = weakref_core::collections::$target<$($param,)* AtomicCount, S>;
    };
}

collection_alias! {
    /// A thread-safe hash map holding its values weakly (Python's
    /// `WeakValueDictionary`): an entry vanishes when the last [`Arc`] to
    /// its value is dropped, on any thread.
    ///
    /// An alias of [`weakref_core::collections::WeakValueMap`], whose
    /// methods and guarantees are documented there; `Send + Sync` when `K`
    /// and `V` are.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_sync::{Arc, WeakValueMap};
    ///
    /// fn assert_send_sync<T: Send + Sync>() {}
    /// assert_send_sync::<WeakValueMap<String, Vec<u8>>>();
    ///
    /// let mut cache: WeakValueMap<&str, Vec<u8>> = WeakValueMap::new();
    /// // The map holds the value weakly: `insert_new` returns the handle to keep.
    /// let image: Arc<Vec<u8>> = cache.insert_new("sunset.png", vec![0u8; 1024]);
    /// std::thread::spawn(move || drop(image)).join().unwrap();
    /// assert!(cache.get("sunset.png").is_none());
    /// ```
    #[doc(alias = "WeakValueDictionary")]
    WeakValueMap<K, V> = WeakValueMap
}

collection_alias! {
    /// A thread-safe hash map holding its keys weakly, compared by value
    /// (Python's `WeakKeyDictionary`).
    ///
    /// An alias of [`weakref_core::collections::WeakKeyMap`].
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_sync::{Arc, WeakKeyMap};
    ///
    /// let mut sessions: WeakKeyMap<String, u32> = WeakKeyMap::new();
    /// // The map holds the key weakly: `insert_new` returns the handle to keep.
    /// let user: Arc<String> = sessions.insert_new("ada".to_owned(), 1);
    /// assert_eq!(sessions.get("ada"), Some(&1));
    /// drop(user);
    /// assert_eq!(sessions.get("ada"), None);
    /// ```
    #[doc(alias = "WeakKeyDictionary")]
    WeakKeyMap<K, V> = WeakKeyMap
}

collection_alias! {
    /// A thread-safe hash map holding its keys weakly, compared by identity.
    ///
    /// An alias of [`weakref_core::collections::PtrWeakKeyMap`].
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_sync::{Arc, PtrWeakKeyMap};
    ///
    /// let mut map: PtrWeakKeyMap<i32, &str> = PtrWeakKeyMap::new();
    /// let a: Arc<i32> = map.insert_new(0, "a");
    /// assert_eq!(map.get(&a), Some(&"a"));
    /// assert_eq!(map.get(&Arc::new(0)), None); // equal value, other object
    /// ```
    PtrWeakKeyMap<K, V> = PtrWeakKeyMap
}

collection_alias! {
    /// A thread-safe hash set holding its elements weakly, compared by
    /// value (Python's `WeakSet`).
    ///
    /// An alias of [`weakref_core::collections::WeakSet`].
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_sync::{Arc, WeakSet};
    ///
    /// let mut interner: WeakSet<str> = WeakSet::new();
    /// let a = interner.get_or_insert_with("x", |s| Arc::from(s));
    /// let b = interner.get_or_insert_with("x", |s| Arc::from(s));
    /// assert!(Arc::ptr_eq(&a, &b));
    /// ```
    WeakSet<T> = WeakSet
}

collection_alias! {
    /// A thread-safe hash set holding its elements weakly, compared by
    /// identity.
    ///
    /// An alias of [`weakref_core::collections::PtrWeakSet`].
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_sync::{Arc, PtrWeakSet};
    ///
    /// let worker = Arc::new(());
    /// let mut live: PtrWeakSet<()> = PtrWeakSet::new();
    /// live.insert(&worker);
    /// assert!(live.contains(&worker));
    /// ```
    PtrWeakSet<T> = PtrWeakSet
}

collection_alias! {
    /// A weak-valued cache that many threads share by `&self`, without a
    /// global lock: `get`, `insert`, `remove`, `get_or_insert_with` (one
    /// live value per key; `make` runs once per miss) by owned or borrowed
    /// key and its fallible `try_` forms, `entry`, `iter`/`for_each`/
    /// `retain`, `len`/`live_len`, `purge` and consistent `snapshot`s.
    ///
    /// An alias of [`weakref_core::collections::WeakCache`]: lock-striped
    /// shards of `WeakValueMap`, each behind its own reader-writer lock
    /// (std's `RwLock` with the default `std` feature, a spin lock without
    /// it); lookups share it.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_sync::{Arc, WeakCache};
    ///
    /// let cache: WeakCache<String, Vec<u8>> = WeakCache::new();
    /// let images: Vec<Arc<Vec<u8>>> = std::thread::scope(|s| {
    ///     let load = || cache.get_or_insert_with("logo.png".to_owned(), || Arc::new(vec![7; 64]));
    ///     let a = s.spawn(load);
    ///     let b = s.spawn(load);
    ///     vec![a.join().unwrap(), b.join().unwrap()]
    /// });
    /// assert!(Arc::ptr_eq(&images[0], &images[1])); // loaded once, shared
    /// drop(images);
    /// assert!(cache.get("logo.png").is_none());
    /// ```
    WeakCache<K, V> = WeakCache
}

collection_alias! {
    /// A [`WeakCache`] that also keeps its `keep_recent` most recently used
    /// values alive (strongly, in LRU order), and the rest weakly: a value
    /// dropped and asked for again a moment later is not made twice.
    ///
    /// An alias of [`weakref_core::collections::WeakLruCache`]. The plain
    /// `WeakCache` pays nothing for it (a separate type); this one takes
    /// one more lock per use (a lookup that returns a value, or an insert).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_sync::{Arc, WeakLruCache};
    ///
    /// fn assert_send_sync<T: Send + Sync>() {}
    /// assert_send_sync::<WeakLruCache<String, Vec<u8>>>();
    ///
    /// let images: WeakLruCache<String, Vec<u8>> = WeakLruCache::new(64);
    /// let decode = || Arc::new(vec![0x7f_u8; 600 * 1200]);
    /// let shown = images.get_or_insert_with("kitty.png".to_owned(), decode);
    /// drop(shown); // the viewer closed it...
    /// let shown = std::thread::scope(|s| {
    ///     // ...and another thread shows it again: not decoded twice.
    ///     s.spawn(|| images.get_or_insert_with("kitty.png".to_owned(), || unreachable!()))
    ///         .join()
    ///         .unwrap()
    /// });
    /// assert_eq!(shown.len(), 600 * 1200);
    /// images.clear_recent(); // let go of what only the cache held
    /// assert_eq!(Arc::strong_count(&shown), 1);
    /// ```
    #[doc(alias = "LruCache")]
    WeakLruCache<K, V> = WeakLruCache
}

collection_alias! {
    /// A weak set that many threads share by `&self`, for interning: equal
    /// values share one `Arc` while any handle to it lives.
    ///
    /// An alias of [`weakref_core::collections::WeakInterner`].
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_sync::{Arc, WeakInterner};
    ///
    /// let symbols: WeakInterner<str> = WeakInterner::new();
    /// let a = symbols.intern_with("main", |s| Arc::from(s));
    /// let b = std::thread::scope(|s| {
    ///     s.spawn(|| symbols.intern_with("main", |s| Arc::from(s))).join().unwrap()
    /// });
    /// assert!(Arc::ptr_eq(&a, &b));
    /// ```
    WeakInterner<T> = WeakInterner
}
