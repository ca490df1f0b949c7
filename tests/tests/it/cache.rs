//! The concurrent weak cache and interner under real threads: the thread
//! bugs Python's weak dictionaries had (rules 17 and issue 9), each a named
//! test that must be impossible here.

use std::hash::RandomState;
use std::sync::Barrier;
use std::thread;

use weakref_core::Strong;
use weakref_core::count::RawCountUnique;
use weakref_core::storage::Global;

type Arc<T, C> = Strong<T, C, Global>;
type WeakCache<K, V, C> = weakref_core::collections::WeakCache<K, V, C, RandomState>;
type WeakInterner<T, C> = weakref_core::collections::WeakInterner<T, C, RandomState>;

// Under Miri, one round per counter: the threaded scenarios run on both
// thread-safe counters, in the time two rounds on one took.
const ROUNDS: usize = if cfg!(miri) { 1 } else { 200 };
const KEYS: u32 = if cfg!(miri) { 4 } else { 64 };
/// How many entries the single-threaded API tests fill a cache with.
const ENTRIES: u32 = if cfg!(miri) { 4 } else { 10 };

/// `get_or_insert_with` never returns a dead value while other threads drop
/// values: every value it returns upgrades, and racing callers of one key
/// get one allocation.
fn get_or_insert_with_never_returns_a_dead_value_while_others_drop<
    C: RawCountUnique + Send + Sync,
>() {
    let cache: WeakCache<u32, u32, C> = WeakCache::new();
    let barrier = Barrier::new(3);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                barrier.wait();
                for round in 0..ROUNDS as u32 {
                    for key in 0..KEYS {
                        let value = cache.get_or_insert_with(key, || Arc::new(key + round));
                        // Whoever made it, it was made for this key, and
                        // the entry is this very value while we hold it.
                        assert!(*value >= key && *value - key < ROUNDS as u32);
                        let again = cache.get(&key).expect("we hold it, so it is live");
                        assert!(Arc::ptr_eq(&value, &again));
                    } // our handles die here, often the last ones
                }
            });
        }
        s.spawn(|| {
            barrier.wait();
            for _ in 0..ROUNDS {
                cache.purge();
            }
        });
    });
}

/// Concurrent callers of `get_or_insert_with` for one key all get the same
/// `Arc`, and `make` ran once for them.
fn racing_get_or_insert_with_share_one_value_made_once<C: RawCountUnique + Send + Sync>() {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    for _ in 0..ROUNDS {
        let cache: WeakCache<&str, u8, C> = WeakCache::new();
        let made = AtomicUsize::new(0);
        let barrier = Barrier::new(4);
        let got: Vec<Arc<u8, C>> = thread::scope(|s| {
            let joins: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        cache.get_or_insert_with("key", || {
                            made.fetch_add(1, Relaxed);
                            Arc::new(1)
                        })
                    })
                })
                .collect();
            joins.into_iter().map(|j| j.join().unwrap()).collect()
        });
        assert_eq!(made.load(Relaxed), 1);
        assert!(got.iter().all(|v| Arc::ptr_eq(v, &got[0])));
    }
}

/// After `insert(k, v)`, `len() == 1` and `k` maps to `v`, even when the
/// previous value of `k` dies on another thread at that moment (Python's
/// stale callback removed the new entry, bpo-28427).
fn insert_then_len_is_one_even_when_the_old_value_dies_concurrently<
    C: RawCountUnique + Send + Sync,
>() {
    let cache: WeakCache<u8, u32, C> = WeakCache::new();
    for round in 0..ROUNDS as u32 {
        let old = Arc::new(round);
        cache.insert(0, &old);
        let new = Arc::new(round + 1);
        let barrier = Barrier::new(2);
        thread::scope(|s| {
            s.spawn(|| {
                barrier.wait();
                drop(old);
            });
            barrier.wait();
            cache.insert(0, &new);
        });
        assert_eq!(cache.len(), 1, "round {round}");
        assert_eq!(cache.live_len(), 1);
        assert!(Arc::ptr_eq(&cache.get(&0).unwrap(), &new));
    }
}

