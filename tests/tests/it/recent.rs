//! `WeakLruCache`, the keep-recent layer over `WeakCache` (issue 20 item 4):
//! a model check of its LRU list (which values are held, in which order,
//! which die when, each exactly once), its equivalence to the plain cache
//! at `keep_recent == 0`, and the adversaries: a panicking `Drop` of a
//! value let go, a `make` and a `Drop` that use the cache.

use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Barrier, OnceLock};
use std::thread;

use weakref_sync::{Arc, WeakCache, WeakLruCache};
use weakref_tests::{DropLog, Tracked};

const STEPS: usize = if cfg!(miri) { 25 } else { 4000 };

/// The next state of a xorshift generator.
fn next_random(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// What the cache should hold: the held values' ids, most recent first,
/// and the id each key was last given. Every handle the test gets back it
/// drops at once, so a value is alive exactly while the list holds it.
struct Model {
    recent: VecDeque<u32>,
    keys: HashMap<u32, u32>,
    keep: usize,
    /// Ids in the order the model expects them dropped.
    dropped: Vec<u32>,
    next_id: u32,
}

impl Model {
    fn live(&self, key: u32) -> Option<u32> {
        self.keys
            .get(&key)
            .copied()
            .filter(|id| self.recent.contains(id))
    }

    /// A use of `id`: to the front, the least recent out past `keep`.
    fn touch(&mut self, id: u32) {
        self.recent.retain(|&i| i != id);
        self.recent.push_front(id);
        self.shrink();
    }

    fn shrink(&mut self) {
        while self.recent.len() > self.keep {
            let out = self.recent.pop_back().unwrap();
            self.dropped.push(out);
        }
    }

    fn make(&mut self, key: u32) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        self.keys.insert(key, id);
        id
    }
}

/// Random uses, removals and resizes against [`Model`], for several
/// `keep_recent`: after each step the drop log, the held values (in
/// order) and the live keys match the model; at the end every value made
/// was dropped exactly once.
#[test]
fn model_held_values_lru_order_and_exactly_once_drops() {
    for keep in [0, 1, 3, 8] {
        let log = DropLog::new();
        // 4 shards: the list is one for the whole cache whatever the shards,
        // and `live_len` after each step visits every shard (Miri's time).
        let shards = WeakCache::with_shards_and_hasher(4, Default::default());
        let cache: WeakLruCache<u32, Tracked> = WeakLruCache::from_cache(shards, keep);
        let mut model = Model {
            recent: VecDeque::new(),
            keys: HashMap::new(),
            keep,
            dropped: Vec::new(),
            next_id: 0,
        };
        let mut x = 0x9E37_79B9_7F4A_7C15 ^ keep as u64;
        for step in 0..STEPS {
            let r = next_random(&mut x);
            let key = (r >> 8) as u32 % 12;
            // Dropped in this same statement: the model's values die at once.
            match r % 16 {
                0..=6 => {
                    let expected = model.live(key);
                    let got = cache.get_or_insert_with(key, || {
                        assert_eq!(expected, None, "step {step}: make on a hit");
                        Arc::new(log.tracked(model.make(key)))
                    });
                    let id = expected.unwrap_or_else(|| model.keys[&key]);
                    assert_eq!(got.id, id, "step {step}");
                    drop(got);
                    model.touch(id);
                }
                7..=9 => {
                    let got = cache.get(&key).map(|v| v.id);
                    assert_eq!(got, model.live(key), "step {step}: get");
                    if let Some(id) = got {
                        model.touch(id);
                    }
                }
                10..=11 => {
                    let previous = model.live(key);
                    let id = model.make(key);
                    let got = cache.insert(key, &Arc::new(log.tracked(id)));
                    assert_eq!(got.map(|v| v.id), previous, "step {step}: insert");
                    // The replaced value is released (it dies with `got`).
                    if let Some(previous) = previous {
                        model.recent.retain(|&i| i != previous);
                        model.dropped.push(previous);
                    }
                    model.touch(id);
                }
                12 => {
                    let got = cache.remove(&key).map(|v| v.id);
                    assert_eq!(got, model.live(key), "step {step}: remove");
                    if let Some(id) = got {
                        model.recent.retain(|&i| i != id);
                        model.dropped.push(id);
                    }
                    model.keys.remove(&key);
                }
                13 => {
                    let got = cache.contains_key(&key); // not a use
                    assert_eq!(got, model.live(key).is_some(), "step {step}");
                }
                14 => {
                    let new_keep = (r >> 40) as usize % (keep + 2);
                    cache.set_keep_recent(new_keep);
                    model.keep = new_keep;
                    model.shrink();
                }
                _ => {
                    if r % 7 == 0 {
                        // Released in slot order, not LRU order: compare sets.
                        cache.clear_recent();
                        let mut released: Vec<u32> = model.recent.drain(..).collect();
                        let mut logged = log.dropped().split_off(model.dropped.len());
                        released.sort_unstable();
                        logged.sort_unstable();
                        assert_eq!(logged, released, "step {step}: clear_recent");
                        model.dropped = log.dropped();
                    }
                }
            }
            assert_eq!(log.dropped(), model.dropped, "keep {keep}, step {step}");
            let held: Vec<u32> = cache.recent().iter().map(|v| v.id).collect();
            assert_eq!(held, Vec::from(model.recent.clone()), "step {step}: order");
            assert_eq!(cache.recent_len(), model.recent.len());
            // Nothing but the list keeps a value alive.
            let live_keys = (0..12).filter(|&k| model.live(k).is_some()).count();
            assert_eq!(cache.live_len(), live_keys, "step {step}: live_len");
            assert!(cache.recent_len() <= cache.keep_recent());
        }
        drop(cache); // releases what it held
        let mut all = log.dropped();
        all.sort_unstable();
        assert_eq!(all, (0..model.next_id).collect::<Vec<_>>(), "exactly once");
    }
}

