//! Panic safety of the weak collections (hashbrown's `hasher_unwind` idea):
//! a panicking user `Hash`, `Eq` or `Drop` in the middle of an operation
//! leaves the collection usable and leaks nothing. Leaks are counted by
//! hand (live keys, weak counts) and, under Miri, by its leak checker.

use std::cell::Cell;
use std::collections::hash_map::DefaultHasher;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};

use weakref_core::count::RawCount;
use weakref_tests::DropLog;

use weakref_core::collections::WeakValueMap;

use super::{KeyMap, S, ValueMap};

thread_local! {
    /// Keys alive right now (made minus dropped), per test thread.
    static LIVE_KEYS: Cell<isize> = const { Cell::new(0) };
    /// The key id whose `Hash` panics, if any.
    static HASH_BOMB: Cell<Option<u32>> = const { Cell::new(None) };
    /// Whether `Eq` panics.
    static EQ_BOMB: Cell<bool> = const { Cell::new(false) };
    /// Calls of `Key::hash` so far.
    static HASH_CALLS: Cell<u32> = const { Cell::new(0) };
    /// The call of `Key::hash` (counted by `HASH_CALLS`) that panics, if any.
    static HASH_CALL_BOMB: Cell<Option<u32>> = const { Cell::new(None) };
}

/// A key that counts its instances and panics on demand.
#[derive(Debug)]
struct Key {
    id: u32,
    panic_on_drop: bool,
}

impl Key {
    fn new(id: u32) -> Key {
        LIVE_KEYS.with(|n| n.set(n.get() + 1));
        Key {
            id,
            panic_on_drop: false,
        }
    }

    fn bomb(id: u32) -> Key {
        let mut key = Key::new(id);
        key.panic_on_drop = true;
        key
    }
}

impl Clone for Key {
    fn clone(&self) -> Key {
        Key::new(self.id)
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        LIVE_KEYS.with(|n| n.set(n.get() - 1));
        if self.panic_on_drop && !std::thread::panicking() {
            panic!("Key({}) panics in drop", self.id);
        }
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        if HASH_BOMB.with(Cell::get) == Some(self.id) {
            panic!("Key({}) panics in hash", self.id);
        }
        let call = HASH_CALLS.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        if HASH_CALL_BOMB.with(Cell::get) == Some(call) {
            panic!("hash call {call} panics");
        }
        self.id.hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        if EQ_BOMB.with(Cell::get) {
            panic!("Key::eq panics");
        }
        self.id == other.id
    }
}

impl Eq for Key {}

/// Disarms the bombs even if the test fails, so later tests on this thread
/// start clean.
struct Disarm;

impl Drop for Disarm {
    fn drop(&mut self) {
        HASH_BOMB.with(|b| b.set(None));
        EQ_BOMB.with(|b| b.set(false));
        HASH_CALL_BOMB.with(|b| b.set(None));
    }
}

fn live_keys() -> isize {
    LIVE_KEYS.with(Cell::get)
}

