//! The weak collections (issue 4): Python-derived scenarios (rules 11-17 of
//! `python-weakref-rules.md`), the seed's image example, and API coverage,
//! for every counter. The model-based test and the panic-safety tests live
//! in the two files beside this one.

use std::collections::HashMap;
use std::hash::RandomState;

use weakref_core::callbacks::{CallbackFamily, WeakRef};
use weakref_core::collections::value_map::Entry as ValueEntry;
use weakref_core::collections::{PtrWeakKeyMap, PtrWeakSet, WeakKeyMap, WeakSet, WeakValueMap};
use weakref_core::count::{RawCount, RawCountUnique};
use weakref_core::storage::Global;
use weakref_core::{Strong, Weak};

#[path = "collections_model.rs"]
mod model;
#[path = "collections_panic.rs"]
mod panic;

/// A strong handle of the family under test.
pub(crate) type S<T, C> = Strong<T, C, Global>;
pub(crate) type ValueMap<K, V, C> = WeakValueMap<K, V, C, RandomState>;
pub(crate) type KeyMap<K, V, C> = WeakKeyMap<K, V, C, RandomState>;
pub(crate) type PtrKeyMap<K, V, C> = PtrWeakKeyMap<K, V, C, RandomState>;
pub(crate) type Set<T, C> = WeakSet<T, C, RandomState>;
pub(crate) type PtrSet<T, C> = PtrWeakSet<T, C, RandomState>;

/// The seed's walkthrough: an image in an ordinary map stays alive after
/// its last user drops it; in a `WeakValueMap` it goes, memory and all.
fn image_example<C: RawCount>() {
    struct Image {
        pixels: Vec<u8>,
    }
    let load = || {
        S::<Image, C>::new(Image {
            pixels: vec![0x7f; 600 * 1200],
        })
    };

    let mut strong_cache: HashMap<&str, S<Image, C>> = HashMap::new();
    let image = load();
    let weak = S::downgrade(&image);
    strong_cache.insert("sunset.png", image);
    // Our handle is gone (moved into the map): the map keeps the image.
    assert!(
        weak.upgrade().is_some(),
        "an ordinary map keeps the value alive"
    );
    assert_eq!(strong_cache["sunset.png"].pixels.len(), 720_000);
    drop(strong_cache);
    assert!(weak.upgrade().is_none());

    let mut weak_cache: ValueMap<&str, Image, C> = ValueMap::default();
    let image = load();
    let weak = S::downgrade(&image);
    weak_cache.insert("sunset.png", &image);
    let cached = weak_cache
        .get("sunset.png")
        .expect("alive while `image` is");
    assert!(S::ptr_eq(&cached, &image));
    assert_eq!(S::strong_count(&image), 2);
    drop((cached, image)); // the last strong handles
    assert!(weak.upgrade().is_none(), "the cache did not keep it alive");
    assert!(weak_cache.get("sunset.png").is_none());
    assert!(!weak_cache.contains_key("sunset.png"));
    assert_eq!(weak_cache.live_len(), 0);
    assert_eq!(weak_cache.iter().count(), 0);
}

/// Rule 11 (bpo-28427): a value replaced under its key, then dropped, never
/// removes the live replacement.
fn replace_then_old_dies<C: RawCount>() {
    let mut map: ValueMap<&str, u32, C> = ValueMap::default();
    let old = S::<u32, C>::new(1);
    let new = S::<u32, C>::new(2);
    assert!(map.insert("k", &old).is_none());
    let previous = map.insert("k", &new).expect("the old value was alive");
    assert!(S::ptr_eq(&previous, &old));
    drop((previous, old));
    assert_eq!(map.get("k").as_deref(), Some(&2));
    assert_eq!(map.len(), 1, "one entry: the replacement reused it");
    map.purge();
    assert_eq!(map.get("k").as_deref(), Some(&2), "a purge keeps it too");
    // And through the entry API.
    let newer = S::<u32, C>::new(3);
    match map.entry("k") {
        ValueEntry::Occupied(mut entry) => drop(entry.insert(S::clone(&newer))),
        ValueEntry::Vacant(_) => panic!("the value is alive"),
    }
    drop(new);
    assert_eq!(map.get("k").as_deref(), Some(&3));
    // Many replacements with deaths in between: still one live entry.
    let mut keep = Vec::new();
    for i in 0..=100 {
        let v = S::<u32, C>::new(i);
        map.insert("k", &v);
        if i % 3 == 0 {
            keep.push(v);
        }
    }
    assert_eq!(map.get("k").as_deref(), None, "100 is not kept");
    assert_eq!(map.live_len(), 0);
    drop(newer);
    let last = S::<u32, C>::new(7);
    map.insert("k", &last);
    assert_eq!(map.get("k").as_deref(), Some(&7));
    assert_eq!((map.len(), map.live_len()), (1, 1));
}

/// Rule 11: `setdefault` stores the default when the value is dead and
/// never returns a dead value; `pop` and `popitem` treat dead as missing.
fn setdefault_pop_popitem_with_dead_values<C: RawCount>() {
    let mut map: ValueMap<u32, String, C> = ValueMap::default();
    let first = S::<String, C>::new("first".to_owned());
    map.insert(1, &first);
    drop(first);
    assert!(
        matches!(map.entry(1), ValueEntry::Vacant(_)),
        "dead is vacant"
    );
    let second = map.get_or_insert_with(1, || S::new("second".to_owned()));
    assert_eq!(*second, "second");
    let again = map.get_or_insert_with(1, || panic!("alive: not called"));
    assert!(S::ptr_eq(&again, &second));
    assert_eq!(map.len(), 1, "the dead entry's slot was reused");

    drop((second, again));
    assert!(map.remove(&1).is_none(), "pop of a dead value: missing");
    assert!(map.is_empty(), "and the dead entry is gone");

    let kept = S::<String, C>::new("kept".to_owned());
    for i in 0..10 {
        map.insert(i, &S::new(format!("dead {i}")));
    }
    map.insert(10, &kept);
    let (key, value) = map.pop_any().expect("one live entry");
    assert_eq!(key, 10);
    assert!(S::ptr_eq(&value, &kept));
    assert!(map.pop_any().is_none(), "only dead entries were left");
    assert!(map.is_empty(), "popitem dropped them on the way");
}

