//! The operation enum and the reference model, shared by the property tests
//! (`tests/tests/it/model.rs`) and the fuzz targets (`fuzz/`): one
//! definition of what every operation must do, checked at every step.
//!
//! # How it works
//!
//! * [`Op`] is one operation on a handful of **handle slots**: strong
//!   slots, weak slots, and slots holding the raw pointers of `into_raw`
//!   (strong and weak). Slot indices are bytes, taken modulo the number of
//!   slots of their kind, so any byte string decodes (through
//!   [`arbitrary`], see [`Program`]) into a valid program. An operation
//!   whose source slot is empty uses the next occupied slot of that kind,
//!   or, if all are empty, makes a handle of that kind instead (so few
//!   fuzzer bytes are wasted); a result stored into an occupied slot drops
//!   the old handle.
//! * The [`Model`] is the reference: which block each slot refers to, and
//!   per block (object) its strong and weak counts, its current value (an
//!   id) or that it is dead, and the drop log it expects.
//! * The real handles are `Strong<Payload, C, A>` / `Weak<Payload, C, A>`,
//!   whose values are [`Tracked`] payloads: a value's id *is* its value, so
//!   `get_mut`/`make_mut` write a fresh id and the [`DropLog`] says which
//!   value died when. Blocks live in a [`CountingAlloc`], a static
//!   [`Pool`], or any [`ModelAlloc`].
//! * [`run_ops`] / [`run_ops_in`] apply each op to the real handles, check
//!   its outcome against the model's prediction, apply it to the model, and
//!   then compare **everything**: every handle's `strong_count`,
//!   `weak_count`, value, `upgrade` result and pointer identity, the drop
//!   log, and the allocator's live blocks. At the end every handle is
//!   dropped (still checked), every value must have been dropped exactly
//!   once, and the allocator must balance.
//! * [`run_threaded_ops`] runs phases of [`ThreadedOp`]s on two or three
//!   threads (see its docs): each thread checks what must hold whatever the
//!   interleaving, and the main thread checks everything exactly between
//!   phases.
//!
//! # Examples
//!
//! ```
//! use weakref_core::count::LocalCount;
//! use weakref_tests::model::{Op, run_ops};
//!
//! run_ops::<LocalCount>(&[
//!     Op::New { to: 0 },
//!     Op::Downgrade { from: 0, to: 0 },
//!     Op::Drop { at: 0 },
//!     Op::Upgrade { from: 0, to: 1 }, // the value is dead: `None`
//! ]);
//! ```
//!
//! The death callbacks and the weak collections have their own models,
//! [`callback_model`](crate::callback_model) and
//! [`map_model`](crate::map_model), shared the same way.

use std::cell::Cell;
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
// Under `--cfg weakref_shuttle` (the schedule fuzzer `arc_sched`, which
// runs `run_threaded_ops` inside a shuttle execution) the threads and the
// per-thread clone count are shuttle's: its threads share one OS thread,
// so std's thread-locals would be shared between them.
#[cfg(weakref_shuttle)]
use shuttle::{thread, thread_local};
#[cfg(not(weakref_shuttle))]
use std::{thread, thread_local};

use arbitrary::{Arbitrary, Unstructured};
use weakref_core::count::{RawCount, RawCountUnique, Sharing};
use weakref_core::pool::{Pool, Pooled, StaticPool};
use weakref_core::storage::{AllocError, Allocator};
use weakref_core::{Strong, Weak};

use crate::{CountingAlloc, DropLog, Tracked};

// ---------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------

/// One operation of a model program. Each field is a slot index, taken
/// modulo the number of slots of its kind: **S** (strong handles),
/// **W** (weak handles), **R** (raw pointers from `Strong::into_raw`),
/// **RW** (raw pointers from `Weak::into_raw`). A source slot that is
/// empty is replaced as the [module docs](self) say.
///
/// # Examples
///
/// ```
/// use arbitrary::{Arbitrary, Unstructured};
/// use weakref_tests::model::Op;
///
/// let mut bytes = Unstructured::new(&[3, 1, 4, 1, 5, 9, 2, 6]);
/// let ops = Vec::<Op>::arbitrary(&mut bytes).unwrap();
/// assert!(ops.len() <= 8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Arbitrary)]
pub enum Op {
    /// `Strong::try_new_in` of a fresh value into S`to` (it may fail with
    /// `AllocError` when the allocator is full).
    New {
        /// S
        to: u8,
    },
    /// `Strong::clone` of S`from` into S`to`.
    Clone {
        /// S
        from: u8,
        /// S
        to: u8,
    },
    /// Drops S`at`.
    Drop {
        /// S
        at: u8,
    },
    /// `Strong::downgrade` of S`from` into W`to`.
    Downgrade {
        /// S
        from: u8,
        /// W
        to: u8,
    },
    /// `Weak::upgrade` of W`from`; a success goes into S`to`.
    Upgrade {
        /// W
        from: u8,
        /// S
        to: u8,
    },
    /// `Weak::new_in` (no block) into W`to`.
    WeakNew {
        /// W
        to: u8,
    },
    /// `Weak::clone` of W`from` into W`to`.
    WeakClone {
        /// W
        from: u8,
        /// W
        to: u8,
    },
    /// Drops W`at`.
    WeakDrop {
        /// W
        at: u8,
    },
    /// `Strong::get_mut` on S`at`; on success, writes a fresh value.
    GetMut {
        /// S
        at: u8,
    },
    /// `Strong::make_mut` on S`at`, then writes a fresh value.
    MakeMut {
        /// S
        at: u8,
    },
    /// `Strong::try_unwrap` of S`at` (the handle comes back on failure;
    /// the value is dropped on success).
    TryUnwrap {
        /// S
        at: u8,
    },
    /// `Strong::into_inner` of S`at` (the value, if any, is dropped).
    IntoInner {
        /// S
        at: u8,
    },
    /// `Strong::unwrap_or_clone` of S`at` (the value, or a clone renamed to
    /// a fresh value, is dropped).
    UnwrapOrClone {
        /// S
        at: u8,
    },
    /// `Strong::into_raw_with_allocator` of S`from` into R`to`.
    IntoRaw {
        /// S
        from: u8,
        /// R
        to: u8,
    },
    /// `Strong::from_raw_in` of R`from` into S`to`.
    FromRaw {
        /// R
        from: u8,
        /// S
        to: u8,
    },
    /// `Weak::into_raw_with_allocator` of W`from` into RW`to`.
    WeakIntoRaw {
        /// W
        from: u8,
        /// RW
        to: u8,
    },
    /// `Weak::from_raw_in` of RW`from` into W`to`.
    WeakFromRaw {
        /// RW
        from: u8,
        /// W
        to: u8,
    },
}

/// The four kinds of slots an [`Op`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Strong,
    Weak,
    Raw,
    RawWeak,
}

impl Op {
    /// The same operation with every slot index passed through `f`.
    fn map_slots(self, mut f: impl FnMut(Kind, u8) -> u8) -> Op {
        use Kind::*;
        match self {
            Op::New { to } => Op::New { to: f(Strong, to) },
            Op::Clone { from, to } => Op::Clone {
                from: f(Strong, from),
                to: f(Strong, to),
            },
            Op::Drop { at } => Op::Drop { at: f(Strong, at) },
            Op::Downgrade { from, to } => Op::Downgrade {
                from: f(Strong, from),
                to: f(Weak, to),
            },
            Op::Upgrade { from, to } => Op::Upgrade {
                from: f(Weak, from),
                to: f(Strong, to),
            },
            Op::WeakNew { to } => Op::WeakNew { to: f(Weak, to) },
            Op::WeakClone { from, to } => Op::WeakClone {
                from: f(Weak, from),
                to: f(Weak, to),
            },
            Op::WeakDrop { at } => Op::WeakDrop { at: f(Weak, at) },
            Op::GetMut { at } => Op::GetMut { at: f(Strong, at) },
            Op::MakeMut { at } => Op::MakeMut { at: f(Strong, at) },
            Op::TryUnwrap { at } => Op::TryUnwrap { at: f(Strong, at) },
            Op::IntoInner { at } => Op::IntoInner { at: f(Strong, at) },
            Op::UnwrapOrClone { at } => Op::UnwrapOrClone { at: f(Strong, at) },
            Op::IntoRaw { from, to } => Op::IntoRaw {
                from: f(Strong, from),
                to: f(Raw, to),
            },
            Op::FromRaw { from, to } => Op::FromRaw {
                from: f(Raw, from),
                to: f(Strong, to),
            },
            Op::WeakIntoRaw { from, to } => Op::WeakIntoRaw {
                from: f(Weak, from),
                to: f(RawWeak, to),
            },
            Op::WeakFromRaw { from, to } => Op::WeakFromRaw {
                from: f(RawWeak, from),
                to: f(Weak, to),
            },
        }
    }

    /// The same operation with every index reduced modulo its slot count.
    fn resolve(self, slots: Slots) -> Op {
        // Slot counts are at most 255, so the remainder fits a `u8`.
        self.map_slots(|kind, i| (usize::from(i) % slots.of(kind)) as u8)
    }
}

/// An [`Op`] for [`run_threaded_ops`], run by thread `thread % 3`.
///
/// # Examples
///
/// ```
/// use weakref_tests::model::{Op, ThreadedOp};
/// let step = ThreadedOp { thread: 1, op: Op::New { to: 0 } };
/// assert_eq!(step.thread, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Arbitrary)]
pub struct ThreadedOp {
    /// Which thread runs it (modulo the number of threads).
    pub thread: u8,
    /// What it runs, on that thread's slots.
    pub op: Op,
}

