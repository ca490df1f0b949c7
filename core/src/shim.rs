//! The one place that names concurrency and allocation primitives.
//!
//! Everything else in the crate reaches atomics, the spin hint, the raw
//! allocator, the registry lock and `abort` through this module, so that
//! `--cfg weakref_loom` can swap in loom's versions (loom's model checker
//! then sees every atomic access, every yield and every allocation), and
//! `--cfg weakref_shuttle` shuttle's (its scheduler then decides at every
//! atomic access, lock and yield which thread runs next). The tidy test in
//! `tests/tidy.rs` keeps it that way.
//!
//! # Which tool answers which question
//!
//! * **loom** (`--cfg weakref_loom`, `core/tests/loom.rs`): explores the
//!   weak-memory orderings of tiny models exhaustively (up to a preemption
//!   bound): does every `Acquire` have its `Release`, is the value's drop
//!   ordered after the last read?
//! * **shuttle** (`--cfg weakref_shuttle`, `tests/tests/shuttle.rs`):
//!   explores sequentially consistent interleavings, at random or with PCT,
//!   of scenarios too big for loom (a `WeakCache` purging under three
//!   threads, the callback registry under concurrent registration and
//!   deaths, a full pool): is the *logic* right under any interleaving?
//!   Every ordering counts as `SeqCst` there, so it cannot see a wrong one.
//! * **the schedule fuzzer** (`fuzz/fuzz_targets/arc_sched.rs`, shuttle
//!   underneath): the input picks the operations *and* the interleaving,
//!   so coverage guidance steers towards new interleavings, and a crash
//!   input replays the same schedule exactly.
//! * **Miri** (`ci/miri.sh`): undefined behaviour and data races on the
//!   executions it runs (its own scheduler, weak memory emulated); checks
//!   what the others assume, that the code is sound when the protocol is.

#[cfg(all(weakref_loom, not(feature = "loom")))]
compile_error!("`--cfg weakref_loom` needs `--features loom` on weakref-core");

#[cfg(all(weakref_shuttle, not(feature = "shuttle")))]
compile_error!("`--cfg weakref_shuttle` needs `--features shuttle` on weakref-core");

#[cfg(all(weakref_loom, weakref_shuttle))]
compile_error!("`--cfg weakref_loom` and `--cfg weakref_shuttle` exclude each other");

/// The global allocator, for every backend but loom's (which tracks
/// allocations for its leak checker).
#[cfg(all(feature = "alloc", not(weakref_loom)))]
mod heap {
    /// Allocates through the global allocator.
    ///
    /// # Safety
    ///
    /// `layout` must have a non-zero size (`alloc::alloc::alloc`'s contract).
    #[inline]
    pub(crate) unsafe fn alloc(layout: core::alloc::Layout) -> *mut u8 {
        // SAFETY: the caller guarantees a non-zero size.
        unsafe { alloc::alloc::alloc(layout) }
    }

    /// Frees a block from [`alloc`].
    ///
    /// # Safety
    ///
    /// `ptr` must come from [`alloc`] with this `layout` and not be freed yet.
    #[inline]
    pub(crate) unsafe fn dealloc(ptr: *mut u8, layout: core::alloc::Layout) {
        // SAFETY: forwarded from the caller.
        unsafe { alloc::alloc::dealloc(ptr, layout) }
    }
}

#[cfg(not(any(weakref_loom, weakref_shuttle)))]
mod imp {
    // What is used depends on the target's atomics and the features.
    #![allow(unused_imports, dead_code)]

