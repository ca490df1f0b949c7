//! `arc_sched`: weakref's atomic family on two or three shuttle threads,
//! where the input decides the operations *and* the interleaving, and the
//! outcomes are checked against the project's reference models.
//!
//! Built with `--cfg weakref_shuttle`, so every atomic access inside
//! weakref-core, every registry or shard lock and the `downgrade` spin are
//! scheduling points. [`ByteScheduler`] makes each choice between two or
//! more runnable threads from one input byte; a thread that yields (a
//! spin-wait: the model's phase barrier, `downgrade`'s wait on `get_mut`)
//! hands over to the next runnable thread in id order without spending a
//! byte; once the bytes run out it keeps the current thread. So every input
//! has exactly one schedule, and a crash input replays it exactly (run it
//! twice with `ARC_SCHED_TRACE=1`: the same hash of the decisions).
//! Coverage guidance then steers towards interleavings that reach new code.
//!
//! Input: byte 0 is flags: bit 0 the thread count (2 or 3), bit 1 the
//! counter width (`usize` or `u32`, modes 0 and 3), bits 2-3 the mode, bit
//! 4 the strong protocol (`CasLoop` or `WaitFree`, issue 23; modes 0 and
//! 3); byte 1 the
//! number of operation bytes; the rest is the schedule. Modes, each checked
//! against a model:
//!
//! 0. **Handles** (`weakref_tests::model`): the operation bytes decode as
//!    `arc_ops`'s phases of `ThreadedOp`s and run through
//!    `model::run_threaded_ops`, on shuttle threads: upgrade against the
//!    last drop, `into_inner`/`try_unwrap` against each other,
//!    `get_mut`/`make_mut` against `downgrade`/`upgrade`, raw pointers.
//!    Each thread checks every outcome against its view of the model as it
//!    goes; between phases the model is checked exactly (counts, values,
//!    identities, the drop log, the allocator).
//! 1. **Callbacks** (`weakref_tests::callback_model`): each thread runs its
//!    own callback program (its share of the bytes: `WeakRef`s with
//!    callbacks, proxies, `WeakMethod`s, finalizers with `detach`/`call`,
//!    deaths inside callbacks), checked exactly by the callback model after
//!    every step, while the others' registrations, unregistrations and
//!    deaths go through the same process-wide registry.
//! 2. **Weak maps and the cache** (`weakref_tests::map_model`): each thread
//!    runs its own map program (`WeakValueMap`, `WeakKeyMap`, `WeakCache`,
//!    purges), checked by the map model, while every thread's deaths move
//!    the one deaths tally that decides when purges scan.
//! 3. **Shared**: one value, one `WeakCache` and one `WeakInterner` (one
//!    shard each, so every death counts towards their purges) shared by
//!    all threads: 21 operations (upgrade, downgrade, clone, `into_inner`,
//!    `get_mut`, `make_mut`, callbacks, finalizers and `detach`,
//!    `get_or_insert_with`, `get`, `remove`, `purge`, `intern`). Checked by
//!    the models' rules, which hold whatever the interleaving: an upgrade
//!    never succeeds on a value already seen dead; a value is dropped
//!    exactly once; nobody reads a value while `get_mut`/`make_mut` holds
//!    it; a callback kept to the end runs exactly once, one dropped before
//!    at most once; a finalizer runs exactly once unless detached, never
//!    both. The cache and the interner never return a dead value or
//!    another key's; handles kept to the end for one key (never removed)
//!    are one value, still found; once they are gone a purge leaves them
//!    empty.
//!
//! ```text
//! RUSTFLAGS="--cfg weakref_shuttle" cargo +nightly fuzz run --fuzz-dir fuzz/sched \
//!     --no-trace-compares arc_sched fuzz/corpus/arc_sched -- -max_total_time=60
//! ```

#![no_main]

use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc as StdArc, Mutex as StdMutex};

use libfuzzer_sys::fuzz_target;
use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};
use shuttle::{Config, MaxSteps, Runner, thread};
use weakref_core::callbacks::{CallbackFamily, Finalizer, FinalizerFamily, WeakRef};
use weakref_core::collections::{WeakCache, WeakInterner};
use weakref_core::count::{AtomicCount, AtomicWidth, CasLoop, StrongProtocol, WaitFree};
use weakref_core::storage::Global;
use weakref_core::{Strong, Weak};
use weakref_tests::{callback_model, map_model, model};

