//! The weak collections' model, shared by the `weak_map_ops` fuzz target
//! and the property tests (`tests/tests/it/model.rs`): single-threaded
//! programs on the weak collections, run
//! twice, once per counter (`LocalCount`, then `AtomicCount`): a
//! `WeakValueMap<u8, Item>`, a `WeakKeyMap<Item, u32>` (an `Item`'s key is
//! a small byte: equal keys, distinct values) and a `WeakCache<u8, Item>`
//! used through `&self`, all fed from a few strong slots.
//!
//! The model: per map, its entries dead or alive (key → value for the
//! value-weak ones, (weak key, value) for the key-weak one) and the purge
//! policy the module docs state (a purge before an insert once `len`
//! reaches `max(2 × live at the last purge, with_capacity, 8)`, or, but for
//! the cache's shards, once the deaths counted since the last scan could
//! leave more dead entries than live ones + 8, and then at `4 × live`
//! instead of `2 ×`), so that `len()` is
//! predicted exactly. After every step: `len()` (exact under `LocalCount`,
//! whose tally of deaths is this thread's; under `AtomicCount`, whose
//! tally other tests move too, and for a cache with several shards,
//! between `live_len()` and the model's unpurged entries), `live_len()`
//! exact and `<= len()`; after every insert into the value or key map,
//! dead entries at most the live ones + 8; `get` and
//! `contains_key` of every key, iteration (`iter`, `keys`, `values`,
//! `snapshot`) yielding exactly the live entries, every strong handle's
//! counts (its weak count is the entries naming it), and the drop log:
//! each value dropped exactly when its last strong handle goes, never by a
//! map. Operations return what the model says: `insert`'s previous live
//! value, `remove`, `get_or_insert_with` / `entry` (existing live value or
//! a new one), `pop_any`, `drain`, `retain`, `clone`; after `purge()` and
//! `shrink_to_fit()`, `len() == live_len()`.
//!
//! # Examples
//!
//! ```
//! use weakref_tests::map_model::Program;
//!
//! // Any bytes decode into a program.
//! Program::decode(&[0x81, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).run();
//! ```

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// The maps' hasher: std's random one; under `--cfg weakref_shuttle` (the
/// schedule fuzzer `arc_sched`) a fixed one, so that the same input takes
/// the same shards and the same purges, and its schedule replays exactly.
#[cfg(not(weakref_shuttle))]
type MapHasher = std::hash::RandomState;
#[cfg(weakref_shuttle)]
type MapHasher = std::hash::BuildHasherDefault<std::hash::DefaultHasher>;
use std::sync::{Arc, Mutex, MutexGuard};

use arbitrary::Arbitrary;

use weakref_core::Strong;
use weakref_core::collections::{WeakCache, WeakKeyMap, WeakValueMap};
use weakref_core::count::{AtomicCount, LocalCount, RawCount};
use weakref_core::storage::Global;

use crate::next_occupied;

/// Strong slots.
const NS: usize = 6;
/// Map keys (and `Item` keys) are taken modulo this.
const NK: u8 = 16;
/// The purge floor (`PURGE_MIN` in the collections' docs).
const PURGE_MIN: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
enum Op {
    /// A fresh value with key `k` into S`to`.
    New {
        to: u8,
        k: u8,
    },
    Clone {
        from: u8,
        to: u8,
    },
    Drop {
        at: u8,
    },
    // --- WeakValueMap<u8, Item>
    /// `insert(key, &S[from])`.
    VInsert {
        key: u8,
        from: u8,
    },
    /// `insert(key, &Strong::new(..))`: an entry dead at once.
    VInsertTemp {
        key: u8,
    },
    /// `get(key)`, the result kept in S`to`.
    VGet {
        key: u8,
        to: u8,
    },
    VRemove {
        key: u8,
    },
    /// `get_or_insert_with(key, new value)`, the result into S`to`.
    VGetOrInsert {
        key: u8,
        to: u8,
    },
    /// `entry(key).or_insert(S[from].clone())`.
    VEntry {
        key: u8,
        from: u8,
    },
    VPurge,
    VClear,
    VShrink,
    /// `retain`: keeps the keys whose bit is set in `mask`.
    VRetain {
        mask: u16,
    },
    /// `pop_any`, then `purge` (`pop_any` drops the dead entries it meets,
    /// which ones depends on the table order).
    VPopPurge,
    VDrain,
    /// Replaces the map by its clone (live entries only).
    VClone,
    // --- WeakKeyMap<Item, u32>
    /// `insert(&S[from], val)`.
    KInsert {
        from: u8,
        val: u8,
    },
    KInsertTemp {
        k: u8,
        val: u8,
    },
    KRemove {
        key: u8,
    },
    /// `get_or_insert_with(&S[from], || val)`, then `+= 1` on the result.
    KGetOrInsert {
        from: u8,
        val: u8,
    },
    KPurge,
    KClear,
    KRetain {
        mask: u16,
    },
    // --- WeakCache<u8, Item> (through `&self`)
    CInsert {
        key: u8,
        from: u8,
    },
    CInsertTemp {
        key: u8,
    },
    CGet {
        key: u8,
        to: u8,
    },
    CRemove {
        key: u8,
    },
    CGetOrInsert {
        key: u8,
        to: u8,
    },
    CPurge,
    CClear,
}