    // Native atomics, each where the target has compare-and-swap of its
    // size (`target_has_atomic` means CAS, not just load/store).
    #[cfg(all(not(feature = "portable-atomic"), target_has_atomic = "16"))]
    pub(crate) use core::sync::atomic::AtomicU16;
    #[cfg(all(not(feature = "portable-atomic"), target_has_atomic = "32"))]
    pub(crate) use core::sync::atomic::AtomicU32;
    #[cfg(all(not(feature = "portable-atomic"), target_has_atomic = "ptr"))]
    pub(crate) use core::sync::atomic::AtomicUsize;
    #[cfg(all(not(feature = "portable-atomic"), target_has_atomic = "8"))]
    pub(crate) use core::sync::atomic::{AtomicBool, AtomicU8};
    #[cfg(all(not(feature = "portable-atomic"), target_has_atomic = "8"))]
    pub(crate) use core::sync::atomic::{Ordering, fence};

    // With `portable-atomic`: its types everywhere (on targets without CAS
    // the final binary picks a backend: `critical-section`, or
    // `--cfg portable_atomic_unsafe_assume_single_core`).
    #[cfg(feature = "portable-atomic")]
    pub(crate) use portable_atomic::{
        AtomicBool, AtomicU8, AtomicU16, AtomicU32, AtomicUsize, Ordering, fence,
    };

    /// Slot memory of the static pool: plain storage, handed out whole by
    /// the pool's flags; loom sees races on the values themselves.
    pub(crate) use core::cell::UnsafeCell;

    /// A hint for the wait in `downgrade` while `get_mut` holds the weak lock.
    #[inline]
    pub(crate) fn spin_loop() {
        core::hint::spin_loop();
    }

    /// The global allocator (see [`heap`](super::heap)).
    #[cfg(feature = "alloc")]
    pub(crate) use super::heap::{alloc, dealloc};

    /// The lock of the callback registry and of finalizer state, held for
    /// a few map operations: std's `Mutex` with feature `std`, a spin lock
    /// (the write side of [`SpinRwLock`]) without. Measured with
    /// `benches/cache.rs` (2 threads on 2 cores): idle, spin 48.6 ns/op
    /// against std 54.1; with two CPU hogs beside it, spin 84 against std
    /// 39, as a preempted holder leaves a spinner burning its time slice
    /// while std's parks. Robustness under load wins.
    #[cfg(feature = "alloc")]
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(
        #[cfg(feature = "std")] std::sync::Mutex<T>,
        #[cfg(not(feature = "std"))] SpinRwLock<T>,
    );

    // Why only `T: Send` (the spin lock asks `Sync` too, for its readers)?
    // This lock never reads: it hands `&mut T` to one thread at a time, as
    // std's `Mutex` does, so the value moves between threads but is never
    // shared.
    //
    // SAFETY: `lock` is the only way to the value, and it takes the spin
    // lock's write side: at most one guard exists at a time.
    #[cfg(all(feature = "alloc", not(feature = "std")))]
    unsafe impl<T: Send> Sync for Mutex<T> {}

    #[cfg(feature = "alloc")]
    impl<T> Mutex<T> {
        pub(crate) const fn new(value: T) -> Self {
            #[cfg(feature = "std")]
            return Mutex(std::sync::Mutex::new(value));
            #[cfg(not(feature = "std"))]
            return Mutex(SpinRwLock::new(value));
        }