/// `WeakValueMap`: a panicking `Hash` of a new key changes nothing, and
/// `Eq` may panic during lookups and inserts.
fn value_map_hash_and_eq_unwind<C: RawCount>() {
    let _disarm = Disarm;
    let keys_before = live_keys();
    let n = if cfg!(miri) { 20 } else { 200 };
    let values: Vec<S<u32, C>> = (0..n).map(S::new).collect();
    {
        let mut map: ValueMap<Key, u32, C> = ValueMap::default();
        for id in 0..n {
            map.insert(Key::new(id), &values[id as usize]);
        }
        map.shrink_to_fit();
        assert_eq!(map.live_len(), n as usize);
        // A new key whose `Hash` panics: nothing changes, nothing leaks.
        HASH_BOMB.with(|b| b.set(Some(n)));
        let fresh = S::<u32, C>::new(n);
        assert!(catch_unwind(AssertUnwindSafe(|| map.insert(Key::new(n), &fresh))).is_err());
        assert!(catch_unwind(AssertUnwindSafe(|| drop(map.entry(Key::new(n))))).is_err());
        assert!(catch_unwind(AssertUnwindSafe(|| map.get(&Key::new(n)).is_some())).is_err());
        HASH_BOMB.with(|b| b.set(None));
        assert_eq!(map.len(), n as usize);
        assert_eq!(S::weak_count(&fresh), 0);
        for (key, value) in map.iter() {
            assert_eq!(key.id, *value);
        }

        EQ_BOMB.with(|b| b.set(true));
        assert!(catch_unwind(AssertUnwindSafe(|| map.get(&Key::new(3)).is_some())).is_err());
        assert!(catch_unwind(AssertUnwindSafe(|| map.insert(Key::new(3), &values[3]))).is_err());
        assert!(catch_unwind(AssertUnwindSafe(|| map.remove(&Key::new(3)))).is_err());
        assert!(catch_unwind(AssertUnwindSafe(|| drop(map.entry(Key::new(3))))).is_err());
        EQ_BOMB.with(|b| b.set(false));
        assert_eq!(map.live_len(), n as usize);
        assert_eq!(map.get(&Key::new(3)).as_deref(), Some(&3));
        assert_eq!(
            live_keys() - keys_before,
            n as isize,
            "only the map's keys are alive"
        );

        // A panicking closure in `get_or_insert_with` and `retain`.
        let made = catch_unwind(AssertUnwindSafe(|| {
            map.get_or_insert_with(Key::new(n + 1), || panic!("make fails"))
        }));
        assert!(made.is_err());
        assert!(!map.contains_key(&Key::new(n + 1)));
        let mut seen = 0;
        let retained = catch_unwind(AssertUnwindSafe(|| {
            map.retain(|_, _| {
                seen += 1;
                assert!(seen < 5, "retain's closure fails");
                true
            })
        }));
        assert!(retained.is_err());
        assert_eq!(map.live_len(), n as usize);
    }
    assert_eq!(live_keys(), keys_before, "no key leaked");
    for v in &values {
        assert_eq!(S::weak_count(v), 0, "no weak handle leaked");
    }
}

/// Checks a `WeakValueMap` of `Key(id) -> values[id]` after a panic: every
/// entry maps its key to its value, each value is held by at most the one
/// entry of its key, and the entries lost hold nothing: no key or weak
/// handle leaked, none dropped twice (`live_keys` would go below the
/// keys made). Returns how many entries are left.
fn check_after_unwind<C: RawCount>(
    map: &FixedMap<C>,
    values: &[S<u32, C>],
    keys_before: isize,
) -> usize {
    assert_eq!(map.len(), map.live_len(), "every value is alive");
    assert_eq!(
        live_keys() - keys_before,
        map.len() as isize,
        "the map's keys are the only ones alive"
    );
    for (key, value) in map.iter() {
        assert_eq!(key.id, *value);
    }
    for (id, value) in values.iter().enumerate() {
        let id = id as u32;
        let found = map.get(&Key::new(id));
        let stored = usize::from(found.is_some());
        assert!(found.is_none_or(|found| S::ptr_eq(&found, value)));
        assert_eq!(
            S::weak_count(value),
            stored,
            "key {id}: one weak handle per entry"
        );
    }
    map.len()
}

/// A hasher with fixed keys: the same table layout in every run, so that
/// the tests below reach the same resizes every time.
type Fixed = BuildHasherDefault<DefaultHasher>;
/// A value map of `Key(id) -> values[id]` with [`Fixed`] hashing.
type FixedMap<C> = WeakValueMap<Key, u32, C, Fixed>;

