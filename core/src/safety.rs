//! How this crate stays sound: the invariants its `unsafe` code rests on,
//! the trait contracts it trusts, and the tests that attack each.
//! Documentation only: this module has no items.
//!
//! # The invariants
//!
//! Written once in `block.rs` and cited by every `// SAFETY:` comment:
//!
//! | | invariant |
//! |---|---|
//! | I1 | a handle (not `Weak::new`'s sentinel) points to a block allocated by its allocator, which stays allocated while weak > 0 |
//! | I2 | weak = the `Weak` handles, plus one (the *implicit weak*) while strong > 0 (plus `WaitFreeCount`'s counts lent to pending droppers); whoever takes weak 1 → 0 frees the block (or the last strong handle, finding weak at 1: `only_implicit_weak`) |
//! | I3 | the value is initialised while strong > 0 |
//! | I4 | only the caller that takes strong 1 → 0 drops or moves the value; strong never comes back from 0, except by that caller (`make_mut`'s restore) or the owner of a block under construction |
//! | I5 | `&T` comes only from a live strong handle; once strong may be 0, the block is reached through raw pointers and `&C` only |
//!
//! # Trusted traits
//!
//! Every trait whose answers `unsafe` code relies on is an `unsafe trait`
//! (its implementors promise the contract in its `# Safety` section) or
//! sealed (only this crate implements it). The others are safe to
//! implement wrongly: a lying implementation may panic, leak or give wrong
//! answers, never cause undefined behaviour.
//!
//! | trait | kind | what `unsafe` code relies on | attacked by |
//! |---|---|---|---|
//! | [`RawCount`](crate::count::RawCount), [`RawCountUnique`](crate::count::RawCountUnique), [`RawCountWatch`](crate::count::RawCountWatch) | `unsafe trait` | the strong/weak protocol and its orderings | loom models, `it::overflow`, `it::model` |
//! | [`Allocator`](crate::storage::Allocator) (allocator-api2) | `unsafe trait` | blocks stay valid until freed, whatever happens to the allocator value | `adversary::pools`, `adversary::handles` |
//! | `Width`, `AtomicWidth`, `StrongProtocol`, `SlotFlag`, `PoolKind`, `CallbackFamily` | sealed | exact conversions; one owner per slot; where a family's registry is | — (no outside impl) |
//! | `StaticPool` | safe, not trusted | `get` returns a `&'static` pool that is `Sync` (the type system says so); a pool refuses a block it did not hand out | `adversary::pools::a_lying_static_pool_only_panics` |
//! | `ThreadLocalPool` | safe, not trusted | it names a `LocalArena` and an `Arenas` whose state is private to this crate | `adversary::pools::a_lying_thread_local_pool_only_panics` |
//! | the closure of [`Strong::unsize`](crate::Strong::unsize) / [`unsize!`](crate::unsize!) | user code, typed | nothing it can lie about: it only sees a `&'a` [`Opaque`](crate::unsize::Opaque), which safe code cannot build, open or keep, so it can only return it coerced by the compiler; address, size and alignment are checked anyway | the `compile_fail` examples in [`mod@crate::unsize`], `unsize::tests` (a lying closure panics), `it::unsize` |
//! | `Clone` of an allocator, `Drop`/`Clone`/`Hash`/`Eq` of values, callbacks | user code | nothing: every count change they could interrupt is restored by a guard, and none runs under a registry borrow or lock | `adversary::handles`, `adversary::callbacks`, `it::collections_panic` |
//!
//! # The `unsafe impl`s
//!
//! Each has a comment above it that names the contract it meets, clause by
//! clause, and the test that would catch its breach:
//!
//! * `Send`/`Sync` for `Strong` and `Weak`: std `Arc`'s bounds, plus a
//!   `Sync` counter and a `Send` (`Sync`) allocator. The `compile_fail`
//!   examples below and in the `pool` module show the ones that must
//!   not hold.
//! * `RawCount`, `RawCountWatch`, `RawCountUnique` for `LocalCount` and
//!   `AtomicCount` (both strong protocols: `CasLoop`, std's, and
//!   `WaitFree`, argued in `count/wait_free.rs` and model-checked by
//!   `core/tests/loom_wait_free.rs` against planted bugs).
//! * `Allocator` for `Global`, for `&Pool`, for `Pooled` and for
//!   `LocalPooled`; `Sync`/`Send` for `Pool` and for `Arenas`.
//!
//! # Memory that outlives its handles
//!
//! An allocator's blocks stay valid until the allocator and all its copies
//! are gone, and a leaked handle (`Box::leak`, `mem::forget`, a forgotten
//! `Pin`) never drops its allocator. So a `Pool` is an allocator only by
//! reference (a borrowed pool cannot move), and a per-thread pool is a heap
//! arena that is never freed and handed on only when empty, not
//! thread-local storage that dies with its thread.
//!
//! # What must not be `Send` or `Sync`
//!
//! The local counter (`Cell`s) keeps its handles on one thread:
//!
//! ```compile_fail,E0277
//! use weakref_core::{Strong, count::LocalCount, storage::Global};
//! fn assert_send<T: Send>() {}
//! assert_send::<Strong<i32, LocalCount, Global>>();
//! ```
//!
//! ```compile_fail,E0277
//! use weakref_core::{Strong, count::LocalCount, storage::Global};
//! fn assert_sync<T: Sync>() {}
//! assert_sync::<Strong<i32, LocalCount, Global>>();
//! ```
//!
//! ```compile_fail,E0277
//! use weakref_core::{Weak, count::LocalCount, storage::Global};
//! fn assert_send<T: Send>() {}
//! assert_send::<Weak<i32, LocalCount, Global>>();
//! ```
//!
//! ```compile_fail,E0277
//! use weakref_core::{Weak, count::LocalCount, storage::Global};
//! fn assert_sync<T: Sync>() {}
//! assert_sync::<Weak<i32, LocalCount, Global>>();
//! ```
//!
//! With the atomic counter, the value must be `Send + Sync` (any thread may
//! drop it or read it), as for std's `Arc`:
//!
//! ```compile_fail,E0277
//! use weakref_core::{Strong, count::AtomicCount, storage::Global};
//! fn assert_send<T: Send>() {}
//! assert_send::<Strong<core::cell::Cell<i32>, AtomicCount, Global>>();
//! ```
//!
//! ```compile_fail,E0277
//! use weakref_core::{Strong, count::AtomicCount, storage::Global};
//! fn assert_sync<T: Sync>() {}
//! assert_sync::<Strong<std::rc::Rc<i32>, AtomicCount, Global>>();
//! ```
//!
//! ```compile_fail,E0277
//! use weakref_core::{Weak, count::AtomicCount, storage::Global};
//! fn assert_send<T: Send>() {}
//! assert_send::<Weak<core::cell::Cell<i32>, AtomicCount, Global>>();
//! ```
//!
//! and so must the allocator, which travels with the handle:
//!
//! ```compile_fail,E0277
//! use core::{alloc::Layout, marker::PhantomData, ptr::NonNull};
//! use weakref_core::storage::{AllocError, Allocator, Global};
//! use weakref_core::{Strong, count::AtomicCount};
//!
//! /// An allocator tied to its thread.
//! #[derive(Clone)]
//! struct ThisThread(PhantomData<*const ()>);
//! // SAFETY: forwards to `Global`.
//! unsafe impl Allocator for ThisThread {
//!     fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
//!         Global.allocate(layout)
//!     }
//!     unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
//!         // SAFETY: forwarded.
//!         unsafe { Global.deallocate(ptr, layout) }
//!     }
//! }
//! fn assert_send<T: Send>() {}
//! assert_send::<Strong<i32, AtomicCount, ThisThread>>();
//! ```
//!
//! A registered weak handle is no more `Send` than its `Weak`:
//!
//! ```compile_fail,E0277
//! use weakref_core::callbacks::WeakRef;
//! use weakref_core::count::AtomicCount;
//! fn assert_send<T: Send>() {}
//! assert_send::<WeakRef<core::cell::Cell<i32>, AtomicCount>>();
//! ```
//!
//! while the same types with thread-safe parts are:
//!
//! ```
//! use weakref_core::callbacks::WeakRef;
//! use weakref_core::{Strong, Weak, count::AtomicCount, storage::Global};
//! fn assert_send_sync<T: Send + Sync>() {}
//! assert_send_sync::<Strong<i32, AtomicCount, Global>>();
//! assert_send_sync::<Weak<i32, AtomicCount, Global>>();
//! assert_send_sync::<WeakRef<i32, AtomicCount>>();
//! ```