/// With `keep_recent == 0` the layer holds nothing: on the same trace,
/// with handles dropped at once, it runs `make` exactly as often as the
/// plain cache, and both end empty.
#[test]
fn keep_recent_zero_behaves_like_the_plain_cache() {
    let lru: WeakLruCache<u32, u32> = WeakLruCache::new(0);
    let plain: WeakCache<u32, u32> = WeakCache::new();
    let (made_lru, made_plain) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let mut kept_lru = VecDeque::new();
    let mut kept_plain = VecDeque::new();
    let mut x = 7;
    for _ in 0..STEPS {
        let key = next_random(&mut x) as u32 % 16;
        kept_lru.push_back(lru.get_or_insert_with(key, || {
            made_lru.fetch_add(1, Relaxed);
            Arc::new(key)
        }));
        kept_plain.push_back(plain.get_or_insert_with(key, || {
            made_plain.fetch_add(1, Relaxed);
            Arc::new(key)
        }));
        if kept_lru.len() > 3 {
            kept_lru.pop_front();
            kept_plain.pop_front();
        }
    }
    assert_eq!(made_lru.load(Relaxed), made_plain.load(Relaxed));
    assert!(made_lru.load(Relaxed) > 16, "the trace has reloads");
    assert_eq!(lru.recent_len(), 0);
    drop((kept_lru, kept_plain));
    assert!(lru.is_empty() && plain.is_empty());
}

/// A value stored under two keys is one value: held once.
#[test]
fn a_value_under_two_keys_is_held_once() {
    let cache: WeakLruCache<&str, u32> = WeakLruCache::new(4);
    let v = Arc::new(1);
    cache.insert("a", &v);
    cache.insert("b", &v);
    drop(cache.get("a"));
    assert_eq!(cache.recent_len(), 1);
    assert_eq!(Arc::strong_count(&v), 2); // ours and the list's
    drop(v);
    assert!(cache.get("b").is_some(), "held through the list");
    drop(cache.remove("a")); // releases the value, mapped under "b" too
    assert!(cache.get("b").is_none());
}