/// Rule 12: an equal but distinct key replaces the value and keeps the old
/// key; the entry goes when the *old* key dies.
fn equal_but_distinct_keys<C: RawCount>() {
    let mut map: KeyMap<String, u32, C> = KeyMap::default();
    let k1 = S::<String, C>::new("key".to_owned());
    let k2 = S::<String, C>::new("key".to_owned());
    assert_eq!(map.insert(&k1, 1), None);
    assert_eq!(map.insert(&k2, 2), Some(1));
    assert_eq!(map.len(), 1);
    let (stored, value) = map.get_key_value("key").unwrap();
    assert!(S::ptr_eq(&stored, &k1), "the first key stays");
    assert_eq!(*value, 2);
    drop(stored);
    drop(k2);
    assert_eq!(map.get("key"), Some(&2), "k2 was never stored");
    drop(k1);
    assert_eq!(map.get("key"), None, "gone with the stored key");
    assert!(!map.contains_key("key"));

    // The set behaves alike: `add` of an equal element is a no-op, so the
    // element leaves with the stored one, even while the other lives.
    let mut set: Set<str, C> = Set::default();
    let a: S<str, C> = S::from("x");
    let b: S<str, C> = S::from("x");
    assert!(set.insert(&a));
    assert!(!set.insert(&b));
    assert!(S::ptr_eq(&set.get("x").unwrap(), &a));
    drop(a);
    assert!(!set.contains("x"), "`b` is alive but was never a member");
    assert!(set.insert(&b));

    // Identity-keyed: equal keys are two entries.
    let mut ptr_map: PtrKeyMap<String, u32, C> = PtrKeyMap::default();
    let k1 = S::<String, C>::new("key".to_owned());
    let k2 = S::<String, C>::new("key".to_owned());
    ptr_map.insert(&k1, 1);
    ptr_map.insert(&k2, 2);
    assert_eq!((ptr_map.get(&k1), ptr_map.get(&k2)), (Some(&1), Some(&2)));
    drop(k1);
    assert_eq!(ptr_map.live_len(), 1);
    assert_eq!(ptr_map.get(&k2), Some(&2));
}

/// A dead key keeps its cached hash: the table can grow (rehashing every
/// entry) with dead keys in it, and the live ones are still found.
fn dead_keys_survive_rehash<C: RawCount>() {
    let n = if cfg!(miri) { 40 } else { 1000 };
    let mut map: KeyMap<u32, u32, C> = KeyMap::default();
    let mut keys = Vec::new();
    for i in 0..n {
        let key = S::<u32, C>::new(i);
        map.insert(&key, i * 10);
        if i % 2 == 0 {
            keys.push(key); // odd keys die at once
        }
        map.reserve(1); // rehash now and then, dead entries included
    }
    for i in 0..n {
        let expected = (i % 2 == 0).then_some(i * 10);
        assert_eq!(map.get(&i).copied(), expected, "key {i}");
    }
    assert_eq!(map.live_len(), keys.len());
}

/// Rule 13: a death during iteration (the loop body drops the last handle
/// of a later entry) neither panics nor skips a live entry.
fn death_during_iteration<C: RawCount>() {
    let n: u32 = if cfg!(miri) { 12 } else { 200 };
    let mut values: Vec<Option<S<u32, C>>> = (0..n).map(|i| Some(S::new(i))).collect();
    let mut map: ValueMap<u32, u32, C> = ValueMap::default();
    for (i, v) in values.iter().enumerate() {
        map.insert(i as u32, v.as_ref().unwrap());
    }
    let mut visited = Vec::new();
    for (key, value) in map.iter() {
        assert_eq!(*value, *key, "never a wrong or dead value");
        visited.push(*key);
        if visited.len() == 1 {
            // Kill every odd value but the one we hold.
            for (i, v) in values.iter_mut().enumerate() {
                if i % 2 == 1 && i as u32 != *key {
                    *v = None;
                }
            }
        }
    }
    let first = visited[0];
    for i in 0..n {
        let alive = i % 2 == 0 || i == first;
        assert_eq!(visited.contains(&i), alive, "entry {i}");
    }

    // The same for the weak-keyed map, its `iter_mut`, and the sets.
    let mut keys: Vec<Option<S<u32, C>>> = (0..n).map(|i| Some(S::new(i))).collect();
    let mut kmap: KeyMap<u32, u32, C> = keys.iter().map(|k| (k.as_ref().unwrap(), 0)).collect();
    let mut seen = 0;
    for (key, value) in kmap.iter_mut() {
        *value += 1;
        seen += 1;
        let kill = (*key as usize + 1) % n as usize; // the next one, say
        keys[kill] = None;
    }
    assert!(seen >= n as usize / 2 && seen <= n as usize);
    assert_eq!(kmap.values().filter(|v| **v == 1).count(), kmap.live_len());

    let mut elements: Vec<Option<S<u32, C>>> = (0..n).map(|i| Some(S::new(i))).collect();
    let set: Set<u32, C> = elements.iter().flatten().collect();
    let mut seen = Vec::new();
    for x in &set {
        seen.push(*x);
        elements.clear(); // everything else dies
    }
    assert_eq!(seen.len(), 1, "only the element held by the loop");
}

/// Rule 14: `len` counts dead entries until purged, `live_len` is exact,
/// and dead entries never accumulate without bound.
fn len_and_purge<C: RawCount>() {
    let mut map: ValueMap<u32, u32, C> = ValueMap::default();
    let kept = S::<u32, C>::new(0);
    map.insert(0, &kept);
    map.insert(1, &S::new(1));
    assert_eq!((map.len(), map.live_len()), (2, 1));
    assert!(!map.is_empty());
    map.purge();
    assert_eq!((map.len(), map.live_len()), (1, 1));

    // A stream of values that die at once: the table stays small.
    let n = if cfg!(miri) { 100 } else { 100_000 };
    let mut peak = 0;
    for i in 0..n {
        map.insert(i + 10, &S::new(i));
        peak = peak.max(map.len());
    }
    assert!(peak <= 9, "dead entries accumulated: peak len {peak}");
    assert!(map.capacity() <= 16, "capacity {}", map.capacity());

    // With a live working set, entries stay within a constant factor of it.
    let live: Vec<S<u32, C>> = (0..100).map(S::new).collect();
    let mut map: ValueMap<u32, u32, C> = ValueMap::default();
    for (i, v) in live.iter().enumerate() {
        map.insert(i as u32, v);
    }
    let mut peak = 0;
    for i in 0..n {
        map.insert(1000 + i, &S::new(i));
        peak = peak.max(map.len());
    }
    // Each insert leaves dead <= live + 8, the new (then live) entry
    // counted: entries <= 2 x 101 + 8.
    assert!(peak <= 2 * 101 + 8, "peak len {peak} for 100 live entries");
    assert_eq!(map.live_len(), 100);

    // The same for the weak-keyed map (values are dropped by the purge).
    let mut kmap: KeyMap<u32, Vec<u8>, C> = KeyMap::default();
    let mut peak = 0;
    for i in 0..n {
        kmap.insert(&S::new(i), vec![0; 16]);
        peak = peak.max(kmap.len());
    }
    assert!(peak <= 9, "peak len {peak}");
    kmap.shrink_to_fit();
    assert_eq!(kmap.capacity(), 0);
}

