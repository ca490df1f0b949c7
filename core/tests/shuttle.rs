//! Shuttle scenarios too big for loom: three or four threads on a
//! `WeakCache` that purges, on the atomic callback registry, and on a full
//! static pool.
//!
//! Run with (see `ci/shuttle.sh`):
//!
//! ```text
//! RUSTFLAGS="--cfg weakref_shuttle" cargo test -p weakref-core \
//!     --features shuttle,pool,collections --release --target-dir target/shuttle --test shuttle
//! ```
//!
//! Under `--cfg weakref_shuttle` every atomic access, every registry or
//! shard lock and the `downgrade` spin are scheduling points, so shuttle
//! picks the thread that runs next at each of them: at random
//! (`RandomScheduler`) or with PCT (`PctScheduler`, which finds bugs of
//! small depth with a known probability). Shuttle treats every ordering as
//! `SeqCst`: these tests check the *logic* of the protocol under any
//! interleaving; the orderings are loom's job (`tests/loom.rs`).
//!
//! They live in weakref-core (not in weakref-tests), as the loom models do:
//! everything they drive is core's (`WeakCache`, the callback registry,
//! `Pool`), and only core has to be rebuilt under the cfg.
//!
//! `SHUTTLE_ITERATIONS` scales the iterations of every scenario (default
//! 1; CI uses the default).
//!
//! Bookkeeping in the tests uses std's atomics: shuttle runs all of an
//! execution's threads on one OS thread, and std atomics are not scheduling
//! points, so they observe without adding interleavings.

#![cfg(weakref_shuttle)]
// std-only test code (the library keeps the no_std discipline).
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::hash::{BuildHasherDefault, DefaultHasher};
use std::sync::Arc as StdArc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use shuttle::scheduler::{PctScheduler, RandomScheduler, Scheduler};
use shuttle::{Config, Runner, thread};
use weakref_core::callbacks::{Finalizer, WeakRef};
use weakref_core::collections::{WeakCache, WeakInterner};
use weakref_core::count::AtomicCount;
use weakref_core::pool::{Pooled, StaticPool};
use weakref_core::storage::Global;
use weakref_core::{Strong, static_pool};

type Arc<T> = Strong<T, AtomicCount, Global>;

/// Iterations of one scheduler on one scenario, times `SHUTTLE_ITERATIONS`
/// (a tenth in a debug build, so that a plain `cargo test` stays in
/// seconds too).
fn iterations(base: usize) -> usize {
    let base = if cfg!(debug_assertions) {
        base / 10
    } else {
        base
    };
    let scale = std::env::var("SHUTTLE_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    base * scale
}

/// Runs `f` under a scheduler, without shuttle's warning about non-`SeqCst`
/// orderings (we know: see the module docs).
fn run(scheduler: Box<dyn Scheduler + Send>, f: impl Fn() + Send + Sync + 'static, n: usize) {
    let mut config = Config::new();
    config.silence_warnings = true;
    let ran = Runner::new(scheduler, config).run(f);
    assert_eq!(ran, n, "every execution ran");
}

/// Held while a scenario runs: the tests of this binary run one at a time.
///
/// Shuttle's atomics are `Sync` only because shuttle runs all of an
/// execution's threads on one OS thread; a `static` one (the static
/// pool's flags) would be shared by two tests that the harness runs on two
/// OS threads at once.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The execution under way (from 1), per scheduler, for the report of a
/// failure: how far the scheduler got before finding the bug.
static EXECUTION: AtomicUsize = AtomicUsize::new(0);

/// The scheduler under way, for the same report.
static SCHEDULER: std::sync::Mutex<&str> = std::sync::Mutex::new("");

/// Runs `f` with the random scheduler, then with PCT at depths 2 and 3.
fn explore(base: usize, f: impl Fn() + Send + Sync + Clone + 'static) {
    // A failed test poisons the lock; the next may still run.
    let _serial = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let scheduler = *SCHEDULER.lock().unwrap_or_else(|e| e.into_inner());
            let n = EXECUTION.load(SeqCst);
            eprintln!("shuttle: failed in execution {n} of the {scheduler} scheduler");
            default(info);
        }));
    });
    let n = iterations(base);
    let start = std::time::Instant::now();
    let schedulers: [(&str, Box<dyn Scheduler + Send>); 3] = [
        ("random", Box::new(RandomScheduler::new(n))),
        ("PCT depth 2", Box::new(PctScheduler::new(2, n))),
        ("PCT depth 3", Box::new(PctScheduler::new(3, n))),
    ];
    for (name, scheduler) in schedulers {
        *SCHEDULER.lock().unwrap_or_else(|e| e.into_inner()) = name;
        EXECUTION.store(0, SeqCst);
        let f = f.clone();
        let counted = move || {
            EXECUTION.fetch_add(1, SeqCst);
            f();
        };
        run(scheduler, counted, n);
    }
    println!("{} executions in {:?}", 3 * n, start.elapsed());
}