/// A scheduler that reads its choices from the fuzzer's bytes.
#[derive(Debug)]
struct ByteScheduler {
    bytes: Vec<u8>,
    pos: usize,
    started: bool,
    /// Every decision, as the chosen thread's id, for the trace hash.
    trace: Trace,
}

impl Scheduler for ByteScheduler {
    fn new_execution(&mut self) -> Option<Schedule> {
        // One execution per input: the input *is* the schedule.
        if self.started {
            return None;
        }
        self.started = true;
        Some(Schedule::new(0))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let ids: Vec<TaskId> = runnable.iter().map(|t| t.id()).collect();
        let current = current.map(usize::from);
        let runnable = |c: usize| ids.iter().any(|&id| usize::from(id) == c);
        let chosen = if ids.len() == 1 {
            // No choice: no byte spent.
            ids[0]
        } else if let (false, Some(&byte)) = (is_yielding, self.bytes.get(self.pos)) {
            self.pos += 1;
            ids[usize::from(byte) % ids.len()]
        } else {
            // A fixed choice: a yielding thread (a spin-wait) hands over
            // to the next runnable one in id order, round-robin, so waits
            // spend no bytes; out of bytes, the current thread goes on
            // while it can.
            match current {
                Some(c) if !is_yielding && runnable(c) => TaskId::from(c),
                Some(c) => *ids
                    .iter()
                    .find(|&&id| usize::from(id) > c)
                    .unwrap_or(&ids[0]),
                None => ids[0],
            }
        };
        self.trace.lock().unwrap().push(usize::from(chosen));
        Some(chosen)
    }

    fn next_u64(&mut self) -> u64 {
        // Shuttle's own randomness (not used by these threads): fixed.
        0
    }
}

/// What every thread shares in one execution.
#[derive(Debug, Default)]
struct Shared {
    /// Per value id: dropped (0 or 1; 2 is a double drop).
    dropped: Vec<AtomicUsize>,
    /// Per value id: an upgrade of it has failed (it is dead).
    seen_dead: Vec<AtomicBool>,
    /// Per value id: `get_mut`/`make_mut` holds it.
    busy: Vec<AtomicBool>,
    next_value: AtomicUsize,
    /// Per callback index: runs.
    callback_runs: Vec<AtomicUsize>,
    /// Per finalizer index: runs.
    finalizer_runs: Vec<AtomicUsize>,
    next_callback: AtomicUsize,
    /// Per key: some thread removed it from the cache (its kept values may
    /// then be out of the cache, and a second value for it may live).
    removed: Vec<AtomicBool>,
}

/// Value ids, callback and finalizer indices per execution: more than any
/// input can use (48 operations, each creating at most one).
const ROOM: usize = 64;

/// The most operation bytes the shared scenario uses.
const SHARED_OPS: usize = 48;

/// Cache and interner keys.
const KEYS: u8 = 12;

impl Shared {
    fn new() -> StdArc<Self> {
        StdArc::new(Shared {
            dropped: (0..ROOM).map(|_| AtomicUsize::new(0)).collect(),
            seen_dead: (0..ROOM).map(|_| AtomicBool::new(false)).collect(),
            busy: (0..ROOM).map(|_| AtomicBool::new(false)).collect(),
            next_value: AtomicUsize::new(0),
            callback_runs: (0..ROOM).map(|_| AtomicUsize::new(0)).collect(),
            finalizer_runs: (0..ROOM).map(|_| AtomicUsize::new(0)).collect(),
            next_callback: AtomicUsize::new(0),
            removed: (0..KEYS).map(|_| AtomicBool::new(false)).collect(),
        })
    }
}

/// The value: its id, a number that `get_mut`/`make_mut` change, and the
/// shared ledger its drop reports to.
#[derive(Debug)]
struct Payload {
    id: usize,
    number: u64,
    shared: StdArc<Shared>,
}

impl Payload {
    fn new(number: u64, shared: &StdArc<Shared>) -> Self {
        let id = shared.next_value.fetch_add(1, SeqCst);
        Payload {
            id,
            number,
            shared: shared.clone(),
        }
    }

    /// A read through a handle: the value is alive and nobody holds it
    /// mutably.
    fn read(&self) -> u64 {
        assert_eq!(
            self.shared.dropped[self.id].load(SeqCst),
            0,
            "read a dropped value"
        );
        assert!(
            !self.shared.busy[self.id].load(SeqCst),
            "read while get_mut holds it"
        );
        self.number
    }

