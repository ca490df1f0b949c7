//! Being told when a value dies: Python's `ref(obj, callback)`,
//! `finalize`, `WeakMethod` and `proxy`, for both families.
//!
//! | Python                         | here                                                |
//! |--------------------------------|-----------------------------------------------------|
//! | `ref(obj, callback)`           | [`WeakRef::with_callback`]                          |
//! | `ref(obj)`, `r()`              | [`WeakRef::new`], [`WeakRef::upgrade`]              |
//! | `finalize(obj, func)`          | [`Finalizer`] (`finalize` in the adapters)          |
//! | `WeakMethod(obj.method)`       | [`WeakMethod`]                                      |
//! | `proxy(obj)`, `ReferenceError` | [`Proxy`], [`ReferenceError`]                       |
//! | `getweakrefcount(obj)`         | `Strong::weak_count`                                |
//! | `getweakrefs(obj)`             | [`registrations`]                                   |
//! | `sys.unraisablehook`           | [`set_panic_hook`] (`std`)                          |
//!
//! # When callbacks run
//!
//! When the strong count of a value reaches 0 — its last strong handle is
//! dropped, or `try_unwrap`/`into_inner` move the value out, or `make_mut`
//! moves it away from its weak handles — on that thread, before the value
//! is dropped:
//!
//! * every weak handle is already dead (`upgrade` returns `None`);
//! * the callbacks run newest first, each exactly once;
//! * a handle dropped before the death unregisters its callback, which then
//!   never runs;
//! * a callback never receives the value: it captures what it needs (a map
//!   key, a channel). A callback that captures a strong handle to the value
//!   keeps it alive for as long as the callback is registered (Python's
//!   documented pitfall): capture a weak handle or a key instead;
//! * a callback may drop other handles, kill other values, register new
//!   callbacks on other values or touch containers: the registry is never
//!   locked or borrowed while user code runs (nor while an allocator's
//!   `clone` or `drop` runs, when a handle registers or goes);
//! * this holds also for values that die while their thread destroys its
//!   thread-locals (see below).
//!
//! # Thread exit (the local family)
//!
//! Python runs callbacks when a thread's locals are cleared. Here, a
//! value of the local family may die in any thread-local's destructor,
//! also in one that std runs after weakref's own (std runs them in reverse
//! order of registration): its callbacks and finalizers run then, as at
//! any death. The thread's registry lives on the heap, reached through a
//! thread-local without a destructor; it is freed once the thread's
//! at-exit finalizers have run and no registration is left (a registration
//! that is never dropped, on a value leaked for ever, keeps it).
//!
//! That holds with native thread-locals (Linux, macOS, Windows with MSVC,
//! Miri, among others).
//! On targets whose `thread_local!` uses OS keys instead, std destroys
//! even a destructor-less thread-local, in an order the OS chooses: a
//! value that dies after its thread destroyed the registry's slot runs no
//! callback and no finalizer, a handle made then registers nothing (its
//! `id()` is 0), and registrations still pending in the lost registry leak
//! with it. The death path still clears the value's watch flag, so its
//! block is freed; until then, `get_mut` may return `None` and `make_mut`
//! may move the value as if a weak handle were left.
//!
//! A panic in a callback is reported and the others still run (see
//! [`set_panic_hook`]; without `std`, the module `panics` notes below).
//!
//! # Cost
//!
//! A value that never gets a callback pays nothing on clone, drop, upgrade
//! or downgrade: the header stays two words, and the weak count's low bit
//! (the *watch flag*, see [`count`](crate::count)) costs one load and one
//! test when the last strong handle goes. A watched block's death takes the
//! registry's lock once (the atomic family) or borrows a thread-local (the
//! local family).
//!
//! # Without `std`
//!
//! The atomic family's callbacks work without `std` (the registry is a
//! spin-locked map). A panicking callback cannot be caught there: the
//! remaining callbacks still run while it unwinds, the value is still
//! dropped and the block freed, and then the panic propagates; a second
//! panic meanwhile aborts. Finalizers do not run at exit. The local
//! family's callbacks need `std` (a thread-local registry).

mod aliases;
mod family;
mod finalize;
mod method;
mod panics;
mod proxy;
mod registry;
mod weak_ref;

use alloc::vec::Vec;
use core::hash::Hasher;

pub use family::{CallbackFamily, IntoCallback};
pub use finalize::{Finalizer, FinalizerFamily};
pub use method::WeakMethod;
#[cfg(feature = "std")]
pub use panics::{CallbackPanic, set_panic_hook, take_panic_hook};
pub use proxy::{Proxy, ReferenceError};
pub use weak_ref::WeakRef;

use crate::Strong;
use crate::storage::Allocator;