        #[inline]
        pub(crate) fn lock(&self) -> impl core::ops::DerefMut<Target = T> + '_ {
            // A panic under the lock (a key's `Hash`, a `make`) poisons std's
            // mutex; the data is left consistent (every holder changes it
            // by whole map operations), so poisoning is ignored.
            #[cfg(feature = "std")]
            return self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            #[cfg(not(feature = "std"))]
            return self.0.write();
        }
    }

    /// The lock of each shard of the concurrent collections: readers
    /// (lookups, which only upgrade a weak handle) share it, writers
    /// (inserts, removals, purges) hold it alone. std's `RwLock` with
    /// feature `std` (a waiting thread parks), [`SpinRwLock`] without.
    #[cfg(feature = "alloc")]
    #[derive(Debug)]
    pub(crate) struct RwLock<T>(
        #[cfg(feature = "std")] std::sync::RwLock<T>,
        #[cfg(not(feature = "std"))] SpinRwLock<T>,
    );

    #[cfg(feature = "alloc")]
    impl<T> RwLock<T> {
        pub(crate) const fn new(value: T) -> Self {
            #[cfg(feature = "std")]
            return RwLock(std::sync::RwLock::new(value));
            #[cfg(not(feature = "std"))]
            return RwLock(SpinRwLock::new(value));
        }

        /// Shared access. Poisoning is ignored, as for [`Mutex`].
        #[inline]
        pub(crate) fn read(&self) -> impl core::ops::Deref<Target = T> + '_ {
            #[cfg(feature = "std")]
            return self
                .0
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            #[cfg(not(feature = "std"))]
            return self.0.read();
        }

        /// Exclusive access. Poisoning is ignored, as for [`Mutex`].
        #[inline]
        pub(crate) fn write(&self) -> impl core::ops::DerefMut<Target = T> + '_ {
            #[cfg(feature = "std")]
            return self
                .0
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            #[cfg(not(feature = "std"))]
            return self.0.write();
        }
    }

    /// The lock without `std`: one word, `WRITER` while a writer holds it,
    /// else `READER` times the number of readers; taken by compare-and-swap,
    /// waited on with plain loads (test-and-test-and-set). The crate's own,
    /// so that a `std` build compiles no lock crate at all. Readers can
    /// keep a writer waiting while they overlap without a gap: the shards'
    /// readers hold it for one lookup each.
    #[cfg(all(feature = "alloc", not(feature = "std")))]
    pub(crate) struct SpinRwLock<T> {
        state: AtomicUsize,
        value: UnsafeCell<T>,
    }

    /// [`SpinRwLock::state`] while a writer holds the lock.
    #[cfg(all(feature = "alloc", not(feature = "std")))]
    const WRITER: usize = 1;
    /// What each reader adds to [`SpinRwLock::state`].
    #[cfg(all(feature = "alloc", not(feature = "std")))]
    const READER: usize = 2;

    // Why `T: Send + Sync`? Writers get `&mut T` one at a time, so the value
    // moves between threads (`Send`); readers get `&T` on several threads
    // at once (`Sync`), as with std's `RwLock`.
    //
    // SAFETY: `value` is reached only through the guards: a `SpinWriteGuard`
    // exists only while `state` is `WRITER` (no reader, no other writer), a
    // `SpinReadGuard` only while the `WRITER` bit is clear; Acquire on taking
    // and Release on leaving order each holder's accesses after those of
    // the writers before it.
    #[cfg(all(feature = "alloc", not(feature = "std")))]
    unsafe impl<T: Send + Sync> Sync for SpinRwLock<T> {}

    #[cfg(all(feature = "alloc", not(feature = "std")))]
    impl<T> core::fmt::Debug for SpinRwLock<T> {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("SpinRwLock")
        }
    }

    #[cfg(all(feature = "alloc", not(feature = "std")))]
    impl<T> SpinRwLock<T> {
        pub(crate) const fn new(value: T) -> Self {
            SpinRwLock {
                state: AtomicUsize::new(0),
                value: UnsafeCell::new(value),
            }
        }

        #[inline]
        pub(crate) fn write(&self) -> SpinWriteGuard<'_, T> {
            // ORDERING: Acquire on success; pairs with the Release store of
            // the previous writer's guard drop and the Release decrement of
            // each reader's: their accesses to `value` happen before ours.
            // Relaxed on failure and while waiting: we only retry.
            while self
                .state
                .compare_exchange_weak(0, WRITER, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {
                while self.state.load(Ordering::Relaxed) != 0 {
                    spin_loop();
                }
            }
            SpinWriteGuard { lock: self }
        }

        #[inline]
        pub(crate) fn read(&self) -> SpinReadGuard<'_, T> {
            loop {
                let state = self.state.load(Ordering::Relaxed);
                if state & WRITER != 0 {
                    spin_loop();
                    continue;
                }
                // Past `usize::MAX / 2` readers (leaked guards) the count
                // would reach the writer bit.
                let Some(next) = state.checked_add(READER) else {
                    crate::shim::abort();
                };
                // ORDERING: Acquire on success; pairs with the Release store
                // of the last writer's guard drop: its writes to `value`
                // happen before our reads. Relaxed on failure: we retry.
                if self
                    .state
                    .compare_exchange_weak(state, next, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    return SpinReadGuard { lock: self };
                }
            }
        }
    }

    /// Exclusive access to a [`SpinRwLock`]'s value, until dropped.
    #[cfg(all(feature = "alloc", not(feature = "std")))]
    pub(crate) struct SpinWriteGuard<'a, T> {
        lock: &'a SpinRwLock<T>,
    }

    #[cfg(all(feature = "alloc", not(feature = "std")))]
    impl<T> core::ops::Deref for SpinWriteGuard<'_, T> {
        type Target = T;

        fn deref(&self) -> &T {
            // SAFETY: this guard holds the lock alone (`SpinRwLock::write`),
            // so no other reference to the value exists while `&self` lives.
            unsafe { &*self.lock.value.get() }
        }
    }

    #[cfg(all(feature = "alloc", not(feature = "std")))]
    impl<T> core::ops::DerefMut for SpinWriteGuard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            // SAFETY: as in `deref`, and `&mut self` makes this the only
            // borrow of the guard.
            unsafe { &mut *self.lock.value.get() }
        }
    }

    #[cfg(all(feature = "alloc", not(feature = "std")))]
    impl<T> Drop for SpinWriteGuard<'_, T> {
        fn drop(&mut self) {
            // ORDERING: Release; pairs with the Acquire CAS of the next
            // `write` or `read`: our accesses to the value happen before
            // theirs.
            self.lock.state.store(0, Ordering::Release);
        }
    }

    /// Shared access to a [`SpinRwLock`]'s value, until dropped.
    #[cfg(all(feature = "alloc", not(feature = "std")))]
    pub(crate) struct SpinReadGuard<'a, T> {
        lock: &'a SpinRwLock<T>,
    }

    #[cfg(all(feature = "alloc", not(feature = "std")))]
    impl<T> core::ops::Deref for SpinReadGuard<'_, T> {
        type Target = T;

        fn deref(&self) -> &T {
            // SAFETY: this guard counts as a reader (`SpinRwLock::read`), so
            // no writer, hence no `&mut` to the value, exists while it lives.
            unsafe { &*self.lock.value.get() }
        }
    }

    #[cfg(all(feature = "alloc", not(feature = "std")))]
    impl<T> Drop for SpinReadGuard<'_, T> {
        fn drop(&mut self) {
            // ORDERING: Release; pairs with the Acquire CAS of the next
            // `write`: our reads of the value happen before its writes.
            self.lock.state.fetch_sub(READER, Ordering::Release);
        }
    }

    /// A function returning a `&'static` to a lazily built global (a plain
    /// `static` here; loom's `lazy_static!` under loom, so that each model
    /// run starts afresh).
    #[cfg(feature = "alloc")]
    macro_rules! global {
        ($(#[$meta:meta])* $vis:vis fn $name:ident() -> &'static $ty:ty = $init:expr;) => {
            $(#[$meta])*
            $vis fn $name() -> &'static $ty {
                static GLOBAL: $ty = $init;
                &GLOBAL
            }
        };
    }
    #[cfg(feature = "alloc")]
    pub(crate) use global;

    /// Runs `f` when the process exits (C's `atexit`): Python's `atexit`
    /// for finalizers. Returns whether it was registered.
    #[cfg(all(feature = "std", any(unix, windows), not(miri)))]
    pub(crate) fn at_exit(f: extern "C" fn()) -> bool {
        unsafe extern "C" {
            fn atexit(f: extern "C" fn()) -> core::ffi::c_int;
        }
        // SAFETY: `atexit` is C's (every hosted unix and Windows libc has
        // it); it only stores the pointer, which is to a `'static` function.
        unsafe { atexit(f) == 0 }
    }

    /// Without C's `atexit` (or under Miri), nothing runs at exit.
    #[cfg(not(all(feature = "std", any(unix, windows), not(miri))))]
    pub(crate) fn at_exit(_f: extern "C" fn()) -> bool {
        false
    }
}