/// A scan walks the table a few dozen buckets at a time: over many such
/// steps, `retain` sees every live entry exactly once, keeps exactly the
/// ones it accepts, and the dead ones go, for a value map and a key map.
fn retain_sees_each_live_entry_once<C: RawCount>() {
    let n: u32 = if cfg!(miri) { 300 } else { 5_000 };
    // Every third value lives; keys are the values.
    let values: Vec<S<u32, C>> = (0..n).map(S::new).collect();
    let mut map: ValueMap<u32, u32, C> = ValueMap::default();
    let mut kmap: KeyMap<u32, u32, C> = KeyMap::default();
    for v in &values {
        map.insert(**v, v);
        kmap.insert(v, **v);
    }
    let live: Vec<S<u32, C>> = values.into_iter().filter(|v| **v % 3 == 0).collect();
    let mut seen = HashMap::new();
    map.retain(|&k, v| {
        assert_eq!(k, **v);
        *seen.entry(k).or_insert(0) += 1;
        k % 2 == 0
    });
    let mut kseen = HashMap::new();
    kmap.retain(|k, v| {
        assert_eq!(**k, *v);
        *kseen.entry(*v).or_insert(0) += 1;
        *v % 2 == 0
    });
    for seen in [&seen, &kseen] {
        assert_eq!(seen.len(), live.len(), "each live entry visited");
        assert!(seen.values().all(|&times| times == 1), "visited once");
        assert!(seen.keys().all(|k| k % 3 == 0), "a dead entry visited");
    }
    let kept: Vec<u32> = live.iter().map(|v| **v).filter(|k| k % 2 == 0).collect();
    assert_eq!((map.len(), map.live_len()), (kept.len(), kept.len()));
    assert_eq!((kmap.len(), kmap.live_len()), (kept.len(), kept.len()));
    for k in &kept {
        assert_eq!(map.get(k).as_deref(), Some(k));
        assert_eq!(kmap.get(k), Some(k));
    }
}

/// Rule 16: copies (`Clone`) and `Debug` show live entries only; set
/// algebra returns new sets of live elements.
fn copies_and_set_algebra<C: RawCount>() {
    let kept = S::<u32, C>::new(1);
    let mut map: ValueMap<u32, u32, C> = ValueMap::default();
    map.insert(1, &kept);
    map.insert(2, &S::new(2));
    let copy = map.clone();
    assert_eq!((copy.len(), copy.live_len()), (1, 1));
    assert_eq!(
        format!("{map:?}"),
        "WeakValueMap { len: 2, live_len: 1, entries: {1: 1} }"
    );
    assert!(
        S::ptr_eq(&copy.get(&1).unwrap(), &kept),
        "values are shared"
    );

    let items: Vec<S<u32, C>> = (0..6).map(S::new).collect();
    let a: Set<u32, C> = items[..4].iter().collect(); // 0 1 2 3
    let b: Set<u32, C> = items[2..].iter().collect(); // 2 3 4 5
    let sorted = |s: &Set<u32, C>| {
        let mut v: Vec<u32> = s.iter().map(|x| *x).collect();
        v.sort();
        v
    };
    assert_eq!(sorted(&a.union(&b)), [0, 1, 2, 3, 4, 5]);
    assert_eq!(sorted(&(&a & &b)), [2, 3]);
    assert_eq!(sorted(&(&a - &b)), [0, 1]);
    assert_eq!(sorted(&(&a ^ &b)), [0, 1, 4, 5]);
    assert!((&a & &b).is_subset(&a) && a.is_superset(&(&a & &b)));
    assert!(!a.is_disjoint(&b) && (&a - &b).is_disjoint(&b));
    assert_eq!(a.clone(), a);
    assert_ne!(a, b);

    // Dead elements take no part.
    let mut with_dead = a.clone();
    with_dead.insert(&S::new(9));
    assert_eq!(with_dead, a);
    assert_eq!(sorted(&with_dead.union(&b)), [0, 1, 2, 3, 4, 5]);
    let dbg = format!("{with_dead:?}");
    assert!(!dbg.contains('9'), "{dbg}");

    // The identity set: equal values are distinct members.
    let twins = [S::<u32, C>::new(7), S::<u32, C>::new(7)];
    let p: PtrSet<u32, C> = twins.iter().collect();
    let q: PtrSet<u32, C> = twins[..1].iter().collect();
    assert_eq!(p.live_len(), 2);
    assert_eq!((&p - &q).live_len(), 1);
    assert!(q.is_subset(&p) && !p.is_subset(&q));
    assert_eq!(
        (&p ^ &q).iter().next().map(|x| S::ptr_eq(&x, &twins[1])),
        Some(true)
    );
}

/// The rest of the surface, once each: entries, retain, drain, refs,
/// unsized keys and values, extend/collect, hashers.
fn api_surface<C: RawCount>() {
    // Unsized values and keys.
    let name: S<str, C> = S::from("Ada");
    let mut by_id: ValueMap<u32, str, C> = ValueMap::with_hasher(RandomState::new());
    by_id.insert(1, &name);
    assert_eq!(by_id.get(&1).as_deref(), Some("Ada"));
    let weak: Weak<str, C, Global> = by_id.value_refs().next().unwrap().clone();
    assert!(weak.upgrade().is_some());

    let bytes: S<[u8], C> = S::from(vec![1, 2, 3]);
    let mut set: Set<[u8], C> = Set::default();
    set.insert(&bytes);
    assert!(set.contains(&[1u8, 2, 3][..]));
    assert!(S::ptr_eq(&set.take(&[1u8, 2, 3][..]).unwrap(), &bytes));
    assert!(set.is_empty());

    // Entry API of the weak-keyed map.
    let key = S::<u32, C>::new(5);
    let mut kmap: KeyMap<u32, Vec<u32>, C> =
        KeyMap::with_capacity_and_hasher(4, RandomState::new());
    kmap.entry(&key).or_default().push(1);
    kmap.entry(&key).and_modify(|v| v.push(2)).or_default();
    assert_eq!(kmap.get(&5), Some(&vec![1, 2]));
    kmap.get_mut(&5).unwrap().push(3);
    assert_eq!(
        kmap.remove_entry(&5).map(|(k, v)| (*k, v)),
        Some((5, vec![1, 2, 3]))
    );
    *kmap.get_or_insert_with(&key, Vec::new) = vec![9];
    assert_eq!(kmap.key_refs().count(), 1);
    kmap.retain(|_, v| v.is_empty());
    assert_eq!(kmap.live_len(), 0);

    // Drain and into_iter skip the dead.
    let alive = S::<u32, C>::new(1);
    let mut vmap: ValueMap<u32, u32, C> = ValueMap::default();
    vmap.extend([(1, &alive)]);
    vmap.extend([(2, S::new(2))]); // dies at once
    assert_eq!(vmap.drain().count(), 1);
    assert!(vmap.is_empty());
    vmap.extend([(1, &alive), (2, &S::new(2))]);
    let owned: Vec<(u32, S<u32, C>)> = vmap.into_iter().collect();
    assert_eq!(owned.len(), 1);

    // The identity map's surface.
    let a = S::<u32, C>::new(1);
    let mut pmap: PtrKeyMap<u32, u32, C> = PtrKeyMap::default();
    *pmap.entry(&a).or_insert(0) += 5;
    *pmap.get_mut(&a).unwrap() += 1;
    assert_eq!(pmap.get(&a), Some(&6));
    assert!(pmap.contains_key(&a));
    assert_eq!(pmap.keys().count(), 1);
    assert_eq!(
        pmap.pop_any().map(|(k, v)| (S::ptr_eq(&k, &a), v)),
        Some((true, 6))
    );
    assert_eq!(pmap.remove(&a), None);
}