/// Per-execution ledger of values: each value has an id; its drop marks
/// it, and a second drop or a read of a dropped value fails the execution.
#[derive(Debug)]
struct Ledger {
    dropped: Vec<AtomicUsize>,
    next: AtomicUsize,
}

impl Ledger {
    fn new(capacity: usize) -> StdArc<Self> {
        StdArc::new(Ledger {
            dropped: (0..capacity).map(|_| AtomicUsize::new(0)).collect(),
            next: AtomicUsize::new(0),
        })
    }

    fn created(&self) -> usize {
        self.next.load(SeqCst)
    }

    fn drops(&self) -> usize {
        self.dropped.iter().map(|d| d.load(SeqCst)).sum()
    }
}

/// A value that knows its key and reports its drop to the ledger.
#[derive(Debug)]
struct Tracked {
    key: u32,
    id: usize,
    ledger: StdArc<Ledger>,
}

impl Tracked {
    fn new(key: u32, ledger: &StdArc<Ledger>) -> Self {
        let id = ledger.next.fetch_add(1, SeqCst);
        assert!(id < ledger.dropped.len(), "ledger too small");
        Tracked {
            key,
            id,
            ledger: ledger.clone(),
        }
    }

    /// Checks that the value is alive (not dropped yet) and is `key`'s.
    fn check(&self, key: u32) {
        assert_eq!(
            self.ledger.dropped[self.id].load(SeqCst),
            0,
            "a dead value was returned"
        );
        assert_eq!(self.key, key, "a value under the wrong key");
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let before = self.ledger.dropped[self.id].fetch_add(1, SeqCst);
        // (Not while unwinding from another failure: that would abort.)
        if before != 0 && !std::thread::panicking() {
            panic!("value {} dropped twice", self.id);
        }
    }
}

type Cache = WeakCache<u32, Tracked, AtomicCount, BuildHasherDefault<DefaultHasher>>;

/// Three threads (plus the main one) on one `WeakCache` shard: 16 keys,
/// most values dying right after their insert, so the shard passes its
/// purge threshold (8 entries, then twice the live ones) again and again
/// while other threads look up, insert and drop.
///
/// Checked: `get_or_insert_with` and `get` never return a dead value or
/// another key's; all handles kept to the end for one key are one value
/// (a live value is never replaced); the kept values are still found;
/// every value is dropped exactly once; the cache ends empty.
fn cache_scenario() {
    const THREADS: u32 = 3;
    const ROUNDS: u32 = 10;
    const KEYS: u32 = 16;
    let ledger = Ledger::new((THREADS * ROUNDS + 8) as usize);
    // One shard, so that every thread's deaths count towards its purges.
    let cache = StdArc::new(Cache::with_shards_and_hasher(1, Default::default()));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let cache = cache.clone();
            let ledger = ledger.clone();
            thread::spawn(move || {
                let mut kept = Vec::new();
                for i in 0..ROUNDS {
                    let key = (t * 5 + i * 3) % KEYS;
                    let value =
                        cache.get_or_insert_with(key, || Arc::new(Tracked::new(key, &ledger)));
                    value.check(key);
                    let probe = (key + 7) % KEYS;
                    if let Some(other) = cache.get(&probe) {
                        other.check(probe);
                    }
                    // Keep one in four; the others die now (if no other
                    // thread holds them).
                    if i % 4 == t % 4 {
                        kept.push((key, value));
                    }
                }
                kept
            })
        })
        .collect();
    // The main thread churns too: values that die at once.
    for key in [1, 9, 4] {
        let value = cache.get_or_insert_with(key, || Arc::new(Tracked::new(key, &ledger)));
        value.check(key);
    }
    let kept: Vec<(u32, Arc<Tracked>)> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    for (key, value) in &kept {
        value.check(*key);
        let found = cache.get(key).expect("a kept value is still in the cache");
        assert!(Arc::ptr_eq(&found, value), "a live value was replaced");
        for (other_key, other) in &kept {
            if other_key == key {
                assert!(Arc::ptr_eq(other, value), "two live values for one key");
            }
        }
    }
    assert_eq!(cache.live_len(), {
        let mut keys: Vec<u32> = kept.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        keys.len()
    });
    drop(kept);
    assert_eq!(cache.live_len(), 0);
    cache.purge();
    assert_eq!(cache.len(), 0, "a purge left a dead entry");
    assert_eq!(
        ledger.drops(),
        ledger.created(),
        "a value was never dropped"
    );
}