/// Snapshots while other threads kill entries never fail and never hold a
/// dead value.
fn snapshot_while_other_threads_kill_entries_never_fails<C: RawCountUnique + Send + Sync>() {
    let cache: WeakCache<u32, u32, C> = WeakCache::new();
    let values: Vec<_> = (0..KEYS).map(Arc::new).collect();
    for (k, v) in (0..KEYS).zip(&values) {
        cache.insert(k, v);
    }
    let barrier = Barrier::new(2);
    thread::scope(|s| {
        s.spawn(|| {
            barrier.wait();
            drop(values); // kills every entry, one by one
        });
        barrier.wait();
        for _ in 0..ROUNDS {
            let snapshot = cache.snapshot();
            assert!(snapshot.len() <= KEYS as usize);
            assert!(snapshot.iter().all(|(k, v)| k == &**v));
        }
    });
    assert!(cache.snapshot().is_empty());
    assert_eq!(cache.live_len(), 0);
}

/// Interning from several threads: equal values, one allocation.
fn interning_from_threads_shares_one_allocation<C: RawCountUnique + Send + Sync>() {
    let symbols: WeakInterner<str, C> = WeakInterner::new();
    let barrier = Barrier::new(3);
    let names = ["alpha", "beta", "gamma", "delta"];
    let per_thread: Vec<Vec<Arc<str, C>>> = thread::scope(|s| {
        let joins: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    names
                        .iter()
                        .map(|n| symbols.intern_with(*n, |s| Arc::from(s)))
                        .collect()
                })
            })
            .collect();
        joins.into_iter().map(|j| j.join().unwrap()).collect()
    });
    for i in 0..names.len() {
        assert!(
            per_thread
                .iter()
                .all(|t| Arc::ptr_eq(&t[i], &per_thread[0][i]))
        );
    }
    assert_eq!(symbols.live_len(), names.len());
    drop(per_thread);
    assert_eq!(symbols.live_len(), 0);
    symbols.purge();
    assert_eq!(symbols.len(), 0);
}

super::for_each_sync_counter!(
    get_or_insert_with_never_returns_a_dead_value_while_others_drop,
    racing_get_or_insert_with_share_one_value_made_once,
    insert_then_len_is_one_even_when_the_old_value_dies_concurrently,
    snapshot_while_other_threads_kill_entries_never_fails,
    interning_from_threads_shares_one_allocation,
);