/// Dropping the cache, `clear` and `clear_recent` release what it held.
#[test]
fn dropping_or_clearing_the_cache_releases_held_values() {
    let log = DropLog::new();
    let cache: WeakLruCache<u32, Tracked> = WeakLruCache::new(4);
    for id in 0..3 {
        drop(cache.get_or_insert_with(id, || Arc::new(log.tracked(id))));
    }
    assert!(log.dropped().is_empty(), "held");
    cache.clear();
    let mut dropped = log.dropped();
    dropped.sort_unstable();
    assert_eq!(dropped, [0, 1, 2]);
    assert_eq!((cache.len(), cache.recent_len()), (0, 0));
    assert!(cache.is_empty());

    let mine = cache.get_or_insert_with(9, || Arc::new(log.tracked(9)));
    drop(cache.get_or_insert_with(10, || Arc::new(log.tracked(10))));
    assert_eq!(Arc::strong_count(&mine), 2);
    drop(cache);
    assert_eq!(log.dropped()[3..], [10]); // ours (9) lives on
    assert_eq!(Arc::strong_count(&mine), 1);
}

/// `Debug` shows the counts, then the live entries (held or not).
#[test]
fn debug_shows_the_counts_and_the_live_entries() {
    let cache: WeakLruCache<u32, u32> = WeakLruCache::new(2);
    drop(cache.get_or_insert_with(7, || Arc::new(70)));
    assert_eq!(
        format!("{cache:?}"),
        "WeakLruCache { keep_recent: 2, recent_len: 1, entries: {7: 70} }"
    );
}

/// A value let go by the list whose `Drop` panics: the panic reaches the
/// caller whose use pushed it out, after the list and the map are whole;
/// the cache stays usable and every value is dropped exactly once.
#[test]
fn panicking_drop_of_a_released_value_leaves_the_cache_whole() {
    let log = DropLog::new();
    let cache: WeakLruCache<u32, Tracked> = WeakLruCache::new(1);
    drop(cache.get_or_insert_with(1, || Arc::new(log.panicking(1))));
    let pushed_out = catch_unwind(AssertUnwindSafe(|| {
        cache.get_or_insert_with(2, || Arc::new(log.tracked(2)))
    }));
    assert!(pushed_out.is_err(), "1's drop panicked");
    assert_eq!(log.dropped(), [1]);
    // 2 was stored and is held, though its caller never got the handle.
    let two = cache.get(&2).expect("held");
    assert_eq!(two.id, 2);
    assert_eq!(cache.recent().len(), 1);
    assert!(cache.get(&1).is_none());
    drop(two);

    // `clear_recent` and `set_keep_recent` with a panicking value among
    // others: all are released, the panic comes out once.
    cache.set_keep_recent(3);
    drop(cache.get_or_insert_with(3, || Arc::new(log.panicking(3))));
    drop(cache.get_or_insert_with(4, || Arc::new(log.tracked(4))));
    assert!(catch_unwind(AssertUnwindSafe(|| cache.clear_recent())).is_err());
    assert_eq!(cache.recent_len(), 0);
    drop(cache.get_or_insert_with(5, || Arc::new(log.panicking(5))));
    drop(cache.get_or_insert_with(6, || Arc::new(log.tracked(6))));
    assert!(catch_unwind(AssertUnwindSafe(|| cache.set_keep_recent(0))).is_err());
    assert_eq!(cache.recent_len(), 0);
    drop(cache.get_or_insert_with(7, || Arc::new(log.tracked(7))));
    assert_eq!(cache.recent_len(), 0, "keep_recent 0 holds nothing");
    let mut all = log.dropped();
    all.sort_unstable();
    assert_eq!(all, [1, 2, 3, 4, 5, 6, 7]);
}

/// A `make` that uses the recent list (its lock is not held while `make`
/// runs, only the shard's): no deadlock, and the list stays consistent.
#[test]
fn make_may_use_the_recent_list() {
    let cache: WeakLruCache<u32, u32> = WeakLruCache::new(2);
    drop(cache.get_or_insert_with(1, || Arc::new(1)));
    let two = cache.get_or_insert_with(2, || {
        assert_eq!(cache.recent_len(), 1);
        assert_eq!(cache.keep_recent(), 2);
        assert_eq!(cache.recent().len(), 1);
        cache.clear_recent(); // releases 1 (its drop runs here)
        cache.set_keep_recent(3);
        Arc::new(2)
    });
    assert!(cache.get(&1).is_none());
    assert_eq!(cache.recent().iter().map(|v| **v).collect::<Vec<_>>(), [2]);
    assert_eq!(cache.keep_recent(), 3);
    drop(two);
}

