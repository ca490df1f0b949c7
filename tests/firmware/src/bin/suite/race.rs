//! The embedded upgrade race: a SysTick handler upgrades a weak handle
//! while the main loop clones, drops and finally drops the last strong
//! handle of the value behind it; and the main loop upgrades while the
//! handler drops the strong handle it kept, perhaps the last one.
//!
//! Under `-icount` the interrupt lands at an exact instruction, anywhere in
//! the main loop (inside a count update too: between LDREX and STREX on the
//! Cortex-M4; between two critical sections on the Cortex-M0); the handler
//! reprograms the period pseudo-randomly, so over the run it lands all over
//! the loop. Each tick the handler
//!
//! 1. drops the strong handle the previous tick kept, if any (then the
//!    value may die in the handler);
//! 2. upgrades the published weak handle and checks what it reached: the
//!    value the main loop published, alive (its canary intact), or nothing;
//!    every other tick it keeps the strong handle until the next tick, or,
//!    when dead, takes the published weak handle (the block may then be
//!    freed in the handler);
//! 3. takes a pool slot of its own, racing the main loop's allocations and
//!    frees on the same pool; every third tick it keeps it until the next
//!    tick, then checks its value was not overwritten (a slot taken twice).
//!
//! The main loop takes a slot (and checks it is counted once), publishes a
//! weak handle, clones and drops, drops its strong handle, takes back the
//! weak handle and, until the handler has dropped what it kept, upgrades
//! it and checks what it reached. Then it checks the value was dropped
//! exactly once and its slot given back. At the end: the handler fired
//! many times, both sides' upgrades saw the value alive, the handler's also
//! dead, and values died in the handler as well as in the main loop.
//!
//! A non-atomic upgrade, strong decrement or slot take planted in
//! weakref-core fails this test on both cores (checked by hand).

use core::cell::{Cell, RefCell};
use core::fmt;
use core::hint::black_box;

use cortex_m::peripheral::scb::VectActive;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::{SCB, SYST};
use cortex_m_rt::exception;
use critical_section::Mutex;
use weakref_core::count::AtomicCount;
use weakref_core::pool::{Pooled, StaticPool};
use weakref_core::{Strong, Weak, static_pool};

use crate::Counter;

/// Values the main loop publishes, one after another.
const ITERATIONS: u32 = 50_000;
/// The tick period, in SysTick clocks: `PERIOD_MIN + (random % PERIOD_SPAN)`
/// (a clock is 40 instructions on mps2-an386, 62.5 on microbit, under
/// `-icount shift=0`): long enough for the handler to finish, short enough
/// to hit most iterations.
const PERIOD_MIN: u32 = 8;
const PERIOD_SPAN: u32 = 32;

/// The canary of a live value; `drop` overwrites it.
const LIVE: u32 = 0x11FE_CAFE;
const DEAD: u32 = 0xDEAD_DEAD;
/// The id of the handler's own values.
const HANDLER_ID: u32 = u32::MAX;

struct Canary {
    id: u32,
    magic: u32,
}

impl Canary {
    fn new(id: u32) -> Self {
        Canary { id, magic: LIVE }
    }
}

impl Drop for Canary {
    fn drop(&mut self) {
        assert_eq!(self.magic, LIVE, "value {} dropped twice", self.id);
        self.magic = DEAD;
        if self.id != HANDLER_ID {
            MAIN_DROPS.add(1);
            if SCB::vect_active() != VectActive::ThreadMode {
                DROPPED_IN_HANDLER.add(1);
            }
        }
    }
}

static_pool! {
    /// The main loop's value (kept by the handler at times) and the
    /// handler's own.
    struct RacePool: Pool<Canary, AtomicCount, 2>;
}
type RaceArc = Strong<Canary, AtomicCount, Pooled<RacePool>>;
type RaceWeak = Weak<Canary, AtomicCount, Pooled<RacePool>>;