/// A whole program for [`run_ops`]: [`Op`]s decoded one after another
/// until the bytes run out. (`Vec::<Op>::arbitrary` spends a "continue"
/// bit per element, so random bytes decode to two ops on average; here
/// every byte counts.) The fuzz targets take it as input, so `cargo fuzz
/// fmt` prints the program.
///
/// # Examples
///
/// ```
/// use arbitrary::{Arbitrary, Unstructured};
/// use weakref_tests::model::{Op, Program};
///
/// // Tag 0 (`New`, 4 bytes little-endian), then its slot.
/// let program = Program::arbitrary_take_rest(Unstructured::new(&[0, 0, 0, 0, 3])).unwrap();
/// assert_eq!(program.0, [Op::New { to: 3 }]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Program(pub Vec<Op>);

impl<'a> Arbitrary<'a> for Program {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut ops = Vec::new();
        while !u.is_empty() {
            ops.push(Op::arbitrary(u)?);
        }
        Ok(Program(ops))
    }
}

/// A whole program for [`run_threaded_ops`]: phases, each a length (1 to
/// 16) and then that many [`ThreadedOp`]s, until the bytes run out.
///
/// # Examples
///
/// ```
/// use arbitrary::{Arbitrary, Unstructured};
/// use weakref_tests::model::ThreadedProgram;
///
/// // Length byte 1 (% 16 + 1 = 2 ops), then two all-zero ops.
/// let bytes = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// let program = ThreadedProgram::arbitrary_take_rest(Unstructured::new(&bytes)).unwrap();
/// assert_eq!(program.0.len(), 1);
/// assert_eq!(program.0[0].len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThreadedProgram(pub Vec<Vec<ThreadedOp>>);

impl<'a> Arbitrary<'a> for ThreadedProgram {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut phases = Vec::new();
        while !u.is_empty() {
            let len = u.int_in_range(1..=16u8)?;
            let phase = (0..len)
                .map(|_| ThreadedOp::arbitrary(u))
                .collect::<arbitrary::Result<_>>()?;
            phases.push(phase);
        }
        Ok(ThreadedProgram(phases))
    }
}

/// Decodes all of `bytes` into a [`Program`]'s ops.
///
/// # Examples
///
/// ```
/// use weakref_tests::model::decode_ops;
/// assert!(decode_ops(&[]).is_empty());
/// assert_eq!(decode_ops(&[0, 0, 0, 0, 0]).len(), 1);
/// ```
pub fn decode_ops(bytes: &[u8]) -> Vec<Op> {
    // Never fails: an exhausted `Unstructured` yields zeros.
    Program::arbitrary_take_rest(Unstructured::new(bytes)).map_or_else(|_| Vec::new(), |p| p.0)
}

/// Decodes all of `bytes` into a [`ThreadedProgram`]'s phases.
///
/// # Examples
///
/// ```
/// use weakref_tests::model::decode_phases;
/// assert!(decode_phases(&[]).is_empty());
/// ```
pub fn decode_phases(bytes: &[u8]) -> Vec<Vec<ThreadedOp>> {
    ThreadedProgram::arbitrary_take_rest(Unstructured::new(bytes))
        .map_or_else(|_| Vec::new(), |p| p.0)
}

/// How many slots of each kind a program has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slots {
    strong: usize,
    weak: usize,
    raw: usize,
    raw_weak: usize,
}

impl Slots {
    fn of(self, kind: Kind) -> usize {
        match kind {
            Kind::Strong => self.strong,
            Kind::Weak => self.weak,
            Kind::Raw => self.raw,
            Kind::RawWeak => self.raw_weak,
        }
    }

    fn times(self, n: usize) -> Slots {
        Slots {
            strong: self.strong * n,
            weak: self.weak * n,
            raw: self.raw * n,
            raw_weak: self.raw_weak * n,
        }
    }
}

/// The slots of a single-threaded program: few, so that ops collide.
const SLOTS: Slots = Slots {
    strong: 6,
    weak: 6,
    raw: 3,
    raw_weak: 3,
};

/// The slots each thread of [`run_threaded_ops`] owns during one phase.
const THREAD_SLOTS: Slots = Slots {
    strong: 4,
    weak: 4,
    raw: 2,
    raw_weak: 2,
};

/// The most threads [`run_threaded_ops`] runs on.
pub const MAX_THREADS: usize = 3;

// ---------------------------------------------------------------------------
// Payloads and ids
// ---------------------------------------------------------------------------

thread_local! {
    /// How many [`Payload`]s this thread has cloned.
    static CLONES: Cell<u64> = const { Cell::new(0) };
}

/// This thread's [`Payload`] clone count.
fn clones() -> u64 {
    CLONES.with(Cell::get)
}

/// The value every model handle owns: a [`Tracked`] whose id is the value
/// the model expects (and what the drop log records), with a `Clone` that
/// is counted per thread, so a driver can tell whether `make_mut` or
/// `unwrap_or_clone` cloned the value or moved it.
///
/// # Examples
///
/// ```
/// use weakref_tests::DropLog;
/// use weakref_tests::model::Payload;
///
/// let log = DropLog::new();
/// let value = Payload(log.tracked(4));
/// assert_eq!(value.clone(), value);
/// ```
#[derive(Debug, PartialEq)]
pub struct Payload(pub Tracked);

impl Clone for Payload {
    fn clone(&self) -> Self {
        CLONES.with(|c| c.set(c.get() + 1));
        Payload(self.0.clone())
    }
}

/// Hands out value ids `start, start + step, …`: each thread of a threaded
/// run gets its own residue class, so ids stay unique without a lock.
#[derive(Debug, Clone, Copy)]
struct IdSource {
    next: u32,
    step: u32,
}

impl IdSource {
    fn new(start: u32, step: u32) -> Self {
        IdSource { next: start, step }
    }

    fn fresh(&mut self) -> u32 {
        let id = self.next;
        self.next = self.next.checked_add(self.step).expect("ids exhausted");
        id
    }
}

// ---------------------------------------------------------------------------
// Allocators the model can audit
// ---------------------------------------------------------------------------

/// An allocator whose live blocks the model can count: blocks are checked
/// after every step, and a full allocator must make `try_new_in` fail.
///
/// Implemented for [`CountingAlloc`] (bounded by
/// [`CountingAlloc::with_limit`]), for `&Pool` and for [`Pooled`] static
/// pools.
///
/// # Examples
///
/// ```
/// use weakref_core::count::LocalCount;
/// use weakref_core::pool::Pool;
/// use weakref_tests::model::{ModelAlloc, Op, Payload, run_ops_in};
///
/// let pool = Pool::<Payload, LocalCount, 2>::new();
/// assert_eq!(ModelAlloc::capacity(&&pool), Some(2));
/// run_ops_in::<LocalCount, _>(&[Op::New { to: 0 }, Op::New { to: 1 }, Op::New { to: 2 }], &pool);
/// ```
pub trait ModelAlloc: Allocator + Clone {
    /// The number of blocks allocated now.
    fn live_blocks(&self) -> usize;
    /// The most blocks it holds at once, if bounded.
    fn capacity(&self) -> Option<usize>;
    /// Panics unless everything was given back.
    #[track_caller]
    fn assert_balanced(&self) {
        assert_eq!(self.live_blocks(), 0, "blocks leaked");
    }
}

impl ModelAlloc for CountingAlloc {
    fn live_blocks(&self) -> usize {
        self.live()
    }

    fn capacity(&self) -> Option<usize> {
        self.limit
    }

    #[track_caller]
    fn assert_balanced(&self) {
        CountingAlloc::assert_balanced(self);
    }
}

impl<V, K, const N: usize> ModelAlloc for &Pool<V, K, N> {
    fn live_blocks(&self) -> usize {
        self.in_use()
    }

    fn capacity(&self) -> Option<usize> {
        Some(N)
    }
}

impl<P, V: 'static, K: 'static, const N: usize> ModelAlloc for Pooled<P>
where
    P: StaticPool<Pool = Pool<V, K, N>>,
{
    fn live_blocks(&self) -> usize {
        P::get().in_use()
    }

    fn capacity(&self) -> Option<usize> {
        Some(N)
    }
}

// ---------------------------------------------------------------------------
// The reference model
// ---------------------------------------------------------------------------

/// What a weak slot refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// `Weak::new_in`: no block.
    Dangling,
    /// A block, by index into [`Model::blocks`].
    Block(usize),
}

impl Target {
    fn block(self) -> Option<usize> {
        match self {
            Target::Dangling => None,
            Target::Block(b) => Some(b),
        }
    }
}

/// One block (one object) of the model.
#[derive(Debug, Clone)]
struct BlockModel {
    /// Strong handles, raw ones included. Signed: a threaded replay may
    /// apply one thread's decrement before another's increment.
    strong: isize,
    /// Weak handles, raw ones included; not the implicit weak.
    weak: isize,
    /// The value's id while it is alive (in deferred mode: until it is
    /// moved out, or the phase is resolved).
    value: Option<u32>,
    /// Deferred mode: the values moved out of this block this phase, and
    /// whether the mover dropped them (logged) or kept them (`make_mut`).
    takes: Vec<(u32, bool)>,
    /// Whether the counts above are the whole truth. Always true, except
    /// in a thread's view of a block that other threads also hold.
    exclusive: bool,
}

impl BlockModel {
    fn fresh(id: u32) -> Self {
        BlockModel {
            strong: 1,
            weak: 0,
            value: Some(id),
            takes: Vec::new(),
            exclusive: true,
        }
    }

    /// The block is allocated while a strong handle (hence the implicit
    /// weak) or a weak handle exists.
    fn allocated(&self) -> bool {
        self.strong > 0 || self.weak > 0
    }
}