/// A value whose `Drop` uses the cache (all of it: shard and list): the
/// list never drops a value under its lock, nor under a shard's (std's
/// locks are not re-entrant: this test would hang or panic).
#[test]
fn a_released_value_whose_drop_uses_the_cache() {
    static CACHE: OnceLock<WeakLruCache<u32, Reentrant>> = OnceLock::new();
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Reentrant(u32);
    impl Drop for Reentrant {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Relaxed);
            if self.0 < 1000 {
                let cache = CACHE.get().unwrap();
                let k = self.0 + 1000;
                drop(cache.get_or_insert_with(k, || Arc::new(Reentrant(k))));
                cache.set_keep_recent(cache.keep_recent());
                drop(cache.recent());
            }
        }
    }
    let cache = CACHE.get_or_init(|| {
        WeakLruCache::from_cache(WeakCache::with_shards_and_hasher(1, Default::default()), 1)
    });
    // 2 pushes 1 out; 1's drop makes 1001, which pushes 2 out of the list
    // (its caller still holds it); our handle of 2 was its last: 2's drop
    // makes 1002, which pushes 1001 out.
    drop(cache.get_or_insert_with(1, || Arc::new(Reentrant(1))));
    drop(cache.get_or_insert_with(2, || Arc::new(Reentrant(2))));
    assert_eq!(DROPS.load(Relaxed), 3);
    assert_eq!(held(cache), [1002]);
    // Pushed out by an insert (1002), released by `clear_recent` (3, whose
    // drop makes 1003, held).
    drop(cache.insert(3, &Arc::new(Reentrant(3))));
    cache.clear_recent();
    assert_eq!(DROPS.load(Relaxed), 5);
    assert_eq!(held(cache), [1003]);
    // Released by `remove` (4, whose drop makes 1004, held).
    drop(cache.insert(4, &Arc::new(Reentrant(4))));
    drop(cache.remove(&4));
    assert_eq!(DROPS.load(Relaxed), 7);
    assert_eq!(held(cache), [1004]);
    // Released by `set_keep_recent(0)` (5, whose drop makes 1005, not held).
    drop(cache.insert(5, &Arc::new(Reentrant(5))));
    cache.set_keep_recent(0);
    assert_eq!(DROPS.load(Relaxed), 10);
    assert_eq!(cache.recent_len(), 0);
    assert!(cache.is_empty());

    fn held(cache: &WeakLruCache<u32, Reentrant>) -> Vec<u32> {
        cache.recent().iter().map(|v| v.0).collect()
    }
}

/// Threads sharing a cache with short-lived handles: `make` still runs
/// once per miss (racing callers of a key share one value), the list
/// never exceeds `keep_recent`, and every value is dropped exactly once.
#[test]
fn threads_share_the_list_and_drop_each_value_once() {
    const THREADS: u32 = 3;
    let rounds = if cfg!(miri) { 8 } else { 2000 };
    let log = DropLog::new();
    let made = AtomicUsize::new(0);
    let cache: WeakLruCache<u32, Tracked> = WeakLruCache::new(4);
    let barrier = Barrier::new(THREADS as usize);
    thread::scope(|s| {
        for t in 0..THREADS {
            let (log, made, cache, barrier) = (&log, &made, &cache, &barrier);
            s.spawn(move || {
                barrier.wait();
                let mut x = u64::from(t) + 1;
                let mut kept = VecDeque::new();
                for _ in 0..rounds {
                    let key = next_random(&mut x) as u32 % 8;
                    let value = cache.get_or_insert_with(key, || {
                        let id = made.fetch_add(1, Relaxed) as u32;
                        Arc::new(log.tracked(id))
                    });
                    let again = cache.get(&key).expect("we hold it");
                    assert!(Arc::ptr_eq(&value, &again));
                    kept.push_back(value);
                    if kept.len() > 2 {
                        kept.pop_front();
                    }
                    assert!(cache.recent_len() <= 4);
                    if key == 7 && x % 5 == 0 {
                        cache.clear_recent();
                    }
                }
            });
        }
    });
    assert!(cache.live_len() <= 4, "only the list holds values now");
    drop(cache);
    let mut all = log.dropped();
    all.sort_unstable();
    let made = made.load(Relaxed) as u32;
    assert_eq!(all, (0..made).collect::<Vec<_>>(), "each value once");
}