/// The weak handle the main loop publishes, and the id behind it.
static PUBLISHED: Mutex<RefCell<Option<RaceWeak>>> = Mutex::new(RefCell::new(None));
static PUBLISHED_ID: Mutex<Cell<u32>> = Mutex::new(Cell::new(0));
/// The handler's own value, kept until its next tick.
static OWN: Mutex<RefCell<Option<RaceArc>>> = Mutex::new(RefCell::new(None));
/// A strong handle the handler keeps until its next tick, and its id.
static KEPT: Mutex<RefCell<Option<(RaceArc, u32)>>> = Mutex::new(RefCell::new(None));
/// The timer, for the handler to reprogram; and its random state.
static TIMER: Mutex<RefCell<Option<SYST>>> = Mutex::new(RefCell::new(None));
static SEED: Mutex<Cell<u32>> = Mutex::new(Cell::new(0x2545_F491));

static TICKS: Counter = Counter::new();
static SEEN_ALIVE: Counter = Counter::new();
static SEEN_DEAD: Counter = Counter::new();
static MAIN_DROPS: Counter = Counter::new();
static DROPPED_IN_HANDLER: Counter = Counter::new();
static HANDLER_ALLOCATIONS: Counter = Counter::new();
static MAIN_SAW_ALIVE: Counter = Counter::new();

/// What the run observed.
pub(crate) struct Report {
    ticks: u32,
    alive: u32,
    dead: u32,
    dropped_in_handler: u32,
    main_upgrades: u32,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{ITERATIONS} values, {} ticks: the handler's upgrade saw {} alive, {} dead; \
             the main loop's saw {} alive; {} values died in the handler",
            self.ticks, self.alive, self.dead, self.main_upgrades, self.dropped_in_handler
        )
    }
}

fn next_period() -> u32 {
    critical_section::with(|cs| {
        // xorshift32
        let seed = SEED.borrow(cs);
        let mut x = seed.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        seed.set(x);
        PERIOD_MIN + x % PERIOD_SPAN
    })
}

#[exception]
fn SysTick() {
    TICKS.add(1);
    let tick = TICKS.get();
    let even = tick.is_multiple_of(2);
    // 1. What the last tick kept: still alive (its strong handle kept it
    // so), and still that value; maybe its last strong handle.
    if let Some((kept, id)) = critical_section::with(|cs| KEPT.borrow_ref_mut(cs).take()) {
        assert_eq!(kept.magic, LIVE, "value {id} dropped under a strong handle");
        assert_eq!(
            kept.id, id,
            "value {id}'s block reused under a strong handle"
        );
        drop(kept);
    }
    if let Some(own) = critical_section::with(|cs| OWN.borrow_ref_mut(cs).take()) {
        assert_eq!(
            (own.id, own.magic),
            (HANDLER_ID, LIVE),
            "the handler's value overwritten: its slot taken twice"
        );
    }
    // 2. The upgrade.
    let published = critical_section::with(|cs| PUBLISHED.borrow_ref(cs).clone());
    if let Some(weak) = published {
        match weak.upgrade() {
            Some(strong) => {
                SEEN_ALIVE.add(1);
                assert_eq!(strong.magic, LIVE, "upgraded to a dropped value");
                let id = critical_section::with(|cs| PUBLISHED_ID.borrow(cs).get());
                assert_eq!(strong.id, id, "upgraded to another value: block reused");
                if even {
                    critical_section::with(|cs| *KEPT.borrow_ref_mut(cs) = Some((strong, id)));
                }
            }
            None => {
                SEEN_DEAD.add(1);
                if even {
                    // Then `weak`, dropped below, is the last weak handle.
                    drop(critical_section::with(|cs| {
                        PUBLISHED.borrow_ref_mut(cs).take()
                    }));
                }
            }
        }
    }
    // 3. A slot of the handler's own: the main loop holds at most one.
    let own = RaceArc::try_new_in(Canary::new(HANDLER_ID), Pooled::new())
        .expect("the handler's slot: a slot leaked or was taken twice");
    HANDLER_ALLOCATIONS.add(1);
    if tick.is_multiple_of(3) {
        critical_section::with(|cs| *OWN.borrow_ref_mut(cs) = Some(own));
    }
    let period = next_period();
    critical_section::with(|cs| {
        if let Some(timer) = TIMER.borrow_ref_mut(cs).as_mut() {
            timer.set_reload(period);
        }
    });
}

