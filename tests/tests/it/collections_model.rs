//! Model-based tests of the weak collections: a deterministic pseudo-random
//! sequence of operations (a xorshift generator, so every failure replays)
//! runs against the collection and against a plain `HashMap` of *strong*
//! handles. The model is the only owner of the values, so "drop the last
//! strong handle of X" is `model.remove(&x)`, and the live entries of the
//! weak collection must be exactly the model's after every step.

use std::collections::HashMap;

use std::ops::Deref;
use std::ptr;
use weakref_core::collections::key_map::Entry as KeyEntry;
use weakref_core::collections::value_map::Entry as ValueEntry;

use weakref_core::collections::{StdArc, StdRc, WeakFamily};

use super::{KeyMap, PtrSet, ValueMap};

/// A strong handle of the family under test.
type P<T, C> = <C as WeakFamily>::Strong<T>;

/// Whether two strong handles point to the same allocation (any family:
/// the values' addresses).
fn ptr_eq<H: Deref>(a: &H, b: &H) -> bool {
    ptr::addr_eq(ptr::from_ref(&**a), ptr::from_ref(&**b))
}

/// xorshift64: small, deterministic, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

fn steps() -> usize {
    if cfg!(miri) { 120 } else { 10_000 }
}

fn seeds() -> &'static [u64] {
    if cfg!(miri) {
        &[7]
    } else {
        &[1, 2, 0xdead_beef]
    }
}

/// The documented bound: after any insert, dead entries are at most the
/// live ones + 8, so entries (live or dead) are at most `2 × max_live + 8`
/// for the running maximum of live entries (only inserts add entries);
/// and the allocation follows.
fn check_bound(len: usize, capacity: usize, max_live: usize) {
    let bound = 2 * max_live + 8;
    assert!(len <= bound, "{len} entries; bound {bound}");
    // hashbrown rounds buckets up to a power of two and may double once
    // more when tombstones fill the table between purges.
    assert!(
        capacity <= 4 * bound,
        "capacity {capacity} for bound {bound}"
    );
}

/// The bound after an insert: dead entries are at most the live ones + 8,
/// for families with a tally of deaths (weakref's own; std's handles have
/// only the size rule, which `check_bound` checks).
fn check_dead_after_insert<C: WeakFamily>(len: usize, live: usize) {
    if C::weak_deaths().is_none() {
        return;
    }
    let dead = len - live;
    assert!(
        dead <= live + 8,
        "{dead} dead entries beside {live} live after an insert"
    );
}