/// `insert` over a held value: the value it replaces is no longer the
/// cache's, so the list lets it go (as `remove` does), and it does not
/// take one of the `keep_recent` places from a value the cache can return.
#[test]
fn insert_releases_the_held_value_it_replaces() {
    let log = DropLog::new();
    // Room for 3: a list that lets 10 go must do so for the replacement,
    // not because 11 pushed it out.
    let cache: WeakLruCache<u32, Tracked> = WeakLruCache::new(3);
    cache.insert(1, &Arc::new(log.tracked(10)));
    cache.insert(2, &Arc::new(log.tracked(20)));
    let old = cache
        .insert(1, &Arc::new(log.tracked(11)))
        .expect("10 held");
    assert_eq!(old.id, 10);
    assert_eq!(Arc::strong_count(&old), 1, "the list let 10 go");
    drop(old);
    assert_eq!(log.dropped(), [10]);
    // 2 keeps its place: the list holds the values of both keys.
    assert_eq!(cache.get(&2).map(|v| v.id), Some(20));
    assert_eq!(
        cache.recent().iter().map(|v| v.id).collect::<Vec<_>>(),
        [20, 11]
    );
    // The same value inserted again is a use, not a replacement.
    let eleven = cache.get(&1).unwrap();
    assert!(cache.insert(1, &eleven).is_some());
    assert_eq!(
        cache.recent().iter().map(|v| v.id).collect::<Vec<_>>(),
        [11, 20]
    );
    drop(eleven);
    assert_eq!(cache.get(&1).map(|v| v.id), Some(11));
    drop(cache);
    let mut all = log.dropped();
    all.sort_unstable();
    assert_eq!(all, [10, 11, 20]);
}

std::thread_local! {
    /// What this thread's [`Touchy`] keys do: 0 behave, 1 `Hash` panics,
    /// 2 `Eq` panics.
    static TOUCHY: std::cell::Cell<u8> = const { std::cell::Cell::new(0) };
}

/// A key whose `Hash` or `Eq` panics, as this thread's [`TOUCHY`] says.
#[derive(Debug, Clone, Copy, Eq)]
struct Touchy(u32);

impl std::hash::Hash for Touchy {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        assert_ne!(TOUCHY.get(), 1, "Hash panics");
        self.0.hash(state);
    }
}

impl PartialEq for Touchy {
    fn eq(&self, other: &Self) -> bool {
        assert_ne!(TOUCHY.get(), 2, "Eq panics");
        self.0 == other.0
    }
}