/// The pool's slots in use, less the one the handler keeps, if any (below
/// zero if that one was counted once for two owners).
fn slots_in_use_beside_own() -> isize {
    critical_section::with(|cs| {
        let own = isize::from(OWN.borrow_ref(cs).is_some());
        RacePool::get().in_use() as isize - own
    })
}

/// Runs the race; panics (failing the suite) on any wrong observation.
pub(crate) fn run(mut timer: SYST) -> Report {
    timer.set_clock_source(SystClkSource::Core);
    timer.set_reload(next_period());
    timer.clear_current();
    timer.enable_interrupt();
    timer.enable_counter();
    critical_section::with(|cs| *TIMER.borrow_ref_mut(cs) = Some(timer));

    for i in 0..ITERATIONS {
        let drops = MAIN_DROPS.get();
        let value = RaceArc::try_new_in(Canary::new(i), Pooled::new())
            .expect("a free slot: the handler holds at most one");
        // This value's slot and the handler's own, if it keeps one: a slot
        // taken twice would count once.
        assert_eq!(slots_in_use_beside_own(), 1, "value {i}'s slot taken once");
        critical_section::with(|cs| {
            PUBLISHED_ID.borrow(cs).set(i);
            let old = PUBLISHED
                .borrow_ref_mut(cs)
                .replace(RaceArc::downgrade(&value));
            assert!(old.is_none(), "the last value's weak handle was not taken");
        });
        // Count updates for the handler to land in.
        for _ in 0..i % 4 {
            black_box(RaceArc::clone(&value));
        }
        // The last strong handle, unless the handler keeps one.
        drop(value);
        for _ in 0..i % 8 {
            black_box(());
        }
        // The published weak handle, unless the handler took it.
        let weak = critical_section::with(|cs| PUBLISHED.borrow_ref_mut(cs).take());
        // The handler's next tick drops what it kept, perhaps the last
        // strong handle; meanwhile the main loop upgrades too.
        while critical_section::with(|cs| KEPT.borrow_ref(cs).is_some()) {
            if let Some(strong) = weak.as_ref().and_then(RaceWeak::upgrade) {
                assert_eq!(
                    (strong.id, strong.magic),
                    (i, LIVE),
                    "upgraded to a dead value"
                );
                MAIN_SAW_ALIVE.add(1);
            }
        }
        drop(weak);
        assert_eq!(MAIN_DROPS.get(), drops + 1, "value {i} dropped once");
        assert_eq!(slots_in_use_beside_own(), 0, "value {i}'s slot given back");
    }

    critical_section::with(|cs| {
        if let Some(timer) = TIMER.borrow_ref_mut(cs).as_mut() {
            timer.disable_interrupt();
            timer.disable_counter();
        }
    });
    drop(critical_section::with(|cs| OWN.borrow_ref_mut(cs).take()));
    assert_eq!(RacePool::get().in_use(), 0);
    let report = Report {
        ticks: TICKS.get(),
        alive: SEEN_ALIVE.get(),
        dead: SEEN_DEAD.get(),
        dropped_in_handler: DROPPED_IN_HANDLER.get(),
        main_upgrades: MAIN_SAW_ALIVE.get(),
    };
    assert_eq!(HANDLER_ALLOCATIONS.get(), report.ticks);
    assert!(
        report.ticks >= ITERATIONS / 4,
        "the handler fired: {} ticks",
        report.ticks
    );
    assert!(
        report.alive > 0 && report.dead > 0,
        "both outcomes: {report}"
    );
    assert!(report.main_upgrades > 0, "the main loop upgraded: {report}");
    assert!(
        report.dropped_in_handler > 0,
        "a value died in the handler: {report}"
    );
    assert_eq!(MAIN_DROPS.get(), ITERATIONS);
    report
}