/// The API of issue 20, single-threaded, for both counter families: the
/// `Rc` family (`LocalCount`, weakref-std's handles) and the `Arc` family
/// (`AtomicCount` and `WaitFreeCount`, weakref-sync's two `Arc`s).
macro_rules! api_tests {
    ($family:ident, $count:ty, $($strong:ident)::+) => {
        mod $family {
            use std::cell::Cell;
            use std::hash::RandomState;

            use weakref_core::collections::value_map::Entry;
            use $($strong)::+ as Handle;

            type Cache<K, V> = weakref_core::collections::WeakCache<K, V, $count, RandomState>;
            type Interner<T> = weakref_core::collections::WeakInterner<T, $count, RandomState>;

            thread_local! {
                static CLONES: Cell<usize> = const { Cell::new(0) };
            }

            /// A key that counts its clones (`ToOwned` for a `Clone` type).
            #[derive(Debug, PartialEq, Eq, Hash)]
            struct Key(u32);

            impl Clone for Key {
                fn clone(&self) -> Self {
                    CLONES.with(|c| c.set(c.get() + 1));
                    Key(self.0)
                }
            }

            fn clones() -> usize {
                CLONES.with(Cell::get)
            }

            #[test]
            fn get_or_insert_with_key_makes_the_owned_key_only_on_a_miss() {
                let cache: Cache<Key, u32> = Cache::new();
                let before = clones();
                let made = cache.get_or_insert_with_key(&Key(1), |k| Handle::new(k.0 * 10));
                assert_eq!(clones() - before, 1, "a miss stores one owned key");
                for _ in 0..3 {
                    let hit = cache.get_or_insert_with_key(&Key(1), |_| unreachable!("a hit"));
                    assert!(Handle::ptr_eq(&hit, &made));
                }
                assert_eq!(clones() - before, 1, "hits make no owned key");
                drop((made,));
                // Dead: a miss again, `make` runs again, the key is stored anew.
                let again = cache.get_or_insert_with_key(&Key(1), |k| Handle::new(k.0));
                assert_eq!(*again, 1);
                assert_eq!(clones() - before, 2);
            }

            #[test]
            fn get_or_insert_with_key_by_str_for_string_keys() {
                let cache: Cache<String, usize> = Cache::new();
                let a = cache.get_or_insert_with_key("sunset.png", |k| Handle::new(k.len()));
                let b = cache.get_or_insert_with_key("sunset.png", |_| unreachable!());
                assert!(Handle::ptr_eq(&a, &b));
                assert_eq!(cache.get("sunset.png").as_deref(), Some(&10));
            }

            #[test]
            fn try_get_or_insert_with_returns_the_error_and_stores_nothing() {
                let cache: Cache<u32, u32> = Cache::new();
                let err = cache.try_get_or_insert_with(1, || Err::<Handle<u32>, _>("failed"));
                assert_eq!(err.unwrap_err(), "failed");
                assert_eq!(cache.len(), 0);
                assert!(cache.get(&1).is_none());
                let ok = cache.try_get_or_insert_with(1, || Ok::<_, ()>(Handle::new(5)));
                let ok = ok.unwrap();
                // A live value: `make` does not run, even a failing one.
                let hit = cache.try_get_or_insert_with(1, || Err("never called"));
                assert!(Handle::ptr_eq(&hit.unwrap(), &ok));
            }

            #[test]
            fn try_get_or_insert_with_key_error_makes_no_owned_key() {
                let cache: Cache<Key, u32> = Cache::new();
                let before = clones();
                let err = cache.try_get_or_insert_with_key(&Key(3), |_| Err::<Handle<u32>, _>(()));
                assert!(err.is_err());
                assert_eq!(clones(), before);
                assert_eq!(cache.len(), 0);
            }

            #[test]
            fn for_each_and_iter_visit_live_entries_only() {
                let cache: Cache<u32, u32> = Cache::new();
                let held: Vec<Handle<u32>> = (0..super::ENTRIES).map(Handle::new).collect();
                for v in &held {
                    cache.insert(**v, v);
                }
                for k in 100..100 + super::ENTRIES {
                    cache.insert(k, &Handle::new(k)); // dead at once
                }
                let mut seen = Vec::new();
                cache.for_each(|k, v| {
                    assert_eq!(k, &**v);
                    seen.push(*k);
                });
                seen.sort_unstable();
                assert_eq!(seen, (0..super::ENTRIES).collect::<Vec<_>>());
                let mut iterated: Vec<u32> = cache.iter().map(|(k, _)| k).collect();
                iterated.sort_unstable();
                assert_eq!(iterated, seen);
            }

            #[test]
            fn iter_body_may_use_the_cache() {
                let cache: Cache<u32, u32> = Cache::with_shards_and_hasher(1, RandomState::new());
                let held: Vec<Handle<u32>> = (0..8).map(Handle::new).collect();
                for v in &held {
                    cache.insert(**v, v);
                }
                for (k, v) in cache.iter() {
                    // One shard: its lock would be held if the iterator
                    // yielded under it, and `insert` would deadlock.
                    cache.insert(k + 100, &v);
                    assert!(cache.remove(&k).is_some());
                }
                assert_eq!(cache.live_len(), 8);
                assert!((100..108).all(|k| cache.contains_key(&k)));
            }

            #[test]
            fn retain_keeps_what_the_predicate_keeps() {
                let cache: Cache<u32, u32> = Cache::new();
                let held: Vec<Handle<u32>> = (0..2 * super::ENTRIES).map(Handle::new).collect();
                for v in &held {
                    cache.insert(**v, v);
                }
                cache.insert(99, &Handle::new(99)); // dead: removed too
                cache.retain(|k, v| {
                    assert_eq!(k, &**v);
                    k % 3 == 0
                });
                // 0, 3, 6, 9, 12, 15, 18 (0, 3, 6 under Miri).
                assert_eq!(cache.len(), if cfg!(miri) { 3 } else { 7 });
                assert!((0..2 * super::ENTRIES).all(|k| cache.contains_key(&k) == (k % 3 == 0)));
            }

            #[test]
            fn entry_sees_live_values_as_occupied_and_dead_ones_as_vacant() {
                let cache: Cache<&str, u32> = Cache::new();
                let one = Handle::new(1);
                cache.insert("a", &one);
                let got = cache.entry("a", |e| match e {
                    Entry::Occupied(e) => Some(e.into_value()),
                    Entry::Vacant(_) => None,
                });
                let got = got.unwrap();
                assert!(Handle::ptr_eq(&got, &one));
                drop((got, one));
                let two = Handle::new(2);
                let stored = cache.entry("a", |e| match e {
                    Entry::Occupied(_) => panic!("the value died"),
                    Entry::Vacant(e) => e.insert(Handle::clone(&two)),
                });
                assert!(Handle::ptr_eq(&stored, &two));
                assert!(Handle::ptr_eq(&cache.get("a").unwrap(), &two));
                let removed = cache.entry("a", |e| match e {
                    Entry::Occupied(e) => e.remove(),
                    Entry::Vacant(_) => panic!("live"),
                });
                assert!(Handle::ptr_eq(&removed, &two));
                assert_eq!(cache.len(), 0);
            }

            #[test]
            fn with_capacity_reserves_over_the_shards() {
                // (Smaller under Miri, which pays for every slot.)
                let wanted = if cfg!(miri) { 256 } else { 4096 };
                let cache: Cache<u32, u32> = Cache::with_capacity(wanted);
                assert!(cache.capacity() >= wanted);
                assert!(cache.is_empty());
                let interner: Interner<str> = Interner::with_capacity(512);
                assert!(interner.capacity() >= 512);
            }

            #[test]
            fn debug_shows_the_live_entries() {
                let cache: Cache<u32, &str> = Cache::new();
                let v = Handle::new("seven");
                cache.insert(7, &v);
                cache.insert(8, &Handle::new("dead"));
                assert_eq!(format!("{cache:?}"), r#"{7: "seven"}"#);
                let names: Interner<str> = Interner::new();
                let ada = names.intern_with("ada", |s: &str| Handle::from(s));
                drop(names.intern_with("bob", |s: &str| Handle::from(s)));
                assert_eq!(format!("{names:?}"), r#"{"ada"}"#);
                drop(ada);
            }

            #[test]
            fn interner_for_each_iter_and_retain() {
                let names: Interner<String> = Interner::new();
                let held: Vec<Handle<String>> =
                    ["ada", "bob", "amy"].map(|n| names.intern(n.to_owned())).into();
                drop(names.intern("dead".to_owned()));
                let mut seen = Vec::new();
                names.for_each(|n| seen.push((**n).clone()));
                seen.sort();
                assert_eq!(seen, ["ada", "amy", "bob"]);
                let mut iterated: Vec<String> = names.iter().map(|n| (*n).clone()).collect();
                iterated.sort();
                assert_eq!(iterated, seen);
                names.retain(|n| n.starts_with('a'));
                assert_eq!(names.len(), 2);
                assert!(!names.contains("bob"));
                drop(held);
            }
        }
    };
}

api_tests!(local, weakref_core::count::LocalCount, weakref_std::Rc);
api_tests!(atomic, weakref_core::count::AtomicCount, weakref_sync::Arc);
// Native only: under Miri (the CI's slowest step) the API runs on the two
// counters above; the wait-free counter's memory safety is Miri's in the
// threaded scenarios above and in every `for_each_counter!` suite.
#[cfg(not(miri))]
api_tests!(
    wait_free,
    weakref_core::count::WaitFreeCount,
    weakref_sync::wait_free::Arc
);

/// A value whose `Drop` uses the cache it is in: `for_each` and `retain`
/// must not drop it under a shard's lock (std's `RwLock` is not
/// re-entrant: this test would hang or panic).
#[test]
fn for_each_and_retain_drop_no_value_under_the_lock() {
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<weakref_sync::WeakCache<u32, Reentrant>> = OnceLock::new();
    struct Reentrant(u32);
    impl Drop for Reentrant {
        fn drop(&mut self) {
            if self.0 < 1000 {
                let cache = CACHE.get().unwrap();
                cache.insert(
                    self.0 + 1000,
                    &weakref_sync::Arc::new(Reentrant(self.0 + 1000)),
                );
            }
        }
    }
    let cache = CACHE.get_or_init(|| WeakCache::with_shards_and_hasher(1, Default::default()));
    for visit in ["for_each", "retain"] {
        let outside = Mutex::new(Some(weakref_sync::Arc::new(Reentrant(1))));
        cache.insert(1, outside.lock().unwrap().as_ref().unwrap());
        let kill = || {
            // The last handle but the one the cache upgraded for the visit.
            drop(outside.lock().unwrap().take());
        };
        if visit == "for_each" {
            cache.for_each(|_, _| kill());
        } else {
            cache.retain(|_, _| {
                kill();
                true
            });
        }
        assert!(
            cache.get(&1).is_none(),
            "{visit}: the value died after the visit"
        );
    }
}