/// A `make` and a key's `Hash` or `Eq` that panic: nothing is stored,
/// nothing is held, no value leaks, and the cache (its shard lock, its
/// list lock) goes on working, with the list as it was.
#[test]
fn a_panicking_make_hash_or_eq_stores_and_holds_nothing() {
    let log = DropLog::new();
    let cache: WeakLruCache<Touchy, Tracked> = WeakLruCache::new(2);
    drop(cache.get_or_insert_with(Touchy(1), || Arc::new(log.tracked(1))));
    let made = catch_unwind(AssertUnwindSafe(|| {
        cache.get_or_insert_with(Touchy(2), || {
            let _dies = log.tracked(2); // dropped by the unwind
            panic!("make panics")
        })
    }));
    assert!(made.is_err());
    assert_eq!(log.dropped(), [2]);
    assert!(!cache.contains_key(&Touchy(2)));
    assert_eq!(cache.recent().iter().map(|v| v.id).collect::<Vec<_>>(), [1]);

    for (mode, id) in [(1, 3), (2, 4)] {
        TOUCHY.set(mode);
        let ops: [&dyn Fn(); 5] = [
            &|| drop(cache.get(&Touchy(1))),
            &|| drop(cache.insert(Touchy(1), &Arc::new(log.tracked(id)))),
            &|| drop(cache.get_or_insert_with(Touchy(1), || unreachable!())),
            &|| drop(cache.remove(&Touchy(1))),
            &|| assert!(cache.contains_key(&Touchy(1))),
        ];
        for (i, op) in ops.iter().enumerate() {
            let outcome = catch_unwind(AssertUnwindSafe(op));
            assert!(outcome.is_err(), "mode {mode}, op {i}");
        }
        TOUCHY.set(0);
        assert_eq!(log.dropped().last(), Some(&id), "never stored, it died");
        assert_eq!(cache.recent().iter().map(|v| v.id).collect::<Vec<_>>(), [1]);
        assert_eq!(cache.get(&Touchy(1)).map(|v| v.id), Some(1));
        assert_eq!(cache.live_len(), 1);
    }
    // Both locks still work: a miss stores and holds, a hit moves to front.
    drop(cache.get_or_insert_with(Touchy(5), || Arc::new(log.tracked(5))));
    drop(cache.get(&Touchy(1)));
    assert_eq!(
        cache.recent().iter().map(|v| v.id).collect::<Vec<_>>(),
        [1, 5]
    );
    drop(cache);
    let mut all = log.dropped();
    all.sort_unstable();
    assert_eq!(all, [1, 2, 3, 4, 5]);
}

/// Held values whose `Drop` panics, released by `clear` and by dropping
/// the cache: as std's `Vec` does with its elements, every other value is
/// still dropped (exactly once), and the panic comes out.
#[test]
fn panicking_drops_released_by_clear_or_drop_release_the_others() {
    for by_clear in [true, false] {
        let log = DropLog::new();
        let cache: WeakLruCache<u32, Tracked> = WeakLruCache::new(8);
        for id in 0..5 {
            let value = if id == 2 {
                log.panicking(id)
            } else {
                log.tracked(id)
            };
            drop(cache.insert(id, &Arc::new(value)));
        }
        let mut std_vec: Vec<Tracked> = (10..15).map(|id| log.tracked(id)).collect();
        std_vec[2] = log.panicking(12);
        let std_log_len = log.dropped().len(); // the replaced 12 dropped
        assert!(catch_unwind(AssertUnwindSafe(move || drop(std_vec))).is_err());
        let std_dropped = log.dropped().len() - std_log_len;
        assert_eq!(std_dropped, 5, "std's Vec drops every element");

        let released = if by_clear {
            catch_unwind(AssertUnwindSafe(|| cache.clear()))
        } else {
            catch_unwind(AssertUnwindSafe(move || drop(cache)))
        };
        assert!(released.is_err(), "2's drop panicked");
        let mut ours: Vec<u32> = log.dropped().into_iter().filter(|&id| id < 10).collect();
        ours.sort_unstable();
        assert_eq!(ours, [0, 1, 2, 3, 4], "by_clear {by_clear}");
        // (`cache`, if cleared, is dropped here, holding nothing.)
    }
}

/// Handles the caller forgets: their values leak (never dropped), and the
/// list stays as if the handles were still held: the list's own handles
/// are released once each, and the forgotten values stay live entries.
#[test]
fn forgotten_handles_leak_their_values_and_nothing_else() {
    let log = DropLog::new();
    let cache: WeakLruCache<u32, Tracked> = WeakLruCache::new(2);
    for id in 0..4 {
        let value = cache.get_or_insert_with(id, || Arc::new(log.tracked(id)));
        if id % 2 == 0 {
            weakref_tests::leak::forget(value);
        }
    }
    // 0 and 1 were pushed out: 1 died, 0 lives on in its forgotten handle.
    assert_eq!(log.dropped(), [1]);
    assert_eq!(
        cache.recent().iter().map(|v| v.id).collect::<Vec<_>>(),
        [3, 2]
    );
    let zero = cache.get(&0).expect("alive through the forgotten handle");
    assert_eq!(Arc::strong_count(&zero), 3, "forgotten, list, ours");
    drop(zero);
    cache.clear_recent();
    assert_eq!(log.dropped(), [1, 3], "3's last handle was the list's");
    assert_eq!(cache.live_len(), 2); // 0 and 2, leaked
    weakref_tests::leak::forget(cache.get(&2)); // a second leak of 2: still one value
    assert_eq!(cache.recent_len(), 1);
    cache.set_keep_recent(0);
    drop(cache);
    assert_eq!(log.dropped(), [1, 3]);
}