#[test]
fn weak_cache_purges_under_three_threads() {
    explore(10_000, cache_scenario);
}

/// A value interned by its key; its `Tracked` reports the drop.
#[derive(Debug)]
struct Interned(Tracked);

impl PartialEq for Interned {
    fn eq(&self, other: &Self) -> bool {
        self.0.key == other.0.key
    }
}

impl Eq for Interned {}

impl core::hash::Hash for Interned {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.0.key.hash(state);
    }
}

type Interner = WeakInterner<Interned, AtomicCount, BuildHasherDefault<DefaultHasher>>;

/// Three threads interning values of 6 keys into one shard, most of them
/// dying at once (so entries die, are replaced and purged) while the others
/// intern equal values.
///
/// Checked: `intern` returns a live value equal to the one asked for; all
/// handles kept to the end for one key are one value; every value is
/// dropped exactly once (a value interned while an equal one was alive is
/// dropped at once); the interner ends empty after a purge.
fn interner_scenario() {
    const THREADS: u32 = 3;
    const ROUNDS: u32 = 8;
    const KEYS: u32 = 6;
    let ledger = Ledger::new((THREADS * ROUNDS) as usize);
    let interner = StdArc::new(Interner::with_shards_and_hasher(1, Default::default()));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let interner = interner.clone();
            let ledger = ledger.clone();
            thread::spawn(move || {
                let mut kept = Vec::new();
                for i in 0..ROUNDS {
                    let key = (t + i * 5) % KEYS;
                    let value = interner.intern(Interned(Tracked::new(key, &ledger)));
                    value.0.check(key);
                    if i % 3 == t % 3 {
                        kept.push((key, value));
                    }
                }
                kept
            })
        })
        .collect();
    let kept: Vec<(u32, Arc<Interned>)> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    for (key, value) in &kept {
        value.0.check(*key);
        for (other_key, other) in &kept {
            if other_key == key {
                assert!(Arc::ptr_eq(other, value), "two live values for one key");
            }
        }
    }
    drop(kept);
    interner.purge();
    assert_eq!(interner.len(), 0, "a purge left a dead entry");
    assert_eq!(
        ledger.drops(),
        ledger.created(),
        "a value was never dropped"
    );
}

#[test]
fn weak_interner_under_three_threads() {
    explore(10_000, interner_scenario);
}

/// Callback bookkeeping of one execution.
#[derive(Debug, Default)]
struct Runs {
    /// Times each callback ran, by number.
    callbacks: [AtomicUsize; 5],
    finalizer: AtomicUsize,
}