    /// A write through `&mut`, with a scheduling point in the middle: a
    /// thread that reaches the value meanwhile is caught by `read`.
    fn write(&mut self) {
        self.shared.busy[self.id].store(true, SeqCst);
        thread::yield_now();
        self.number = self.number.wrapping_add(1);
        self.shared.busy[self.id].store(false, SeqCst);
    }
}

impl Clone for Payload {
    fn clone(&self) -> Self {
        Payload::new(self.read(), &self.shared)
    }
}

impl Drop for Payload {
    fn drop(&mut self) {
        let before = self.shared.dropped[self.id].fetch_add(1, SeqCst);
        if before != 0 && !std::thread::panicking() {
            panic!("value {} dropped twice", self.id);
        }
    }
}

/// A finalizer's function.
type Func = Box<dyn FnOnce() + Send>;

/// A schedule's decisions, shared with the panic hook.
type Trace = StdArc<StdMutex<Vec<usize>>>;

/// A strong handle to a payload.
type ArcOf<W, S> = Strong<Payload, AtomicCount<W, S>, Global>;

/// A weak handle and the id of its value.
type Tagged<W, S> = (Weak<Payload, AtomicCount<W, S>, Global>, usize);

/// A registration and its callback's index.
type Registered<R> = (R, usize);

/// One thread's handles.
struct Slots<W: AtomicWidth, S: StrongProtocol> {
    strong: Option<Strong<Payload, AtomicCount<W, S>, Global>>,
    /// A weak handle and the id of its value.
    weak: Option<Tagged<W, S>>,
    /// Registered handles with callbacks, and their callback index.
    refs: Vec<Registered<WeakRef<Payload, AtomicCount<W, S>>>>,
    /// Finalizers and their index.
    finalizers: Vec<Registered<Finalizer<Payload, Func, AtomicCount<W, S>>>>,
    /// Finalizer indices detached (taken out: they must never run).
    detached: Vec<usize>,
    /// Values from the cache, kept, with their key.
    cached: Vec<(u8, ArcOf<W, S>)>,
    /// Values from the interner, kept.
    interned: Vec<Strong<u32, AtomicCount<W, S>, Global>>,
    /// What the thread observed, for the trace hash.
    seen: Vec<u64>,
}

/// The shared `WeakCache`: one shard (every death counts towards its
/// purges), a fixed hasher (the same buckets in every run of an input).
type Cache<W, S> = WeakCache<u8, Payload, AtomicCount<W, S>, BuildHasherDefault<DefaultHasher>>;

/// The shared `WeakInterner`, likewise.
type Interner<W, S> = WeakInterner<u32, AtomicCount<W, S>, BuildHasherDefault<DefaultHasher>>;

/// The collections every thread of the shared scenario uses.
struct Maps<W: AtomicWidth, S: StrongProtocol> {
    cache: Cache<W, S>,
    interner: Interner<W, S>,
}

/// What a cached value holds: its key, shifted.
fn cached_number(key: u8) -> u64 {
    1000 + u64::from(key)
}

/// Operations: see `run_ops`.
const OPS: u8 = 21;