/// Runs `setup` then `last` on a fresh map, once for each `Hash` call
/// `last` makes (every third under Miri), that call panicking: the map
/// stays usable and consistent (`check_after_unwind`), and the rest of the
/// keys go in. Returns in how many runs the panic lost entries (`n` keys,
/// `values[id]` the value of `Key(id)`, `None` once dead).
fn bomb_each_hash<C: RawCount>(
    n: u32,
    setup: impl Fn(&mut [Option<S<u32, C>>], &mut FixedMap<C>),
    last: impl Fn(&mut [Option<S<u32, C>>], &mut FixedMap<C>),
) -> usize {
    let keys_before = live_keys();
    HASH_CALLS.with(|c| c.set(0));
    let (from, to) = {
        let mut values = vec![None; n as usize];
        let mut map = FixedMap::<C>::default();
        setup(&mut values, &mut map);
        let from = HASH_CALLS.with(Cell::get) + 1;
        last(&mut values, &mut map);
        (from, HASH_CALLS.with(Cell::get))
    };
    let mut lost = 0;
    for bomb in (from..=to).step_by(if cfg!(miri) { 3 } else { 1 }) {
        let mut values = vec![None; n as usize];
        let mut map = FixedMap::<C>::default();
        HASH_CALLS.with(|c| c.set(0));
        setup(&mut values, &mut map);
        HASH_CALL_BOMB.with(|b| b.set(Some(bomb)));
        assert!(catch_unwind(AssertUnwindSafe(|| last(&mut values, &mut map))).is_err());
        HASH_CALL_BOMB.with(|b| b.set(None));
        // Entries whose value died wait for a purge: drop them now.
        map.purge();
        let live: Vec<S<u32, C>> = values
            .iter()
            .enumerate()
            .map(|(id, value)| value.clone().unwrap_or_else(|| S::new(id as u32)))
            .collect();
        let should = values.iter().filter(|v| v.is_some()).count();
        let left = check_after_unwind(&map, &live, keys_before);
        assert!(left <= should);
        lost += usize::from(left < should);
        for id in 0..n {
            map.insert(Key::new(id), &live[id as usize]);
        }
        assert_eq!(check_after_unwind(&map, &live, keys_before), n as usize);
        drop(map);
        assert_eq!(live_keys(), keys_before, "no key leaked");
        for value in &live {
            assert_eq!(S::weak_count(value), 0, "no weak handle leaked");
        }
    }
    lost
}

/// Inserts `Key(id) -> values[id]` (a new value) for `ids`.
fn insert_new<C: RawCount>(
    ids: core::ops::Range<u32>,
    values: &mut [Option<S<u32, C>>],
    map: &mut FixedMap<C>,
) {
    for id in ids {
        let value = S::new(id);
        map.insert(Key::new(id), &value);
        values[id as usize] = Some(value);
    }
}

/// `WeakValueMap` stores no hash: growing it, and the resize after a purge,
/// hash every key again. A `Hash` that panics then leaves the map usable,
/// consistent, leaking nothing, dropping nothing twice; a resize into a new
/// allocation loses nothing, a rehash in place (after a purge that left
/// tombstones) loses the entries it had not placed yet, as std's `HashMap`
/// does.
fn value_map_hash_panics_while_resizing<C: RawCount>() {
    let _disarm = Disarm;
    // Growth: the panic hits one of the inserts or one of the resizes.
    let n: u32 = if cfg!(miri) { 30 } else { 200 };
    let lost = bomb_each_hash::<C>(n, |_, _| {}, |values, map| insert_new(0..n, values, map));
    assert_eq!(lost, 0, "a resize into a new table loses nothing");
    // A purge: a full table (tombstones where entries are erased), nine
    // values in ten die, and the next insert purges; its resize rehashes the
    // survivors in place.
    let fill: u32 = if cfg!(miri) { 56 } else { 224 };
    let lost = bomb_each_hash::<C>(
        fill + 1,
        |values, map| {
            insert_new(0..fill, values, map);
            assert_eq!(map.capacity(), fill as usize, "a full table");
            for (id, value) in values.iter_mut().enumerate() {
                if id % 10 != 0 {
                    *value = None;
                }
            }
        },
        |values, map| {
            insert_new(fill..fill + 1, values, map);
            assert!(map.len() < fill as usize / 4, "the insert purged");
        },
    );
    assert!(lost > 0, "a rehash in place loses entries");
}