#[cfg(weakref_loom)]
mod imp {
    #![allow(unused_imports, dead_code)]

    pub(crate) use loom::sync::atomic::{
        AtomicBool, AtomicU8, AtomicU16, AtomicU32, AtomicUsize, Ordering, fence,
    };

    /// Slot memory of the static pool (see the non-loom `imp`).
    pub(crate) use core::cell::UnsafeCell;

    /// Under loom a spin must yield, or the model never lets the lock holder
    /// run (loom's "Yielding" rule).
    #[inline]
    pub(crate) fn spin_loop() {
        loom::thread::yield_now();
    }

    /// Allocates through loom, whose leak checker then tracks the block.
    ///
    /// # Safety
    ///
    /// `layout` must have a non-zero size.
    #[cfg(feature = "alloc")]
    #[inline]
    pub(crate) unsafe fn alloc(layout: core::alloc::Layout) -> *mut u8 {
        // SAFETY: the caller guarantees a non-zero size.
        unsafe { loom::alloc::alloc(layout) }
    }

    /// Frees a block from [`alloc`] through loom.
    ///
    /// # Safety
    ///
    /// `ptr` must come from [`alloc`] with this `layout` and not be freed yet.
    #[cfg(feature = "alloc")]
    #[inline]
    pub(crate) unsafe fn dealloc(ptr: *mut u8, layout: core::alloc::Layout) {
        // SAFETY: forwarded from the caller.
        unsafe { loom::alloc::dealloc(ptr, layout) }
    }

