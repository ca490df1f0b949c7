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
                    let id = model.make(key);
                    cache.insert(key, &Arc::new(log.tracked(id)));
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