/// What kind of handle a [`Registration`] is.
///
/// # Examples
///
/// ```
/// use weakref_core::callbacks::Kind;
///
/// assert_ne!(Kind::Ref, Kind::Proxy);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A [`WeakRef`].
    Ref,
    /// A [`Proxy`].
    Proxy,
    /// A [`WeakMethod`].
    Method,
    /// A [`Finalizer`].
    Finalizer,
}

/// One registered handle of a value, as [`registrations`] lists it
/// (Python's `getweakrefs`, which returns the weak reference objects; Rust
/// handles are owned values, so this describes them instead).
///
/// # Examples
///
/// ```
/// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
/// use weakref_core::callbacks::{Kind, WeakRef, registrations};
///
/// let rc = Arc::new(1);
/// let r = WeakRef::with_callback(&rc, || {});
/// let found = registrations(&rc);
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].id(), r.id());
/// assert_eq!(found[0].kind(), Kind::Ref);
/// assert!(found[0].has_callback());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Registration {
    id: u64,
    kind: Kind,
    has_callback: bool,
}

impl Registration {
    /// The handle's id (its `id()` method returns the same).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::{WeakRef, registrations};
    ///
    /// let rc = Arc::new(1);
    /// let r = WeakRef::new(&rc);
    /// assert_eq!(registrations(&rc)[0].id(), r.id());
    /// ```
    pub fn id(&self) -> u64 {
        self.id
    }

    /// What kind of handle it is.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::{Kind, Proxy, registrations};
    ///
    /// let rc = Arc::new(1);
    /// let _p = Proxy::new(&rc);
    /// assert_eq!(registrations(&rc)[0].kind(), Kind::Proxy);
    /// ```
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Whether it carries a death callback (Python's `__callback__` is not
    /// `None`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
    /// use weakref_core::callbacks::{WeakRef, registrations};
    ///
    /// let rc = Arc::new(1);
    /// let _r = WeakRef::new(&rc);
    /// assert!(!registrations(&rc)[0].has_callback());
    /// ```
    pub fn has_callback(&self) -> bool {
        self.has_callback
    }
}

/// The registered handles ([`WeakRef`], [`Proxy`], [`WeakMethod`],
/// [`Finalizer`]) of a live value, oldest first: Python's `getweakrefs`.
/// Plain `Weak` handles are counted by `Strong::weak_count`
/// (`getweakrefcount`) but not listed.
///
/// # Examples
///
/// ```
/// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
/// use weakref_core::callbacks::{WeakRef, registrations};
///
/// let rc = Arc::new(1);
/// assert!(registrations(&rc).is_empty());
/// let _a = WeakRef::new(&rc);
/// let _b = WeakRef::with_callback(&rc, || {});
/// assert_eq!(registrations(&rc).len(), 2);
/// assert_eq!(Arc::weak_count(&rc), 2);
/// ```
#[doc(alias = "getweakrefs")]
pub fn registrations<T: ?Sized, C: CallbackFamily, A: Allocator>(
    strong: &Strong<T, C, A>,
) -> Vec<Registration> {
    let key = strong.block_addr();
    C::with_registry(|r| r.list(key)).unwrap_or_default()
}

/// The death path: called through `RawCount::notify_death` by the handle
/// that took strong to 0, when the watch flag is set. Takes the block's
/// registrations out, then runs their callbacks newest first.
///
/// If the registry is unreachable (the local family's, on a target whose
/// thread-locals use OS keys, once this thread destroyed it: see
/// `family.rs`), the callbacks cannot run, but the watch flag is cleared
/// all the same: a flag left set would keep the stored weak count from
/// ever reaching 0 (the block would leak) and would make `get_mut` and
/// `make_mut` see weak handles that are not there.
pub(crate) fn run_death_callbacks<C: CallbackFamily>(count: &C, key: usize) {
    let Some(taken) = C::with_registry(|r| r.take_all(count, key)) else {
        count.clear_watched();
        return;
    };
    // The entries are ours now: a handle dropped meanwhile finds nothing to
    // unregister. The at-exit actions of the block's finalizers go unrun
    // (each finalizer's death entry runs its function); dropping one runs
    // no user code, as that entry, still in `taken.entries`, shares its
    // state. Dropping a callback-less entry is a no-op.
    drop(taken.at_exit);
    panics::run_all(taken.entries.into_iter().rev(), |entry| {
        if let Some(callback) = entry.into_callback() {
            C::invoke(callback);
        }
    });
}

/// Removes registration `id` of the block at `key`, dropping the entry
/// after the registry is released.
fn unregister<C: CallbackFamily>(count: &C, key: usize, id: u64) {
    let entry = C::with_registry(|r| r.remove(count, key, id));
    drop(entry);
}

/// A fixed, seedless 64-bit hasher for the cached referent hash of
/// [`WeakRef`] (rule 8): the same value hashes the same in every handle.
#[derive(Debug, Default)]
struct Digest(u64);

impl Hasher for Digest {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}