/// `WeakValueMap`: a key whose `Drop` panics when the map drops it (a dead
/// entry's key replaced, or purged).
fn value_map_key_drop_unwinds<C: RawCount>() {
    let keys_before = live_keys();
    {
        let mut map: ValueMap<Key, u32, C> = ValueMap::default();
        map.insert(Key::bomb(1), &S::new(1)); // dead at once
        let v = S::<u32, C>::new(2);
        // The dead entry counts as missing: it takes the new key, and drops
        // the old one, which panics, after the slot is whole.
        let replaced = catch_unwind(AssertUnwindSafe(|| map.insert(Key::new(1), &v)));
        assert!(replaced.is_err());
        assert_eq!(map.get(&Key::new(1)).as_deref(), Some(&2));
        map.insert(Key::bomb(2), &S::new(0));
        assert!(catch_unwind(AssertUnwindSafe(|| map.purge())).is_err());
        assert_eq!(map.len(), 1, "the purge went through");
        assert_eq!(map.live_len(), 1);
    }
    assert_eq!(live_keys(), keys_before);
}

/// `WeakKeyMap`: `Hash` is never called while the table grows (the hash is
/// stored), `Eq` may panic in lookups, and a value's `Drop` may panic when
/// a purge drops it: each value is dropped once, the map stays usable.
fn key_map_unwinds<C: RawCount>() {
    let _disarm = Disarm;
    let keys_before = live_keys();
    let n = if cfg!(miri) { 20 } else { 200 };
    let keys: Vec<S<Key, C>> = (0..n).map(|i| S::new(Key::new(i))).collect();
    {
        let mut map: KeyMap<Key, u32, C> = KeyMap::default();
        // Arm key 0's hash: growing the table must not hash it again.
        map.insert(&keys[0], 0);
        HASH_BOMB.with(|b| b.set(Some(0)));
        for (i, key) in keys.iter().enumerate().skip(1) {
            map.insert(key, i as u32);
        }
        HASH_BOMB.with(|b| b.set(None));
        assert_eq!(map.live_len(), n as usize);

        EQ_BOMB.with(|b| b.set(true));
        assert!(catch_unwind(AssertUnwindSafe(|| map.get(&Key::new(3)).is_some())).is_err());
        assert!(catch_unwind(AssertUnwindSafe(|| map.insert(&keys[3], 9))).is_err());
        EQ_BOMB.with(|b| b.set(false));
        assert_eq!(map.get(&Key::new(3)), Some(&3));
    }
    assert_eq!(
        live_keys() - keys_before,
        n as isize,
        "the keys are ours again"
    );
    for key in &keys {
        assert_eq!(S::weak_count(key), 0, "no weak handle leaked");
    }
    drop(keys);
    assert_eq!(live_keys(), keys_before);

    // Values that panic when dropped, dropped by purges.
    let log = DropLog::new();
    let mut map: KeyMap<u32, weakref_tests::Tracked, C> = KeyMap::default();
    let count = 8;
    for i in 0..count {
        map.insert(&S::new(i), log.panicking(i)); // dead keys
    }
    let survivor = S::<u32, C>::new(100);
    let mut panics = 0;
    loop {
        match catch_unwind(AssertUnwindSafe(|| map.purge())) {
            Ok(()) => break,
            Err(_) => panics += 1,
        }
        assert!(panics <= count, "each purge drops at least one value");
    }
    assert_eq!(panics, count, "every value panicked once");
    map.insert(&survivor, log.tracked(100));
    assert_eq!(map.len(), 1);
    let mut dropped = log.dropped();
    dropped.sort();
    assert_eq!(
        dropped,
        (0..count).collect::<Vec<_>>(),
        "each value dropped exactly once"
    );
    drop(map);
    assert_eq!(log.dropped().len(), count as usize + 1);
}

crate::for_each_counter!(
    value_map_hash_and_eq_unwind,
    value_map_hash_panics_while_resizing,
    value_map_key_drop_unwinds,
    key_map_unwinds
);