/// The maps' setup (the first byte), then ops until the bytes run out.
/// Its `Debug` shows the setup and the decoded operations.
#[derive(Debug)]
pub struct Program {
    /// `WeakValueMap::with_capacity` (0: `new()`).
    v_capacity: u8,
    /// Shards of the cache: 1 (its `len` is then exact) or 4.
    cache_shards: usize,
    ops: Vec<Op>,
}

impl<'a> Arbitrary<'a> for Program {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let flags = u8::arbitrary(u)?;
        let mut ops = Vec::new();
        while !u.is_empty() {
            ops.push(Op::arbitrary(u)?);
        }
        Ok(Program {
            v_capacity: flags & 0x1f,
            cache_shards: if flags & 0x80 == 0 { 1 } else { 4 },
            ops,
        })
    }
}

type Log = Arc<Mutex<Vec<u32>>>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A value: compared and hashed by its small key `k` only (as a `u8`, so
/// that maps keyed by `Item` can be searched by `&u8`); `id` is its
/// identity, written to the log when dropped.
#[derive(Debug)]
struct Item {
    k: u8,
    id: u32,
    log: Log,
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.k == other.k
    }
}

impl Eq for Item {}

impl Hash for Item {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.k.hash(state);
    }
}

impl Borrow<u8> for Item {
    fn borrow(&self) -> &u8 {
        &self.k
    }
}

impl Drop for Item {
    fn drop(&mut self) {
        lock(&self.log).push(self.id);
    }
}

/// The purge policy of one table.
#[derive(Debug, Clone, Copy)]
struct Policy {
    purge_at: usize,
    min_capacity: usize,
    /// Whether a purge is also due when the deaths since the last scan
    /// could outnumber the live entries (not for a cache's shards).
    bound_dead: bool,
    /// The family's tally of deaths (`RawCount::weak_deaths`) as the
    /// table reads it during the current step (set by `Run::exec`).
    tally: Option<usize>,
    /// The tally at the last scan or clear (`None`: never).
    deaths_seen: Option<usize>,
}

impl Policy {
    fn with_capacity(capacity: usize, bound_dead: bool) -> Self {
        Policy {
            purge_at: capacity.max(PURGE_MIN),
            min_capacity: capacity,
            bound_dead,
            tally: None,
            deaths_seen: None,
        }
    }

    /// Whether a table of `len` entries purges before an add: at its size
    /// threshold, or once `2 × min(deaths since the last scan, len) > len
    /// + PURGE_MIN` (then dead entries could outnumber live ones + 8).
    fn due(&self, len: usize) -> bool {
        if len >= self.purge_at {
            return true;
        }
        let Some(now) = self.tally else {
            return false;
        };
        let deaths = self
            .deaths_seen
            .map_or(usize::MAX, |seen| now.wrapping_sub(seen));
        self.bound_dead && len > PURGE_MIN && 2 * deaths.min(len) > len + PURGE_MIN
    }