/// The atomic callback registry under concurrent registration,
/// unregistration and death: one value, four threads.
///
/// * main registers `r0` (kept to the end) and a finalizer, then drops its
///   strong handle;
/// * A registers `r1` (kept) and `r2`, drops `r2` (unregistration), then
///   its strong handle: `r2`'s drop happens before the death, so its
///   callback must never run;
/// * B races `detach` against the death: the finalizer runs exactly once
///   or is detached, never both, never neither;
/// * C upgrades a plain weak handle and, if that succeeds, registers `r3`
///   with a callback (registration racing the death): `r3` is alive at the
///   death, so its callback runs exactly once; then C drops the strong
///   handle it got (which may be the last);
/// * D registers `r4` and drops it, racing everything (at most once).
///
/// At the end: the value was dropped once, every registered handle sees
/// it dead, and weak counts are exact.
fn callback_scenario() {
    let ledger = Ledger::new(1);
    let runs = StdArc::new(Runs::default());
    let value = Arc::new(Tracked::new(0, &ledger));
    let counter = |n: usize| {
        let runs = runs.clone();
        move || {
            runs.callbacks[n].fetch_add(1, SeqCst);
        }
    };
    let r0 = WeakRef::with_callback(&value, counter(0));
    let fin = StdArc::new(Finalizer::new(&value, {
        let runs = runs.clone();
        move || {
            runs.finalizer.fetch_add(1, SeqCst);
        }
    }));
    let weak = Arc::downgrade(&value);

    let a = {
        let strong = value.clone();
        let (c1, c2) = (counter(1), counter(2));
        thread::spawn(move || {
            let r1 = WeakRef::with_callback(&strong, c1);
            let r2 = WeakRef::with_callback(&strong, c2);
            drop(r2);
            drop(strong);
            r1
        })
    };
    let b = {
        let strong = value.clone();
        let fin = fin.clone();
        thread::spawn(move || {
            drop(strong);
            fin.detach().is_some()
        })
    };
    let c = {
        let c3 = counter(3);
        thread::spawn(move || {
            let strong = weak.upgrade()?;
            strong.check(0);
            let r3 = WeakRef::with_callback(&strong, c3);
            drop(strong);
            Some(r3)
        })
    };
    let d = {
        let strong = value.clone();
        let c4 = counter(4);
        thread::spawn(move || {
            let r4 = WeakRef::with_callback(&strong, c4);
            drop(strong);
            drop(r4);
        })
    };
    drop(value);
    let r1 = a.join().unwrap();
    let detached = b.join().unwrap();
    let r3 = c.join().unwrap();
    d.join().unwrap();

    // Every strong handle is gone: the value is dead, dropped once.
    assert_eq!(
        ledger.drops(),
        1,
        "the value was dropped {} times",
        ledger.drops()
    );
    for r in [Some(&r0), Some(&r1), r3.as_ref()].into_iter().flatten() {
        assert!(!r.is_alive());
        assert!(r.upgrade().is_none(), "a dead value was returned");
        assert_eq!(r.strong_count(), 0);
    }
    let ran = |n: usize| runs.callbacks[n].load(SeqCst);
    assert_eq!(ran(0), 1, "r0's callback (alive at the death)");
    assert_eq!(ran(1), 1, "r1's callback (alive at the death)");
    assert_eq!(ran(2), 0, "r2's callback ran after r2 was dropped");
    assert_eq!(ran(3), usize::from(r3.is_some()), "r3's callback");
    assert!(ran(4) <= 1, "r4's callback ran twice");
    let finalized = runs.finalizer.load(SeqCst);
    assert_eq!(
        finalized + usize::from(detached),
        1,
        "finalizer ran {finalized} times, detached: {detached}"
    );
    assert!(!fin.alive());
    // The handles left: r0, r1, r3 (and the finalizer's).
    assert_eq!(r0.weak_count(), 0, "no weak count is reported once dead");
}

#[test]
fn callback_registry_under_registration_unregistration_and_death() {
    explore(20_000, callback_scenario);
}

static_pool! {
    /// Four slots, shared by four threads taking and giving back.
    struct Slots: Pool<Slotted, AtomicCount, 4>;
}

type PoolArc = Strong<Slotted, AtomicCount, Pooled<Slots>>;