/// A due purge skips its scan while the family's tally of deaths
/// (`RawCount::weak_deaths`) is unchanged since the last scan: every way a
/// value can die must move the tally, or its dead entry would stay past
/// the purge that should drop it.
fn due_purge_sees_every_death<C: RawCountUnique + CallbackFamily>() {
    type Kill<C> = fn(S<Vec<u32>, C>);
    let kills: [(&str, Kill<C>); 7] = [
        ("drop", drop),
        ("drop, watched", |v| {
            let registered = WeakRef::new(&v);
            drop(v);
            assert!(!registered.is_alive());
        }),
        ("try_unwrap", |v| assert!(S::try_unwrap(v).is_ok())),
        ("into_inner", |v| assert!(S::into_inner(v).is_some())),
        ("unwrap_or_clone", |v| drop(S::unwrap_or_clone(v))),
        ("make_mut, only weak left", |mut v| {
            // The map's weak handle is the only other one: the value moves
            // to a new block, and the map's entry is dead.
            S::make_mut(&mut v).push(1);
        }),
        ("make_mut, watched", |mut v| {
            let registered = WeakRef::new(&v);
            S::make_mut(&mut v).push(1);
            assert!(!registered.is_alive());
        }),
    ];
    for (how, kill) in kills {
        let mut map: ValueMap<u32, Vec<u32>, C> = ValueMap::default();
        let live: Vec<S<Vec<u32>, C>> = (0..7).map(|i| S::new(vec![i])).collect();
        for (i, v) in live.iter().enumerate() {
            map.insert(i as u32, v);
        }
        let victim = S::new(vec![7]);
        map.insert(7, &victim);
        // A full scan: the tally is read, and the next due purge is at
        // 4 x 8 = 32 entries (one death cannot trigger the death rule).
        map.purge();
        kill(victim);
        let more: Vec<S<Vec<u32>, C>> = (8..33).map(|i| S::new(vec![i])).collect();
        for (i, v) in more.iter().enumerate() {
            map.insert(8 + i as u32, v);
        }
        // The 25th insert found 32 entries: the purge was due, and it
        // must have dropped the dead one.
        assert_eq!(
            (map.len(), map.live_len()),
            (32, 32),
            "{how}: the dead entry outlived a due purge"
        );
        drop((live, more));
    }
}

/// "After any insert, dead entries <= live entries + a constant" (8), in
/// every collection: a mass death right after a purge leaves every entry
/// dead, and the next insert must purge even though the table is far from
/// its size threshold.
fn mass_death_then_insert_purges<C: RawCount>() {
    // Under Miri, fewer: still far past the death rule's trigger.
    const N: u32 = if cfg!(miri) { 40 } else { 1000 };
    fn check(what: &str, len: usize, live: usize) {
        assert!(
            len - live <= live + 8,
            "{what}: {} dead entries beside {live} live after an insert",
            len - live
        );
        assert_eq!((len, live), (1, 1), "{what}: the insert purged");
    }
    let values = || (0..N).map(S::<u32, C>::new).collect::<Vec<_>>();
    let fresh = S::<u32, C>::new(N);

    let mut map: ValueMap<u32, u32, C> = ValueMap::default();
    let held = values();
    for v in &held {
        map.insert(**v, v);
    }
    drop(held);
    map.insert(N, &fresh);
    check("WeakValueMap::insert", map.len(), map.live_len());
    let held = values();
    for v in &held {
        map.insert(**v, v);
    }
    drop(held);
    let _ = map.get_or_insert_with(N + 1, || S::clone(&fresh));
    // Two entries now (N and N + 1), both `fresh`.
    assert_eq!((map.len(), map.live_len()), (2, 2), "get_or_insert_with");
    // One value under many keys dies once and leaves an entry per key
    // (found by the weak_map_ops fuzz target).
    let shared = S::<u32, C>::new(0);
    for k in 0..N {
        map.insert(k, &shared);
    }
    drop(shared);
    map.insert(N + 2, &fresh);
    assert_eq!(
        (map.len(), map.live_len()),
        (3, 3),
        "WeakValueMap::insert after a shared value died"
    );

    // The weak-keyed four: fill, kill every key, insert one live key.
    macro_rules! mass_death {
        ($what:literal, $collection:expr, |$c:ident, $x:ident| $insert:expr) => {{
            let mut $c = $collection;
            let held = values();
            for $x in &held {
                $insert;
            }
            drop(held);
            let $x = &fresh;
            $insert;
            check($what, $c.len(), $c.live_len());
        }};
    }
    mass_death!(
        "WeakKeyMap::insert",
        KeyMap::<u32, (), C>::default(),
        |m, k| m.insert(k, ())
    );
    mass_death!(
        "PtrWeakKeyMap::insert",
        PtrKeyMap::<u32, (), C>::default(),
        |m, k| m.insert(k, ())
    );
    mass_death!("WeakSet::insert", Set::<u32, C>::default(), |s, x| s
        .insert(x));
    mass_death!("PtrWeakSet::insert", PtrSet::<u32, C>::default(), |s, x| s
        .insert(x));
}

/// Values (or keys) that own other entries' keys (or values): a purge
/// that drops a dead entry kills more entries, some of them already passed
/// by the purge. Right after a purge no entry is dead, and after an insert
/// dead entries stay within live + 8, whatever the drops kill (issue 19).
fn cascading_deaths_leave_no_dead_entry<C: RawCount>() {
    const OWNERS: u32 = if cfg!(miri) { 3 } else { 8 };
    const OWNED: u32 = if cfg!(miri) { 6 } else { 32 };
    fn check(what: &str, len: usize, live: usize) {
        assert_eq!(
            len,
            live,
            "{what}: {} dead entries after the purge",
            len - live
        );
    }

    // WeakKeyMap: each owner key's value holds the only handles of OWNED
    // other keys of the map.
    let mut map: KeyMap<u32, Vec<S<u32, C>>, C> = KeyMap::default();
    let owners: Vec<_> = (0..OWNERS).map(S::<u32, C>::new).collect();
    for owner in &owners {
        let owned: Vec<_> = (0..OWNED)
            .map(|j| S::new(1000 + **owner * OWNED + j))
            .collect();
        for key in &owned {
            map.insert(key, Vec::new());
        }
        map.insert(owner, owned);
    }
    drop(owners);
    map.purge();
    check("WeakKeyMap::purge", map.len(), map.live_len());
    assert_eq!(map.len(), 0);

    // The same by identity.
    let mut map: PtrKeyMap<u32, Vec<S<u32, C>>, C> = PtrKeyMap::default();
    let owners: Vec<_> = (0..OWNERS).map(S::<u32, C>::new).collect();
    for owner in &owners {
        let owned: Vec<_> = (0..OWNED).map(|j| S::new(j)).collect();
        for key in &owned {
            map.insert(key, Vec::new());
        }
        map.insert(owner, owned);
    }
    drop(owners);
    map.purge();
    check("PtrWeakKeyMap::purge", map.len(), map.live_len());

    // WeakValueMap: each owner entry's key holds the only handles of the
    // values of OWNED other entries.
    type Key<C> = (u32, Vec<S<u32, C>>);
    let mut map: ValueMap<Key<C>, u32, C> = ValueMap::default();
    let owner_values: Vec<_> = (0..OWNERS).map(S::<u32, C>::new).collect();
    for (i, value) in owner_values.iter().enumerate() {
        let owned: Vec<_> = (0..OWNED).map(S::<u32, C>::new).collect();
        for (j, v) in owned.iter().enumerate() {
            map.insert((1000 + (i as u32) * OWNED + j as u32, Vec::new()), v);
        }
        map.insert((i as u32, owned), value);
    }
    drop(owner_values);
    map.purge();
    check("WeakValueMap::purge", map.len(), map.live_len());

    // A concurrent cache whose keys own the values of entries in other
    // shards.
    let cache: weakref_core::collections::WeakCache<Key<C>, u32, C, RandomState> =
        weakref_core::collections::WeakCache::with_shards_and_hasher(4, RandomState::new());
    let owner_values: Vec<_> = (0..OWNERS).map(S::<u32, C>::new).collect();
    for (i, value) in owner_values.iter().enumerate() {
        let owned: Vec<_> = (0..OWNED).map(S::<u32, C>::new).collect();
        for (j, v) in owned.iter().enumerate() {
            cache.insert((1000 + (i as u32) * OWNED + j as u32, Vec::new()), v);
        }
        cache.insert((i as u32, owned), value);
    }
    drop(owner_values);
    cache.purge();
    check("WeakCache::purge", cache.len(), cache.live_len());

    // The purge before an insert: many keys die, so the insert purges; the
    // owners among them kill the rest during that purge.
    let mut map: KeyMap<u32, Vec<S<u32, C>>, C> = KeyMap::default();
    let owners: Vec<_> = (0..OWNERS).map(S::<u32, C>::new).collect();
    let others: Vec<_> = (0..OWNERS * OWNED)
        .map(|k| S::<u32, C>::new(5000 + k))
        .collect();
    for owner in &owners {
        let owned: Vec<_> = (0..OWNED)
            .map(|j| S::new(1000 + **owner * OWNED + j))
            .collect();
        for key in &owned {
            map.insert(key, Vec::new());
        }
        map.insert(owner, owned);
    }
    for other in &others {
        map.insert(other, Vec::new());
    }
    drop((owners, others));
    let fresh = S::<u32, C>::new(9999);
    map.insert(&fresh, Vec::new());
    let (len, live) = (map.len(), map.live_len());
    assert!(
        len - live <= live + 8,
        "WeakKeyMap::insert: {} dead entries beside {live} live",
        len - live
    );
}