/// Runs one thread's operations.
fn run_ops<W: AtomicWidth, S: StrongProtocol>(
    ops: &[u8],
    shared: &StdArc<Shared>,
    maps: &Maps<W, S>,
    mut slots: Slots<W, S>,
) -> Slots<W, S>
where
    AtomicCount<W, S>: CallbackFamily + FinalizerFamily<Payload, Func, Global>,
{
    type Arc<W, S> = Strong<Payload, AtomicCount<W, S>, Global>;
    for &op in ops {
        let mut seen = u64::from(op % OPS) << 32;
        // The key of the cache operations.
        let key = op / OPS % KEYS;
        let cache = &maps.cache;
        match op % OPS {
            0 => drop(slots.strong.take()),
            1 => {
                if let Some((weak, id)) = &slots.weak {
                    match weak.upgrade() {
                        Some(up) => {
                            assert!(
                                !shared.seen_dead[*id].load(SeqCst),
                                "value {id} came back after an upgrade saw it dead"
                            );
                            seen |= up.read();
                            if slots.strong.is_none() {
                                slots.strong = Some(up);
                            }
                        }
                        None => {
                            seen |= 1 << 16;
                            shared.seen_dead[*id].store(true, SeqCst);
                        }
                    }
                }
            }
            2 => {
                if let Some(s) = &slots.strong {
                    slots.weak = Some((Arc::<W, S>::downgrade(s), s.id));
                }
            }
            3 => {
                if let Some(s) = &slots.strong {
                    let c = s.clone();
                    seen |= c.read();
                }
            }
            4 => {
                if let Some(s) = slots.strong.take() {
                    // The last strong handle gives the value back.
                    if let Some(value) = Arc::<W, S>::into_inner(s) {
                        seen |= value.read() | 1 << 17;
                    }
                }
            }
            5 => {
                if let Some(value) = slots.strong.as_mut().and_then(Arc::<W, S>::get_mut) {
                    value.write();
                    seen |= 1 << 18;
                }
            }
            6 => {
                if let Some(s) = &mut slots.strong {
                    let (before, id) = (Arc::<W, S>::as_ptr(s), s.id);
                    let value = Arc::<W, S>::make_mut(s);
                    if value.id == id && !std::ptr::eq(before, &*value) {
                        // Moved to a new block (only weak handles were
                        // left; they now see the old one dead): a new
                        // identity, so that an upgrade of the new block is
                        // not taken for a revival of the old one.
                        shared.dropped[id].store(1, SeqCst);
                        value.id = shared.next_value.fetch_add(1, SeqCst);
                        seen |= 1 << 21;
                    }
                    value.write();
                    seen |= s.read();
                }
            }
            7 => slots.weak = None,
            8 => {
                if let Some(s) = &slots.strong {
                    let index = shared.next_callback.fetch_add(1, SeqCst);
                    let shared = shared.clone();
                    let r = WeakRef::with_callback(s, move || {
                        shared.callback_runs[index].fetch_add(1, SeqCst);
                    });
                    slots.refs.push((r, index));
                }
            }
            9 => drop(slots.refs.pop()),
            10 => {
                if let Some(s) = &slots.strong {
                    let index = shared.next_callback.fetch_add(1, SeqCst);
                    let runs = shared.clone();
                    let f: Func = Box::new(move || {
                        runs.finalizer_runs[index].fetch_add(1, SeqCst);
                    });
                    slots.finalizers.push((Finalizer::new(s, f), index));
                }
            }
            11 => {
                if let Some((fin, index)) = slots.finalizers.last()
                    && fin.detach().is_some()
                {
                    slots.detached.push(*index);
                    seen |= 1 << 19;
                }
            }
            12 => thread::yield_now(),
            14 => {
                let value = cache.get_or_insert_with(key, || {
                    Strong::new(Payload::new(cached_number(key), shared))
                });
                seen |= value.read();
                assert_eq!(value.read(), cached_number(key), "another key's value");
                slots.cached.push((key, value));
            }
            15 => {
                if let Some(value) = cache.get(&key) {
                    seen |= value.read();
                    assert_eq!(value.read(), cached_number(key), "another key's value");
                }
            }
            16 => drop(slots.cached.pop()),
            17 => {
                let value = maps.interner.intern(u32::from(key));
                assert_eq!(*value, u32::from(key), "interned another value");
                seen |= u64::from(*value);
                slots.interned.push(value);
            }
            18 => drop(slots.interned.pop()),
            19 => {
                shared.removed[usize::from(key)].store(true, SeqCst);
                if let Some(value) = cache.remove(&key) {
                    seen |= value.read();
                    assert_eq!(
                        value.read(),
                        cached_number(key),
                        "removed another key's value"
                    );
                }
            }
            20 => {
                cache.purge();
                maps.interner.purge();
                seen |= (cache.len() as u64) << 22;
            }
            _ => {
                if let Some(s) = &slots.strong {
                    seen |= s.read() | (Arc::<W, S>::strong_count(s) as u64) << 20;
                }
            }
        }
        slots.seen.push(seen);
    }
    // The thread's strong handle dies with it; the rest goes to main.
    drop(slots.strong.take());
    slots
}