/// A pooled value whose drop checks that its slot is still its own: it
/// reads its number, lets the other threads run, reads it again, then
/// spoils it. A slot given back before the value's drop (planted bug 09)
/// can be handed to another thread meanwhile, whose new value shows in the
/// second read, or whose own check then sees the spoilt number.
#[derive(Debug)]
struct Slotted(u64);

impl Slotted {
    /// The number, read from memory (another thread may have written it,
    /// if the slot was handed on too early).
    fn read(&self) -> u64 {
        // SAFETY: `self.0` is a valid, aligned, initialised `u64`; volatile
        // only so that the compiler reads the memory again.
        unsafe { std::ptr::read_volatile(&raw const self.0) }
    }
}

impl Drop for Slotted {
    fn drop(&mut self) {
        let before = self.read();
        thread::yield_now();
        assert_eq!(
            self.read(),
            before,
            "a slot was handed out again while its value was being dropped"
        );
        // SAFETY: as in `read`: our own valid `u64`.
        unsafe { std::ptr::write_volatile(&raw mut self.0, u64::MAX) };
    }
}

/// How many slots the test's actors hold: never more than the capacity.
static HELD: AtomicUsize = AtomicUsize::new(0);

/// A full static pool: four actors (the main thread and three others) each
/// hold at most one slot (a strong handle, or a weak one, which keeps the
/// block), give it back and take another, over and over, while a fifth
/// request finds the pool full.
///
/// Checked: a new handle never shares a slot with a live one (each writes
/// its own value and reads it back before giving it back), nor with a
/// value being dropped (`Slotted`'s drop); the pool never
/// hands out more than its capacity; a weak handle keeps its slot, and its
/// upgrade sees the value or nothing; at the end every slot is back.
fn pool_scenario() {
    const ACTORS: u64 = 4;
    const ROUNDS: u64 = 4;
    // Fill the pool.
    let first: Vec<PoolArc> = (0..ACTORS)
        .map(|a| PoolArc::try_new_in(Slotted(a * 1000), Pooled::new()).expect("a free slot"))
        .collect();
    HELD.store(4, SeqCst);
    assert_eq!(<Slots as StaticPool>::get().in_use(), 4);
    assert!(
        PoolArc::try_new_in(Slotted(u64::MAX), Pooled::new()).is_err(),
        "a full pool handed out a fifth slot"
    );
    let actor = |a: u64, mut mine: PoolArc| {
        move || {
            for round in 1..=ROUNDS {
                assert_eq!(
                    mine.read(),
                    a * 1000 + round - 1,
                    "a slot shared by two handles"
                );
                // Odd rounds: keep only a weak handle for a while (the slot
                // stays taken); upgrade it, then let it go.
                if round % 2 == 1 {
                    let weak = PoolArc::downgrade(&mine);
                    drop(mine);
                    assert!(weak.upgrade().is_none());
                    drop(weak);
                } else {
                    drop(mine);
                }
                HELD.fetch_sub(1, SeqCst);
                let value = a * 1000 + round;
                mine = loop {
                    // A take can miss a slot freed behind its search: retry.
                    match PoolArc::try_new_in(Slotted(value), Pooled::new()) {
                        Ok(arc) => break arc,
                        Err(_) => thread::yield_now(),
                    }
                };
                let held = HELD.fetch_add(1, SeqCst) + 1;
                assert!(held <= 4, "{held} slots held in a pool of 4");
            }
            assert_eq!(
                mine.read(),
                a * 1000 + ROUNDS,
                "a slot shared by two handles"
            );
        }
    };
    let mut first = first.into_iter();
    let main_handle = first.next().unwrap();
    let workers: Vec<_> = first
        .enumerate()
        .map(|(i, h)| thread::spawn(actor(i as u64 + 1, h)))
        .collect();
    actor(0, main_handle)();
    for w in workers {
        w.join().unwrap();
    }
    HELD.store(0, SeqCst);
    assert_eq!(
        <Slots as StaticPool>::get().in_use(),
        0,
        "a slot was never given back"
    );
}

#[test]
fn full_static_pool_take_and_give_back() {
    explore(10_000, pool_scenario);
}