/// The death-count trigger at its edge, where the tally is exact (this
/// thread's, `LocalCount`): after a scan of 16 live entries, 12 deaths
/// (`2 × 12 = 16 + 8`) cannot yet leave more than live + 8 dead entries,
/// so the next insert does not purge; 13 can, so it does.
#[test]
fn dead_bound_trigger_edge() {
    use weakref_core::count::LocalCount;
    for (deaths, len_after) in [(12, 17), (13, 16 - 13 + 1)] {
        let mut map: ValueMap<u32, u32, LocalCount> = ValueMap::default();
        let mut held: Vec<S<u32, LocalCount>> = (0..16).map(S::new).collect();
        for v in &held {
            map.insert(**v, v);
        }
        map.purge();
        held.drain(..deaths);
        let fresh = S::new(16);
        map.insert(16, &fresh);
        assert_eq!(
            (map.len(), map.live_len()),
            (len_after, 16 - deaths + 1),
            "{deaths} deaths"
        );
    }
}

/// The size rule where deaths are counted: after a scan that left `L`
/// entries, the next purge is due at `4 × L` entries (the death rule keeps
/// the dead ones in check before that).
#[test]
fn size_rule_edge_with_a_tally() {
    use weakref_core::count::LocalCount;
    let mut map: ValueMap<u32, u32, LocalCount> = ValueMap::default();
    let mut held: Vec<S<u32, LocalCount>> = (0..8).map(S::new).collect();
    for v in &held {
        map.insert(**v, v);
    }
    map.purge();
    held.remove(0); // one death: far from the death rule's trigger
    held.extend((8..32).map(S::new));
    for v in &held[7..] {
        map.insert(**v, v);
    }
    assert_eq!((map.len(), map.live_len()), (32, 31), "not due before 32");
    let fresh = S::new(32);
    map.insert(32, &fresh);
    assert_eq!((map.len(), map.live_len()), (32, 32), "due at 32");
}

/// A purge that removed entries leaves room for every entry the size rule
/// allows before the next purge (`4 × L`): the table does not grow in
/// between, whatever tombstones the purge left.
#[test]
fn purge_leaves_room_until_the_next_purge() {
    use weakref_core::count::LocalCount;
    let mut map: ValueMap<u32, u32, LocalCount> = ValueMap::default();
    let mut held: Vec<S<u32, LocalCount>> = (0..200).map(S::new).collect();
    for v in &held {
        map.insert(**v, v);
    }
    // 110 of 200 die: 2 x 110 > 200 + 8, so the next insert purges.
    held.truncate(90);
    held.push(S::new(200));
    map.insert(200, &held[90]);
    assert_eq!((map.len(), map.live_len()), (91, 91), "the insert purged");
    let capacity = map.capacity();
    assert!(capacity >= 4 * 90, "capacity {capacity} after the purge");
    // Up to the size rule's 4 x 90 entries, no value dying: no growth.
    held.extend((201..470).map(S::new)); // 360 values in all
    for v in &held[91..360] {
        map.insert(**v, v);
    }
    assert_eq!(map.len(), 360);
    assert_eq!(
        map.capacity(),
        capacity,
        "the table grew before its next purge"
    );
}

/// The tally itself, exact for the thread-local `LocalCount` (the atomic
/// one is process-wide, moved by the tests running beside this one): one
/// per death with a weak handle left, none otherwise.
#[test]
fn local_weak_deaths_tally() {
    use weakref_core::count::LocalCount;
    type Rc<T> = S<T, LocalCount>;
    let tally = || LocalCount::<usize>::weak_deaths().expect("kept with std + collections");
    let before = tally();
    drop(Rc::new(1));
    let rc = Rc::new(2);
    drop(Rc::downgrade(&rc));
    drop(rc);
    assert_eq!(tally(), before, "no weak handle outlived these values");
    let rc = Rc::new(3);
    let weak = Rc::downgrade(&rc);
    drop(rc);
    assert_eq!(tally(), before.wrapping_add(1));
    drop(weak);
    let rc = Rc::new(vec![4]);
    let weak = Rc::downgrade(&rc);
    assert_eq!(Rc::try_unwrap(rc).unwrap(), [4]);
    assert_eq!(tally(), before.wrapping_add(2));
    drop(weak);
    // One per weak handle left: a value under three keys of a map leaves
    // three dead entries.
    let rc = Rc::new(5);
    let weaks = [Rc::downgrade(&rc), Rc::downgrade(&rc), Rc::downgrade(&rc)];
    drop(rc);
    assert_eq!(tally(), before.wrapping_add(5));
    drop(weaks);
    // Another thread's deaths are its own.
    std::thread::spawn(|| {
        let rc = Rc::new(5);
        let _weak = Rc::downgrade(&rc);
    })
    .join()
    .unwrap();
    assert_eq!(tally(), before.wrapping_add(5));
}