/// One execution of the shared scenario: main makes the value, gives each
/// thread a strong and a weak handle, runs the threads, then checks the end
/// state.
fn shared_scenario<W: AtomicWidth, S: StrongProtocol>(
    threads: usize,
    ops: &[u8],
    observed: &StdMutex<Vec<u64>>,
) where
    AtomicCount<W, S>: CallbackFamily + FinalizerFamily<Payload, Func, Global>,
{
    let shared = Shared::new();
    let maps: StdArc<Maps<W, S>> = StdArc::new(Maps {
        cache: WeakCache::with_shards_and_hasher(1, Default::default()),
        interner: WeakInterner::with_shards_and_hasher(1, Default::default()),
    });
    let value: Strong<Payload, AtomicCount<W, S>, Global> = Strong::new(Payload::new(0, &shared));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let mine: Vec<u8> = ops.iter().skip(t).step_by(threads).copied().collect();
            let slots = Slots {
                strong: Some(value.clone()),
                weak: Some((Strong::downgrade(&value), value.id)),
                refs: Vec::new(),
                finalizers: Vec::new(),
                detached: Vec::new(),
                cached: Vec::new(),
                interned: Vec::new(),
                seen: Vec::new(),
            };
            let shared = shared.clone();
            let maps = maps.clone();
            thread::spawn(move || run_ops(&mine, &shared, &maps, slots))
        })
        .collect();
    drop(value);
    let mut results: Vec<Slots<W, S>> = handles.into_iter().map(|h| h.join().unwrap()).collect();

    // The cache: one live value per key never removed (kept handles are
    // all the same one, and still found), then nothing once they are
    // dropped.
    let cache = &maps.cache;
    let cached: Vec<_> = results
        .iter_mut()
        .flat_map(|s| s.cached.drain(..))
        .collect();
    for (key, value) in &cached {
        assert_eq!(value.read(), cached_number(*key));
        if shared.removed[usize::from(*key)].load(SeqCst) {
            continue;
        }
        let found = cache.get(key).expect("a live cached value is found");
        assert!(
            Strong::ptr_eq(&found, value),
            "a live cached value was replaced"
        );
        for (other_key, other) in &cached {
            assert!(
                other_key != key || Strong::ptr_eq(other, value),
                "two live values for one key"
            );
        }
    }
    drop(cached);
    assert_eq!(cache.live_len(), 0);
    cache.purge();
    assert_eq!(cache.len(), 0, "a purge left a dead entry");

    // The interner: one live value per key, still found; then nothing.
    let interned: Vec<_> = results
        .iter_mut()
        .flat_map(|s| s.interned.drain(..))
        .collect();
    for value in &interned {
        let found = maps
            .interner
            .get(&**value)
            .expect("a live interned value is found");
        assert!(
            Strong::ptr_eq(&found, value),
            "two live interned values for one key"
        );
    }
    drop(interned);
    assert_eq!(maps.interner.live_len(), 0);
    maps.interner.purge();
    assert_eq!(maps.interner.len(), 0, "a purge left a dead entry");

    // Every strong handle is gone: every value is dead, dropped once.
    let created = shared.next_value.load(SeqCst);
    for id in 0..created {
        assert_eq!(shared.dropped[id].load(SeqCst), 1, "value {id} drops");
    }
    let mut seen = observed.lock().unwrap();
    for slots in &results {
        if let Some((weak, _)) = &slots.weak {
            assert_eq!(weak.strong_count(), 0);
            assert!(weak.upgrade().is_none(), "a dead value came back");
        }
        for (r, index) in &slots.refs {
            assert!(!r.is_alive());
            let runs = shared.callback_runs[*index].load(SeqCst);
            assert_eq!(
                runs, 1,
                "callback {index} of a kept WeakRef ran {runs} times"
            );
        }
        for (fin, index) in &slots.finalizers {
            assert!(!fin.alive());
            let runs = shared.finalizer_runs[*index].load(SeqCst);
            let detached = usize::from(slots.detached.contains(index));
            assert_eq!(
                runs + detached,
                1,
                "finalizer {index}: ran {runs}, detached {detached}"
            );
        }
        seen.extend(&slots.seen);
    }
    // Callbacks of dropped WeakRefs: at most once.
    for index in 0..shared.next_callback.load(SeqCst) {
        let runs = shared.callback_runs[index].load(SeqCst);
        assert!(runs <= 1, "callback {index} ran {runs} times");
        let runs = shared.finalizer_runs[index].load(SeqCst);
        assert!(runs <= 1, "finalizer {index} ran {runs} times");
    }
}