/// The index by address after the address is reused: a value that dies
/// once released leaves its address free for the next allocation of the
/// same size; a new value there is a new value (its own node, mapped under
/// its own key), never taken for the dead one's node.
#[test]
fn a_new_value_at_a_dead_values_address_is_a_new_value() {
    let log = DropLog::new();
    let cache: WeakLruCache<u32, Tracked> = WeakLruCache::new(2);
    let rounds = if cfg!(miri) { 8 } else { 400 };
    let mut reused = 0;
    for id in 0..rounds {
        let key = id % 3;
        let value = Arc::new(log.tracked(id));
        let addr = Arc::as_ptr(&value).addr();
        drop(cache.insert(key, &value));
        drop(value);
        assert_eq!(cache.recent().first().map(|v| v.id), Some(id));
        // Released by `remove` (alone, it dies at once): the next value
        // allocated is likely to land at its address.
        let removed = cache.remove(&key).expect("held");
        assert_eq!((removed.id, Arc::strong_count(&removed)), (id, 1));
        drop(removed);
        let next = Arc::new(log.tracked(id + 10_000));
        reused += usize::from(Arc::as_ptr(&next).addr() == addr);
        drop(cache.get_or_insert_with(key + 100, || next));
        let held: Vec<u32> = cache.recent().iter().map(|v| v.id).collect();
        assert_eq!(held.first(), Some(&(id + 10_000)));
        assert!(held.len() <= 2 && !held.contains(&id));
        assert!(cache.get(&key).is_none());
        assert_eq!(cache.get(&(key + 100)).map(|v| v.id), Some(id + 10_000));
    }
    // Miri's few rounds may not reuse an address; AddressSanitizer's
    // quarantine never hands freed memory out again (ci/san.sh sets
    // `weakref_asan`), and catches a use of the dead value's node instead.
    if !cfg!(miri) && !cfg!(weakref_asan) {
        assert!(reused > 0, "the allocator never reused an address: no test");
    }
    drop(cache);
    let mut all = log.dropped();
    all.sort_unstable();
    let mut made: Vec<u32> = (0..rounds).chain((0..rounds).map(|i| i + 10_000)).collect();
    made.sort_unstable();
    assert_eq!(all, made, "each value exactly once");
}