    /// After a purge that left `live` entries: the next at twice that, or
    /// four times where deaths are counted (the death rule bounds dead
    /// entries then) and in a cache's shards (no death rule: four times
    /// trades dead entries for fewer purges).
    fn fit(&mut self, live: usize) {
        let factor = if !self.bound_dead || self.tally.is_some() {
            4
        } else {
            2
        };
        self.purge_at = (factor * live).max(self.min_capacity).max(PURGE_MIN);
        self.deaths_seen = self.tally;
    }

    fn cleared(&mut self) {
        self.purge_at = self.min_capacity.max(PURGE_MIN);
        self.deaths_seen = self.tally;
    }
}

/// A value-weak table: key → value id, dead or alive.
#[derive(Debug, Clone)]
struct VModel {
    entries: BTreeMap<u8, usize>,
    policy: Policy,
    /// Whether the purges before inserts are modelled; if not (a sharded
    /// cache, a process-wide tally), `entries` is an upper bound on the
    /// real ones.
    exact: bool,
}

impl VModel {
    fn new(policy: Policy, exact: bool) -> Self {
        VModel {
            entries: BTreeMap::new(),
            policy,
            exact,
        }
    }

    fn live(&self, alive: &[bool]) -> BTreeMap<u8, usize> {
        self.entries
            .iter()
            .filter(|&(_, &v)| alive[v])
            .map(|(&k, &v)| (k, v))
            .collect()
    }

    fn get(&self, key: u8, alive: &[bool]) -> Option<usize> {
        self.entries.get(&key).copied().filter(|&v| alive[v])
    }

    fn purge(&mut self, alive: &[bool]) {
        self.entries.retain(|_, v| alive[*v]);
        self.policy.fit(self.entries.len());
    }

    /// Before an operation that may add an entry.
    fn before_add(&mut self, alive: &[bool]) {
        if self.exact && self.policy.due(self.entries.len()) {
            self.purge(alive);
        }
    }

    /// `insert`: the previous live value.
    fn insert(&mut self, key: u8, v: usize, alive: &[bool]) -> Option<usize> {
        self.before_add(alive);
        let old = self.get(key, alive);
        self.entries.insert(key, v);
        old
    }

    fn remove(&mut self, key: u8, alive: &[bool]) -> Option<usize> {
        self.entries.remove(&key).filter(|&v| alive[v])
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.policy.cleared();
    }

    fn refs(&self, v: usize) -> usize {
        self.entries.values().filter(|&&x| x == v).count()
    }
}

/// The key-weak table: (key value id, value), dead or alive; at most one
/// live entry per key.
#[derive(Debug)]
struct KModel {
    entries: Vec<(usize, u32)>,
    policy: Policy,
    /// As `VModel::exact`.
    exact: bool,
}

impl KModel {
    fn find(&self, k: u8, vals: &Vals) -> Option<usize> {
        self.entries
            .iter()
            .position(|&(v, _)| vals.alive[v] && vals.key[v] == k)
    }

    fn purge(&mut self, vals: &Vals) {
        self.entries.retain(|&(v, _)| vals.alive[v]);
        self.policy.fit(self.entries.len());
    }

    fn before_add(&mut self, vals: &Vals) {
        if self.exact && self.policy.due(self.entries.len()) {
            self.purge(vals);
        }
    }

    fn live(&self, vals: &Vals) -> Vec<(usize, u32)> {
        let mut live: Vec<_> = self
            .entries
            .iter()
            .copied()
            .filter(|&(v, _)| vals.alive[v])
            .collect();
        live.sort_unstable();
        live
    }
}

/// The values: liveness, key, strong handles.
#[derive(Debug, Default)]
struct Vals {
    alive: Vec<bool>,
    key: Vec<u8>,
    strong: Vec<usize>,
    /// The expected drop log.
    dropped: Vec<u32>,
}

impl Vals {
    fn new_value(&mut self, k: u8) -> usize {
        self.alive.push(true);
        self.key.push(k);
        self.strong.push(1);
        self.alive.len() - 1
    }

    fn dec(&mut self, v: usize) {
        assert!(self.alive[v]);
        self.strong[v] -= 1;
        if self.strong[v] == 0 {
            self.alive[v] = false;
            self.dropped.push(v as u32);
        }
    }

