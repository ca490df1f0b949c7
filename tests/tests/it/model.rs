//! Property tests: pseudo-random byte strings, decoded by `arbitrary` into
//! operation sequences (as the fuzz targets do), run against the shared
//! reference models (`weakref_tests::model` for the handles,
//! `callback_model` for death callbacks, `map_model` for the weak
//! collections; the fuzz targets in `fuzz/` drive the same models).
//!
//! The bytes come from a fixed xorshift, so every run tests the same cases;
//! `WEAKREF_MODEL_CASES` sets how many (default 2000; under Miri 2, and
//! shorter). A
//! failing case prints its number, its bytes and the decoded program.

use weakref_core::count::{AtomicCount, LocalCount, RawCountUnique, WaitFreeCount};
use weakref_core::pool::Pool;
use weakref_tests::model::{
    Op, Payload, ThreadedOp, decode_ops, decode_phases, run_ops, run_ops_in, run_threaded_ops,
};
use weakref_tests::{CountingAlloc, callback_model, map_model};

/// How many cases each test runs.
fn cases() -> u64 {
    match std::env::var("WEAKREF_MODEL_CASES") {
        Ok(n) => n.parse().expect("WEAKREF_MODEL_CASES must be a number"),
        Err(_) if cfg!(miri) => 2,
        Err(_) => 2000,
    }
}

/// Marsaglia's xorshift64: small, deterministic, good enough for bytes.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        // Never 0 (a fixed point), and distinct seeds stay distinct.
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// Prints the failing case (number and bytes) if a check panics.
struct CaseGuard<'a> {
    test: &'a str,
    case: u64,
    bytes: &'a [u8],
}

impl Drop for CaseGuard<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "{}: case {} failed; bytes ({}): {:02x?}",
                self.test,
                self.case,
                self.bytes.len(),
                self.bytes
            );
        }
    }
}

/// Makes `cases` byte strings of up to `max_len` bytes (seeded by `salt`)
/// and hands each to `run`.
fn for_each_case(test: &str, salt: u64, cases: u64, max_len: u64, run: impl Fn(&[u8])) {
    // Miri runs each step a thousand times slower: shorter programs.
    let max_len = if cfg!(miri) { max_len / 6 } else { max_len };
    for case in 0..cases {
        let mut rng = XorShift::new(salt ^ (case << 20));
        let len = rng.next() % (max_len + 1);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _guard = CaseGuard {
            test,
            case,
            bytes: &bytes,
        };
        run(&bytes);
    }
}

fn heap_ops_match_the_model<C: RawCountUnique>() {
    for_each_case("heap", 1, cases(), 600, |bytes| {
        run_ops::<C>(&decode_ops(bytes))
    });
}

/// Room for three blocks: `try_new_in` fails when full.
fn bounded_heap_ops_match_the_model<C: RawCountUnique>() {
    for_each_case("bounded heap", 2, cases(), 600, |bytes| {
        run_ops_in::<C, _>(&decode_ops(bytes), CountingAlloc::with_limit(3));
    });
}

/// A three-slot pool: exhaustion, reuse, weak handles keeping slots.
fn pool_ops_match_the_model<C: RawCountUnique>() {
    for_each_case("pool", 3, cases(), 600, |bytes| {
        let pool = Pool::<Payload, C, 3>::new();
        run_ops_in::<C, _>(&decode_ops(bytes), &pool);
        assert_eq!(pool.in_use(), 0);
    });
}

/// Every operation at least once, by hand, including the corner cases the
/// random programs reach only now and then. (Also the fuzz seed
/// `fuzz/corpus/rc_ops/every_operation`.)
const EVERY_OPERATION: &[Op] = &[
    Op::New { to: 0 },
    Op::Clone { from: 0, to: 1 },
    Op::Downgrade { from: 0, to: 0 },
    Op::WeakClone { from: 0, to: 1 },
    Op::WeakNew { to: 2 },
    Op::Upgrade { from: 2, to: 3 }, // Weak::new: None
    Op::GetMut { at: 0 },           // shared: None
    Op::MakeMut { at: 1 },          // shared: clones into a new block
    Op::GetMut { at: 1 },           // unique now
    Op::TryUnwrap { at: 0 },        // weak handles don't stop it
    Op::Upgrade { from: 0, to: 2 }, // dead: None
    Op::New { to: 0 },
    Op::Downgrade { from: 0, to: 3 },
    Op::MakeMut { at: 0 }, // only weak: moves the value out
    Op::Upgrade { from: 3, to: 4 },
    Op::IntoRaw { from: 0, to: 0 },
    Op::WeakIntoRaw { from: 3, to: 0 },
    Op::WeakIntoRaw { from: 2, to: 1 }, // Weak::new's sentinel, raw
    Op::FromRaw { from: 0, to: 5 },
    Op::Clone { from: 5, to: 4 },
    Op::IntoInner { at: 5 },     // not last: None
    Op::UnwrapOrClone { at: 4 }, // last: moves
    Op::WeakFromRaw { from: 0, to: 5 },
    Op::WeakFromRaw { from: 1, to: 4 },
    Op::New { to: 2 },
    Op::Clone { from: 2, to: 3 },
    Op::UnwrapOrClone { at: 2 }, // shared: clones
    Op::IntoInner { at: 3 },     // last: Some
    Op::MakeMut { at: 1 },       // unique: in place
];

fn every_operation<C: RawCountUnique>() {
    run_ops::<C>(EVERY_OPERATION);
}

