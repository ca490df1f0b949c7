//! Death callbacks, finalizers, weak methods and proxies over [`Rc`]
//! (Python's `weakref.ref(obj, callback)`, `finalize`, `WeakMethod`,
//! `proxy`, `getweakrefs`). Their rules (newest first, every weak handle
//! already dead, panics reported and the rest still run, dropping a handle
//! unregisters it) are in [`weakref_core::callbacks`].

use weakref_core::count::LocalCount;

pub use weakref_core::callbacks::{CallbackPanic, set_panic_hook, take_panic_hook};
pub use weakref_core::callbacks::{Kind, ReferenceError, Registration};

use crate::{Allocator, Global, Rc};

weakref_core::callback_aliases! {
    family: LocalCount,
    strong: Rc,
    krate: "weakref_std",
    exit: "this thread's exit (for the main thread, process exit)",
    thread_safe: [],
    func_safe: [],
}