/// What an [`Op`] did to the real handles; the model predicts it and then
/// applies it. Fresh value ids are part of the outcome, so the model never
/// has to guess which id a thread used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The source slot was empty: nothing happened.
    Empty,
    /// A deterministic operation was done.
    Done,
    /// `try_new_in` of value `id`: stored, or refused (and `id` dropped).
    New { id: u32, ok: bool },
    /// `upgrade`: the value id seen, if any.
    Upgrade(Option<u32>),
    /// `get_mut`: the old and the fresh value id, on success.
    GetMut(Option<(u32, u32)>),
    /// `make_mut`: which case it took, the old and the fresh value id.
    MakeMut {
        sharing: Sharing,
        old: u32,
        fresh: u32,
    },
    /// `make_mut` was not called: it would allocate, and the allocator is
    /// full (a failed allocation there aborts, like std's).
    MakeMutSkipped,
    /// `try_unwrap`: the value id taken, on success.
    TryUnwrap(Option<u32>),
    /// `into_inner`: the value id taken, if last.
    IntoInner(Option<u32>),
    /// `unwrap_or_clone`: the value id it returned, and the fresh id its
    /// clone was renamed to (`None`: the value was moved out).
    UnwrapOrClone { old: u32, fresh: Option<u32> },
}

/// The reference model: logical handles in slots, and per block its strong
/// and weak counts, its value (an id) or death, and the drop log to expect.
///
/// Drivers ([`run_ops`], [`run_threaded_ops`]) use it; it is public for
/// its documentation. In *deferred* mode (threaded phases) a value whose
/// strong count reaches 0 is declared dead only when the phase is
/// resolved, since the threads' operations are replayed in an order that
/// need not be the order they happened in.
#[derive(Debug, Clone)]
pub struct Model {
    blocks: Vec<BlockModel>,
    strong: Vec<Option<usize>>,
    weak: Vec<Option<Target>>,
    raw: Vec<Option<usize>>,
    raw_weak: Vec<Option<Target>>,
    /// The drop log to expect (in deferred mode, in some order).
    dropped: Vec<u32>,
    /// Every value id that came into being (new values, renames, clones).
    born: Vec<u32>,
    /// Ids that were overwritten by a rename (their value lives on under
    /// the new id, so they are never dropped).
    renamed: Vec<u32>,
    capacity: Option<usize>,
    deferred: bool,
}

impl Model {
    fn new(slots: Slots, capacity: Option<usize>, deferred: bool) -> Self {
        Model {
            blocks: Vec::new(),
            strong: vec![None; slots.strong],
            weak: vec![None; slots.weak],
            raw: vec![None; slots.raw],
            raw_weak: vec![None; slots.raw_weak],
            dropped: Vec::new(),
            born: Vec::new(),
            renamed: Vec::new(),
            capacity,
            deferred,
        }
    }

    fn slots(&self) -> Slots {
        Slots {
            strong: self.strong.len(),
            weak: self.weak.len(),
            raw: self.raw.len(),
            raw_weak: self.raw_weak.len(),
        }
    }

    /// The allocated blocks: exactly those some handle refers to (every
    /// handle keeps its block allocated, and a block with no handle has
    /// strong and weak 0).
    fn live_blocks(&self) -> usize {
        let mut held: Vec<usize> = self.held_blocks().collect();
        held.sort_unstable();
        held.dedup();
        held.len()
    }