    /// The registry lock, as loom's `Mutex` (see the non-loom `imp`).
    #[cfg(feature = "alloc")]
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    #[cfg(feature = "alloc")]
    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Mutex(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> impl core::ops::DerefMut<Target = T> + '_ {
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
    }

    /// The shards' lock, as loom's `RwLock` (see the non-loom `imp`).
    #[cfg(feature = "alloc")]
    #[derive(Debug)]
    pub(crate) struct RwLock<T>(loom::sync::RwLock<T>);

    #[cfg(feature = "alloc")]
    impl<T> RwLock<T> {
        pub(crate) fn new(value: T) -> Self {
            RwLock(loom::sync::RwLock::new(value))
        }

        pub(crate) fn read(&self) -> impl core::ops::Deref<Target = T> + '_ {
            self.0
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }

        pub(crate) fn write(&self) -> impl core::ops::DerefMut<Target = T> + '_ {
            self.0
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
    }

    /// A lazily built global, rebuilt for each loom model run.
    macro_rules! global {
        ($(#[$meta:meta])* $vis:vis fn $name:ident() -> &'static $ty:ty = $init:expr;) => {
            $(#[$meta])*
            $vis fn $name() -> &'static $ty {
                loom::lazy_static! {
                    static ref GLOBAL: $ty = $init;
                }
                &GLOBAL
            }
        };
    }
    pub(crate) use global;

    /// Nothing runs at exit under loom.
    pub(crate) fn at_exit(_f: extern "C" fn()) -> bool {
        false
    }
}