/// Issue 19, part 2: the API a user of std's `HashMap`/`HashSet` or of
/// weak-table expects, on every map and set, with dead entries in the way.
fn std_and_weak_table_api<C: RawCount>() {
    // `insert_new`: the returned handle is what keeps the entry alive.
    let mut vmap: ValueMap<u32, String, C> = ValueMap::default();
    let one = vmap.insert_new(1, "one".to_owned());
    assert_eq!(S::strong_count(&one), 1);
    assert!(S::ptr_eq(&vmap.get(&1).unwrap(), &one));
    let replaced = vmap.insert_new(1, "uno".to_owned());
    assert_eq!(vmap.get(&1).as_deref().map(String::as_str), Some("uno"));
    drop(replaced);
    assert!(vmap.get(&1).is_none(), "the new value was the entry's");

    let mut kmap: KeyMap<String, u32, C> = KeyMap::default();
    let ada = kmap.insert_new("ada".to_owned(), 1);
    let again = kmap.insert_new("ada".to_owned(), 2);
    assert!(S::ptr_eq(&ada, &again), "the stored key is returned");
    assert_eq!(kmap.get("ada"), Some(&2));
    drop((ada, again));
    assert_eq!(kmap.get("ada"), None);

    let mut pmap: PtrKeyMap<u32, u32, C> = PtrKeyMap::default();
    let (p1, p2) = (pmap.insert_new(1, 10), pmap.insert_new(1, 20));
    assert_eq!((pmap.get(&p1), pmap.get(&p2)), (Some(&10), Some(&20)));

    let mut set: Set<String, C> = Set::default();
    let a = set.insert_new("a".to_owned());
    assert!(S::ptr_eq(&set.insert_new("a".to_owned()), &a));
    assert_eq!(set.live_len(), 1);
    let mut pset: PtrSet<u32, C> = PtrSet::default();
    let (e1, e2) = (pset.insert_new(1), pset.insert_new(1));
    assert_eq!(pset.live_len(), 2);

    // `is_empty` and `Debug` see live entries; `len` counts dead ones.
    let mut vmap: ValueMap<u32, u32, C> = ValueMap::default();
    assert!(vmap.is_empty());
    vmap.insert(1, &S::new(1));
    assert!(vmap.is_empty() && vmap.len() == 1, "dead only: empty");
    let _kept = vmap.insert_new(2, 20);
    assert!(!vmap.is_empty());
    assert_eq!(
        format!("{vmap:?}"),
        "WeakValueMap { len: 2, live_len: 1, entries: {2: 20} }"
    );
    let mut kmap: KeyMap<u32, u32, C> = KeyMap::default();
    kmap.insert(&S::new(1), 10);
    assert!(kmap.is_empty() && kmap.len() == 1);
    let k2 = kmap.insert_new(2, 20);
    assert_eq!(
        format!("{kmap:?}"),
        "WeakKeyMap { len: 2, live_len: 1, entries: {2: 20} }"
    );
    pmap.insert(&S::new(3), 30);
    drop(p2);
    assert_eq!(
        format!("{pmap:?}"),
        "PtrWeakKeyMap { len: 3, live_len: 1, entries: {1: 10} }"
    );
    set.insert(&S::new("dead".to_owned()));
    assert_eq!(
        format!("{set:?}"),
        "WeakSet { len: 2, live_len: 1, entries: {\"a\"} }"
    );
    drop(e2);
    assert_eq!(
        format!("{pset:?}"),
        "PtrWeakSet { len: 2, live_len: 1, entries: {1} }"
    );
    assert!(!pset.is_empty());
    drop(e1);
    assert!(pset.is_empty() && pset.len() == 2);

    // `PartialEq`: live entries only, values by value.
    let mut other: ValueMap<u32, u32, C> = ValueMap::default();
    let _same = other.insert_new(2, 20);
    assert_eq!(vmap, other, "the dead entry does not count");
    other.insert(3, &S::new(30));
    assert_eq!(vmap, other);
    let extra = other.insert_new(4, 40);
    assert_ne!(vmap, other);
    assert!(vmap.is_submap(&other) && !other.is_submap(&vmap));
    drop(extra);
    assert_eq!(vmap, other, "equal again once the extra value died");
    let mut differs: ValueMap<u32, u32, C> = ValueMap::default();
    let _d = differs.insert_new(2, 21);
    assert_ne!(vmap, differs);
    assert!(vmap.is_submap_with(&differs, |a, b| a + 1 == *b));

    let mut kother: KeyMap<u32, u32, C> = KeyMap::default();
    kother.insert(&k2, 20);
    kother.insert(&S::new(5), 50);
    assert_eq!(kmap, kother);
    let k6 = kother.insert_new(6, 60);
    assert!(kmap.is_submap(&kother) && !kother.is_submap(&kmap));
    assert_ne!(kmap, kother);
    drop(k6);
    assert_eq!(kmap, kother);
    *kother.get_mut(&2).unwrap() = 21;
    assert_ne!(kmap, kother);
    assert!(kmap.is_submap_with(&kother, |a, b| a + 1 == *b));

    let mut pother: PtrKeyMap<u32, u32, C> = PtrKeyMap::default();
    pother.insert(&p1, 10);
    assert_eq!(pmap, pother);
    let _equal_not_same = pother.insert_new(1, 10);
    assert!(pmap.is_submap(&pother) && !pother.is_submap(&pmap));
    assert_ne!(pmap, pother);

    // `extract_if`: yields the live entries it picks, drops the dead ones
    // it passes, keeps the rest (also when dropped early).
    let values: Vec<S<u32, C>> = (0..100).map(S::new).collect();
    let mut vmap: ValueMap<u32, u32, C> = values.iter().map(|v| (**v, v)).collect();
    for i in 100..150 {
        vmap.insert(i, &S::new(i));
    }
    let mut taken: Vec<u32> = vmap
        .extract_if(|k, v| *k == **v && k % 3 == 0)
        .map(|(k, _)| k)
        .collect();
    taken.sort_unstable();
    assert_eq!(taken, (0..100).filter(|k| k % 3 == 0).collect::<Vec<_>>());
    assert_eq!(vmap.len(), vmap.live_len(), "the dead entries went");
    assert_eq!(vmap.live_len(), 66);
    let first = vmap.extract_if(|_, _| true).next();
    assert!(first.is_some());
    assert_eq!(vmap.live_len(), 65, "dropped early: the rest stays");

    let keys: Vec<S<u32, C>> = (0..100).map(S::new).collect();
    let mut kmap: KeyMap<u32, u32, C> = keys.iter().map(|k| (k, **k * 2)).collect();
    for i in 100..150 {
        kmap.insert(&S::new(i), i);
    }
    let mut seen = 0;
    for (key, value) in kmap.extract_if(|k, v| {
        *v += 1;
        **k % 2 == 0
    }) {
        assert_eq!(value, *key * 2 + 1, "the value as `pred` left it");
        seen += 1;
    }
    assert_eq!(seen, 50);
    assert_eq!((kmap.len(), kmap.live_len()), (50, 50));
    assert_eq!(kmap.get(&1), Some(&3), "`pred` may change what it keeps");

    let mut pmap: PtrKeyMap<u32, u32, C> = keys.iter().map(|k| (k, 0)).collect();
    pmap.insert(&S::new(0), 0);
    assert_eq!(pmap.extract_if(|k, _| **k < 10).count(), 10);
    assert_eq!((pmap.len(), pmap.live_len()), (90, 90));

    let mut set: Set<u32, C> = keys.iter().collect();
    set.insert(&S::new(1000));
    assert_eq!(set.extract_if(|x| **x >= 90).count(), 10);
    assert_eq!((set.len(), set.live_len()), (90, 90));
    let mut pset: PtrSet<u32, C> = keys.iter().collect();
    assert_eq!(pset.extract_if(|x| **x >= 50).count(), 50);
    assert_eq!(pset.live_len(), 50);

    // `into_keys` / `into_values` skip the dead.
    let mut vmap: ValueMap<u32, u32, C> = ValueMap::default();
    vmap.insert(1, &S::new(1));
    let v2 = vmap.insert_new(2, 2);
    assert_eq!(vmap.clone().into_keys().collect::<Vec<_>>(), [2]);
    let values: Vec<S<u32, C>> = vmap.into_values().collect();
    assert!(values.len() == 1 && S::ptr_eq(&values[0], &v2));
    let mut kmap: KeyMap<u32, u32, C> = KeyMap::default();
    kmap.insert(&S::new(1), 1);
    let k2 = kmap.insert_new(2, 20);
    let keys: Vec<S<u32, C>> = kmap.clone().into_keys().collect();
    assert!(keys.len() == 1 && S::ptr_eq(&keys[0], &k2));
    assert_eq!(kmap.into_values().collect::<Vec<_>>(), [20]);
    let mut pmap: PtrKeyMap<u32, u32, C> = PtrKeyMap::default();
    pmap.insert(&S::new(1), 1);
    let p2 = pmap.insert_new(2, 20);
    assert!(S::ptr_eq(&pmap.clone().into_keys().next().unwrap(), &p2));
    assert_eq!(pmap.into_values().collect::<Vec<_>>(), [20]);

    // `try_reserve`, `shrink_to`.
    let mut vmap: ValueMap<u32, u32, C> = ValueMap::default();
    vmap.try_reserve(100).unwrap();
    assert!(vmap.capacity() >= 100);
    assert!(vmap.try_reserve(usize::MAX).is_err());
    assert!(vmap.capacity() >= 100, "a failed reserve changes nothing");
    let live: Vec<S<u32, C>> = (0..10).map(|i| vmap.insert_new(i, i)).collect();
    for i in 10..60 {
        vmap.insert(i, &S::new(i));
    }
    vmap.shrink_to(20);
    assert_eq!(vmap.len(), 10, "shrink_to purges");
    assert!(vmap.capacity() >= 20 && vmap.capacity() < 100);
    vmap.shrink_to(0);
    assert!(vmap.capacity() >= 10 && vmap.capacity() < 20);
    drop(live);
    let mut kmap: KeyMap<u32, u32, C> = KeyMap::default();
    kmap.try_reserve(50).unwrap();
    assert!(kmap.try_reserve(usize::MAX).is_err());
    kmap.insert(&S::new(1), 1);
    kmap.shrink_to(4);
    assert_eq!(kmap.len(), 0, "shrink_to purges");
    assert!(kmap.capacity() < 50);
    let mut pset: PtrSet<u32, C> = PtrSet::default();
    pset.try_reserve(50).unwrap();
    pset.shrink_to(0);
    assert_eq!(pset.capacity(), 0);
    let mut set: Set<u32, C> = Set::default();
    assert!(set.try_reserve(usize::MAX).is_err());
    set.try_reserve(8).unwrap();
    set.shrink_to(0);
    assert_eq!(set.capacity(), 0);

    // Entries: `and_modify`, `or_default`, `insert_entry` (value map), and
    // `insert_entry` (key maps), also over a dead entry.
    let mut vmap: ValueMap<u32, std::cell::Cell<u32>, C> = ValueMap::default();
    let made = vmap.entry(1).or_default();
    vmap.entry(1).and_modify(|v| v.set(v.get() + 5));
    vmap.entry(2).and_modify(|_| unreachable!("vacant"));
    assert_eq!(made.get(), 5);
    vmap.insert(3, &S::new(std::cell::Cell::new(0))); // dead
    let entry = vmap.entry(3).insert_entry(S::new(std::cell::Cell::new(7)));
    assert_eq!((*entry.key(), entry.get().get()), (3, 7));
    let seven = entry.into_value();
    assert_eq!(vmap.get(&3).map(|v| v.get()), Some(7));
    let entry = vmap.entry(3).insert_entry(S::new(std::cell::Cell::new(8)));
    let eight = entry.into_value();
    drop(seven);
    assert_eq!(vmap.get(&3).map(|v| v.get()), Some(8));
    assert_eq!(
        (vmap.len(), vmap.live_len()),
        (2, 2),
        "the dead slot was reused"
    );
    drop(eight);

    let key = S::<u32, C>::new(1);
    let mut kmap: KeyMap<u32, u32, C> = KeyMap::default();
    let entry = kmap.entry(&key).insert_entry(1);
    assert!(S::ptr_eq(entry.key(), &key));
    assert_eq!(*kmap.entry(&key).insert_entry(2).get(), 2);
    assert_eq!(kmap.get(&1), Some(&2));

    // `PtrWeakKeyMap::get_key_value` / `remove_entry`.
    let mut pmap: PtrKeyMap<u32, u32, C> = PtrKeyMap::default();
    let a = pmap.insert_new(1, 10);
    let (k, v) = pmap.get_key_value(&a).unwrap();
    assert!(S::ptr_eq(&k, &a) && *v == 10);
    assert!(
        pmap.get_key_value(&S::new(1)).is_none(),
        "identity, not value"
    );
    let (k, v) = pmap.remove_entry(&a).unwrap();
    assert!(S::ptr_eq(&k, &a) && v == 10);
    assert!(pmap.remove_entry(&a).is_none() && pmap.is_empty());

    // `WeakSet::replace`: the new element is the stored one.
    let (x, y) = (S::<u32, C>::new(1), S::<u32, C>::new(1));
    let mut set: Set<u32, C> = Set::default();
    assert!(set.replace(&x).is_none());
    assert!(S::ptr_eq(&set.replace(&y).unwrap(), &x));
    assert!(S::ptr_eq(&set.get(&1).unwrap(), &y));
    assert_eq!(set.len(), 1);
    drop(y);
    assert!(!set.contains(&1), "`x` is no longer an element");
    set.insert(&S::new(2)); // a dead element under 2
    let z = S::<u32, C>::new(2);
    assert!(
        set.replace(&z).is_none(),
        "a dead element is not replaced, just passed"
    );
    assert!(set.contains(&2));
}