    fn dec_opt(&mut self, v: Option<usize>) {
        if let Some(v) = v {
            self.dec(v);
        }
    }
}

struct Run<C: RawCount> {
    vals: Vals,
    ms: [Option<usize>; NS],
    vm: VModel,
    km: KModel,
    cm: VModel,
    log: Log,
    s: Vec<Option<Strong<Item, C, Global>>>,
    vmap: WeakValueMap<u8, Item, C, MapHasher>,
    kmap: WeakKeyMap<Item, u32, C, MapHasher>,
    cache: WeakCache<u8, Item, C, MapHasher>,
}

impl<C: RawCount> Run<C> {
    /// `tally_per_thread`: whether `C`'s tally of deaths moves only with
    /// this thread's deaths (then the purges it triggers are predicted
    /// exactly; a process-wide tally also moves with other tests').
    fn new(program: &Program, tally_per_thread: bool) -> Self {
        let capacity = usize::from(program.v_capacity);
        let vmap = WeakValueMap::with_capacity_and_hasher(capacity, MapHasher::default());
        let shards = program.cache_shards;
        Run {
            vals: Vals::default(),
            ms: [None; NS],
            vm: VModel::new(Policy::with_capacity(capacity, true), tally_per_thread),
            km: KModel {
                entries: Vec::new(),
                policy: Policy::with_capacity(0, true),
                exact: tally_per_thread,
            },
            cm: VModel::new(Policy::with_capacity(0, false), shards == 1),
            log: Log::default(),
            s: (0..NS).map(|_| None).collect(),
            vmap,
            kmap: WeakKeyMap::with_hasher(MapHasher::default()),
            cache: WeakCache::with_shards_and_hasher(shards, MapHasher::default()),
        }
    }

    /// A fresh value, in the model and for real.
    fn fresh(&mut self, k: u8) -> (usize, Strong<Item, C, Global>) {
        let k = k % NK;
        let v = self.vals.new_value(k);
        let item = Item {
            k,
            id: v as u32,
            log: self.log.clone(),
        };
        (v, Strong::new(item))
    }

    /// Stores `handle` (of model value `v`) in S`to`, dropping the old.
    fn put(&mut self, to: u8, v: usize, handle: Strong<Item, C, Global>) {
        let to = usize::from(to) % NS;
        let old = self.s[to].replace(handle);
        drop(old);
        let old_m = self.ms[to].replace(v);
        self.vals.dec_opt(old_m);
    }

    /// A strong handle an operation returned: its value must be `expected`;
    /// it is dropped (the value is alive: it was found live).
    fn returned(&self, got: Option<Strong<Item, C, Global>>, expected: Option<usize>, what: &str) {
        let got_id = got.as_ref().map(|s| s.id as usize);
        assert_eq!(got_id, expected, "{what}");
    }

    /// After an insert into the value map or the key map: dead entries
    /// are at most the live ones + `PURGE_MIN` (both counters keep a
    /// tally; another thread's deaths only add purges).
    fn check_dead_bound(len: usize, live: usize, what: &str) {
        assert!(
            len - live <= live + PURGE_MIN,
            "{what}: {} dead entries beside {live} live after an insert",
            len - live
        );
    }

