//! The verified, allocation-agnostic core of **weakref**: one control block
//! and one pair of generic handles, [`Strong`] and [`Weak`], over a counter
//! strategy ([`count::RawCount`]) and an allocator
//! ([`storage::Allocator`]).
//!
//! Most users want the adapters: `weakref-std` (`Rc`, single-threaded) and
//! `weakref-sync` (`Arc`, atomic). They are type aliases of this crate's
//! handles; this crate is for `no_std` users who bring their own allocator,
//! and for anyone who wants another counter width.
//!
//! ```
//! use weakref_core::count::{AtomicCount, LocalCount};
//! use weakref_core::storage::Global;
//! use weakref_core::Strong;
//!
//! type Rc<T> = Strong<T, LocalCount, Global>;
//! type Arc<T> = Strong<T, AtomicCount, Global>;
//!
//! let image = Rc::new(vec![0u8; 600 * 1200]);
//! let weak = Rc::downgrade(&image);
//! assert_eq!(weak.upgrade().map(|i| i.len()), Some(720_000));
//! drop(image);
//! assert!(weak.upgrade().is_none()); // the value is gone; `weak` is not
//!
//! let shared = Arc::new(5);
//! let clone = Arc::clone(&shared);
//! std::thread::spawn(move || assert_eq!(*clone, 5)).join().unwrap();
//! ```
//!
//! # Crate features
//!
//! * **`alloc`** (default): [`storage::Global`], the heap, and the
//!   constructors that use it (`Strong::new`, `Weak::new`, `From<Box<T>>`,
//!   `From<Vec<T>>`, `From<&str>` …). Without it, the crate needs no
//!   allocator at all: bring one through `new_in` / `try_new_in`.
//! * **`std`**: implies `alloc`; a reference-count overflow calls
//!   `std::process::abort` (without it: a double panic, which aborts too).
//! * **`pool`**: [`pool::Pool`], a static, fixed-capacity pool that serves
//!   blocks without a heap, and [`static_pool!`] for one-pointer-wide
//!   handles into it. Needs byte-sized CAS (or `portable-atomic`). With
//!   `std` too: `thread_local_pool!`, a per-thread pool without atomics.
//! * **`portable-atomic`**: atomics from the `portable-atomic` crate, so
//!   [`count::AtomicCount`] and the pool build on targets without native
//!   compare-and-swap (`thumbv6m-none-eabi`, `riscv32imc-unknown-none-elf`).
//!   The final binary chooses how `portable-atomic` emulates CAS: its
//!   `critical-section` feature, or `--cfg
//!   portable_atomic_unsafe_assume_single_core` on single-core chips.
//! * **`collections`**: implies `alloc`; [`collections`], Python's weak
//!   dictionaries and sets (`WeakValueMap`, `WeakKeyMap`, `PtrWeakKeyMap`,
//!   `WeakSet`, `PtrWeakSet`) on hashbrown's `HashTable`, generic over the
//!   counter and the hasher. With `std` too, `new()` uses std's
//!   `RandomState`.
//! * **`default-hasher`**: implies `collections`;
//!   `collections::DefaultHashBuilder`, hashbrown's default hasher, for
//!   `no_std` users. Fast, but not HashDoS-resistant.
//! * **`serde`**: `Serialize` and `Deserialize` for [`Strong`] (the value;
//!   deserializing makes a new block per handle, so sharing is not
//!   preserved) and [`Weak`] (an `Option`: `None` once dead; deserializes
//!   to an empty `Weak::new()`), as serde's `rc` feature does for std's
//!   handles. `Deserialize` needs `alloc` too (heap handles only).
//! * **`loom`**: internal, outside semver. With `--cfg weakref_loom`, the
//!   atomics and the allocator come from loom, for model checking.
//! * **`shuttle`**: internal, outside semver. With `--cfg weakref_shuttle`,
//!   the atomics, the registry lock and the spin's yield come from shuttle,
//!   for randomised and schedule-driven concurrency testing (see the shim
//!   module's "Which tool answers which question").
//!
//! # Design
//!
//! Three layers, in the shape of lock_api:
//!
//! 1. **A counter strategy**, [`count::RawCount`], an `unsafe trait` whose
//!    `# Safety` section is the whole strong/weak protocol, with two
//!    backends: [`count::LocalCount`] (`Cell`s; `!Sync`, so its handles are
//!    `!Send`) and [`count::AtomicCount`] (std `Arc`'s orderings, listed in
//!    its module; with the [`count::WaitFree`] strong protocol,
//!    [`count::WaitFreeCount`], its `upgrade` never retries). Both are
//!    generic over the integer they count in, so a compact `u32` header is
//!    another instance, not another copy.
//! 2. **A control block**, `#[repr(C)]` counts then value. All strong
//!    handles together own one weak count, the *implicit weak*: whoever
//!    takes strong 1 → 0 drops the value, whoever takes weak 1 → 0 frees the
//!    block. Its invariants, I1 to I5, are written once in `block.rs` and
//!    cited by every `// SAFETY:` comment: the block stays allocated while
//!    weak > 0 (I1); weak counts the weak handles plus the implicit weak
//!    (I2); the value is initialised while strong > 0 (I3); only the caller
//!    that takes strong to 0 drops the value, and strong never comes back
//!    from 0 (I4); `&T` comes only from a live strong handle (I5).
//! 3. **Generic handles**, [`Strong`] and [`Weak`], one pointer wide when
//!    the allocator is zero-sized; the slow drop path is out of line and
//!    frees the block even when `T::drop` panics.
//!
//! Death callbacks (`callbacks`, Python's `ref(obj, callback)`, `finalize`,
//! `WeakMethod`, `proxy`) cost a value that never gets one nothing on its
//! hot paths: the weak count is stored doubled, its low bit the *watch
//! flag*, set while a callback is registered for the block in a side table
//! (a thread-local one for the local family, one behind a lock for the
//! atomic family, as Objective-C and Swift keep theirs). The last strong
//! drop tests the bit (one load) and only a watched block visits the table.
//!
//! | operation (atomic counter) | ordering | pairs with |
//! |---|---|---|
//! | clone, `Weak::clone` | Relaxed | — (made from a live handle) |
//! | drop | Release; Acquire if last | the other handles' drops |
//! | upgrade | CAS loop, Acquire, never 0 → 1 | drops; `new_cyclic`'s publish |
//! | downgrade | CAS loop, Acquire; waits on the `get_mut` lock | `is_unique`'s unlock |
//! | `get_mut` / `is_unique` | weak CAS 1 → locked, Acquire; strong Acquire; unlock Release | drops; downgrade |
//!
//! # Soundness
//!
//! The [`safety`] module (with feature `alloc`) gathers the invariants,
//! the trait contracts the `unsafe` code trusts, and how the adversary
//! suite (`tests/tests/it/adversary`) attacks each from safe code.
//!
//! # Comparison with std
//!
//! Every stable item of `std::rc::Rc`, `std::sync::Arc` and their `Weak`s
//! (Rust 1.95) is here with std's signature, for both counters, on stable
//! Rust from 1.85: the test `tests/tests/it/std_parity.rs` names each one
//! with its std shape and calls it through `weakref-std` and
//! `weakref-sync`. That covers the constructors (`new`, `new_cyclic`, `pin`,
//! `new_uninit`, `new_zeroed`, their slice forms and `assume_init`),
//! `try_unwrap`, `into_inner`, `unwrap_or_clone`, `get_mut`, `make_mut`
//! (sized `T: Clone`, `[T]`, `str`, `CStr`, `OsStr`, `Path`), `downcast`, the counts, `ptr_eq` and
//! the raw-pointer functions; the trait impls (`Deref`, `Clone`, `Default`
//! including `str`, `[T]`, `CStr` and `Pin<Strong<T>>`, comparisons,
//! `Hash`, the formatting traits, `Borrow`, `AsRef`, `Unpin`,
//! `UnwindSafe`/`RefUnwindSafe`, `Error`, `AsFd`/`AsRawFd` on unix); every
//! `From` conversion (`T`, arrays, `&[T]`, `&mut [T]`, `Vec`, `Box`,
//! `&str`, `&mut str`, `String`, `Cow`, `CStr`/`CString`, `OsStr`/`OsString`,
//! `Path`/`PathBuf`, `Strong<str>` to `Strong<[u8]>`), `FromIterator`,
//! `TryFrom<Strong<[T]>>` for `Strong<[T; N]>`; `Weak`'s `new`, `upgrade`,
//! counts, `ptr_eq`, raw functions, `Clone`, `Default` and `Debug`; and for
//! the atomic counter `Send`/`Sync`, `Read`/`Write`/`Seek` for a shared
//! `File`, and [`task::Wake`] with `Waker::from(arc)`.
//!
//! Beyond std: the allocator API (`new_in`, `try_new_in`, `allocator`,
//! `into_raw_with_allocator` …) on stable; `try_new` / `try_new_in` return
//! [`storage::AllocError`] instead of aborting; `downcast` for
//! `dyn Any`, `dyn Any + Send` and `dyn Any + Send + Sync` with either
//! counter; one counter of the same width for both families, and
//! `LocalCount<u32>` / `AtomicCount<u32>` for an 8-byte header; `serde`
//! (feature `serde`) as serde's `rc` feature does for std.
//!
//! Differences that remain:
//!
//! * No implicit unsizing (`let rc: Rc<dyn Trait> = rc;`): stable Rust has
//!   no `CoerceUnsized` for our handles. Write
//!   [`unsize!(rc, dyn Trait)`](unsize!) (or `unsize!(rc, [T])`), a safe
//!   macro whose coercion the compiler checks ([`mod@unsize`]); it converts
//!   `Weak` handles too, but only while the value lives. On a nightly
//!   compiler, `RUSTFLAGS="--cfg weakref_coerce_unsized"` adds std's
//!   implicit coercions as well.
//! * `make_mut`'s bound is the sealed [`CloneToBlock`] where std's is the
//!   unstable `CloneToUninit`; both cover the same stable types.
//! * `Eq` compares values only (std short-cuts on pointer equality for
//!   `T: Eq` with specialization, which stable Rust lacks).
//! * The `From` conversions of `CStr`, `OsStr` and `Path`, and
//!   `make_mut`'s copy of them, go through a `Box` (one more allocation
//!   than std, which knows their layout).
//! * `Weak`'s `Debug` says whether the value lives; `Strong` is `Error`
//!   for the local counter too (std: `Arc` only).
//! * Not yet: `AsHandle`/`AsSocket` on Windows.