/// A released value whose `Drop` inserts, removes, clears and resizes:
/// released by a use that pushes it out, by `clear_recent`, `remove`,
/// `set_keep_recent`, `clear` and an `insert` that replaces it. No
/// deadlock, the list stays within `keep_recent` and holds only live,
/// distinct values, and every value made is dropped exactly once.
#[test]
fn a_released_value_whose_drop_clears_and_resizes_the_cache() {
    static CACHE: OnceLock<WeakLruCache<u32, Wrecker>> = OnceLock::new();
    static MADE: AtomicUsize = AtomicUsize::new(0);
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Wrecker(u32);
    fn wrecker(id: u32) -> Arc<Wrecker> {
        MADE.fetch_add(1, Relaxed);
        Arc::new(Wrecker(id))
    }
    impl Drop for Wrecker {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Relaxed);
            if self.0 < 1000 {
                let cache = CACHE.get().unwrap();
                let k = self.0 + 1000;
                drop(cache.insert(k, &wrecker(k)));
                drop(cache.insert(k + 1000, &wrecker(k + 1000)));
                drop(cache.remove(&k));
                cache.clear();
                cache.set_keep_recent(0);
                drop(cache.get_or_insert_with(k, || wrecker(k)));
                cache.set_keep_recent(2);
                drop(cache.get_or_insert_with(k, || wrecker(k)));
                check(cache);
            }
        }
    }
    fn check(cache: &WeakLruCache<u32, Wrecker>) {
        let held = cache.recent();
        assert!(held.len() <= cache.keep_recent());
        for (i, value) in held.iter().enumerate() {
            assert!(held[..i].iter().all(|v| !Arc::ptr_eq(v, value)));
        }
    }
    let cache = CACHE.get_or_init(|| WeakLruCache::new(2));
    let releases: [&dyn Fn(); 6] = [
        &|| drop(cache.get_or_insert_with(10, || wrecker(10))), // pushes out
        &|| cache.clear_recent(),
        &|| drop(cache.remove(&1)),
        &|| cache.set_keep_recent(0),
        &|| cache.clear(),
        &|| drop(cache.insert(1, &wrecker(11))),
    ];
    for (i, release) in releases.iter().enumerate() {
        cache.set_keep_recent(2);
        drop(cache.insert(1, &wrecker(i as u32)));
        drop(cache.insert(2, &wrecker(100 + i as u32)));
        let before = DROPS.load(Relaxed);
        release();
        assert!(DROPS.load(Relaxed) > before, "release {i} dropped nothing");
        check(cache);
    }
    // The last clear releases values whose drops store and hold others
    // (ids from 1000, whose drops store nothing): a second clear ends it.
    cache.clear();
    cache.clear();
    assert_eq!((cache.recent_len(), cache.live_len()), (0, 0));
    assert_eq!(DROPS.load(Relaxed), MADE.load(Relaxed), "each exactly once");
}

/// Threads racing every operation, `set_keep_recent`, `clear` and
/// `clear_recent` included: the list never holds more than the largest
/// `keep_recent` nor a value twice, and once the threads are done and the
/// list is cleared, every value made has been dropped exactly once.
#[test]
fn threads_racing_every_operation_drop_each_value_once() {
    const THREADS: u32 = 3;
    const MAX_KEEP: usize = 4;
    let rounds = if cfg!(miri) { 10 } else { 3000 };
    let log = DropLog::new();
    let made = AtomicUsize::new(0);
    let cache: WeakLruCache<u32, Tracked> = WeakLruCache::new(MAX_KEEP);
    let fresh = || Arc::new(log.tracked(made.fetch_add(1, Relaxed) as u32));
    thread::scope(|s| {
        for t in 0..THREADS {
            let (cache, fresh) = (&cache, &fresh);
            s.spawn(move || {
                let mut x = u64::from(t) * 0x1234_5679 + 1;
                let mut kept = VecDeque::new();
                for _ in 0..rounds {
                    let r = next_random(&mut x);
                    let key = (r >> 8) as u32 % 8;
                    match r % 20 {
                        0..=7 => kept.push_back(cache.get_or_insert_with(key, fresh)),
                        8..=10 => kept.extend(cache.get(&key)),
                        11..=13 => kept.extend(cache.insert(key, &fresh())),
                        14..=15 => kept.extend(cache.remove(&key)),
                        16 => cache.set_keep_recent((r >> 32) as usize % (MAX_KEEP + 1)),
                        17 => cache.clear_recent(),
                        18 => cache.clear(),
                        _ => {
                            let held = cache.recent();
                            assert!(held.len() <= MAX_KEEP);
                            for (i, value) in held.iter().enumerate() {
                                let twice = held[..i].iter().any(|v| Arc::ptr_eq(v, value));
                                assert!(!twice, "a value held twice");
                            }
                        }
                    }
                    assert!(cache.recent_len() <= MAX_KEEP);
                    if kept.len() > 2 {
                        kept.pop_front();
                    }
                }
            });
        }
    });
    cache.clear_recent();
    assert_eq!(cache.live_len(), 0, "nothing else keeps a value alive");
    drop(cache);
    let mut all = log.dropped();
    all.sort_unstable();
    let made = made.load(Relaxed) as u32;
    assert_eq!(all, (0..made).collect::<Vec<_>>(), "each value once");
}