    fn exec(&mut self, op: Op) {
        let alive = self.vals.alive.clone();
        // No value dies inside a map call, so the tables read this.
        let tally = C::weak_deaths();
        self.vm.policy.tally = tally;
        self.km.policy.tally = tally;
        self.cm.policy.tally = tally;
        match op {
            Op::New { to, k } => {
                let (v, handle) = self.fresh(k);
                self.put(to, v, handle);
            }
            Op::Clone { from, to } => {
                let Some(from) = next_occupied(&self.s, from) else {
                    return;
                };
                let handle = self.s[from].clone().unwrap();
                let v = self.ms[from].unwrap();
                self.vals.strong[v] += 1;
                self.put(to, v, handle);
            }
            Op::Drop { at } => {
                let Some(at) = next_occupied(&self.s, at) else {
                    return;
                };
                drop(self.s[at].take());
                let v = self.ms[at].take();
                self.vals.dec_opt(v);
            }
            Op::VInsert { key, from } | Op::CInsert { key, from } => {
                let Some(from) = next_occupied(&self.s, from) else {
                    return;
                };
                let key = key % NK;
                let v = self.ms[from].unwrap();
                let strong = self.s[from].as_ref().unwrap();
                let (got, expected) = if matches!(op, Op::VInsert { .. }) {
                    let got = self.vmap.insert(key, strong);
                    Self::check_dead_bound(self.vmap.len(), self.vmap.live_len(), "insert");
                    (got, self.vm.insert(key, v, &alive))
                } else {
                    (
                        self.cache.insert(key, strong),
                        self.cm.insert(key, v, &alive),
                    )
                };
                self.returned(got, expected, "insert");
            }
            Op::VInsertTemp { key } | Op::CInsertTemp { key } => {
                let key = key % NK;
                let (v, temp) = self.fresh(key);
                let (got, expected) = if matches!(op, Op::VInsertTemp { .. }) {
                    let got = self.vmap.insert(key, &temp);
                    Self::check_dead_bound(self.vmap.len(), self.vmap.live_len(), "insert");
                    (got, self.vm.insert(key, v, &alive))
                } else {
                    (
                        self.cache.insert(key, &temp),
                        self.cm.insert(key, v, &alive),
                    )
                };
                self.returned(got, expected, "insert of a temporary");
                drop(temp);
                self.vals.dec(v);
            }
            Op::VGet { key, to } | Op::CGet { key, to } => {
                let key = key % NK;
                let (got, expected) = if matches!(op, Op::VGet { .. }) {
                    (self.vmap.get(&key), self.vm.get(key, &alive))
                } else {
                    (self.cache.get(&key), self.cm.get(key, &alive))
                };
                assert_eq!(got.as_ref().map(|s| s.id as usize), expected, "get({key})");
                if let (Some(got), Some(v)) = (got, expected) {
                    self.vals.strong[v] += 1;
                    self.put(to, v, got);
                }
            }
            Op::VRemove { key } | Op::CRemove { key } => {
                let key = key % NK;
                let (got, expected) = if matches!(op, Op::VRemove { .. }) {
                    (self.vmap.remove(&key), self.vm.remove(key, &alive))
                } else {
                    (self.cache.remove(&key), self.cm.remove(key, &alive))
                };
                self.returned(got, expected, "remove");
            }
            Op::VGetOrInsert { key, to } | Op::CGetOrInsert { key, to } => {
                let key = key % NK;
                let cache = matches!(op, Op::CGetOrInsert { .. });
                let model = if cache { &mut self.cm } else { &mut self.vm };
                let existing = model.get(key, &alive);
                // A hit of the cache takes only its shard's read lock and
                // purges nothing; a miss (and every value-map call) may add.
                if !cache || existing.is_none() {
                    model.before_add(&alive);
                }
                let (v, fresh) = match existing {
                    Some(v) => (v, None),
                    None => {
                        let (v, handle) = self.fresh(key);
                        (v, Some(handle))
                    }
                };
                let mut fresh = fresh;
                let make = || fresh.take().expect("make called for a live entry");
                let got = if cache {
                    self.cache.get_or_insert_with(key, make)
                } else {
                    let got = self.vmap.get_or_insert_with(key, make);
                    Self::check_dead_bound(
                        self.vmap.len(),
                        self.vmap.live_len(),
                        "get_or_insert_with",
                    );
                    got
                };
                assert!(fresh.is_none(), "make not called for a missing entry");
                assert_eq!(got.id as usize, v, "get_or_insert_with({key})");
                let model = if cache { &mut self.cm } else { &mut self.vm };
                if existing.is_some() {
                    self.vals.strong[v] += 1;
                } else {
                    model.entries.insert(key, v);
                }
                self.put(to, v, got);
            }
            Op::VEntry { key, from } => {
                let Some(from) = next_occupied(&self.s, from) else {
                    return;
                };
                let key = key % NK;
                let v = self.ms[from].unwrap();
                let offered = self.s[from].clone().unwrap();
                let got = self.vmap.entry(key).or_insert(offered);
                Self::check_dead_bound(self.vmap.len(), self.vmap.live_len(), "entry");
                self.vm.before_add(&alive);
                let expected = match self.vm.get(key, &alive) {
                    Some(existing) => existing,
                    None => {
                        self.vm.entries.insert(key, v);
                        v
                    }
                };
                assert_eq!(got.id as usize, expected, "entry({key}).or_insert");
            }
            Op::VPurge => {
                self.vmap.purge();
                self.vm.purge(&alive);
                assert_eq!(self.vmap.len(), self.vmap.live_len(), "len after purge");
            }
            Op::VClear => {
                self.vmap.clear();
                self.vm.clear();
            }
            Op::VShrink => {
                self.vmap.shrink_to_fit();
                self.vm.entries.retain(|_, v| alive[*v]);
                self.vm.policy.min_capacity = 0;
                self.vm.policy.fit(self.vm.entries.len());
                assert_eq!(
                    self.vmap.len(),
                    self.vmap.live_len(),
                    "len after shrink_to_fit"
                );
            }
            Op::VRetain { mask } => {
                let mut seen = Vec::new();
                self.vmap.retain(|&k, value| {
                    seen.push((k, value.id as usize));
                    mask & (1 << k) != 0
                });
                seen.sort_unstable();
                let live: Vec<_> = self.vm.live(&alive).into_iter().collect();
                assert_eq!(seen, live, "retain visits the live entries");
                self.vm
                    .entries
                    .retain(|&k, v| alive[*v] && mask & (1 << k) != 0);
                self.vm.policy.fit(self.vm.entries.len());
            }
            Op::VPopPurge => {
                let got = self.vmap.pop_any();
                let live = self.vm.live(&alive);
                match &got {
                    Some((k, value)) => {
                        assert_eq!(live.get(k), Some(&(value.id as usize)), "pop_any");
                        self.vm.entries.remove(k);
                    }
                    None => assert!(live.is_empty(), "pop_any found nothing"),
                }
                drop(got);
                self.vmap.purge();
                self.vm.purge(&alive);
            }
            Op::VDrain => {
                let mut got: Vec<_> = self
                    .vmap
                    .drain()
                    .map(|(k, value)| (k, value.id as usize))
                    .collect();
                got.sort_unstable();
                let live: Vec<_> = self.vm.live(&alive).into_iter().collect();
                assert_eq!(got, live, "drain yields the live entries");
                self.vm.clear();
            }
            Op::VClone => {
                let copy = self.vmap.clone();
                assert_eq!(
                    copy.len(),
                    copy.live_len(),
                    "a clone holds live entries only"
                );
                self.vmap = copy;
                self.vm.purge(&alive);
            }
            Op::KInsert { from, val } => {
                let Some(from) = next_occupied(&self.s, from) else {
                    return;
                };
                let v = self.ms[from].unwrap();
                let got = self
                    .kmap
                    .insert(self.s[from].as_ref().unwrap(), u32::from(val));
                self.k_insert(v, u32::from(val), got);
            }
            Op::KInsertTemp { k, val } => {
                let (v, temp) = self.fresh(k);
                let got = self.kmap.insert(&temp, u32::from(val));
                self.k_insert(v, u32::from(val), got);
                drop(temp);
                self.vals.dec(v);
            }
            Op::KRemove { key } => {
                let key = key % NK;
                let got = self.kmap.remove(&key);
                let expected = self
                    .km
                    .find(key, &self.vals)
                    .map(|i| self.km.entries.remove(i).1);
                assert_eq!(got, expected, "WeakKeyMap::remove({key})");
            }
            Op::KGetOrInsert { from, val } => {
                let Some(from) = next_occupied(&self.s, from) else {
                    return;
                };
                let v = self.ms[from].unwrap();
                let got = *self
                    .kmap
                    .get_or_insert_with(self.s[from].as_ref().unwrap(), || u32::from(val));
                Self::check_dead_bound(
                    self.kmap.len(),
                    self.kmap.live_len(),
                    "WeakKeyMap::get_or_insert_with",
                );
                self.km.before_add(&self.vals);
                let expected = match self.km.find(self.vals.key[v], &self.vals) {
                    Some(i) => self.km.entries[i].1,
                    None => {
                        self.km.entries.push((v, u32::from(val)));
                        u32::from(val)
                    }
                };
                assert_eq!(got, expected, "WeakKeyMap::get_or_insert_with");
            }
            Op::KPurge => {
                self.kmap.purge();
                self.km.purge(&self.vals);
                assert_eq!(self.kmap.len(), self.kmap.live_len(), "len after purge");
            }
            Op::KClear => {
                self.kmap.clear();
                self.km.entries.clear();
                self.km.policy.cleared();
            }
            Op::KRetain { mask } => {
                self.kmap.retain(|key, _| mask & (1 << key.k) != 0);
                let vals = &self.vals;
                self.km
                    .entries
                    .retain(|&(v, _)| vals.alive[v] && mask & (1 << vals.key[v]) != 0);
                self.km.policy.fit(self.km.entries.len());
            }
            Op::CPurge => {
                self.cache.purge();
                self.cm.purge(&alive);
                assert_eq!(self.cache.len(), self.cache.live_len(), "len after purge");
            }
            Op::CClear => {
                self.cache.clear();
                self.cm.clear();
            }
        }
    }