super::for_each_counter!(
    std_and_weak_table_api,
    cascading_deaths_leave_no_dead_entry,
    due_purge_sees_every_death,
    mass_death_then_insert_purges,
    image_example,
    replace_then_old_dies,
    setdefault_pop_popitem_with_dead_values,
    equal_but_distinct_keys,
    dead_keys_survive_rehash,
    death_during_iteration,
    len_and_purge,
    retain_sees_each_live_entry_once,
    copies_and_set_algebra,
    api_surface,
);

/// Issue 19, part 3: the collections over std's `Rc`/`Weak` and
/// `Arc`/`Weak` (`StdRc`, `StdArc`): the same API, identity by std's
/// `as_ptr`, and, without a death tally, the size rule alone bounding the
/// dead entries.
#[test]
fn std_families() {
    use std::rc::Rc;
    use std::sync::Arc;
    use weakref_core::collections::{StdArc, StdRc};

    let mut vmap: WeakValueMap<u32, String, StdRc, RandomState> = WeakValueMap::default();
    let ada: Rc<String> = vmap.insert_new(1, "ada".to_owned());
    let mine = Rc::new("grace".to_owned());
    vmap.insert(2, &mine);
    vmap.insert(3, &Rc::new("dead".to_owned()));
    assert_eq!((vmap.len(), vmap.live_len()), (3, 2));
    assert!(Rc::ptr_eq(&vmap.get(&1).unwrap(), &ada));
    assert_eq!(Rc::weak_count(&ada), 1, "the map holds one std Weak");
    let mut other: WeakValueMap<u32, String, StdRc, RandomState> = WeakValueMap::default();
    other.insert(1, &ada);
    let _grace = other.insert_new(2, "grace".to_owned());
    assert_eq!(vmap, other, "live entries, values by value");
    let taken: Vec<(u32, Rc<String>)> = vmap.extract_if(|k, _| *k == 2).collect();
    assert!(taken.len() == 1 && Rc::ptr_eq(&taken[0].1, &mine));
    assert_eq!(
        (vmap.len(), vmap.live_len()),
        (1, 1),
        "the dead entry went too"
    );
    drop(ada);
    assert!(vmap.is_empty() && vmap.len() == 1);
    assert_eq!(
        format!("{vmap:?}"),
        "WeakValueMap { len: 1, live_len: 0, entries: {} }"
    );

    // Keys by value and by identity, sets.
    let mut kmap: WeakKeyMap<str, u32, StdRc, RandomState> = WeakKeyMap::default();
    let page: Rc<str> = Rc::from("/about");
    kmap.insert(&page, 1);
    assert_eq!(kmap.get("/about"), Some(&1));
    assert!(Rc::ptr_eq(&kmap.get_key_value("/about").unwrap().0, &page));
    let mut pmap: PtrWeakKeyMap<u32, &str, StdArc, RandomState> = PtrWeakKeyMap::default();
    let (a, b) = (pmap.insert_new(7, "a"), Arc::new(7));
    assert_eq!((pmap.get(&a), pmap.get(&b)), (Some(&"a"), None), "identity");
    pmap.insert(&b, "b");
    drop(a);
    assert_eq!(pmap.iter().map(|(_, v)| *v).collect::<Vec<_>>(), ["b"]);
    let mut set: WeakSet<u32, StdRc, RandomState> = WeakSet::default();
    let (x, y) = (Rc::new(1), Rc::new(1));
    set.insert(&x);
    assert!(Rc::ptr_eq(&set.replace(&y).unwrap(), &x));
    let mut pset: PtrWeakSet<u32, StdArc, RandomState> = PtrWeakSet::default();
    let (p, q) = (pset.insert_new(1), pset.insert_new(1));
    assert_eq!(pset.live_len(), 2);
    drop((p, q));

    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<WeakValueMap<u32, String, StdArc, RandomState>>();
    assert_send_sync::<WeakKeyMap<str, u32, StdArc, RandomState>>();
    assert_send_sync::<PtrWeakSet<u32, StdArc, RandomState>>();

    // No tally: after a mass death the dead entries wait for the size
    // rule, `max(2 x L, 8)` entries for the `L` live ones the last purge
    // left; they never make the table outgrow it.
    let live: Vec<Rc<u32>> = (0..100).map(Rc::new).collect();
    let mut map: WeakValueMap<u32, u32, StdRc, RandomState> = WeakValueMap::default();
    for (i, v) in live.iter().enumerate() {
        map.insert(i as u32, v);
    }
    map.purge();
    let capacity = map.capacity();
    drop(live);
    let mut peak = 0;
    for i in 0..1000 {
        map.insert(1000 + i, &Rc::new(i));
        peak = peak.max(map.len());
        assert!(
            map.len() <= 200,
            "{} entries after the purge left 100",
            map.len()
        );
    }
    assert!(
        peak > 100,
        "dead entries wait for the size rule: peak {peak}"
    );
    assert!(
        map.capacity() <= capacity,
        "dead entries never grow the table"
    );
    map.purge();
    assert_eq!(map.len(), 0);
}

