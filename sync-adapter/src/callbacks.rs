//! Death callbacks, finalizers, weak methods and proxies over [`Arc`]
//! (Python's `weakref.ref(obj, callback)`, `finalize`, `WeakMethod`,
//! `proxy`, `getweakrefs`). Their rules (newest first, every weak handle
//! already dead, panics reported and the rest still run, dropping a handle
//! unregisters it) are in [`weakref_core::callbacks`].

use weakref_core::count::AtomicCount;

#[cfg(feature = "std")]
pub use weakref_core::callbacks::{CallbackPanic, set_panic_hook, take_panic_hook};
pub use weakref_core::callbacks::{Kind, ReferenceError, Registration};

use crate::{Allocator, Arc, Global};

weakref_core::callback_aliases! {
    family: AtomicCount,
    strong: Arc,
    krate: "weakref_sync",
    exit: "process exit (with feature `std`)",
    thread_safe: [Send + Sync +],
    func_safe: [Send +],
}