super::for_each_counter!(
    heap_ops_match_the_model,
    bounded_heap_ops_match_the_model,
    pool_ops_match_the_model,
    every_operation,
);

/// Phases on two and on three threads (see `run_threaded_ops`); a quarter
/// of the cases each, as each one starts threads.
fn threaded_ops_match_the_model<C: RawCountUnique + Send + Sync>() {
    let cases = cases().div_ceil(4);
    for threads in [2, 3] {
        for_each_case("threaded", 4 + threads as u64, cases, 900, |bytes| {
            run_threaded_ops::<C>(threads, &decode_phases(bytes));
        });
    }
}

#[test]
fn threaded_atomic() {
    threaded_ops_match_the_model::<AtomicCount>();
}

#[test]
fn threaded_atomic_u32() {
    threaded_ops_match_the_model::<AtomicCount<u32>>();
}

#[test]
fn threaded_wait_free() {
    threaded_ops_match_the_model::<WaitFreeCount>();
}

/// An upgrade racing the last drop, in every phase: thread 0 makes a value
/// and a weak handle in its slots 1 and 2; in the next phase slot 1 is
/// thread 2's and slot 2 thread 1's (see `run_threaded_ops`).
#[test]
fn threaded_upgrade_races_last_drop() {
    upgrade_races_last_drop::<AtomicCount>();
}

/// [`threaded_upgrade_races_last_drop`] with the wait-free upgrade.
#[test]
fn threaded_wait_free_upgrade_races_last_drop() {
    upgrade_races_last_drop::<WaitFreeCount>();
}

fn upgrade_races_last_drop<C: RawCountUnique + Send + Sync>() {
    let on = |thread, op| ThreadedOp { thread, op };
    let make = [
        on(0, Op::New { to: 1 }),
        on(0, Op::Downgrade { from: 1, to: 2 }),
    ];
    let race = [
        on(2, Op::Drop { at: 1 }),
        on(1, Op::Upgrade { from: 2, to: 0 }),
        on(1, Op::WeakDrop { at: 2 }),
        on(1, Op::Drop { at: 0 }),
    ];
    let mut phases = vec![make.to_vec()];
    for _ in 0..if cfg!(miri) { 3 } else { 200 } {
        phases.push(race.iter().chain(&make).copied().collect());
    }
    phases.push(race.to_vec());
    run_threaded_ops::<C>(3, &phases);
}

/// Death callbacks, finalizers, proxies and weak methods against the
/// callback model (`weakref_tests::callback_model`, the `callback_ops`
/// fuzz target's): a quarter of the cases, as each runs both families.
#[test]
fn callback_programs_match_the_model() {
    for_each_case("callbacks", 8, cases().div_ceil(4), 600, |bytes| {
        callback_model::Program::decode(bytes).run();
    });
}

/// The weak maps and the cache against the map model
/// (`weakref_tests::map_model`, the `weak_map_ops` fuzz target's): a
/// quarter of the cases, as each runs both counters.
#[test]
fn map_programs_match_the_model() {
    for_each_case("maps", 9, cases().div_ceil(4), 600, |bytes| {
        map_model::Program::decode(bytes).run();
    });
}

/// The committed fuzz seeds still decode to the programs they were written
/// for (`fuzz/seeds.py` mirrors `arbitrary`'s encoding of `Op`).
#[test]
fn fuzz_seed_layout_matches_op() {
    let seed = include_bytes!("../../../fuzz/corpus/rc_ops/every_operation");
    let (flags, program) = seed.split_first().unwrap();
    assert_eq!(*flags, 0);
    assert_eq!(decode_ops(program), EVERY_OPERATION);
}

/// Every committed fuzz seed passes its target's checks (the targets need
/// nightly; this runs them on stable).
#[test]
#[cfg_attr(miri, ignore = "reads the seed files")]
fn fuzz_seeds_pass() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let mut seeds = 0;
    for target in ["rc_ops", "arc_ops", "pool_ops"] {
        for entry in std::fs::read_dir(corpus.join(target)).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let Some((&flags, rest)) = bytes.split_first() else {
                continue;
            };
            match (target, flags & 1 != 0) {
                ("rc_ops", false) => run_ops::<LocalCount>(&decode_ops(rest)),
                ("rc_ops", true) => run_ops::<LocalCount<u32>>(&decode_ops(rest)),
                ("pool_ops", false) => {
                    let pool = Pool::<Payload, LocalCount, 4>::new();
                    run_ops_in::<LocalCount, _>(&decode_ops(rest), &pool);
                }
                ("pool_ops", true) => {
                    let pool = Pool::<Payload, AtomicCount, 4>::new();
                    run_ops_in::<AtomicCount, _>(&decode_ops(rest), &pool);
                }
                (_, compact) => {
                    let threads = if flags & 2 == 0 { 2 } else { 3 };
                    let phases = decode_phases(rest);
                    if compact {
                        run_threaded_ops::<AtomicCount<u32>>(threads, &phases);
                    } else {
                        run_threaded_ops::<AtomicCount>(threads, &phases);
                    }
                }
            }
            seeds += 1;
        }
    }
    for (target, run) in [
        (
            "callback_ops",
            (|b| callback_model::Program::decode(b).run()) as fn(&[u8]),
        ),
        ("weak_map_ops", |b| map_model::Program::decode(b).run()),
    ] {
        for entry in std::fs::read_dir(corpus.join(target)).unwrap() {
            run(&std::fs::read(entry.unwrap().path()).unwrap());
            seeds += 1;
        }
    }
    assert!(seeds >= 11, "the seed corpus is missing");
}