#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
// `Layout::for_value_raw` on nightlies before its stabilisation: build.rs
// sets this cfg only if a probe using the feature compiled.
#![cfg_attr(weakref_layout_raw_feature, feature(layout_for_ptr))]
// std's unsizing coercions for `Strong`/`Weak` on a nightly compiler, with
// `RUSTFLAGS="--cfg weakref_coerce_unsized"` (see `unsize.rs`): a cfg, not
// a feature, so that stable builds of every feature set stay stable.
#![cfg_attr(weakref_coerce_unsized, feature(coerce_unsized, unsize))]
#![doc(test(attr(deny(warnings))))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

mod block;
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub mod callbacks;
#[cfg(feature = "collections")]
#[cfg_attr(docsrs, doc(cfg(feature = "collections")))]
pub mod collections;
pub mod count;
mod downcast;
#[cfg(all(
    feature = "pool",
    any(target_has_atomic = "8", feature = "portable-atomic", weakref_loom)
))]
#[cfg_attr(docsrs, doc(cfg(feature = "pool")))]
pub mod pool;
#[cfg(feature = "alloc")]
pub mod safety;
#[cfg(feature = "serde")]
mod serde_impls;
mod shim;
pub mod storage;
mod strong;
#[cfg(all(
    feature = "alloc",
    any(target_has_atomic = "ptr", feature = "portable-atomic", weakref_loom)
))]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub mod task;
mod traits;
mod uninit;
pub mod unsize;
mod unsized_values;
mod weak;