    /// `WeakKeyMap::insert` of value `v` (as the key) with `val`, which
    /// returned `got`.
    fn k_insert(&mut self, v: usize, val: u32, got: Option<u32>) {
        Self::check_dead_bound(self.kmap.len(), self.kmap.live_len(), "WeakKeyMap::insert");
        self.km.before_add(&self.vals);
        let expected = match self.km.find(self.vals.key[v], &self.vals) {
            Some(i) => Some(std::mem::replace(&mut self.km.entries[i].1, val)),
            None => {
                self.km.entries.push((v, val));
                None
            }
        };
        assert_eq!(got, expected, "WeakKeyMap::insert");
    }

    /// A table's `len`: the model's entries if its purges are modelled
    /// (`exact`), else between the live entries and the model's.
    fn check_len(len: usize, live: usize, entries: usize, exact: bool, what: &str) {
        if exact {
            assert_eq!(len, entries, "{what}");
        } else {
            assert!(
                (live..=entries).contains(&len),
                "{what} {len}: live {live}, at most {entries}"
            );
        }
    }

    fn check(&self) {
        let vals = &self.vals;
        let alive = &vals.alive;
        assert_eq!(*lock(&self.log), vals.dropped, "drop log");
        for (i, handle) in self.s.iter().enumerate() {
            assert_eq!(handle.is_some(), self.ms[i].is_some());
            let Some(handle) = handle else { continue };
            let v = self.ms[i].unwrap();
            assert_eq!(handle.id as usize, v, "S{i}");
            assert!(alive[v]);
            assert_eq!(
                Strong::strong_count(handle),
                vals.strong[v],
                "S{i} strong_count"
            );
            let refs = self.vm.refs(v)
                + self.cm.refs(v)
                + self.km.entries.iter().filter(|e| e.0 == v).count();
            assert_eq!(
                Strong::weak_count(handle),
                refs,
                "S{i} weak_count: map entries"
            );
        }

        // WeakValueMap.
        let live = self.vm.live(alive);
        assert_eq!(self.vmap.live_len(), live.len(), "WeakValueMap::live_len");
        Self::check_len(
            self.vmap.len(),
            live.len(),
            self.vm.entries.len(),
            self.vm.exact,
            "WeakValueMap::len",
        );
        // `is_empty` sees live entries only (`len` may count dead ones).
        assert_eq!(self.vmap.is_empty(), live.is_empty(), "is_empty");
        for key in 0..NK {
            let expected = live.get(&key).copied();
            assert_eq!(
                self.vmap.get(&key).map(|s| s.id as usize),
                expected,
                "get({key})"
            );
            assert_eq!(self.vmap.contains_key(&key), expected.is_some());
        }
        let mut seen: Vec<_> = self.vmap.iter().map(|(&k, s)| (k, s.id as usize)).collect();
        seen.sort_unstable();
        assert_eq!(seen, live.clone().into_iter().collect::<Vec<_>>(), "iter");
        let mut keys: Vec<u8> = self.vmap.keys().copied().collect();
        keys.sort_unstable();
        assert_eq!(keys, live.keys().copied().collect::<Vec<_>>(), "keys");
        let mut values: Vec<_> = self.vmap.values().map(|s| s.id as usize).collect();
        values.sort_unstable();
        let mut expected: Vec<_> = live.values().copied().collect();
        expected.sort_unstable();
        assert_eq!(values, expected, "values");
        assert!(
            !self.vm.exact || self.vmap.len() <= self.vm.policy.purge_at,
            "entries bounded by the purge threshold"
        );

        // WeakKeyMap.
        let klive = self.km.live(vals);
        assert_eq!(self.kmap.live_len(), klive.len(), "WeakKeyMap::live_len");
        Self::check_len(
            self.kmap.len(),
            klive.len(),
            self.km.entries.len(),
            self.km.exact,
            "WeakKeyMap::len",
        );
        for key in 0..NK {
            let expected = klive
                .iter()
                .find(|&&(v, _)| vals.key[v] == key)
                .map(|e| e.1);
            assert_eq!(
                self.kmap.get(&key).copied(),
                expected,
                "WeakKeyMap::get({key})"
            );
            assert_eq!(self.kmap.contains_key(&key), expected.is_some());
        }
        let mut seen: Vec<_> = self.kmap.iter().map(|(k, &x)| (k.id as usize, x)).collect();
        seen.sort_unstable();
        assert_eq!(seen, klive, "WeakKeyMap::iter");

        // WeakCache.
        let clive = self.cm.live(alive);
        assert_eq!(self.cache.live_len(), clive.len(), "WeakCache::live_len");
        Self::check_len(
            self.cache.len(),
            clive.len(),
            self.cm.entries.len(),
            self.cm.exact,
            "WeakCache::len",
        );
        for key in 0..NK {
            let expected = clive.get(&key).copied();
            assert_eq!(
                self.cache.get(&key).map(|s| s.id as usize),
                expected,
                "WeakCache::get({key})"
            );
            assert_eq!(self.cache.contains_key(&key), expected.is_some());
        }
        let mut seen: Vec<_> = self
            .cache
            .snapshot()
            .into_iter()
            .map(|(k, s)| (k, s.id as usize))
            .collect();
        seen.sort_unstable();
        assert_eq!(
            seen,
            clive.into_iter().collect::<Vec<_>>(),
            "WeakCache::snapshot"
        );
    }
}

