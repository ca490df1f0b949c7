//! The registry: which death callbacks each watched block has, and the
//! finalizers to run at exit. One per family: a thread-local one for
//! [`LocalCount`] (its handles never leave their thread) and a global one,
//! behind a lock, for [`AtomicCount`].
//!
//! The registry never runs user code while it is borrowed or locked: it
//! hands entries out, and the caller runs or drops them afterwards, so a
//! callback may register, unregister or kill anything (rule 10).

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::{Kind, Registration};
use crate::count::RawCountWatch;

/// One registered handle of a block.
pub(crate) struct Entry<F: ?Sized> {
    kind: Kind,
    callback: Option<Box<F>>,
}

impl<F: ?Sized> Entry<F> {
    /// The callback, if the handle has one.
    pub(crate) fn into_callback(self) -> Option<Box<F>> {
        self.callback
    }
}

/// What [`Registry::take_all`] took out of the registry for a block that
/// died: its entries, oldest first, and the at-exit actions of its
/// finalizers. The caller runs and drops them after releasing the registry.
pub(crate) struct Taken<F: ?Sized> {
    /// The block's entries, oldest first.
    pub(crate) entries: Vec<Entry<F>>,
    /// The at-exit actions of its finalizers (dropped, never run).
    pub(crate) at_exit: Vec<Box<F>>,
}

/// The registry of one family. `F` is the family's callback type
/// (`dyn FnOnce()`, plus `Send` for the atomic family).
///
/// One flat ordered map keyed by (block address, registration id): a
/// block's registrations are a contiguous range, oldest first, and a
/// registration costs no allocation of its own (a map per block would
/// allocate a list for each watched block).
#[allow(unreachable_pub)] // named by the sealed `Family` trait only
pub struct Registry<F: ?Sized> {
    /// The next registration id: ids grow, so the newest is the largest.
    next_id: u64,
    /// Every registered handle, by (block, id).
    entries: BTreeMap<(usize, u64), Entry<F>>,
    /// Finalizers that run at exit, by id.
    at_exit: BTreeMap<u64, Box<F>>,
    /// Whether the process-exit hook is installed (global registry).
    exit_hook: bool,
}

impl<F: ?Sized> core::fmt::Debug for Registry<F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Registry")
            .field("entries", &self.entries.len())
            .field("at_exit", &self.at_exit.len())
            .finish_non_exhaustive()
    }
}

/// The ids of the block at `key`, as a range of the flat map's keys.
fn block(key: usize) -> core::ops::RangeInclusive<(usize, u64)> {
    (key, 0)..=(key, u64::MAX)
}

impl<F: ?Sized> Registry<F> {
    /// An empty registry.
    pub(crate) const fn new() -> Self {
        Registry {
            next_id: 1,
            entries: BTreeMap::new(),
            at_exit: BTreeMap::new(),
            exit_hook: false,
        }
    }

    /// Whether the block at `key` has a registration.
    fn watched(&self, key: usize) -> bool {
        self.entries.range(block(key)).next().is_some()
    }

    /// Registers a handle of the block at `key`, with its callback if it
    /// has one, and returns its id. The first registration of a block sets
    /// its watch flag.
    ///
    /// The caller holds a weak handle of its own to that block (the
    /// [`RawCountWatch`] contract), so the address is not reused while the
    /// entry exists. Everything that runs user code (clones of weak handles
    /// and allocators) was built before: this only moves the box in.
    pub(crate) fn insert<C: RawCountWatch>(
        &mut self,
        count: &C,
        key: usize,
        kind: Kind,
        callback: Option<Box<F>>,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        if !count.is_watched() {
            count.set_watched();
        }
        self.entries.insert((key, id), Entry { kind, callback });
        id
    }

    /// Removes the registration `id` of the block at `key`, if it is still
    /// there (it is gone once the block died). The last one clears the
    /// watch flag. The caller drops the entry after releasing the registry.
    pub(crate) fn remove<C: RawCountWatch>(
        &mut self,
        count: &C,
        key: usize,
        id: u64,
    ) -> Option<Entry<F>> {
        let entry = self.entries.remove(&(key, id))?;
        if !self.watched(key) {
            count.clear_watched();
        }
        Some(entry)
    }

    /// Takes every registration of a block whose strong count reached 0,
    /// oldest first, and clears its watch flag. A finalizer's at-exit
    /// action goes too (its death entry runs the function now, or it ran or
    /// was detached already): it is returned with the entries, for the
    /// caller to drop after releasing the registry.
    pub(crate) fn take_all<C: RawCountWatch>(&mut self, count: &C, key: usize) -> Taken<F> {
        count.clear_watched();
        let mut taken = Taken {
            entries: Vec::new(),
            at_exit: Vec::new(),
        };
        while let Some((&first, _)) = self.entries.range(block(key)).next() {
            let Some(entry) = self.entries.remove(&first) else {
                break;
            };
            if entry.kind == Kind::Finalizer {
                taken.at_exit.extend(self.at_exit.remove(&first.1));
            }
            taken.entries.push(entry);
        }
        taken
    }

    /// Whether nothing is registered: no entry and no at-exit action (an
    /// at-exit action lives only as long as its finalizer's entry).
    #[cfg(feature = "std")]
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.at_exit.is_empty()
    }

    /// Whether registration `id` of the block at `key` is there with a
    /// callback.
    pub(crate) fn has_callback(&self, key: usize, id: u64) -> bool {
        self.entries
            .get(&(key, id))
            .is_some_and(|e| e.callback.is_some())
    }

    /// The registrations of the block at `key`, oldest first.
    pub(crate) fn list(&self, key: usize) -> Vec<Registration> {
        self.entries
            .range(block(key))
            .map(|(&(_, id), e)| Registration {
                id,
                kind: e.kind,
                has_callback: e.callback.is_some(),
            })
            .collect()
    }

    /// Adds a finalizer's at-exit action; returns whether the caller must
    /// install the process-exit hook (the first time, in the global one).
    pub(crate) fn insert_at_exit(&mut self, id: u64, action: Box<F>) -> bool {
        self.at_exit.insert(id, action);
        !core::mem::replace(&mut self.exit_hook, true)
    }

    /// Removes a finalizer's at-exit action (it ran, or was detached).
    pub(crate) fn remove_at_exit(&mut self, id: u64) -> Option<Box<F>> {
        self.at_exit.remove(&id)
    }

    /// The newest at-exit action.
    pub(crate) fn pop_at_exit(&mut self) -> Option<Box<F>> {
        self.at_exit.pop_last().map(|(_, action)| action)
    }
}