pub use strong::{CloneToBlock, Strong};
pub use weak::Weak;

/// This crate's README, its code blocks compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

// The sizes the design promises, checked at compile time.
// (Not under loom or shuttle: their atomics are larger.)
#[cfg(all(
    feature = "alloc",
    target_pointer_width = "64",
    not(any(weakref_loom, weakref_shuttle))
))]
const _: () = {
    use count::LocalCount;
    use storage::Global;
    type Rc<T> = Strong<T, LocalCount, Global>;
    type RcWeak<T> = Weak<T, LocalCount, Global>;
    assert!(size_of::<Rc<u64>>() == size_of::<usize>());
    assert!(size_of::<Option<Rc<u64>>>() == size_of::<usize>());
    assert!(size_of::<RcWeak<u64>>() == size_of::<usize>());
    assert!(size_of::<Option<RcWeak<u64>>>() == size_of::<usize>());
    assert!(size_of::<block::Block<LocalCount, ()>>() == 16);
    assert!(size_of::<block::Block<LocalCount<u32>, ()>>() == 8);
    #[cfg(target_has_atomic = "ptr")]
    {
        use count::AtomicCount;
        assert!(size_of::<Option<Strong<u64, AtomicCount, Global>>>() == size_of::<usize>());
        assert!(size_of::<block::Block<AtomicCount, ()>>() == 16);
        assert!(size_of::<block::Block<AtomicCount<u32>, ()>>() == 8);
    }
};