fn assert_send_sync<T: Send + Sync>() {}

/// Over a thread-safe counter the collections are `Send + Sync` when their
/// contents are (they hold `Weak<T, C>` and owned keys/values).
fn collections_are_send_and_sync<C: RawCount + Send + Sync>() {
    assert_send_sync::<ValueMap<String, Vec<u8>, C>>();
    assert_send_sync::<KeyMap<str, u32, C>>();
    assert_send_sync::<PtrKeyMap<str, u32, C>>();
    assert_send_sync::<Set<str, C>>();
    assert_send_sync::<PtrSet<str, C>>();
}

super::for_each_sync_counter!(collections_are_send_and_sync);

/// So are weakref-sync's aliases.
#[test]
fn sync_adapter_collections_are_send_and_sync() {
    assert_send_sync::<weakref_sync::WeakValueMap<String, Vec<u8>>>();
    assert_send_sync::<weakref_sync::WeakSet<str>>();
}

/// Rule 17, Rust's way: a map shared behind a lock while other threads drop
/// the values: `get`/`get_or_insert_with` never return a dead value, and
/// copying or iterating never fails.
#[test]
fn concurrent_deaths_under_arc() {
    use std::sync::{Barrier, Mutex};
    use weakref_sync::{Arc, WeakValueMap as SyncMap};

    let threads = if cfg!(miri) { 2 } else { 4 };
    let per_thread = if cfg!(miri) { 8 } else { 500 };
    let map: Mutex<SyncMap<usize, usize>> = Mutex::new(SyncMap::new());
    let barrier = Barrier::new(threads + 1);
    std::thread::scope(|s| {
        for t in 0..threads {
            let (map, barrier) = (&map, &barrier);
            s.spawn(move || {
                let mine: Vec<Arc<usize>> = (0..per_thread)
                    .map(|i| Arc::new(t * per_thread + i))
                    .collect();
                for v in &mine {
                    map.lock().unwrap().insert(**v, v);
                }
                barrier.wait();
                // Drop them, outside the lock, while the main thread reads.
                for v in mine {
                    drop(v);
                }
            });
        }
        barrier.wait();
        for round in 0..(if cfg!(miri) { 4 } else { 200 }) {
            let map = map.lock().unwrap();
            for (k, v) in map.iter() {
                assert_eq!(k, &*v, "never a dead or wrong value");
            }
            let copy = map.clone();
            assert!(copy.live_len() <= copy.len());
            if let Some(v) = map.get(&round) {
                assert_eq!(*v, round);
            }
        }
    });
    let mut map = map.into_inner().unwrap();
    assert_eq!(map.live_len(), 0, "every value died");
    let v = map.get_or_insert_with(0, || Arc::new(0));
    assert_eq!(*v, 0, "setdefault after the death stores the default");
    assert_eq!(map.live_len(), 1);
}