impl Program {
    /// Decodes all of `bytes` (any bytes make a program).
    pub fn decode(bytes: &[u8]) -> Self {
        // Never fails: an exhausted `Unstructured` yields zeros.
        Program::arbitrary_take_rest(arbitrary::Unstructured::new(bytes)).unwrap_or(Program {
            v_capacity: 0,
            cache_shards: 1,
            ops: Vec::new(),
        })
    }

    /// Runs the program once per counter (`LocalCount`, then
    /// `AtomicCount`), checking every step against the model; panics at
    /// the first difference.
    pub fn run(&self) {
        run::<LocalCount>(self, true);
        self.run_atomic();
    }

    /// The `AtomicCount` half of [`run`](Self::run): for a driver that runs
    /// programs on several threads at once (the schedule fuzzer
    /// `arc_sched`), whose deaths then all move the one deaths tally (the
    /// model allows it: another thread's deaths only add purges).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_tests::map_model::Program;
    ///
    /// Program::decode(&[0, 0, 0, 0, 0, 1, 0]).run_atomic();
    /// ```
    pub fn run_atomic(&self) {
        run::<AtomicCount>(self, false);
    }
}

fn run<C: RawCount>(program: &Program, tally_per_thread: bool) {
    let mut run = Run::<C>::new(program, tally_per_thread);
    for &op in &program.ops {
        run.exec(op);
        run.check();
    }
    for at in 0..NS as u8 {
        run.exec(Op::Drop { at });
        run.check();
    }
    assert!(
        run.vals.alive.iter().all(|&a| !a),
        "a value outlived its handles"
    );
    assert_eq!(run.vals.dropped.len(), run.vals.alive.len());
    // Every entry is dead now: purging empties every map.
    run.vmap.purge();
    run.kmap.purge();
    run.cache.purge();
    assert_eq!((run.vmap.len(), run.kmap.len(), run.cache.len()), (0, 0, 0));
}