    /// The block of every handle, with repeats.
    fn held_blocks(&self) -> impl Iterator<Item = usize> + '_ {
        let weak = self.weak.iter().chain(&self.raw_weak);
        (self.strong.iter().chain(&self.raw).flatten().copied())
            .chain(weak.flatten().filter_map(|t| t.block()))
    }

    /// Forgets the blocks no handle refers to (they are dead for good),
    /// renumbering the others; keeps a long run's model small.
    fn compact(&mut self) {
        let mut renumber = vec![None; self.blocks.len()];
        let mut kept = Vec::new();
        let blocks = &self.blocks;
        let mut map = |b: &mut usize| {
            *b = *renumber[*b].get_or_insert_with(|| {
                kept.push(blocks[*b].clone());
                kept.len() - 1
            });
        };
        for b in self.strong.iter_mut().chain(&mut self.raw).flatten() {
            map(b);
        }
        for target in self.weak.iter_mut().chain(&mut self.raw_weak).flatten() {
            if let Target::Block(b) = target {
                map(b);
            }
        }
        for (b, block) in self.blocks.iter().enumerate() {
            if renumber[b].is_none() {
                assert!(
                    !block.allocated() && block.value.is_none() && block.takes.is_empty(),
                    "a block no handle refers to is not dead: {block:?}"
                );
            }
        }
        self.blocks = kept;
    }

    /// Whether the allocator has room for one more block.
    fn room(&self) -> bool {
        self.capacity.is_none_or(|cap| self.live_blocks() < cap)
    }

    /// Whether `op` is a `make_mut` that would need a new block (the value
    /// is shared with other handles) while the allocator is full.
    fn make_mut_would_abort(&self, op: Op) -> bool {
        let Op::MakeMut { at } = op else { return false };
        let Some(b) = self.strong[usize::from(at)] else {
            return false;
        };
        let block = &self.blocks[b];
        (block.strong > 1 || block.weak > 0) && !self.room()
    }

    /// The same op, with its source slot moved to the first occupied slot
    /// of its kind at or after it (cyclically), so that few ops are wasted
    /// on empty slots. When every slot of that kind is empty, the op makes
    /// a handle of that kind instead (`New`, `Downgrade`, `IntoRaw`, …).
    fn retarget(&self, op: Op) -> Op {
        fn occupied<T>(slots: &[Option<T>], i: u8) -> Option<u8> {
            crate::next_occupied(slots, i).map(|j| j as u8)
        }
        // Retargets a strong source, or makes a value into S`i`.
        let strong = |i: u8, op: &dyn Fn(u8) -> Op| match occupied(&self.strong, i) {
            Some(i) => op(i),
            None => Op::New { to: i },
        };
        // Retargets a weak source, or makes a weak handle into W`i`.
        let weak = |i: u8, op: &dyn Fn(u8) -> Op| match occupied(&self.weak, i) {
            Some(i) => op(i),
            None => match occupied(&self.strong, i) {
                Some(from) => Op::Downgrade { from, to: i },
                None => Op::WeakNew { to: i },
            },
        };
        match op {
            Op::New { .. } | Op::WeakNew { .. } => op,
            Op::Clone { from, to } => strong(from, &|from| Op::Clone { from, to }),
            Op::Drop { at } => strong(at, &|at| Op::Drop { at }),
            Op::Downgrade { from, to } => strong(from, &|from| Op::Downgrade { from, to }),
            Op::GetMut { at } => strong(at, &|at| Op::GetMut { at }),
            Op::MakeMut { at } => strong(at, &|at| Op::MakeMut { at }),
            Op::TryUnwrap { at } => strong(at, &|at| Op::TryUnwrap { at }),
            Op::IntoInner { at } => strong(at, &|at| Op::IntoInner { at }),
            Op::UnwrapOrClone { at } => strong(at, &|at| Op::UnwrapOrClone { at }),
            Op::IntoRaw { from, to } => strong(from, &|from| Op::IntoRaw { from, to }),
            Op::Upgrade { from, to } => weak(from, &|from| Op::Upgrade { from, to }),
            Op::WeakClone { from, to } => weak(from, &|from| Op::WeakClone { from, to }),
            Op::WeakDrop { at } => weak(at, &|at| Op::WeakDrop { at }),
            Op::WeakIntoRaw { from, to } => weak(from, &|from| Op::WeakIntoRaw { from, to }),
            Op::FromRaw { from, to } => match occupied(&self.raw, from) {
                Some(from) => Op::FromRaw { from, to },
                None => strong(to, &|at| Op::IntoRaw { from: at, to: from }),
            },
            Op::WeakFromRaw { from, to } => match occupied(&self.raw_weak, from) {
                Some(from) => Op::WeakFromRaw { from, to },
                None => weak(to, &|at| Op::WeakIntoRaw { from: at, to: from }),
            },
        }
    }

    /// Whether the slot `op` reads from is empty.
    fn source_empty(&self, op: Op) -> bool {
        let s = |i: u8| self.strong[usize::from(i)].is_none();
        let w = |i: u8| self.weak[usize::from(i)].is_none();
        match op {
            Op::New { .. } | Op::WeakNew { .. } => false,
            Op::Clone { from, .. } | Op::Downgrade { from, .. } | Op::IntoRaw { from, .. } => {
                s(from)
            }
            Op::Drop { at }
            | Op::GetMut { at }
            | Op::MakeMut { at }
            | Op::TryUnwrap { at }
            | Op::IntoInner { at }
            | Op::UnwrapOrClone { at } => s(at),
            Op::Upgrade { from, .. }
            | Op::WeakClone { from, .. }
            | Op::WeakIntoRaw { from, .. } => w(from),
            Op::WeakDrop { at } => w(at),
            Op::FromRaw { from, .. } => self.raw[usize::from(from)].is_none(),
            Op::WeakFromRaw { from, .. } => self.raw_weak[usize::from(from)].is_none(),
        }
    }

    fn push_block(&mut self, id: u32) -> usize {
        self.blocks.push(BlockModel::fresh(id));
        self.blocks.len() - 1
    }

    fn log(&mut self, id: u32) {
        self.dropped.push(id);
    }

    /// Gives up one strong count of `b`; outside deferred mode, the last
    /// one drops the value.
    fn release_strong(&mut self, b: usize) {
        let block = &mut self.blocks[b];
        block.strong -= 1;
        if !self.deferred && block.strong == 0 {
            let id = block.value.take().expect("a live block has a value");
            self.log(id);
        }
    }

    fn release_weak(&mut self, target: Target) {
        if let Target::Block(b) = target {
            self.blocks[b].weak -= 1;
        }
    }

    /// The value of `b` is moved out by its last strong handle; `logged`:
    /// the mover drops it at once.
    fn take(&mut self, b: usize, logged: bool) {
        let block = &mut self.blocks[b];
        block.strong -= 1;
        let id = block.value.take().expect("a value is moved out once");
        if self.deferred {
            block.takes.push((id, logged));
        } else {
            assert_eq!(block.strong, 0, "a value was moved out of a shared block");
            if logged {
                self.log(id);
            }
        }
    }

    fn place_strong(&mut self, to: u8, b: usize) {
        if let Some(old) = self.strong[usize::from(to)].replace(b) {
            self.release_strong(old);
        }
    }

    fn place_weak(&mut self, to: u8, target: Target) {
        if let Some(old) = self.weak[usize::from(to)].replace(target) {
            self.release_weak(old);
        }
    }

    fn rename(&mut self, b: usize, old: u32, fresh: u32) {
        self.born.push(fresh);
        self.renamed.push(old);
        self.blocks[b].value = Some(fresh);
    }

    /// Panics unless `out` is what `op` may do in this state. For blocks
    /// whose counts are the whole truth (`exclusive`), the outcome must be
    /// exactly the predicted one; for the others (a thread's view of a
    /// block other threads hold too) it must be consistent with the
    /// handles this view holds, whatever the other threads do.
    fn check_outcome(&self, op: Op, out: Outcome) {
        if self.source_empty(op) {
            assert_eq!(
                out,
                Outcome::Empty,
                "{op:?} on an empty slot must do nothing"
            );
            return;
        }
        let strong_block = |at: u8| self.strong[usize::from(at)].expect("checked above");
        match (op, out) {
            (Op::New { .. }, Outcome::New { ok, .. }) => {
                assert_eq!(ok, self.room(), "try_new_in must fail exactly when full");
            }
            (Op::Upgrade { from, .. }, Outcome::Upgrade(got)) => {
                match self.weak[usize::from(from)].expect("checked above") {
                    Target::Dangling => assert_eq!(got, None, "upgrade of Weak::new"),
                    Target::Block(b) => self.check_upgrade(b, got),
                }
            }
            (Op::GetMut { at }, Outcome::GetMut(got)) => {
                let block = &self.blocks[strong_block(at)];
                let unique = block.strong == 1 && block.weak == 0;
                if let Some((old, _)) = got {
                    assert!(unique, "get_mut succeeded with other handles: {block:?}");
                    assert_eq!(Some(old), block.value, "get_mut saw another value");
                } else if block.exclusive {
                    assert!(!unique, "get_mut failed on the only handle");
                }
            }
            (Op::MakeMut { .. }, Outcome::MakeMutSkipped) => {
                assert!(self.make_mut_would_abort(op), "make_mut skipped with room");
            }
            (Op::MakeMut { at }, Outcome::MakeMut { sharing, old, .. }) => {
                let block = &self.blocks[strong_block(at)];
                assert_eq!(Some(old), block.value, "make_mut saw another value");
                assert!(
                    !self.make_mut_would_abort(op),
                    "make_mut would have aborted"
                );
                if block.exclusive {
                    let expected = if block.strong > 1 {
                        Sharing::Shared
                    } else if block.weak > 0 {
                        Sharing::OnlyWeak
                    } else {
                        Sharing::Unique
                    };
                    assert_eq!(sharing, expected, "make_mut took the wrong case: {block:?}");
                } else {
                    match sharing {
                        Sharing::Unique => assert!(
                            block.strong == 1 && block.weak == 0,
                            "make_mut in place with other handles: {block:?}"
                        ),
                        Sharing::OnlyWeak => assert_eq!(
                            block.strong, 1,
                            "make_mut moved the value out of a shared block"
                        ),
                        Sharing::Shared => {}
                    }
                }
            }
            (Op::TryUnwrap { at }, Outcome::TryUnwrap(got))
            | (Op::IntoInner { at }, Outcome::IntoInner(got)) => {
                self.check_take(strong_block(at), got, op);
            }
            (Op::UnwrapOrClone { at }, Outcome::UnwrapOrClone { old, fresh }) => {
                let block = &self.blocks[strong_block(at)];
                assert_eq!(
                    Some(old),
                    block.value,
                    "unwrap_or_clone returned another value"
                );
                let moved = fresh.is_none();
                if moved {
                    assert_eq!(block.strong, 1, "unwrap_or_clone moved a shared value");
                } else if block.exclusive {
                    assert!(block.strong > 1, "unwrap_or_clone cloned the only value");
                }
            }
            (
                Op::Clone { .. }
                | Op::Drop { .. }
                | Op::Downgrade { .. }
                | Op::WeakNew { .. }
                | Op::WeakClone { .. }
                | Op::WeakDrop { .. }
                | Op::IntoRaw { .. }
                | Op::FromRaw { .. }
                | Op::WeakIntoRaw { .. }
                | Op::WeakFromRaw { .. },
                Outcome::Done,
            ) => {}
            (op, out) => panic!("{op:?} cannot have outcome {out:?}"),
        }
    }

    fn check_upgrade(&self, b: usize, got: Option<u32>) {
        let block = &self.blocks[b];
        let alive = block.strong > 0;
        if block.exclusive {
            assert_eq!(got.is_some(), alive, "upgrade result wrong for {block:?}");
        } else if alive {
            assert!(
                got.is_some(),
                "upgrade failed while this thread holds a strong handle"
            );
        }
        if let Some(id) = got {
            assert_eq!(Some(id), block.value, "upgrade returned another value");
        }
    }

    /// `try_unwrap` / `into_inner`: the value comes out exactly when the
    /// calling handle is the last strong one.
    fn check_take(&self, b: usize, got: Option<u32>, op: Op) {
        let block = &self.blocks[b];
        let last = block.strong == 1;
        if let Some(id) = got {
            assert!(last, "{op:?} took a value other handles share: {block:?}");
            assert_eq!(Some(id), block.value, "{op:?} returned another value");
        } else if block.exclusive {
            assert!(!last, "{op:?} failed on the last strong handle");
        }
    }

    /// Applies `op`'s `out` (already checked) to the model.
    fn apply(&mut self, op: Op, out: Outcome) {
        if out == Outcome::Empty {
            return;
        }
        let at = |i: u8| usize::from(i);
        match (op, out) {
            (Op::New { to }, Outcome::New { id, ok }) => {
                self.born.push(id);
                if ok {
                    let b = self.push_block(id);
                    self.place_strong(to, b);
                } else {
                    self.log(id);
                }
            }
            (Op::Clone { from, to }, _) => {
                let b = self.strong[at(from)].expect("source");
                self.blocks[b].strong += 1;
                self.place_strong(to, b);
            }
            (Op::Drop { at: i }, _) => {
                let b = self.strong[at(i)].take().expect("source");
                self.release_strong(b);
            }
            (Op::Downgrade { from, to }, _) => {
                let b = self.strong[at(from)].expect("source");
                self.blocks[b].weak += 1;
                self.place_weak(to, Target::Block(b));
            }
            (Op::Upgrade { from, to }, Outcome::Upgrade(got)) => {
                if got.is_some() {
                    let b = self.weak[at(from)]
                        .and_then(Target::block)
                        .expect("a block");
                    self.blocks[b].strong += 1;
                    self.place_strong(to, b);
                }
            }
            (Op::WeakNew { to }, _) => self.place_weak(to, Target::Dangling),
            (Op::WeakClone { from, to }, _) => {
                let target = self.weak[at(from)].expect("source");
                if let Target::Block(b) = target {
                    self.blocks[b].weak += 1;
                }
                self.place_weak(to, target);
            }
            (Op::WeakDrop { at: i }, _) => {
                let target = self.weak[at(i)].take().expect("source");
                self.release_weak(target);
            }
            (Op::GetMut { at: i }, Outcome::GetMut(got)) => {
                if let Some((old, fresh)) = got {
                    let b = self.strong[at(i)].expect("source");
                    self.rename(b, old, fresh);
                    // Unique now: no other thread holds (or can get) a handle.
                    self.blocks[b].exclusive = true;
                }
            }
            (Op::MakeMut { .. }, Outcome::MakeMutSkipped) => {}
            (
                Op::MakeMut { at: i },
                Outcome::MakeMut {
                    sharing,
                    old,
                    fresh,
                },
            ) => {
                let b = self.strong[at(i)].expect("source");
                match sharing {
                    Sharing::Unique => {
                        self.rename(b, old, fresh);
                        self.blocks[b].exclusive = true;
                    }
                    Sharing::Shared => {
                        // A clone (born as `fresh`) in a new block; the old
                        // handle is dropped.
                        self.born.push(fresh);
                        let nb = self.push_block(fresh);
                        self.strong[at(i)] = Some(nb);
                        self.release_strong(b);
                    }
                    Sharing::OnlyWeak => {
                        // The value itself moves to a new block, renamed.
                        let nb = self.push_block(fresh);
                        self.born.push(fresh);
                        self.renamed.push(old);
                        self.strong[at(i)] = Some(nb);
                        self.take(b, false);
                    }
                }
            }
            (Op::TryUnwrap { at: i }, Outcome::TryUnwrap(got)) => {
                if got.is_some() {
                    let b = self.strong[at(i)].take().expect("source");
                    self.take(b, true);
                }
            }
            (Op::IntoInner { at: i }, Outcome::IntoInner(got)) => {
                let b = self.strong[at(i)].take().expect("source");
                if got.is_some() {
                    self.take(b, true);
                } else {
                    self.release_strong(b);
                }
            }
            (Op::UnwrapOrClone { at: i }, Outcome::UnwrapOrClone { fresh, .. }) => {
                let b = self.strong[at(i)].take().expect("source");
                match fresh {
                    None => self.take(b, true),
                    Some(fresh) => {
                        // The clone, renamed, is dropped; so is the handle.
                        self.born.push(fresh);
                        self.log(fresh);
                        self.release_strong(b);
                    }
                }
            }
            (Op::IntoRaw { from, to }, _) => {
                let b = self.strong[at(from)].take().expect("source");
                if let Some(old) = self.raw[at(to)].replace(b) {
                    self.release_strong(old);
                }
            }
            (Op::FromRaw { from, to }, _) => {
                let b = self.raw[at(from)].take().expect("source");
                self.place_strong(to, b);
            }
            (Op::WeakIntoRaw { from, to }, _) => {
                let target = self.weak[at(from)].take().expect("source");
                if let Some(old) = self.raw_weak[at(to)].replace(target) {
                    self.release_weak(old);
                }
            }
            (Op::WeakFromRaw { from, to }, _) => {
                let target = self.raw_weak[at(from)].take().expect("source");
                self.place_weak(to, target);
            }
            (op, out) => unreachable!("{op:?} with {out:?} passed check_outcome"),
        }
    }

    /// Deferred mode, at the end of a phase: every value whose strong count
    /// is now 0 died during the phase, exactly once — dropped by its last
    /// handle, or moved out by one `try_unwrap` / `into_inner` /
    /// `unwrap_or_clone` (then dropped) or `make_mut` (then kept).
    fn resolve(&mut self) {
        for b in 0..self.blocks.len() {
            let block = &mut self.blocks[b];
            assert!(
                block.strong >= 0 && block.weak >= 0,
                "counts went negative: {block:?}"
            );
            assert!(
                block.takes.len() <= 1,
                "a value was moved out twice: {block:?}"
            );
            if !block.takes.is_empty() {
                assert_eq!(block.strong, 0, "strong came back after a take: {block:?}");
            }
            let takes = std::mem::take(&mut block.takes);
            if block.strong == 0 {
                match (block.value.take(), takes.as_slice()) {
                    // Dropped by its last handle, or moved out and dropped.
                    (Some(id), []) => self.log(id),
                    (None, &[(id, true)]) => self.log(id),
                    // Moved into a new block by `make_mut`; or dead before
                    // this phase.
                    (None, [(_, false)] | []) => {}
                    (value, takes) => panic!("value {value:?} after takes {takes:?}"),
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The real handles
// ---------------------------------------------------------------------------

/// A strong handle turned into a raw pointer; dropping it takes the handle
/// back (`from_raw_in`) and drops that.
struct RawStrong<C: RawCount, A: Allocator> {
    ptr: *const Payload,
    /// `None` once taken back.
    alloc: Option<A>,
    _handle: PhantomData<Strong<Payload, C, A>>,
}

// Why these bounds? A `RawStrong` *is* a `Strong` (its count, its
// allocator) in another form, so it may cross threads exactly when the
// handle may.
//
// SAFETY: `ptr` is only dereferenced while the strong count it holds keeps
// the value alive, as `Strong`'s own `Deref` does.
unsafe impl<C: RawCount, A: Allocator> Send for RawStrong<C, A> where Strong<Payload, C, A>: Send {}

impl<C: RawCount, A: Allocator> RawStrong<C, A> {
    fn new(handle: Strong<Payload, C, A>) -> Self {
        let (ptr, alloc) = Strong::into_raw_with_allocator(handle);
        RawStrong {
            ptr,
            alloc: Some(alloc),
            _handle: PhantomData,
        }
    }

    fn into_strong(mut self) -> Strong<Payload, C, A> {
        let alloc = self.alloc.take().expect("not taken back yet");
        // SAFETY: `ptr` and `alloc` came from `into_raw_with_allocator`, and
        // the strong count it kept is taken back once: `alloc` is gone from
        // `self` now, so `Drop` will not do it again.
        unsafe { Strong::from_raw_in(self.ptr, alloc) }
    }

    /// The value's id, read through the raw pointer.
    fn id(&self) -> u32 {
        // SAFETY: the strong count this pointer holds keeps the value alive
        // and initialised; nothing mutates it while another handle (this
        // one) exists, since `get_mut`/`make_mut` need uniqueness.
        unsafe { (*self.ptr).0.id }
    }
}

impl<C: RawCount, A: Allocator> Drop for RawStrong<C, A> {
    fn drop(&mut self) {
        if let Some(alloc) = self.alloc.take() {
            // SAFETY: as in `into_strong`; `alloc` was still here, so the
            // count is still held.
            drop(unsafe { Strong::<Payload, C, A>::from_raw_in(self.ptr, alloc) });
        }
    }
}

/// A weak handle turned into a raw pointer; dropping it takes the handle
/// back (`Weak::from_raw_in`) and drops that.
struct RawWeak<C: RawCount, A: Allocator> {
    ptr: *const Payload,
    alloc: Option<A>,
    _handle: PhantomData<Weak<Payload, C, A>>,
}

// Why these bounds? As for `RawStrong`: it is a `Weak` in another form.
//
// SAFETY: `ptr` is never dereferenced, only handed back to `from_raw_in`.
unsafe impl<C: RawCount, A: Allocator> Send for RawWeak<C, A> where Weak<Payload, C, A>: Send {}

impl<C: RawCount, A: Allocator> RawWeak<C, A> {
    fn new(handle: Weak<Payload, C, A>) -> Self {
        let (ptr, alloc) = handle.into_raw_with_allocator();
        RawWeak {
            ptr,
            alloc: Some(alloc),
            _handle: PhantomData,
        }
    }

    fn into_weak(mut self) -> Weak<Payload, C, A> {
        let alloc = self.alloc.take().expect("not taken back yet");
        // SAFETY: `ptr` and `alloc` came from `Weak::into_raw_with_allocator`,
        // and the weak count it kept is taken back once (`alloc` is gone
        // from `self`, so `Drop` will not).
        unsafe { Weak::from_raw_in(self.ptr, alloc) }
    }
}

impl<C: RawCount, A: Allocator> Drop for RawWeak<C, A> {
    fn drop(&mut self) {
        if let Some(alloc) = self.alloc.take() {
            // SAFETY: as in `into_weak`; the weak count is still held.
            drop(unsafe { Weak::<Payload, C, A>::from_raw_in(self.ptr, alloc) });
        }
    }
}

/// The real handles, slot for slot with a [`Model`].
struct Handles<C: RawCount, A: Allocator> {
    strong: Vec<Option<Strong<Payload, C, A>>>,
    weak: Vec<Option<Weak<Payload, C, A>>>,
    raw: Vec<Option<RawStrong<C, A>>>,
    raw_weak: Vec<Option<RawWeak<C, A>>>,
}

impl<C: RawCountUnique, A: Allocator + Clone> Handles<C, A> {
    fn new(slots: Slots) -> Self {
        Handles {
            strong: (0..slots.strong).map(|_| None).collect(),
            weak: (0..slots.weak).map(|_| None).collect(),
            raw: (0..slots.raw).map(|_| None).collect(),
            raw_weak: (0..slots.raw_weak).map(|_| None).collect(),
        }
    }

    /// Runs `op` (indices already resolved) on the real handles.
    fn exec(&mut self, op: Op, alloc: &A, log: &DropLog, ids: &mut IdSource) -> Outcome {
        let i = usize::from;
        match op {
            Op::New { to } => {
                let id = ids.fresh();
                match Strong::try_new_in(Payload(log.tracked(id)), alloc.clone()) {
                    Ok(handle) => {
                        self.strong[i(to)] = Some(handle);
                        Outcome::New { id, ok: true }
                    }
                    Err(AllocError) => Outcome::New { id, ok: false },
                }
            }
            Op::Clone { from, to } => {
                let Some(handle) = &self.strong[i(from)] else {
                    return Outcome::Empty;
                };
                let clone = Strong::clone(handle);
                self.strong[i(to)] = Some(clone);
                Outcome::Done
            }
            Op::Drop { at } => match self.strong[i(at)].take() {
                Some(handle) => {
                    drop(handle);
                    Outcome::Done
                }
                None => Outcome::Empty,
            },
            Op::Downgrade { from, to } => {
                let Some(handle) = &self.strong[i(from)] else {
                    return Outcome::Empty;
                };
                self.weak[i(to)] = Some(Strong::downgrade(handle));
                Outcome::Done
            }
            Op::Upgrade { from, to } => {
                let Some(weak) = &self.weak[i(from)] else {
                    return Outcome::Empty;
                };
                match weak.upgrade() {
                    Some(handle) => {
                        let id = handle.0.id;
                        self.strong[i(to)] = Some(handle);
                        Outcome::Upgrade(Some(id))
                    }
                    None => Outcome::Upgrade(None),
                }
            }
            Op::WeakNew { to } => {
                self.weak[i(to)] = Some(Weak::new_in(alloc.clone()));
                Outcome::Done
            }
            Op::WeakClone { from, to } => {
                let Some(weak) = &self.weak[i(from)] else {
                    return Outcome::Empty;
                };
                let clone = weak.clone();
                self.weak[i(to)] = Some(clone);
                Outcome::Done
            }
            Op::WeakDrop { at } => match self.weak[i(at)].take() {
                Some(weak) => {
                    drop(weak);
                    Outcome::Done
                }
                None => Outcome::Empty,
            },
            Op::GetMut { at } => {
                let Some(handle) = &mut self.strong[i(at)] else {
                    return Outcome::Empty;
                };
                Outcome::GetMut(Strong::get_mut(handle).map(|value| {
                    let old = value.0.id;
                    value.0.id = ids.fresh();
                    (old, value.0.id)
                }))
            }
            Op::MakeMut { at } => {
                let Some(handle) = &mut self.strong[i(at)] else {
                    return Outcome::Empty;
                };
                let before = Strong::as_ptr(handle);
                let clones_before = clones();
                let value = Strong::make_mut(handle);
                let old = value.0.id;
                let fresh = ids.fresh();
                value.0.id = fresh;
                let sharing = if std::ptr::eq(before, Strong::as_ptr(handle)) {
                    Sharing::Unique
                } else if clones() != clones_before {
                    Sharing::Shared
                } else {
                    Sharing::OnlyWeak
                };
                Outcome::MakeMut {
                    sharing,
                    old,
                    fresh,
                }
            }
            Op::TryUnwrap { at } => {
                let Some(handle) = self.strong[i(at)].take() else {
                    return Outcome::Empty;
                };
                match Strong::try_unwrap(handle) {
                    Ok(value) => Outcome::TryUnwrap(Some(value.0.id)),
                    Err(handle) => {
                        self.strong[i(at)] = Some(handle);
                        Outcome::TryUnwrap(None)
                    }
                }
            }
            Op::IntoInner { at } => {
                let Some(handle) = self.strong[i(at)].take() else {
                    return Outcome::Empty;
                };
                Outcome::IntoInner(Strong::into_inner(handle).map(|value| value.0.id))
            }
            Op::UnwrapOrClone { at } => {
                let Some(handle) = self.strong[i(at)].take() else {
                    return Outcome::Empty;
                };
                let clones_before = clones();
                let mut value = Strong::unwrap_or_clone(handle);
                let old = value.0.id;
                let fresh = (clones() != clones_before).then(|| {
                    // A clone: rename it, so every value id dies once.
                    value.0.id = ids.fresh();
                    value.0.id
                });
                drop(value);
                Outcome::UnwrapOrClone { old, fresh }
            }
            Op::IntoRaw { from, to } => {
                let Some(handle) = self.strong[i(from)].take() else {
                    return Outcome::Empty;
                };
                self.raw[i(to)] = Some(RawStrong::new(handle));
                Outcome::Done
            }
            Op::FromRaw { from, to } => {
                let Some(raw) = self.raw[i(from)].take() else {
                    return Outcome::Empty;
                };
                self.strong[i(to)] = Some(raw.into_strong());
                Outcome::Done
            }
            Op::WeakIntoRaw { from, to } => {
                let Some(weak) = self.weak[i(from)].take() else {
                    return Outcome::Empty;
                };
                self.raw_weak[i(to)] = Some(RawWeak::new(weak));
                Outcome::Done
            }
            Op::WeakFromRaw { from, to } => {
                let Some(raw) = self.raw_weak[i(from)].take() else {
                    return Outcome::Empty;
                };
                self.weak[i(to)] = Some(raw.into_weak());
                Outcome::Done
            }
        }
    }

    /// Compares every handle with the model. `force_exact`: the model's
    /// counts are the whole truth for every block (single-threaded, or
    /// between phases); otherwise only `exclusive` blocks are exact, and
    /// for the others the counts must be *at least* this view's own.
    fn check(&self, model: &Model, force_exact: bool) {
        let exact = |b: usize| force_exact || model.blocks[b].exclusive;
        // (address, block) of every handle, for the identity check below;
        // `None` is `Weak::new`'s sentinel.
        let mut identities: Vec<(usize, Option<usize>)> = Vec::new();

        for (slot, (handle, b)) in self.strong.iter().zip(&model.strong).enumerate() {
            match (handle, *b) {
                (None, None) => {}
                (Some(handle), Some(b)) => {
                    let block = &model.blocks[b];
                    let (strong, weak) = (Strong::strong_count(handle), Strong::weak_count(handle));
                    if exact(b) {
                        assert_eq!(strong as isize, block.strong, "strong_count of S{slot}");
                        assert_eq!(weak as isize, block.weak, "weak_count of S{slot}");
                    } else {
                        assert!(strong as isize >= block.strong, "strong_count of S{slot}");
                        assert!(weak as isize >= block.weak, "weak_count of S{slot}");
                    }
                    assert_eq!(Some(handle.0.id), block.value, "value of S{slot}");
                    identities.push((Strong::as_ptr(handle).addr(), Some(b)));
                }
                (handle, b) => panic!("S{slot}: handle {:?}, model {b:?}", handle.is_some()),
            }
        }

        for (slot, (weak, target)) in self.weak.iter().zip(&model.weak).enumerate() {
            match (weak, *target) {
                (None, None) => {}
                (Some(weak), Some(Target::Dangling)) => {
                    assert_eq!(weak.strong_count(), 0, "strong_count of Weak::new W{slot}");
                    assert_eq!(weak.weak_count(), 0, "weak_count of Weak::new W{slot}");
                    assert!(weak.upgrade().is_none(), "upgrade of Weak::new W{slot}");
                    identities.push((weak.as_ptr().addr(), None));
                }
                (Some(weak), Some(Target::Block(b))) => {
                    let block = &model.blocks[b];
                    let alive = block.strong > 0;
                    let upgraded = weak.upgrade().map(|strong| strong.0.id);
                    if exact(b) {
                        assert_eq!(weak.strong_count() as isize, block.strong, "W{slot}");
                        let expected = if alive { block.weak } else { 0 };
                        assert_eq!(
                            weak.weak_count() as isize,
                            expected,
                            "weak_count of W{slot}"
                        );
                        assert_eq!(upgraded.is_some(), alive, "upgrade of W{slot}");
                    } else {
                        assert!(weak.strong_count() as isize >= block.strong, "W{slot}");
                        if alive {
                            assert!(weak.weak_count() as isize >= block.weak, "W{slot}");
                            assert!(upgraded.is_some(), "upgrade of W{slot}");
                        }
                    }
                    if let Some(id) = upgraded {
                        assert_eq!(Some(id), block.value, "value upgraded from W{slot}");
                    }
                    identities.push((weak.as_ptr().addr(), Some(b)));
                }
                (weak, target) => panic!("W{slot}: handle {:?}, model {target:?}", weak.is_some()),
            }
        }

        for (slot, (raw, b)) in self.raw.iter().zip(&model.raw).enumerate() {
            match (raw, *b) {
                (None, None) => {}
                (Some(raw), Some(b)) => {
                    assert_eq!(Some(raw.id()), model.blocks[b].value, "value of R{slot}");
                    identities.push((raw.ptr.addr(), Some(b)));
                }
                (raw, b) => panic!("R{slot}: pointer {:?}, model {b:?}", raw.is_some()),
            }
        }

        for (slot, (raw, target)) in self.raw_weak.iter().zip(&model.raw_weak).enumerate() {
            match (raw, *target) {
                (None, None) => {}
                (Some(raw), Some(target)) => identities.push((raw.ptr.addr(), target.block())),
                (raw, target) => panic!("RW{slot}: pointer {:?}, model {target:?}", raw.is_some()),
            }
        }

        // Every handle keeps its block allocated, so two handles share an
        // address exactly when the model says they share a block.
        for (n, (addr, b)) in identities.iter().enumerate() {
            for (other_addr, other_b) in &identities[n + 1..] {
                assert_eq!(
                    addr == other_addr,
                    b == other_b,
                    "pointer identity: blocks {b:?} and {other_b:?}"
                );
            }
        }
        for (n, x) in self.strong.iter().enumerate() {
            for (y, (bx, by)) in self.strong[n + 1..]
                .iter()
                .zip(std::iter::repeat(model.strong[n]).zip(&model.strong[n + 1..]))
            {
                if let (Some(x), Some(y)) = (x, y) {
                    assert_eq!(Strong::ptr_eq(x, y), bx == *by, "Strong::ptr_eq");
                }
            }
        }
        for (n, x) in self.weak.iter().enumerate() {
            for (y, (tx, ty)) in self.weak[n + 1..]
                .iter()
                .zip(std::iter::repeat(model.weak[n]).zip(&model.weak[n + 1..]))
            {
                if let (Some(x), Some(y)) = (x, y) {
                    assert_eq!(x.ptr_eq(y), tx == *ty, "Weak::ptr_eq");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Drivers
// ---------------------------------------------------------------------------

/// Prints the program and the step it failed at when a check panics, so a
/// failing property-test case or fuzz input can be read and minimised.
struct Trace<'a, T: std::fmt::Debug> {
    ops: &'a [T],
    step: Cell<Option<usize>>,
}

impl<T: std::fmt::Debug> Drop for Trace<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("model check failed; program ({} steps):", self.ops.len());
            for (n, op) in self.ops.iter().enumerate() {
                eprintln!("  {n:4}: {op:?}");
            }
            match self.step.get() {
                Some(step) if step < self.ops.len() => eprintln!("failed at step {step}"),
                Some(_) => eprintln!("failed while dropping the remaining handles"),
                None => eprintln!("failed in the final checks"),
            }
        }
    }
}

/// One model run: the model, the real handles, the allocator and the drop
/// log, checked against each other after every step.
struct Run<C: RawCountUnique, A: ModelAlloc> {
    model: Model,
    handles: Handles<C, A>,
    alloc: A,
    log: DropLog,
    ids: IdSource,
    /// How much of the drop log has been compared.
    log_checked: usize,
}

impl<C: RawCountUnique, A: ModelAlloc> Run<C, A> {
    fn new(slots: Slots, alloc: A, deferred: bool) -> Self {
        assert_eq!(alloc.live_blocks(), 0, "the allocator must start empty");
        Run {
            model: Model::new(slots, alloc.capacity(), deferred),
            handles: Handles::new(slots),
            alloc,
            log: DropLog::new(),
            ids: IdSource::new(0, 1),
            log_checked: 0,
        }
    }

    /// One single-threaded step of a program (its source slots retargeted,
    /// see `Model::retarget`).
    fn step(&mut self, op: Op) {
        let op = self.model.retarget(op.resolve(self.model.slots()));
        self.run_op(op);
    }

    /// Runs `op` as it is, checked against the model exactly.
    fn run_op(&mut self, op: Op) {
        let op = op.resolve(self.model.slots());
        let out = if self.model.make_mut_would_abort(op) {
            Outcome::MakeMutSkipped
        } else {
            self.handles.exec(op, &self.alloc, &self.log, &mut self.ids)
        };
        self.model.check_outcome(op, out);
        self.model.apply(op, out);
        self.check_exact();
        let dropped = self.log.dropped.lock().unwrap_or_else(|e| e.into_inner());
        assert_eq!(
            dropped[self.log_checked..],
            self.model.dropped[self.log_checked..],
            "drop log"
        );
        self.log_checked = dropped.len();
        drop(dropped);
        if self.model.blocks.len() > 64 {
            self.model.compact();
        }
    }

    /// Checks every handle and the allocator against the model, exactly.
    fn check_exact(&self) {
        self.handles.check(&self.model, true);
        assert_eq!(
            self.alloc.live_blocks(),
            self.model.live_blocks(),
            "live blocks in the allocator"
        );
    }

    /// Drops every remaining handle (each drop checked as a step), then
    /// checks that every value died exactly once and the allocator
    /// balances.
    fn finish(mut self) {
        let slots = self.model.slots();
        for r in 0..slots.raw {
            self.run_op(Op::FromRaw {
                from: r as u8,
                to: 0,
            });
            self.run_op(Op::Drop { at: 0 });
        }
        for r in 0..slots.raw_weak {
            self.run_op(Op::WeakFromRaw {
                from: r as u8,
                to: 0,
            });
            self.run_op(Op::WeakDrop { at: 0 });
        }
        for s in 0..slots.strong {
            self.run_op(Op::Drop { at: s as u8 });
        }
        for w in 0..slots.weak {
            self.run_op(Op::WeakDrop { at: w as u8 });
        }
        assert!(
            (self.model.blocks.iter()).all(|b| !b.allocated() && b.value.is_none()),
            "the model kept a block or a value: {:?}",
            self.model.blocks
        );

        // Every value that came into being was dropped exactly once, or
        // lives on under a new id.
        let dropped = self.log.dropped();
        assert_eq!(dropped, self.model.dropped, "drop log");
        let mut died: Vec<u32> = dropped.iter().chain(&self.model.renamed).copied().collect();
        died.sort_unstable();
        let mut born = self.model.born.clone();
        born.sort_unstable();
        assert_eq!(died, born, "every value dies exactly once");

        drop(self.handles);
        self.alloc.assert_balanced();
    }
}

/// Runs `ops` on heap handles with counter `C` (blocks in a fresh
/// [`CountingAlloc`]), checking every step against the [`Model`]; see the
/// [module docs](self).
///
/// # Panics
///
/// On the first difference from the model, after printing the program.
///
/// # Examples
///
/// ```
/// use weakref_core::count::AtomicCount;
/// use weakref_tests::model::{Op, run_ops};
///
/// run_ops::<AtomicCount>(&[Op::New { to: 0 }, Op::Clone { from: 0, to: 1 }, Op::MakeMut { at: 1 }]);
/// ```
pub fn run_ops<C: RawCountUnique>(ops: &[Op]) {
    run_ops_in::<C, _>(ops, CountingAlloc::new());
}

/// [`run_ops`] with blocks in `alloc`, which must start empty (a bounded
/// allocator makes `try_new_in` fail when full, as the model predicts).
///
/// # Panics
///
/// On the first difference from the model, after printing the program.
///
/// # Examples
///
/// ```
/// use weakref_core::count::LocalCount;
/// use weakref_tests::CountingAlloc;
/// use weakref_tests::model::{Op, run_ops_in};
///
/// // Room for one block: the second `New` fails.
/// run_ops_in::<LocalCount, _>(&[Op::New { to: 0 }, Op::New { to: 1 }], CountingAlloc::with_limit(1));
/// ```
pub fn run_ops_in<C: RawCountUnique, A: ModelAlloc>(ops: &[Op], alloc: A) {
    let trace = Trace {
        ops,
        step: Cell::new(Some(0)),
    };
    let mut run = Run::<C, A>::new(SLOTS, alloc, false);
    for (n, &op) in ops.iter().enumerate() {
        trace.step.set(Some(n));
        run.step(op);
    }
    trace.step.set(Some(ops.len()));
    run.finish();
    trace.step.set(None);
}

/// A barrier for the threads of a threaded run that spins
/// (then yields) instead of sleeping, so that the threads leave it within
/// nanoseconds of each other and their first ops overlap.
struct SpinBarrier {
    arrived: AtomicUsize,
    threads: usize,
}

impl SpinBarrier {
    /// Waits until every thread has called `wait` as often as this one;
    /// `generation` counts this thread's calls.
    fn wait(&self, generation: &mut usize) {
        *generation += 1;
        // AcqRel / Acquire: everything each thread did before the barrier
        // happens before everything any thread does after it.
        self.arrived.fetch_add(1, Ordering::AcqRel);
        let mut spins = 0u32;
        while self.arrived.load(Ordering::Acquire) < *generation * self.threads {
            spins += 1;
            // (Miri runs spins slowly and switches threads on a yield;
            // under shuttle only a yield lets another thread run.)
            if spins < 1 << 8 && !cfg!(miri) && !cfg!(weakref_shuttle) {
                std::hint::spin_loop();
            } else {
                thread::yield_now();
            }
        }
    }
}

/// The work one thread does in one phase: its slots (handles and model
/// view), its ops, and what they did.
struct Work<C: RawCountUnique> {
    handles: Handles<C, CountingAlloc>,
    view: Model,
    ops: Vec<Op>,
    ids: IdSource,
    /// (op on this thread's slots, outcome), in order.
    events: Vec<(Op, Outcome)>,
    /// Blocks (shared at the start of the phase) that `get_mut` or an
    /// in-place `make_mut` found unique.
    claimed: Vec<usize>,
}

/// The global slot that thread `t` calls its slot `i` (of any kind) in
/// phase `phase`. Slot `i` of every thread moves `i` threads down each
/// phase (modulo `threads`: with three, `i % 3 == 0` stays put), so the
/// handles one thread made are spread over the threads in the next phase:
/// with three threads, a strong handle in slot 1 and its weak handle in
/// slot 2 end up on two different threads.
fn global_slot(threads: usize, t: usize, phase: usize, i: usize) -> usize {
    i * threads + (t + phase * i) % threads
}

/// The thread that owns global slot `g` in phase `phase` (the inverse of
/// [`global_slot`]).
fn owner(threads: usize, g: usize, phase: usize) -> usize {
    let (i, residue) = (g / threads, g % threads);
    (residue + threads - (phase * i) % threads) % threads
}

/// Runs `phases` of [`ThreadedOp`]s on `threads` threads (2 or 3: the
/// calling thread and one or two more) with counter `C`
/// (blocks in a [`CountingAlloc`]).
///
/// The slots are split among the threads, and the split changes every
/// phase (see `global_slot`), so handles travel between threads. In each phase every thread
/// runs its ops on its own slots, all threads released together (a barrier,
/// then a spin on a shared counter), so an `upgrade` on one thread races
/// the last `drop` on another, `into_inner` races `into_inner`, and
/// `get_mut`/`make_mut` race `upgrade` and `downgrade`.
///
/// **On each thread**, after every op, the checks that hold whatever the
/// interleaving: a block only this thread holds is checked exactly (nobody
/// else can reach it); for the others, counts are at least this thread's
/// own handles, `upgrade` succeeds while this thread holds a strong handle,
/// a `get_mut`/`try_unwrap`/`into_inner` success needs this thread's handle
/// to be the only (strong) one, and every value seen is the block's value.
///
/// **Between phases** the main thread replays every thread's recorded
/// outcomes into the global model, declares dead exactly the values whose
/// strong count reached 0 (each moved out at most once), compares the
/// phase's drop log with that (as a multiset: the order is up to the
/// scheduler), checks that no other thread still holds a block some thread
/// found unique, and then checks every handle and the allocator exactly.
/// At the end every handle is dropped and every value must have died once.
///
/// # Panics
///
/// On the first violation, after printing the program.
///
/// # Examples
///
/// ```
/// use weakref_core::count::AtomicCount;
/// use weakref_tests::model::{Op, ThreadedOp, run_threaded_ops};
///
/// let on = |thread, op| ThreadedOp { thread, op };
/// run_threaded_ops::<AtomicCount>(3, &[
///     vec![on(0, Op::New { to: 1 }), on(0, Op::Downgrade { from: 1, to: 2 })],
///     // Slot `i` moves `i` threads down: thread 2 now has the strong
///     // handle (its slot 1), thread 1 the weak one (its slot 2).
///     vec![on(2, Op::Drop { at: 1 }), on(1, Op::Upgrade { from: 2, to: 0 })],
/// ]);
/// ```
pub fn run_threaded_ops<C: RawCountUnique + Send + Sync>(
    threads: usize,
    phases: &[Vec<ThreadedOp>],
) {
    assert!((2..=MAX_THREADS).contains(&threads), "2 or 3 threads");
    let trace = Trace {
        ops: phases,
        step: Cell::new(Some(0)),
    };
    let slots = THREAD_SLOTS.times(threads);
    let mut run = Run::<C, CountingAlloc>::new(slots, CountingAlloc::new(), true);
    let mut ids: Vec<IdSource> = (0..threads as u32)
        .map(|t| IdSource::new(t, threads as u32))
        .collect();
    let work: Vec<Mutex<Option<Work<C>>>> = (0..threads).map(|_| Mutex::new(None)).collect();
    let failures: Mutex<Vec<Box<dyn std::any::Any + Send>>> = Mutex::new(Vec::new());
    let barrier = SpinBarrier {
        arrived: AtomicUsize::new(0),
        threads,
    };
    let stop = AtomicBool::new(false);
    // The threads' clones of the allocator and the log go at the end of
    // this block, before the final balance check.
    {
        let (alloc, log) = (run.alloc.clone(), run.log.clone());

        // One phase of thread `t` (just released by the barrier): run its
        // ops, checking each; record a panic for the main thread.
        let run_phase = |t: usize| {
            let mut job = work[t].lock().unwrap().take().expect("work was handed out");
            let result = panic::catch_unwind(AssertUnwindSafe(|| {
                for &op in &job.ops {
                    let op = job.view.retarget(op.resolve(THREAD_SLOTS));
                    let out = job.handles.exec(op, &alloc, &log, &mut job.ids);
                    job.view.check_outcome(op, out);
                    let found_unique = match (op, out) {
                        (Op::GetMut { at }, Outcome::GetMut(Some(_)))
                        | (
                            Op::MakeMut { at },
                            Outcome::MakeMut {
                                sharing: Sharing::Unique,
                                ..
                            },
                        ) => job.view.strong[usize::from(at)],
                        _ => None,
                    };
                    if let Some(b) = found_unique {
                        if !job.view.blocks[b].exclusive {
                            job.claimed.push(b);
                        }
                    }
                    job.view.apply(op, out);
                    job.handles.check(&job.view, false);
                    job.events.push((op, out));
                }
            }));
            if let Err(payload) = result {
                failures.lock().unwrap().push(payload);
            }
            *work[t].lock().unwrap() = Some(job);
        };

        thread::scope(|scope| {
            let mut workers = Vec::new();
            for t in 1..threads {
                let (barrier, stop, run_phase) = (&barrier, &stop, &run_phase);
                workers.push(scope.spawn(move || {
                    let mut generation = 0;
                    loop {
                        barrier.wait(&mut generation);
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        run_phase(t);
                        barrier.wait(&mut generation);
                    }
                }));
            }

            let mut generation = 0;
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                for (phase, steps) in phases.iter().enumerate() {
                    trace.step.set(Some(phase));
                    hand_out(&mut run, &work, &ids, steps, phase);
                    barrier.wait(&mut generation);
                    run_phase(0);
                    barrier.wait(&mut generation);
                    if let Some(payload) = failures.lock().unwrap().pop() {
                        panic::resume_unwind(payload);
                    }
                    collect(&mut run, &work, &mut ids, phase);
                }
            }));
            // Release the workers (waiting at the start of the next phase).
            stop.store(true, Ordering::Relaxed);
            barrier.wait(&mut generation);
            // Join explicitly: the scope's implicit join returns before a
            // thread's thread-local destructors have run (rust-lang/rust
            // #116179), and libFuzzer's leak check then saw the thread's
            // glibc TLS-destructor list as a leak (found by arc_ops).
            for worker in workers {
                if let Err(payload) = worker.join() {
                    panic::resume_unwind(payload);
                }
            }
            if let Err(payload) = outcome {
                panic::resume_unwind(payload);
            }
        });
    }

    // Quiescent and resolved: finish single-threaded, with exact checks.
    trace.step.set(Some(phases.len()));
    run.model.deferred = false;
    for block in &mut run.model.blocks {
        block.exclusive = true;
    }
    run.finish();
    trace.step.set(None);
}

/// Before a phase: moves each thread's slots (handles and model view) into
/// its `Work`, with its ops.
fn hand_out<C: RawCountUnique>(
    run: &mut Run<C, CountingAlloc>,
    work: &[Mutex<Option<Work<C>>>],
    ids: &[IdSource],
    steps: &[ThreadedOp],
    phase: usize,
) {
    let model = &run.model;
    // Which threads hold each block this phase.
    let threads = work.len();
    let mut holders = vec![[false; MAX_THREADS]; model.blocks.len()];
    let mut mark = |g: usize, b: Option<usize>| {
        if let Some(b) = b {
            holders[b][owner(threads, g, phase)] = true;
        }
    };
    for (g, b) in model.strong.iter().enumerate() {
        mark(g, *b);
    }
    for (g, target) in model.weak.iter().enumerate() {
        mark(g, target.and_then(Target::block));
    }
    for (g, b) in model.raw.iter().enumerate() {
        mark(g, *b);
    }
    for (g, target) in model.raw_weak.iter().enumerate() {
        mark(g, target.and_then(Target::block));
    }

    for (t, slot) in work.iter().enumerate() {
        let mut handles = Handles::new(THREAD_SLOTS);
        let mut view = Model::new(THREAD_SLOTS, None, true);
        let g = |i: usize| global_slot(threads, t, phase, i);
        for i in 0..THREAD_SLOTS.strong {
            handles.strong[i] = run.handles.strong[g(i)].take();
            view.strong[i] = model.strong[g(i)];
        }
        for i in 0..THREAD_SLOTS.weak {
            handles.weak[i] = run.handles.weak[g(i)].take();
            view.weak[i] = model.weak[g(i)];
        }
        for i in 0..THREAD_SLOTS.raw {
            handles.raw[i] = run.handles.raw[g(i)].take();
            view.raw[i] = model.raw[g(i)];
        }
        for i in 0..THREAD_SLOTS.raw_weak {
            handles.raw_weak[i] = run.handles.raw_weak[g(i)].take();
            view.raw_weak[i] = model.raw_weak[g(i)];
        }
        // The view's counts are this thread's own handles; they are the
        // whole truth for the blocks no other thread holds.
        view.blocks = model
            .blocks
            .iter()
            .enumerate()
            .map(|(b, block)| BlockModel {
                strong: 0,
                weak: 0,
                value: block.value,
                takes: Vec::new(),
                exclusive: holders[b].iter().enumerate().all(|(u, &h)| !h || u == t),
            })
            .collect();
        for b in view.strong.iter().chain(&view.raw).flatten() {
            view.blocks[*b].strong += 1;
        }
        for target in view.weak.iter().chain(&view.raw_weak).flatten() {
            if let Target::Block(b) = target {
                view.blocks[*b].weak += 1;
            }
        }
        for (b, block) in view.blocks.iter().enumerate() {
            if block.exclusive && (block.strong, block.weak) != (0, 0) {
                let truth = &model.blocks[b];
                assert_eq!((block.strong, block.weak), (truth.strong, truth.weak));
            }
        }
        let ops = steps
            .iter()
            .filter(|s| usize::from(s.thread) % threads == t)
            .map(|s| s.op)
            .collect();
        *slot.lock().unwrap() = Some(Work {
            handles,
            view,
            ops,
            ids: ids[t],
            events: Vec::new(),
            claimed: Vec::new(),
        });
    }
}

/// After a phase: takes the slots back, replays every thread's outcomes
/// into the global model, resolves the phase and checks it exactly.
fn collect<C: RawCountUnique>(
    run: &mut Run<C, CountingAlloc>,
    work: &[Mutex<Option<Work<C>>>],
    ids: &mut [IdSource],
    phase: usize,
) {
    let threads = work.len();
    let start_blocks = run.model.blocks.len();
    let mut claims = Vec::new();
    for (t, slot) in work.iter().enumerate() {
        let job = slot
            .lock()
            .unwrap()
            .take()
            .expect("the thread gave its work back");
        let g = |i: u8| global_slot(threads, t, phase, usize::from(i)) as u8;
        for (i, handle) in job.handles.strong.into_iter().enumerate() {
            run.handles.strong[usize::from(g(i as u8))] = handle;
        }
        for (i, weak) in job.handles.weak.into_iter().enumerate() {
            run.handles.weak[usize::from(g(i as u8))] = weak;
        }
        for (i, raw) in job.handles.raw.into_iter().enumerate() {
            run.handles.raw[usize::from(g(i as u8))] = raw;
        }
        for (i, raw) in job.handles.raw_weak.into_iter().enumerate() {
            run.handles.raw_weak[usize::from(g(i as u8))] = raw;
        }
        for (op, out) in job.events {
            run.model.apply(op.map_slots(|_, i| g(i)), out);
        }
        ids[t] = job.ids;
        claims.extend(job.claimed.into_iter().map(|b| (t, b)));
    }
    run.model.resolve();

    // A block found unique by thread `t` was out of every other thread's
    // reach from then on: none of them may hold it now.
    for (t, b) in claims {
        assert!(
            b < start_blocks,
            "claims are on blocks from before the phase"
        );
        let model = &run.model;
        let held =
            |g: usize, target: Option<usize>| owner(threads, g, phase) != t && target == Some(b);
        let elsewhere = model.strong.iter().enumerate().any(|(g, x)| held(g, *x))
            || model.raw.iter().enumerate().any(|(g, x)| held(g, *x))
            || (model.weak.iter().enumerate()).any(|(g, x)| held(g, x.and_then(Target::block)))
            || (model.raw_weak.iter().enumerate()).any(|(g, x)| held(g, x.and_then(Target::block)));
        assert!(
            !elsewhere,
            "thread {t} found block {b} unique while another thread held it"
        );
    }

    // The phase's drops, in whatever order the threads did them.
    {
        let dropped = run.log.dropped.lock().unwrap_or_else(|e| e.into_inner());
        let mut got = dropped[run.log_checked..].to_vec();
        let mut expected = run.model.dropped[run.log_checked..].to_vec();
        got.sort_unstable();
        expected.sort_unstable();
        assert_eq!(got, expected, "values dropped in phase {phase}");
        // Keep the model's log in the real order from here on.
        run.model.dropped.truncate(run.log_checked);
        run.model
            .dropped
            .extend_from_slice(&dropped[run.log_checked..]);
        run.log_checked = dropped.len();
    }
    run.check_exact();
    run.model.compact();
}
