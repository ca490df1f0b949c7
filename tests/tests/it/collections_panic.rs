//! Panic safety of the weak collections (hashbrown's `hasher_unwind` idea):
//! a panicking user `Hash`, `Eq` or `Drop` in the middle of an operation
//! leaves the collection usable and leaks nothing. Leaks are counted by
//! hand (live keys, weak counts) and, under Miri, by its leak checker.

use std::cell::Cell;
use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};

use weakref_core::count::RawCount;
use weakref_tests::DropLog;

use super::{KeyMap, S, ValueMap};

thread_local! {
    /// Keys alive right now (made minus dropped), per test thread.
    static LIVE_KEYS: Cell<isize> = const { Cell::new(0) };
    /// The key id whose `Hash` panics, if any.
    static HASH_BOMB: Cell<Option<u32>> = const { Cell::new(None) };
    /// Whether `Eq` panics.
    static EQ_BOMB: Cell<bool> = const { Cell::new(false) };
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
    }
}

fn live_keys() -> isize {
    LIVE_KEYS.with(Cell::get)
}

/// `WeakValueMap`: `Hash` runs once per key (growing the table uses the
/// stored hashes), a panicking `Hash` of a new key changes nothing, and
/// `Eq` may panic during lookups and inserts.
fn value_map_hash_and_eq_unwind<C: RawCount>() {
    let _disarm = Disarm;
    let keys_before = live_keys();
    let n = if cfg!(miri) { 20 } else { 200 };
    let values: Vec<S<u32, C>> = (0..n).map(S::new).collect();
    {
        let mut map: ValueMap<Key, u32, C> = ValueMap::default();
        // Arm key 0's hash once it is in: the table grows (and purges)
        // many times after, without hashing it again.
        map.insert(Key::new(0), &values[0]);
        HASH_BOMB.with(|b| b.set(Some(0)));
        for id in 1..n {
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
    value_map_key_drop_unwinds,
    key_map_unwinds
);
