//! Python's weak dictionaries and sets: hash maps and sets whose entries
//! vanish once nothing else keeps their key or value alive.
//!
//! | Python | here | held weakly | compared by |
//! |---|---|---|---|
//! | `WeakValueDictionary` | [`WeakValueMap<K, V, C, S>`](WeakValueMap) | values | key's `Eq` |
//! | `WeakKeyDictionary` | [`WeakKeyMap<K, V, C, S>`](WeakKeyMap) | keys | key's `Eq` |
//! | — | [`PtrWeakKeyMap<K, V, C, S>`](PtrWeakKeyMap) | keys | identity |
//! | `WeakSet` | [`WeakSet<T, C, S>`](WeakSet) | elements | `Eq` |
//! | — | [`PtrWeakSet<T, C, S>`](PtrWeakSet) | elements | identity |
//!
//! One implementation, on hashbrown's `HashTable` and the safe API of the
//! handles only (this module has no `unsafe`), generic over the pointer
//! family `C` ([`WeakFamily`]) and the hasher `S`. The family is a counter
//! for weakref's own [`Strong`](crate::Strong) and [`Weak`](crate::Weak)
//! on the heap ([`Global`](crate::storage::Global)) — `LocalCount` for the
//! `Rc` family, `AtomicCount` for `Arc` — or [`StdRc`] / [`StdArc`] for
//! the `Rc`/`Arc` of std a program already uses (without the death tally:
//! see below). The adapters fill both
//! in: `weakref_std::WeakValueMap<K, V>` is this `WeakValueMap` over
//! `LocalCount` with std's `RandomState`, `weakref_sync::WeakValueMap<K, V>`
//! the same over `AtomicCount`. Over `AtomicCount` the collections are
//! `Send` and `Sync` whenever their contents are.
//!
//! ```
//! # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
//! # type WeakValueMap<K, V> = weakref_core::collections::WeakValueMap<K, V, weakref_core::count::LocalCount, std::hash::RandomState>;
//! # type WeakSet<T> = weakref_core::collections::WeakSet<T, weakref_core::count::LocalCount, std::hash::RandomState>;
//! let mut cache: WeakValueMap<String, Vec<u8>> = WeakValueMap::default();
//! // The map holds the value weakly: `insert_new` returns the handle to keep.
//! let image: Rc<Vec<u8>> = cache.insert_new("sunset.png".to_owned(), vec![0; 1024]);
//! assert_eq!(cache.live_len(), 1);
//! drop(image);
//! assert_eq!(cache.live_len(), 0); // gone with its last user
//! assert!(cache.is_empty()); // no live entry (`len()` may still count the dead one)
//!
//! let mut tags: WeakSet<str> = WeakSet::default();
//! let rust = tags.get_or_insert_with("rust", |s| Rc::from(s));
//! assert!(Rc::ptr_eq(&rust, &tags.get_or_insert_with("rust", |s| Rc::from(s))));
//! ```
//!
//! # What is guaranteed
//!
//! * **A dead entry is never returned.** Lookups, removals, entries and
//!   iterators treat an entry whose weak part died as absent; iterators
//!   upgrade each entry when they reach it, so a death during the loop (the
//!   loop body dropping the last handle of a later entry, or another thread
//!   doing so under `Arc`) is skipped, never yielded, never a panic.
//!   Returned values are strong handles: they stay alive while you use them.
//! * **A stale death never removes a live entry.** An entry is removed only
//!   when its own weak handle is found dead, and death is permanent, so a
//!   value (or key) stored since, under an equal key, stays.
//! * **Hashes are computed once**, at insert, for the weak-keyed
//!   collections: a dead key cannot be hashed, yet its entry must move when
//!   the table grows, so each entry stores its hash. A [`WeakValueMap`]
//!   owns its keys and hashes them again when its table is resized (its
//!   entries are a key and a pointer, as in a plain map of `Weak`): see
//!   [Panics in user code](self#panics-in-user-code).
//! * **Copies hold live entries only** (`Clone`, `Debug`, and set algebra,
//!   which returns new sets); `==` compares live entries only.
//!
//! # Iterator items: weak comes out strong, owned comes out borrowed
//!
//! One rule decides every item shape: **what a collection holds weakly is
//! yielded upgraded, as a new strong handle; what it owns is yielded by
//! reference** (by value from `into_iter`, `drain`, `into_keys`, ...). The
//! strong handle is what keeps the item from dying while you use it; an
//! owned part needs no such guard.
//!
//! | collection | `iter()` | `keys()` | `values()` |
//! |---|---|---|---|
//! | [`WeakValueMap`] | `(&K, Strong<V>)` | `&K` | `Strong<V>` |
//! | [`WeakKeyMap`], [`PtrWeakKeyMap`] | `(Strong<K>, &V)` | `Strong<K>` | `&V` |
//! | [`WeakSet`], [`PtrWeakSet`] | `Strong<T>` | — | — |
//!
//! The weak handles themselves are there too, for Python's `keyrefs()` /
//! `valuerefs()` (`key_refs`, `value_refs`).
//!
//! # Inserting without the temporary trap
//!
//! `insert` takes `&Strong<_>` and stores a weak handle, so
//! `map.insert(k, &Rc::new(v))` stores an entry that is dead before the
//! statement ends. `insert_new` takes the value (the key, for the
//! weak-keyed maps; the element, for the sets) by value, allocates its
//! strong handle, stores the weak one, and returns the strong handle that
//! keeps the entry alive, `#[must_use]`. Where an equal live key (element)
//! is already stored and the collection keeps it (`WeakKeyMap`,
//! `WeakSet`), the handle returned is the stored one.
//!
//! # Naming: std's
//!
//! `remove` returns the value for maps (`Option<V>` or
//! `Option<Strong<V>>`), and a `bool` for sets, whose `take` returns the
//! element (std's `HashSet::remove` / `take`;
//! [`WeakInterner`] follows the same rule). `extract_if`, `into_keys`,
//! `into_values`, `try_reserve`, `shrink_to`, `retain` and the entry API
//! behave as std's, with live entries only; a predicate sees a weak part
//! as a strong handle.
//!
//! # Dead entries, `len`, and purging
//!
//! Nothing tells a collection that one of its values died (a death
//! callback per entry would cost more than an insert), so a dead entry
//! stays in its table, invisible, until a **purge** finds it: a pass that
//! drops every entry whose weak handle no longer upgrades, then sizes the
//! table for what is left (twice its live entries, growing it, or
//! shrinking it after a mass death once it is four times larger than that,
//! so that churn around one size does not reallocate at every purge; with
//! the hashes stored in the entries of the weak-keyed collections, with the
//! keys hashed again in a [`WeakValueMap`]). Purges happen by
//! themselves, in bulk, before an operation that may add an entry
//! (`insert`, `entry`, `get_or_insert_with`, `extend`), by two rules.
//!
//! **The death rule.** The counters keep a tally of the weak handles that
//! dying values leave behind: each death adds the weak handles still
//! pointing at the value's block
//! ([`RawCount::weak_deaths`](crate::count::RawCount::weak_deaths): per
//! thread for `LocalCount` with `std`, process-wide for `AtomicCount`).
//! Each dead entry holds one of them (a value stored under several keys
//! leaves one per key), so if the tally moved by `D` since the last purge,
//! at most `D` entries can have died, and a purge is due once
//!
//! ```text
//! 2 × min(D, len) > len + 8
//! ```
//!
//! and until then dead entries cannot outnumber the live ones by more
//! than 8. **The size rule.** A purge is also due once the table holds
//! `max(4 × L, with_capacity, 8)` entries, `L` being the live entries the
//! previous purge left (`with_capacity` the capacity asked for at
//! construction, if any). So:
//!
//! * **after any insert, dead entries ≤ live entries + 8**, and entries,
//!   live or dead, ≤ `2 × live + 8`: memory follows the live entries, not
//!   the history (a purge that removed entries leaves room for the
//!   `4 × L` entries allowed until the next one, so that the table
//!   neither grows nor rehashes in between);
//! * right after a purge there is no dead entry;
//! * a purge costs O(capacity); between two purges come either about `L`
//!   new entries or `len / 2` deaths: amortized O(1) per insert and per
//!   death, for one collection. A scan reads every entry's block; it goes
//!   through the buckets in steps of 64 and, on x86-64, prefetches a
//!   step's blocks before deciding any, so that in a table larger than the
//!   cache their misses overlap instead of coming one at a time;
//! * a purge that cannot find anything skips its scan: while the tally
//!   reads as at the last scan, no entry can have died. A growing table
//!   whose values all live then never reads their blocks, and `len` and
//!   `capacity` are exactly what the scan would have left.
//!
//! The tally is not per collection, so deaths elsewhere (another
//! collection's values, a tree's nodes with weak parent links) also bring
//! a purge closer: each collection scans at most once per `len / 2` weak
//! handles left by deaths, i.e. at most 2 entry checks per such handle per
//! collection that holds entries.
//!
//! **Without a tally** (std's handles, [`StdRc`] and [`StdArc`]; a foreign
//! counter, `LocalCount` without `std`, the loom build) the size rule alone
//! applies, at `max(2 × L, with_capacity,
//! 8)`: entries never exceed that, the allocation is sized for it (dead
//! entries never make the table grow), and "dead ≤ live + 8" holds
//! relative to the live entries of the last purge, not to the current
//! ones. The shards of a [`WeakCache`] and a [`WeakInterner`] follow that
//! rule too (with a process-wide tally, 32 shards would each rescan after
//! every few dozen deaths anywhere). [`purge`](WeakValueMap::purge) runs one
//! now; `shrink_to_fit` purges, then returns all the memory it can.
//!
//! Hence the two counts:
//!
//! * **`len()`**, O(1): entries in the table, *including dead ones not yet
//!   purged* — an upper bound on the live ones, like weak-table's `len`.
//! * **`live_len()`**, O(capacity): the exact number of live entries (a
//!   snapshot under `Arc`).
//! * **`is_empty()`**: whether no entry is alive, `live_len() == 0` (so it
//!   may be `true` while `len() > 0`); it stops at the first live entry.
//! * **`Debug`** prints both counts and the live entries only:
//!   `WeakValueMap { len: 2, live_len: 1, entries: {1: 10} }`.
//!
//! Python's `len()` is exact, modulo removals pending while iterating,
//! because its callbacks remove dead entries as they die.
//!
//! # Hashers
//!
//! `S` is any [`BuildHasher`](core::hash::BuildHasher). With feature `std`,
//! `new()` and `with_capacity()` use std's `RandomState` (SipHash-1-3 with
//! random keys), which resists HashDoS: someone who picks the keys (from
//! network input, say) cannot make every key collide. The adapters default
//! to it too. Without `std` there is no default: bring a hasher, or enable
//! feature `default-hasher` for `DefaultHashBuilder` (hashbrown's, based
//! on foldhash). It is several times faster on small keys, but **it is not
//! HashDoS-resistant**: use it only where the keys are not chosen by an
//! adversary.
//!
//! # Panics in user code
//!
//! A panic in a key's `Hash` or `Eq`, or in the `Drop` of a key or value the
//! collection drops, leaves it usable and leaks nothing (this module has no
//! `unsafe`; hashbrown's table is panic-safe). In the weak-keyed
//! collections `Hash` runs once per key, before anything changes: every
//! entry stores its hash, so growing, shrinking and purging never call it.
//! A [`WeakValueMap`] stores no hash: growing or shrinking its table (in
//! `insert`, `entry`, `reserve`, `shrink_to`, and after a purge, so also
//! in `purge` and `retain`) hashes every key again, as std's `HashMap`
//! does. If a key's `Hash` panics then, the map stays usable and nothing
//! leaks or is dropped twice, but, as with std's `HashMap`, **entries may
//! be lost**: a table resized into a new allocation keeps all its
//! entries, while one rehashed in place (hashbrown's way to clear
//! tombstones) drops the entries it had not placed yet. A `WeakCache`'s
//! shards hash with clones of its hasher, which must hash as the original
//! (as for std's `HashMap::clone`). `Eq` runs during lookups,
//! which change nothing. A key or value is dropped only once its entry is
//! unlinked (hashbrown erases before dropping; replaced keys and values are
//! dropped after the slot is whole), so a panicking `Drop` interrupts at
//! most the rest of a purge, whose remaining dead entries wait for the
//! next one.
//!
//! User code that kills values of the collection while it runs (a `Hash`,
//! `Eq` or `Drop` that drops a strong handle to one of its values) can
//! leave dead entries past what the bounds above count: they wait for the
//! next purge.
//!
//! # Differences from Python
//!
//! * Values and keys go in as `&Strong<T>`: the collection only takes a weak
//!   handle, and you keep the strong one. Inserting a temporary (`&Rc::new(x)`)
//!   stores an entry that is dead at once; `insert_new` (above) cannot.
//! * `len()` may count dead entries (above); `live_len()` is exact.
//! * Mutation needs `&mut self`, so iteration never sees the collection
//!   change under it; only deaths can happen meanwhile, and those are
//!   skipped.
//! * A weak-keyed map drops a dead key's value when the entry is purged,
//!   not at the moment the key dies.

#![forbid(unsafe_code)]

pub mod cache;
mod family;
pub mod interner;
pub mod key_map;
pub mod lru;
mod ptr_key_map;
mod ptr_set;
mod raw;
pub mod set;
mod sharded;
pub mod value_map;

pub use cache::WeakCache;
#[cfg(target_has_atomic = "ptr")]
pub use family::StdArc;
pub use family::{StdRc, WeakFamily};
pub use interner::WeakInterner;
pub use key_map::WeakKeyMap;
pub use lru::WeakLruCache;
pub use ptr_key_map::PtrWeakKeyMap;
pub use ptr_set::PtrWeakSet;
pub use set::WeakSet;
pub use value_map::WeakValueMap;

/// The error of a failed `try_reserve`: the capacity overflowed, or the
/// allocator failed (hashbrown's type; std's cannot be built outside std).
pub use hashbrown::TryReserveError;

/// hashbrown's default hasher (foldhash): fast, **not HashDoS-resistant**
/// (see [Hashers](self#hashers)). Under feature `default-hasher`.
#[cfg(feature = "default-hasher")]
#[cfg_attr(docsrs, doc(cfg(feature = "default-hasher")))]
pub use hashbrown::DefaultHashBuilder;