fn same<H: Deref>(a: Option<&H>, b: Option<&H>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

// --- WeakValueMap -----------------------------------------------------------

const VALUE_KEYS: u64 = 48;

fn value_map_matches_model<C: WeakFamily>() {
    for &seed in seeds() {
        run_value_map::<C>(seed);
    }
}

fn check_value_map<C: WeakFamily>(
    map: &ValueMap<u8, u32, C>,
    model: &HashMap<u8, P<u32, C>>,
    full: bool,
) {
    assert_eq!(map.live_len(), model.len());
    assert!(map.len() >= model.len());
    if full {
        for k in 0..VALUE_KEYS as u8 {
            assert!(same(map.get(&k).as_ref(), model.get(&k)), "key {k}");
            assert_eq!(map.contains_key(&k), model.contains_key(&k));
        }
        let mut seen: Vec<u8> = map
            .iter()
            .map(|(k, v)| {
                assert!(ptr_eq(&v, &model[k]));
                *k
            })
            .collect();
        seen.sort();
        let mut expected: Vec<u8> = model.keys().copied().collect();
        expected.sort();
        assert_eq!(seen, expected);
    }
}

fn run_value_map<C: WeakFamily>(seed: u64) {
    let mut rng = Rng::new(seed);
    let mut map: ValueMap<u8, u32, C> = ValueMap::default();
    let mut model: HashMap<u8, P<u32, C>> = HashMap::new();
    let mut next_id = 0u32;
    let mut fresh = || {
        next_id += 1;
        C::new(next_id)
    };
    let mut max_live = 0;
    for step in 0..steps() {
        let k = rng.below(VALUE_KEYS) as u8;
        let op = rng.below(20);
        match op {
            // Insert (and replace: the old value dies with the model's handle).
            0..=4 => {
                let v = fresh();
                let old = map.insert(k, &v);
                let expected = model.insert(k, v);
                assert!(same(old.as_ref(), expected.as_ref()), "step {step}");
            }
            // setdefault
            5 => {
                let got = map.get_or_insert_with(k, &mut fresh);
                match model.get(&k) {
                    Some(v) => assert!(ptr_eq(v, &got)),
                    None => drop(model.insert(k, got)),
                }
            }
            // The entry API, every path.
            6 => match map.entry(k) {
                ValueEntry::Occupied(mut entry) => {
                    assert!(ptr_eq(entry.get(), &model[&k]));
                    assert_eq!(*entry.key(), k);
                    if rng.chance(2) {
                        let v = fresh();
                        let old = entry.insert(Clone::clone(&v));
                        assert!(ptr_eq(&old, &model[&k]));
                        model.insert(k, v);
                    } else {
                        let (key, v) = entry.remove_entry();
                        assert_eq!(key, k);
                        assert!(ptr_eq(&v, &model.remove(&k).unwrap()));
                    }
                }
                ValueEntry::Vacant(entry) => {
                    assert!(!model.contains_key(&k));
                    let v = entry.insert(fresh());
                    model.insert(k, v);
                }
            },
            7..=8 => {
                assert!(same(map.get(&k).as_ref(), model.get(&k)));
                let kv = map.get_key_value(&k);
                assert_eq!(kv.map(|(key, _)| *key), model.get(&k).map(|_| k));
            }
            9 => assert_eq!(map.contains_key(&k), model.contains_key(&k)),
            10 => {
                let removed = map.remove(&k);
                assert!(same(removed.as_ref(), model.remove(&k).as_ref()));
            }
            // Drop the last strong handle of k's value.
            11..=13 => drop(model.remove(&k)),
            // Mass death.
            14 => model.retain(|_, _| rng.chance(2)),
            // Iterate while the loop body kills other entries.
            15 => {
                let mut visited = Vec::new();
                for (key, v) in map.iter() {
                    assert!(ptr_eq(&v, &model[key]), "never a dead or stale value");
                    visited.push(*key);
                    if rng.chance(3) {
                        let victim = rng.below(VALUE_KEYS) as u8;
                        if victim != *key {
                            model.remove(&victim);
                        }
                    }
                }
                for key in model.keys() {
                    assert!(visited.contains(key), "live entry {key} skipped");
                }
            }
            16 => {
                let parity = rng.below(2) as u8;
                map.retain(|key, v| {
                    assert!(ptr_eq(v, &model[key]));
                    key % 2 == parity
                });
                model.retain(|key, _| key % 2 == parity);
            }
            17 => match map.pop_any() {
                Some((key, v)) => assert!(ptr_eq(&v, &model.remove(&key).unwrap())),
                None => assert!(model.is_empty()),
            },
            18 => {
                let copy = map.clone();
                assert_eq!(copy.len(), model.len(), "a copy holds live entries only");
                check_value_map(&copy, &model, true);
            }
            _ => match rng.below(4) {
                0 => {
                    map.purge();
                    assert_eq!(map.len(), model.len());
                }
                1 => {
                    map.shrink_to_fit();
                    assert_eq!(map.len(), model.len());
                }
                2 if rng.chance(4) => {
                    let drained: Vec<(u8, P<u32, C>)> = map.drain().collect();
                    assert_eq!(drained.len(), model.len());
                    for (key, v) in drained {
                        assert!(ptr_eq(&v, &model.remove(&key).unwrap()));
                    }
                }
                _ => {
                    let refs = map.value_refs().filter(|w| C::upgrade(w).is_some()).count();
                    assert_eq!(refs, model.len());
                }
            },
        }
        max_live = max_live.max(model.len());
        check_bound(map.len(), map.capacity(), max_live);
        if op <= 5 {
            // insert, get_or_insert_with
            check_dead_after_insert::<C>(map.len(), model.len());
        }
        check_value_map(&map, &model, !cfg!(miri) || step % 16 == 0);
    }
}

// --- WeakKeyMap -------------------------------------------------------------

const KEY_KEYS: u64 = 48;

/// The model of a weak-keyed map: key value → (the stored strong key, the
/// value). Its strong keys are the only ones, so dropping one kills the
/// entry.
type KeyModel<C> = HashMap<u8, (P<u8, C>, u32)>;

fn key_map_matches_model<C: WeakFamily>() {
    for &seed in seeds() {
        run_key_map::<C>(seed);
    }
}

fn check_key_map<C: WeakFamily>(map: &KeyMap<u8, u32, C>, model: &KeyModel<C>, full: bool) {
    assert_eq!(map.live_len(), model.len());
    if full {
        for k in 0..KEY_KEYS as u8 {
            assert_eq!(map.get(&k), model.get(&k).map(|(_, v)| v), "key {k}");
            let stored = map.get_key_value(&k).map(|(key, _)| key);
            assert!(
                same(stored.as_ref(), model.get(&k).map(|(key, _)| key)),
                "rule 12: the stored key"
            );
        }
        let mut seen: Vec<u8> = map
            .iter()
            .map(|(k, v)| {
                assert!(ptr_eq(&k, &model[&*k].0));
                assert_eq!(*v, model[&*k].1);
                *k
            })
            .collect();
        seen.sort();
        let mut expected: Vec<u8> = model.keys().copied().collect();
        expected.sort();
        assert_eq!(seen, expected);
    }
}

fn run_key_map<C: WeakFamily>(seed: u64) {
    let mut rng = Rng::new(seed);
    let mut map: KeyMap<u8, u32, C> = KeyMap::default();
    let mut model: KeyModel<C> = HashMap::new();
    let mut max_live = 0;
    for step in 0..steps() {
        let k = rng.below(KEY_KEYS) as u8;
        let value = rng.next() as u32;
        let op = rng.below(20);
        match op {
            // Insert with a fresh key handle: equal but distinct from a
            // live stored one, it replaces the value and is not stored.
            0..=4 => {
                let key = C::new(k);
                let old = map.insert(&key, value);
                match model.get_mut(&k) {
                    Some((_, v)) => {
                        assert_eq!(old, Some(std::mem::replace(v, value)), "step {step}")
                    }
                    None => {
                        assert_eq!(old, None);
                        model.insert(k, (key, value));
                    }
                }
            }
            // Insert again with the stored key itself.
            5 => {
                if let Some((key, v)) = model.get_mut(&k) {
                    assert_eq!(map.insert(key, value), Some(*v));
                    *v = value;
                }
            }
            6 => {
                let key = C::new(k);
                match map.entry(&key) {
                    KeyEntry::Occupied(mut entry) => {
                        let (stored, v) = &model[&k];
                        assert!(ptr_eq(entry.key(), stored));
                        assert_eq!(entry.get(), v);
                        if rng.chance(2) {
                            *entry.get_mut() = value;
                            model.get_mut(&k).unwrap().1 = value;
                        } else {
                            let (stored, v) = entry.remove_entry();
                            let (mstored, mv) = model.remove(&k).unwrap();
                            assert!(ptr_eq(&stored, &mstored) && v == mv);
                        }
                    }
                    KeyEntry::Vacant(entry) => {
                        assert!(!model.contains_key(&k));
                        let key = Clone::clone(entry.key());
                        *entry.insert(0) += value;
                        model.insert(k, (key, value));
                    }
                }
            }
            7..=8 => assert_eq!(map.get(&k), model.get(&k).map(|(_, v)| v)),
            9 => {
                if let Some(v) = map.get_mut(&k) {
                    *v = value;
                    model.get_mut(&k).unwrap().1 = value;
                } else {
                    assert!(!model.contains_key(&k));
                }
            }
            10 => {
                let removed = map.remove_entry(&k);
                let expected = model.remove(&k);
                match (removed, expected) {
                    (Some((key, v)), Some((mkey, mv))) => {
                        assert!(ptr_eq(&key, &mkey) && v == mv)
                    }
                    (None, None) => {}
                    _ => panic!("remove_entry disagrees with the model at step {step}"),
                }
            }
            // Drop the last strong handle of the key.
            11..=13 => drop(model.remove(&k)),
            14 => model.retain(|_, _| rng.chance(2)),
            15 => {
                let mut visited = Vec::new();
                for (key, v) in map.iter_mut() {
                    assert_eq!(*v, model[&*key].1);
                    *v = v.wrapping_add(1);
                    model.get_mut(&*key).unwrap().1 = *v;
                    visited.push(*key);
                    if rng.chance(3) {
                        let victim = rng.below(KEY_KEYS) as u8;
                        if victim != *key {
                            model.remove(&victim);
                        }
                    }
                }
                for key in model.keys() {
                    assert!(visited.contains(key), "live entry {key} skipped");
                }
            }
            16 => {
                let parity = rng.below(2) as u8;
                map.retain(|key, v| {
                    assert!(ptr_eq(key, &model[&**key].0));
                    *v = v.wrapping_mul(3);
                    **key % 2 == parity
                });
                model.retain(|key, _| key % 2 == parity);
                for (_, v) in model.values_mut() {
                    *v = v.wrapping_mul(3);
                }
            }
            17 => match map.pop_any() {
                Some((key, v)) => {
                    let (mkey, mv) = model.remove(&*key).unwrap();
                    assert!(ptr_eq(&key, &mkey) && v == mv);
                }
                None => assert!(model.is_empty()),
            },
            18 => {
                let copy = map.clone();
                assert_eq!(copy.len(), model.len());
                check_key_map(&copy, &model, true);
            }
            _ => match rng.below(3) {
                0 => {
                    map.purge();
                    assert_eq!(map.len(), model.len());
                }
                1 => {
                    let values: u64 = map.values().map(|v| u64::from(*v)).sum();
                    assert_eq!(
                        values,
                        model.values().map(|(_, v)| u64::from(*v)).sum::<u64>()
                    );
                    assert_eq!(map.key_refs().count(), model.len());
                }
                _ => {
                    let got = map.get_or_insert_with(&C::new(k), || value);
                    match model.get(&k) {
                        Some((_, v)) => assert_eq!(got, v),
                        None => {
                            // The fresh key died at the end of the call: the
                            // entry is dead already.
                            assert_eq!(*got, value);
                            assert!(!map.contains_key(&k));
                        }
                    }
                }
            },
        }
        max_live = max_live.max(model.len());
        check_bound(map.len(), map.capacity(), max_live);
        if op <= 4 {
            check_dead_after_insert::<C>(map.len(), model.len());
        }
        check_key_map(&map, &model, !cfg!(miri) || step % 16 == 0);
    }
}

// --- PtrWeakSet -------------------------------------------------------------

fn ptr_set_matches_model<C: WeakFamily>() {
    for &seed in seeds() {
        run_ptr_set::<C>(seed);
    }
}

fn run_ptr_set<C: WeakFamily>(seed: u64) {
    let mut rng = Rng::new(seed);
    let mut set: PtrSet<u32, C> = PtrSet::default();
    // The members, by address; every value is 0, so only identity tells
    // them apart.
    let mut model: HashMap<usize, P<u32, C>> = HashMap::new();
    let addr = |s: &P<u32, C>| ptr::from_ref::<u32>(s).addr();
    let mut max_live = 0;
    for _ in 0..steps() {
        let pick = |model: &HashMap<usize, P<u32, C>>, rng: &mut Rng| {
            let n = model.len() as u64;
            (n > 0).then(|| model.values().nth(rng.below(n) as usize).unwrap().clone())
        };
        match rng.below(8) {
            0..=2 if model.len() < 64 => {
                let x = C::new(0);
                assert!(set.insert(&x));
                model.insert(addr(&x), x);
                check_dead_after_insert::<C>(set.len(), model.len());
            }
            3 => {
                if let Some(x) = pick(&model, &mut rng) {
                    assert!(!set.insert(&x), "already a member");
                    assert!(set.contains(&x));
                }
            }
            4 => {
                if let Some(x) = pick(&model, &mut rng) {
                    assert!(set.remove(&x));
                    assert!(!set.remove(&x));
                    model.remove(&addr(&x));
                }
            }
            0..=2 | 5 => {
                if let Some(x) = pick(&model, &mut rng) {
                    model.remove(&addr(&x)); // `x` is now the last handle
                    assert!(set.contains(&x));
                    drop(x);
                }
            }
            6 => {
                let other: PtrSet<u32, C> = model.values().filter(|_| rng.chance(2)).collect();
                let union = set.union(&other);
                let inter = set.intersection(&other);
                let diff = set.difference(&other);
                let sym = set.symmetric_difference(&other);
                assert_eq!(union.live_len(), model.len());
                assert_eq!(inter.live_len(), other.live_len());
                assert_eq!(diff.live_len() + inter.live_len(), model.len());
                assert_eq!(sym, diff);
                assert!(other.is_subset(&set) && set.is_superset(&other));
                assert!(diff.is_disjoint(&other));
            }
            _ => {
                let mut visited = 0;
                for x in &set {
                    assert!(model.contains_key(&addr(&x)));
                    visited += 1;
                }
                assert_eq!(visited, model.len());
            }
        }
        assert_eq!(set.live_len(), model.len());
        max_live = max_live.max(model.len());
        check_bound(set.len(), set.capacity(), max_live);
    }
}

/// The whole model, for a family: weakref's counters keep a tally of
/// deaths (so `check_dead_after_insert` checks the exact bound); std's
/// handles do not.
fn all_models<C: WeakFamily>() {
    value_map_matches_model::<C>();
    key_map_matches_model::<C>();
    ptr_set_matches_model::<C>();
}

/// weakref's own families, with their tally.
fn native_families_match_the_model<C: weakref_core::count::RawCount>() {
    assert!(
        C::weak_deaths().is_some(),
        "the counters under test keep a tally"
    );
    all_models::<C>();
}

crate::for_each_counter!(native_families_match_the_model);

/// Issue 19, part 3: the same model over std's `Rc`/`Weak`.
#[test]
fn std_rc_matches_the_model() {
    assert_eq!(StdRc::weak_deaths(), None);
    all_models::<StdRc>();
}

/// Issue 19, part 3: the same model over std's `Arc`/`Weak`.
#[test]
fn std_arc_matches_the_model() {
    assert_eq!(StdArc::weak_deaths(), None);
    all_models::<StdArc>();
}