/// Under shuttle: its atomics, lock and yield, so that its scheduler
/// chooses the thread at each of them; the plain allocator (shuttle has no
/// leak checker); `const` constructors, as shuttle's are `const`.
///
/// Shuttle runs every thread of an execution on one OS thread, so
/// `std::thread_local!` state (the `LocalCount` callback registry and death
/// tally, `thread_local_pool!`) is shared by all of them: shuttle scenarios
/// use the atomic family and `Pool`s, not those. For the same reason a
/// `static` shuttle atomic (a static pool's flags) must not be used by two
/// OS threads at once: run shuttle tests one at a time
/// (`core/tests/shuttle.rs` holds a lock). Such a static keeps its value
/// from one execution to the next (a pool ends each scenario empty; only
/// its search start carries over); the globals of `global!` (the
/// callback registry, the atomic family's death tally) start afresh in
/// each execution, so a schedule replays exactly.
#[cfg(all(weakref_shuttle, not(weakref_loom)))]
mod imp {
    #![allow(unused_imports, dead_code)]

    pub(crate) use shuttle::sync::atomic::{
        AtomicBool, AtomicU8, AtomicU16, AtomicU32, AtomicUsize, Ordering, fence,
    };

    /// Slot memory of the static pool (see the default `imp`).
    pub(crate) use core::cell::UnsafeCell;

    /// A yield: a scheduling point, so the `downgrade` spin lets the lock
    /// holder run (shuttle would otherwise report a livelock, or hit its
    /// step bound).
    #[inline]
    pub(crate) fn spin_loop() {
        shuttle::thread::yield_now();
    }

    /// The global allocator, as in the default `imp` (shuttle has no leak
    /// checker to route blocks through).
    #[cfg(feature = "alloc")]
    pub(crate) use super::heap::{alloc, dealloc};

    /// The registry lock, as shuttle's `Mutex`: taking it is a scheduling
    /// point, and a thread waiting for it is blocked, not spinning.
    #[cfg(feature = "alloc")]
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(shuttle::sync::Mutex<T>);

    #[cfg(feature = "alloc")]
    impl<T> Mutex<T> {
        pub(crate) const fn new(value: T) -> Self {
            Mutex(shuttle::sync::Mutex::new(value))
        }

        #[inline]
        pub(crate) fn lock(&self) -> impl core::ops::DerefMut<Target = T> + '_ {
            // Poisoning is ignored, as in the default `imp`.
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
    }

    /// The shards' lock, as shuttle's `RwLock` (a scheduling point, like
    /// its `Mutex`).
    #[cfg(feature = "alloc")]
    #[derive(Debug)]
    pub(crate) struct RwLock<T>(shuttle::sync::RwLock<T>);

    #[cfg(feature = "alloc")]
    impl<T> RwLock<T> {
        pub(crate) fn new(value: T) -> Self {
            RwLock(shuttle::sync::RwLock::new(value))
        }

        #[inline]
        pub(crate) fn read(&self) -> impl core::ops::Deref<Target = T> + '_ {
            self.0
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }

        #[inline]
        pub(crate) fn write(&self) -> impl core::ops::DerefMut<Target = T> + '_ {
            self.0
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
    }

    /// A lazily built global, rebuilt for each shuttle execution (shuttle's
    /// `lazy_static!`), so that one execution's registry never leaks into
    /// the next and a replayed schedule starts from the same state.
    #[cfg(feature = "alloc")]
    macro_rules! global {
        ($(#[$meta:meta])* $vis:vis fn $name:ident() -> &'static $ty:ty = $init:expr;) => {
            $(#[$meta])*
            $vis fn $name() -> &'static $ty {
                shuttle::lazy_static! {
                    static ref GLOBAL: $ty = $init;
                }
                &GLOBAL
            }
        };
    }
    #[cfg(feature = "alloc")]
    pub(crate) use global;

    /// Nothing runs at exit under shuttle: the registry belongs to one
    /// execution.
    pub(crate) fn at_exit(_f: extern "C" fn()) -> bool {
        false
    }
}

#[allow(unused_imports, unreachable_pub)]
// which items are used depends on the target's atomics
pub(crate) use imp::*;

/// Loom's view of who owns a pool slot: the pool [`touch`](Self::touch)es it
/// when a slot changes hands (after taking it, before giving it back), so a
/// slot handed over without synchronisation shows up in loom as two
/// unordered writes. Outside loom it is zero-sized and does nothing.
#[cfg(not(weakref_loom))]
#[derive(Debug)]
pub(crate) struct SlotOwnership;

