//! The concurrent weak cache and interner under real threads: the thread
//! bugs Python's weak dictionaries had (rules 17 and issue 9), each a named
//! test that must be impossible here.

use std::sync::Barrier;
use std::thread;

use weakref_sync::{Arc, WeakCache, WeakInterner};

const ROUNDS: usize = if cfg!(miri) { 2 } else { 200 };
const KEYS: u32 = if cfg!(miri) { 4 } else { 64 };

/// `get_or_insert_with` never returns a dead value while other threads drop
/// values: every value it returns upgrades, and racing callers of one key
/// get one allocation.
#[test]
fn get_or_insert_with_never_returns_a_dead_value_while_others_drop() {
    let cache: WeakCache<u32, u32> = WeakCache::new();
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
#[test]
fn racing_get_or_insert_with_share_one_value_made_once() {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    for _ in 0..ROUNDS {
        let cache: WeakCache<&str, u8> = WeakCache::new();
        let made = AtomicUsize::new(0);
        let barrier = Barrier::new(4);
        let got: Vec<Arc<u8>> = thread::scope(|s| {
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
#[test]
fn insert_then_len_is_one_even_when_the_old_value_dies_concurrently() {
    let cache: WeakCache<u8, u32> = WeakCache::new();
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
#[test]
fn snapshot_while_other_threads_kill_entries_never_fails() {
    let cache: WeakCache<u32, u32> = WeakCache::new();
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
#[test]
fn interning_from_threads_shares_one_allocation() {
    let symbols: WeakInterner<str> = WeakInterner::new();
    let barrier = Barrier::new(3);
    let names = ["alpha", "beta", "gamma", "delta"];
    let per_thread: Vec<Vec<Arc<str>>> = thread::scope(|s| {
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
    assert!(symbols.is_empty());
}