/// Runs `body` as one shuttle execution under the input's `schedule`;
/// `body` may record what its threads observed for the trace hash.
fn run(schedule: Vec<u8>, body: impl Fn(&StdMutex<Vec<u64>>) + Send + Sync + 'static) {
    let trace = StdArc::new(StdMutex::new(Vec::new()));
    let observed = StdArc::new(StdMutex::new(Vec::new()));
    let scheduler = ByteScheduler {
        bytes: schedule,
        pos: 0,
        started: false,
        trace: trace.clone(),
    };
    let mut config = Config::new();
    config.silence_warnings = true;
    // A livelock (a spin that never ends) is a finding, not a hang.
    config.max_steps = MaxSteps::FailAfter(200_000);
    let seen = observed.clone();
    let tracing = std::env::var_os("ARC_SCHED_TRACE").is_some();
    if tracing {
        trace_on_panic(&trace);
    }
    Runner::new(scheduler, config).run(move || body(&seen));
    if tracing {
        let mut h = DefaultHasher::new();
        trace.lock().unwrap().hash(&mut h);
        observed.lock().unwrap().hash(&mut h);
        eprintln!(
            "arc_sched trace: {:016x} ({} decisions)",
            h.finish(),
            trace.lock().unwrap().len()
        );
    }
}

/// Modes 1 and 2: thread `t` runs `program` on its share of `ops` (a
/// contiguous `1 / threads` of them), each program checked by its model
/// while the others run.
fn per_thread(threads: usize, ops: &[u8], program: fn(&[u8])) {
    let share = ops.len().div_ceil(threads).max(1);
    let mut shares = ops.chunks(share).map(<[u8]>::to_vec);
    let mine = shares.next().unwrap_or_default();
    let others: Vec<_> = (1..threads)
        .map(|_| {
            let theirs = shares.next().unwrap_or_default();
            thread::spawn(move || program(&theirs))
        })
        .collect();
    program(&mine);
    for other in others {
        other.join().unwrap();
    }
}

/// The schedule of the input under way, for the panic hook.
static CURRENT: StdMutex<Option<Trace>> = StdMutex::new(None);

/// Prints the hash of the decisions made so far when an execution fails
/// (libFuzzer's hook then aborts): a crash input, run twice, prints the
/// same hash, so its schedule replays exactly.
fn trace_on_panic(trace: &Trace) {
    static HOOK: std::sync::Once = std::sync::Once::new();
    *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = Some(trace.clone());
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Ok(current) = CURRENT.try_lock()
                && let Some(trace) = current.as_ref().and_then(|t| t.try_lock().ok())
            {
                let mut h = DefaultHasher::new();
                trace.hash(&mut h);
                eprintln!(
                    "arc_sched trace at the failure: {:016x} ({} decisions)",
                    h.finish(),
                    trace.len()
                );
            }
            previous(info);
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    let [flags, len, rest @ ..] = data else {
        return;
    };
    let threads = if flags & 1 == 0 { 2 } else { 3 };
    let wide = flags & 2 == 0;
    let wait_free = flags & 16 != 0;
    let (ops, schedule) = rest.split_at(usize::from(*len).min(rest.len()));
    let (ops, schedule) = (ops.to_vec(), schedule.to_vec());
    match flags >> 2 & 3 {
        0 => {
            let phases = model::decode_phases(&ops);
            run(schedule, move |_| match (wide, wait_free) {
                (true, false) => model::run_threaded_ops::<AtomicCount>(threads, &phases),
                (false, false) => model::run_threaded_ops::<AtomicCount<u32>>(threads, &phases),
                (true, true) => {
                    model::run_threaded_ops::<AtomicCount<usize, WaitFree>>(threads, &phases)
                }
                (false, true) => {
                    model::run_threaded_ops::<AtomicCount<u32, WaitFree>>(threads, &phases)
                }
            });
        }
        1 => run(schedule, move |_| {
            per_thread(threads, &ops, |bytes| {
                callback_model::Program::decode(bytes).run_atomic();
            });
        }),
        2 => run(schedule, move |_| {
            per_thread(threads, &ops, |bytes| {
                map_model::Program::decode(bytes).run_atomic();
            });
        }),
        _ => {
            let ops = ops[..ops.len().min(SHARED_OPS)].to_vec();
            run(schedule, move |seen| match (wide, wait_free) {
                (true, false) => shared_scenario::<usize, CasLoop>(threads, &ops, seen),
                (false, false) => shared_scenario::<u32, CasLoop>(threads, &ops, seen),
                (true, true) => shared_scenario::<usize, WaitFree>(threads, &ops, seen),
                (false, true) => shared_scenario::<u32, WaitFree>(threads, &ops, seen),
            });
        }
    }
});