#[cfg(not(weakref_loom))]
#[allow(dead_code)] // used by the pool only
impl SlotOwnership {
    pub(crate) const fn new() -> Self {
        SlotOwnership
    }

    #[inline(always)]
    pub(crate) fn touch(&self) {}
}

/// Loom's view of who owns a pool slot (see the non-loom definition).
#[cfg(weakref_loom)]
#[derive(Debug)]
pub(crate) struct SlotOwnership(loom::cell::UnsafeCell<()>);

#[cfg(weakref_loom)]
#[allow(dead_code)] // used by the pool only
impl SlotOwnership {
    pub(crate) fn new() -> Self {
        SlotOwnership(loom::cell::UnsafeCell::new(()))
    }

    /// A write, as far as loom's race detector is concerned.
    pub(crate) fn touch(&self) {
        self.0.with_mut(|_| ());
    }
}

/// Stops the process: a reference count is about to overflow, and going on
/// would let the count wrap and free a live value.
///
/// With feature `std` this is `std::process::abort`. Without it, a panic
/// raised while a guard's `Drop` panics again: a double panic, which every
/// panic runtime turns into an abort (and which a `panic = "abort"` firmware
/// stops at the first panic).
#[cold]
#[inline(never)]
pub(crate) fn abort() -> ! {
    #[cfg(feature = "std")]
    {
        std::process::abort()
    }
    #[cfg(not(feature = "std"))]
    {
        struct PanicOnDrop;
        impl Drop for PanicOnDrop {
            fn drop(&mut self) {
                panic!("weakref: aborting after a reference count overflow");
            }
        }
        let _guard = PanicOnDrop;
        panic!("weakref: reference count overflow");
    }
}

/// Reports a failed allocation in a constructor that cannot return an error:
/// `alloc::alloc::handle_alloc_error` with `alloc`, a panic without it.
#[cold]
#[inline(never)]
pub(crate) fn alloc_failed(layout: core::alloc::Layout) -> ! {
    #[cfg(feature = "alloc")]
    {
        alloc::alloc::handle_alloc_error(layout)
    }
    #[cfg(not(feature = "alloc"))]
    {
        panic!(
            "weakref: allocation of {} bytes (align {}) failed",
            layout.size(),
            layout.align()
        )
    }
}

/// The `no_std` lock, used from two threads: every increment made under it
/// is seen (Miri checks the Acquire/Release pairing as a data race).
#[cfg(all(
    test,
    feature = "alloc",
    not(feature = "std"),
    not(weakref_loom),
    not(weakref_shuttle)
))]
mod spin_lock_tests {
    use super::{Mutex, RwLock};

    #[test]
    fn increments_under_the_lock_are_never_lost() {
        static COUNTER: Mutex<u32> = Mutex::new(0);
        let rounds = if cfg!(miri) { 50 } else { 10_000 };
        let other = std::thread::spawn(move || {
            for _ in 0..rounds {
                *COUNTER.lock() += 1;
            }
        });
        for _ in 0..rounds {
            *COUNTER.lock() += 1;
        }
        other.join().unwrap();
        assert_eq!(*COUNTER.lock(), 2 * rounds);
    }

    #[test]
    fn readers_never_see_a_write_half_done() {
        static PAIR: RwLock<(u32, u32)> = RwLock::new((0, 0));
        let rounds = if cfg!(miri) { 50 } else { 10_000 };
        let writer = std::thread::spawn(move || {
            for _ in 0..rounds {
                let mut pair = PAIR.write();
                pair.0 += 1;
                pair.1 += 1;
            }
        });
        for _ in 0..rounds {
            let pair = PAIR.read();
            assert_eq!(pair.0, pair.1);
        }
        writer.join().unwrap();
        assert_eq!(*PAIR.read(), (rounds, rounds));
    }
}
