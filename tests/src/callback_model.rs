//! The death-callback model, shared by the `callback_ops` fuzz target and
//! the property tests (`tests/tests/it/model.rs`): single-threaded programs
//! on death callbacks (`weakref_core::callbacks`), run twice, once per family (`LocalCount`,
//! then `AtomicCount`), with values in a counting allocator.
//!
//! Slots: strong handles, plain weak handles, registered handles
//! (`WeakRef` with or without a callback, `Proxy`, `WeakMethod`,
//! `Finalizer`) and *parked* strong handles, which live in a cell shared
//! with the callbacks. A callback records (handle, value, whether the value
//! looked dead) in a log, and may then drop a parked handle: a callback
//! that kills another value, whose own callbacks then run inside it.
//!
//! A reference model predicts the log exactly: each callback runs once,
//! when its value's last strong handle goes (drop, `try_unwrap`,
//! `into_inner`, or a callback dropping a parked handle), newest first
//! among that value's callbacks, before the value is dropped, and never if
//! its handle was dropped first; a finalizer runs at most once (at death or
//! `call`, never after `detach`; dropping its handle does not cancel it).
//! Inside a callback, the value's captured weak handle and every plain weak
//! slot of it must fail to upgrade. After every step: every handle's
//! counts, value and liveness, `registrations` (ids, kinds, callbacks,
//! oldest first), `has_callback`, `Proxy::with`, `WeakMethod::call`,
//! `Finalizer::alive`/`peek`, and the allocator's live blocks. At the end
//! every handle is dropped, every value must have died once and the
//! allocator must balance.
//!
//! # Examples
//!
//! ```
//! use weakref_tests::callback_model::Program;
//!
//! // Any bytes decode into a program.
//! let program = Program::decode(&[0, 0, 0, 0, 0, 0x80, 0x5a, 0x5a, 0x5a, 0, 0, 1, 0]);
//! program.run();
//! ```

use std::sync::{Arc, Mutex, MutexGuard};

use arbitrary::Arbitrary;
use weakref_core::callbacks::{
    Finalizer, Kind, Proxy, ReferenceError, WeakMethod, WeakRef, registrations,
};
use weakref_core::count::{AtomicCount, LocalCount};
use weakref_core::{Strong, Weak};

use crate::{CountingAlloc, next_occupied};

/// Strong, weak, registered and parked slots: few, so that ops collide.
const NS: usize = 4;
const NW: usize = 3;
const NR: usize = 4;
const NP: usize = 2;

/// What a callback or finalizer does after recording itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
enum Then {
    Nothing,
    /// Drops parked slot P`n` (whatever it holds when the callback runs).
    DropParked(u8),
}

/// One operation; slot indices are taken modulo their slot count. An op
/// whose source slot is empty uses the next occupied one of its kind, or
/// does nothing if there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
enum Op {
    /// `Strong::new_in` of a fresh value into S`to`.
    New {
        to: u8,
    },
    Clone {
        from: u8,
        to: u8,
    },
    Drop {
        at: u8,
    },
    /// `Strong::downgrade` of S`from` into W`to`.
    Downgrade {
        from: u8,
        to: u8,
    },
    /// `Weak::upgrade` of W`from`; a success goes into S`to`.
    Upgrade {
        from: u8,
        to: u8,
    },
    WeakDrop {
        at: u8,
    },
    /// `WeakRef::new` (`None`) or `WeakRef::with_callback` on S`from`,
    /// into R`to`.
    Ref {
        from: u8,
        to: u8,
        callback: Option<Then>,
    },
    /// `Proxy::new` or `Proxy::with_callback` on S`from`, into R`to`.
    Proxy {
        from: u8,
        to: u8,
        callback: Option<Then>,
    },
    /// `WeakMethod::new` on S`from`, into R`to`.
    Method {
        from: u8,
        to: u8,
    },
    /// `Finalizer::new` on S`from`, into R`to`.
    Finalize {
        from: u8,
        to: u8,
        then: Then,
    },
    /// Drops R`at` (a finalizer's handle: it stays registered).
    RegDrop {
        at: u8,
    },
    /// `Finalizer::call` on R`at` (if it is a finalizer).
    Call {
        at: u8,
    },
    /// `Finalizer::detach` on R`at` (if it is a finalizer); the function
    /// is dropped uncalled.
    Detach {
        at: u8,
    },
    /// Moves S`from` into parked slot P`to`.
    Park {
        from: u8,
        to: u8,
    },
    /// Moves P`from` into S`to`.
    Unpark {
        from: u8,
        to: u8,
    },
    ParkDrop {
        at: u8,
    },
    /// `Strong::try_unwrap` of S`at` (the handle comes back on failure).
    TryUnwrap {
        at: u8,
    },
    /// `Strong::into_inner` of S`at`.
    IntoInner {
        at: u8,
    },
}

/// A whole program: ops until the bytes run out. Its `Debug` shows the
/// decoded operations.
#[derive(Debug)]
pub struct Program(Vec<Op>);

impl Program {
    /// Decodes all of `bytes` (any bytes make a program).
    pub fn decode(bytes: &[u8]) -> Self {
        // Never fails: an exhausted `Unstructured` yields zeros.
        Program::arbitrary_take_rest(arbitrary::Unstructured::new(bytes))
            .unwrap_or(Program(Vec::new()))
    }

    /// Runs the program on both families (`LocalCount`, then
    /// `AtomicCount`), checking every step against the model; panics at
    /// the first difference.
    pub fn run(&self) {
        local::run(&self.0);
        self.run_atomic();
    }

    /// The `AtomicCount` half of [`run`](Self::run): for a driver that runs
    /// programs on several threads at once (the schedule fuzzer
    /// `arc_sched`), whose registrations and deaths then race in the one
    /// process-wide registry.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_tests::callback_model::Program;
    ///
    /// Program::decode(&[0, 0, 0, 0, 0, 1, 0]).run_atomic();
    /// ```
    pub fn run_atomic(&self) {
        atomic::run(&self.0);
    }
}

impl<'a> Arbitrary<'a> for Program {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut ops = Vec::new();
        while !u.is_empty() {
            ops.push(Op::arbitrary(u)?);
        }
        Ok(Program(ops))
    }
}

/// What the callbacks and values write into the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// Handle `h`'s death callback ran for value `v`; `dead`: the value's
    /// weak handles all failed to upgrade.
    Callback { h: u32, v: u32, dead: bool },
    /// Finalizer `h` of value `v` ran; `dead` as above.
    Finalized { h: u32, v: u32, dead: bool },
    /// Value `v` was dropped.
    Dropped(u32),
}

type Log = Arc<Mutex<Vec<Event>>>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A value: its id, and the log its drop writes to.
struct Payload {
    id: u32,
    log: Log,
}

impl Drop for Payload {
    fn drop(&mut self) {
        lock(&self.log).push(Event::Dropped(self.id));
    }
}

/// The kind of a registered handle, in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegKind {
    Ref,
    Proxy,
    Method,
    Fin,
}

impl RegKind {
    fn kind(self) -> Kind {
        match self {
            RegKind::Ref => Kind::Ref,
            RegKind::Proxy => Kind::Proxy,
            RegKind::Method => Kind::Method,
            RegKind::Fin => Kind::Finalizer,
        }
    }
}

/// A registered handle, in the model (its index is its handle number `h`).
#[derive(Debug)]
struct RegM {
    v: usize,
    kind: RegKind,
    /// The id the library gave it.
    id: u64,
    has_cb: bool,
    then: Then,
    /// Its registry entry is there.
    registered: bool,
    /// Its handle is in a slot.
    handle: bool,
    /// A finalizer's function has yet to run (and was not detached).
    pending: bool,
}

#[derive(Debug)]
struct ValM {
    strong: usize,
    alive: bool,
    /// Its registered handles, oldest first.
    regs: Vec<usize>,
}

#[derive(Debug, Default)]
struct Model {
    values: Vec<ValM>,
    regs: Vec<RegM>,
    s: [Option<usize>; NS],
    w: [Option<usize>; NW],
    r: [Option<usize>; NR],
    p: [Option<usize>; NP],
    log: Vec<Event>,
}

impl Model {
    fn new_value(&mut self) -> usize {
        self.values.push(ValM {
            strong: 1,
            alive: true,
            regs: Vec::new(),
        });
        self.values.len() - 1
    }

    fn dec(&mut self, v: usize) {
        let value = &mut self.values[v];
        assert!(
            value.alive && value.strong > 0,
            "model: dec of a dead value"
        );
        value.strong -= 1;
        if value.strong == 0 {
            self.die(v);
        }
    }

    fn dec_opt(&mut self, v: Option<usize>) {
        if let Some(v) = v {
            self.dec(v);
        }
    }

    /// Value `v`'s last strong handle went: its callbacks, newest first,
    /// then its drop.
    fn die(&mut self, v: usize) {
        self.values[v].alive = false;
        let regs = self.values[v].regs.clone();
        for &h in regs.iter().rev() {
            let reg = &mut self.regs[h];
            if !reg.registered {
                continue;
            }
            reg.registered = false;
            if !reg.has_cb {
                continue;
            }
            let event = if reg.kind == RegKind::Fin {
                assert!(reg.pending);
                reg.pending = false;
                Event::Finalized {
                    h: h as u32,
                    v: v as u32,
                    dead: true,
                }
            } else {
                Event::Callback {
                    h: h as u32,
                    v: v as u32,
                    dead: true,
                }
            };
            let then = reg.then;
            self.log.push(event);
            self.run_then(then);
        }
        self.log.push(Event::Dropped(v as u32));
    }

    fn run_then(&mut self, then: Then) {
        if let Then::DropParked(p) = then {
            let taken = self.p[usize::from(p) % NP].take();
            self.dec_opt(taken);
        }
    }

    fn register(&mut self, v: usize, kind: RegKind, id: u64, cb: Option<Then>) -> usize {
        self.regs.push(RegM {
            v,
            kind,
            id,
            has_cb: cb.is_some(),
            then: cb.unwrap_or(Then::Nothing),
            registered: true,
            handle: true,
            pending: kind == RegKind::Fin,
        });
        let h = self.regs.len() - 1;
        self.values[v].regs.push(h);
        h
    }

    /// A registered handle is dropped.
    fn reg_drop(&mut self, h: Option<usize>) {
        let Some(h) = h else { return };
        let reg = &mut self.regs[h];
        reg.handle = false;
        if reg.kind != RegKind::Fin {
            reg.registered = false;
        }
    }

    /// `Finalizer::call` (`run`) or `detach` on handle `h`.
    fn fin_take(&mut self, h: usize, run: bool) -> bool {
        let reg = &mut self.regs[h];
        if !reg.pending {
            return false;
        }
        reg.pending = false;
        reg.registered = false;
        if run {
            let (v, then) = (reg.v, reg.then);
            let dead = !self.values[v].alive;
            self.log.push(Event::Finalized {
                h: h as u32,
                v: v as u32,
                dead,
            });
            self.run_then(then);
        }
        true
    }

    /// Weak holders of value `v` that stay after its death: plain weak
    /// slots and registered handles.
    fn handles_weak(&self, v: usize) -> usize {
        let plain = self.w.iter().filter(|&&x| x == Some(v)).count();
        let regs = self.values[v]
            .regs
            .iter()
            .filter(|&&h| self.regs[h].handle)
            .count();
        plain + regs
    }

    /// `Strong::weak_count` of live value `v`: its weak slots, one per
    /// registered handle, one per callback (which captures a weak handle),
    /// and for a pending finalizer its registry entry and its function.
    fn weak_count(&self, v: usize) -> usize {
        let mut n = self.handles_weak(v);
        for &h in &self.values[v].regs {
            let reg = &self.regs[h];
            if reg.registered && reg.has_cb {
                n += 1;
            }
            if reg.kind == RegKind::Fin && reg.pending {
                n += 1;
            }
        }
        n
    }

    fn live_blocks(&self) -> usize {
        (0..self.values.len())
            .filter(|&v| self.values[v].alive || self.handles_weak(v) > 0)
            .count()
    }

    fn registrations(&self, v: usize) -> Vec<(u64, Kind, bool)> {
        self.values[v]
            .regs
            .iter()
            .map(|&h| &self.regs[h])
            .filter(|r| r.registered)
            .map(|r| (r.id, r.kind.kind(), r.has_cb))
            .collect()
    }
}

fn slot(i: u8, n: usize) -> usize {
    usize::from(i) % n
}

macro_rules! family {
    ($name:ident, $C:ty, $Cb:ty) => {
        mod $name {
            use super::*;

            type C = $C;
            /// The boxed function of callbacks and finalizers.
            type Cb = $Cb;
            type S = Strong<Payload, C, CountingAlloc>;
            type W = Weak<Payload, C, CountingAlloc>;
            type MethodFn = fn(&Payload, ()) -> u32;

            enum Handle {
                Ref(WeakRef<Payload, C, CountingAlloc>),
                Proxy(Proxy<Payload, C, CountingAlloc>),
                Method(WeakMethod<Payload, MethodFn, C, CountingAlloc>),
                Fin(Finalizer<Payload, Cb, C, CountingAlloc>),
            }

            /// What callbacks can reach: the plain weak slots (to check
            /// them at a death) and the parked strong handles (to drop).
            struct Shared {
                weak: Vec<Option<W>>,
                park: Vec<Option<S>>,
            }

            struct Run {
                model: Model,
                alloc: CountingAlloc,
                log: Log,
                shared: Arc<Mutex<Shared>>,
                s: Vec<Option<S>>,
                r: Vec<Option<Handle>>,
            }

            fn method(p: &Payload, (): ()) -> u32 {
                p.id
            }

            impl Run {
                /// The function a callback (`fin: false`) or finalizer
                /// (`fin: true`) of handle `h` on value `v` runs.
                fn recorder(&self, strong: &S, h: usize, fin: bool, then: Then) -> Cb {
                    let weak = Strong::downgrade(strong);
                    let (shared, log) = (self.shared.clone(), self.log.clone());
                    let v = strong.id;
                    Box::new(move || {
                        let mut dead = weak.upgrade().is_none() && weak.strong_count() == 0;
                        let mut cell = lock(&shared);
                        for w in cell.weak.iter().flatten() {
                            if w.ptr_eq(&weak) && w.upgrade().is_some() {
                                dead = false;
                            }
                        }
                        let taken = match then {
                            Then::Nothing => None,
                            Then::DropParked(p) => cell.park[slot(p, NP)].take(),
                        };
                        drop(cell);
                        let (h, event) = (h as u32, fin);
                        lock(&log).push(if event {
                            Event::Finalized { h, v, dead }
                        } else {
                            Event::Callback { h, v, dead }
                        });
                        // Reentrancy: this may kill another value, whose
                        // callbacks run here.
                        drop(taken);
                    })
                }

                fn exec(&mut self, op: Op) {
                    let m = &mut self.model;
                    match op {
                        Op::New { to } => {
                            let v = m.new_value();
                            let payload = Payload {
                                id: v as u32,
                                log: self.log.clone(),
                            };
                            let new = Strong::new_in(payload, self.alloc.clone());
                            let to = slot(to, NS);
                            let old_m = m.s[to].replace(v);
                            let old = self.s[to].replace(new);
                            drop(old);
                            m.dec_opt(old_m);
                        }
                        Op::Clone { from, to } => {
                            let Some(from) = next_occupied(&self.s, from) else {
                                return;
                            };
                            let new = self.s[from].clone();
                            let to = slot(to, NS);
                            let v = m.s[from].unwrap();
                            m.values[v].strong += 1;
                            let old_m = m.s[to].replace(v);
                            let old = std::mem::replace(&mut self.s[to], new);
                            drop(old);
                            m.dec_opt(old_m);
                        }
                        Op::Drop { at } => {
                            let Some(at) = next_occupied(&self.s, at) else {
                                return;
                            };
                            let old = self.s[at].take();
                            drop(old);
                            let old_m = m.s[at].take();
                            m.dec_opt(old_m);
                        }
                        Op::Downgrade { from, to } => {
                            let Some(from) = next_occupied(&self.s, from) else {
                                return;
                            };
                            let weak = Strong::downgrade(self.s[from].as_ref().unwrap());
                            let to = slot(to, NW);
                            let old = lock(&self.shared).weak[to].replace(weak);
                            drop(old);
                            m.w[to] = m.s[from];
                        }
                        Op::Upgrade { from, to } => {
                            let cell = lock(&self.shared);
                            let Some(from) = next_occupied(&cell.weak, from) else {
                                return;
                            };
                            let up = cell.weak[from].as_ref().unwrap().upgrade();
                            drop(cell);
                            let v = m.w[from].unwrap();
                            assert_eq!(up.is_some(), m.values[v].alive, "upgrade of W{from}");
                            if let Some(up) = up {
                                assert_eq!(up.id, v as u32);
                                m.values[v].strong += 1;
                                let to = slot(to, NS);
                                let old_m = m.s[to].replace(v);
                                let old = self.s[to].replace(up);
                                drop(old);
                                m.dec_opt(old_m);
                            }
                        }
                        Op::WeakDrop { at } => {
                            let mut cell = lock(&self.shared);
                            let Some(at) = next_occupied(&cell.weak, at) else {
                                return;
                            };
                            let old = cell.weak[at].take();
                            drop(cell);
                            drop(old);
                            m.w[at] = None;
                        }
                        Op::Ref { from, to, callback } | Op::Proxy { from, to, callback } => {
                            let Some(from) = next_occupied(&self.s, from) else {
                                return;
                            };
                            let strong = self.s[from].as_ref().unwrap();
                            let h = m.regs.len();
                            let proxy = matches!(op, Op::Proxy { .. });
                            let (handle, id) = match (proxy, callback) {
                                (false, None) => {
                                    let r = WeakRef::new(strong);
                                    let id = r.id();
                                    (Handle::Ref(r), id)
                                }
                                (false, Some(then)) => {
                                    let cb = self.recorder(strong, h, false, then);
                                    let r = WeakRef::with_callback(strong, cb);
                                    let id = r.id();
                                    (Handle::Ref(r), id)
                                }
                                (true, None) => {
                                    let r = Proxy::new(strong);
                                    let id = r.id();
                                    (Handle::Proxy(r), id)
                                }
                                (true, Some(then)) => {
                                    let cb = self.recorder(strong, h, false, then);
                                    let r = Proxy::with_callback(strong, cb);
                                    let id = r.id();
                                    (Handle::Proxy(r), id)
                                }
                            };
                            let m = &mut self.model;
                            let kind = if proxy { RegKind::Proxy } else { RegKind::Ref };
                            let v = m.s[from].unwrap();
                            assert_eq!(m.register(v, kind, id, callback), h);
                            self.put_reg(to, handle, h);
                        }
                        Op::Method { from, to } => {
                            let Some(from) = next_occupied(&self.s, from) else {
                                return;
                            };
                            let strong = self.s[from].as_ref().unwrap();
                            let wm = WeakMethod::new(strong, method as MethodFn);
                            let id = wm.id();
                            let v = m.s[from].unwrap();
                            let h = m.register(v, RegKind::Method, id, None);
                            self.put_reg(to, Handle::Method(wm), h);
                        }
                        Op::Finalize { from, to, then } => {
                            let Some(from) = next_occupied(&self.s, from) else {
                                return;
                            };
                            let strong = self.s[from].as_ref().unwrap();
                            let h = m.regs.len();
                            let func = self.recorder(strong, h, true, then);
                            let fin = Finalizer::new(strong, func);
                            let id = fin.id();
                            let m = &mut self.model;
                            let v = m.s[from].unwrap();
                            assert_eq!(m.register(v, RegKind::Fin, id, Some(then)), h);
                            self.put_reg(to, Handle::Fin(fin), h);
                        }
                        Op::RegDrop { at } => {
                            let Some(at) = next_occupied(&self.r, at) else {
                                return;
                            };
                            let old = self.r[at].take();
                            drop(old);
                            let old_m = m.r[at].take();
                            m.reg_drop(old_m);
                        }
                        Op::Call { at } | Op::Detach { at } => {
                            let Some(at) = next_occupied(&self.r, at) else {
                                return;
                            };
                            let Some(Handle::Fin(fin)) = &self.r[at] else {
                                return;
                            };
                            let h = m.r[at].unwrap();
                            let run = matches!(op, Op::Call { .. });
                            let did = if run {
                                fin.call().is_some()
                            } else {
                                let func = fin.detach();
                                let did = func.is_some();
                                drop(func);
                                did
                            };
                            assert_eq!(did, m.fin_take(h, run), "{op:?} on finalizer {h}");
                        }
                        Op::Park { from, to } => {
                            let Some(from) = next_occupied(&self.s, from) else {
                                return;
                            };
                            let handle = self.s[from].take();
                            let to = slot(to, NP);
                            let old = std::mem::replace(&mut lock(&self.shared).park[to], handle);
                            drop(old);
                            let v = m.s[from].take();
                            let old_m = std::mem::replace(&mut m.p[to], v);
                            m.dec_opt(old_m);
                        }
                        Op::Unpark { from, to } => {
                            let handle = {
                                let mut cell = lock(&self.shared);
                                let Some(from) = next_occupied(&cell.park, from) else {
                                    return;
                                };
                                cell.park[from].take().map(|h| (from, h))
                            };
                            let Some((from, handle)) = handle else { return };
                            let to = slot(to, NS);
                            let old = self.s[to].replace(handle);
                            drop(old);
                            let v = m.p[from].take();
                            let old_m = std::mem::replace(&mut m.s[to], v);
                            m.dec_opt(old_m);
                        }
                        Op::ParkDrop { at } => {
                            let handle = {
                                let mut cell = lock(&self.shared);
                                let Some(at) = next_occupied(&cell.park, at) else {
                                    return;
                                };
                                cell.park[at].take().map(|h| (at, h))
                            };
                            let Some((at, handle)) = handle else { return };
                            drop(handle);
                            let old_m = m.p[at].take();
                            m.dec_opt(old_m);
                        }
                        Op::TryUnwrap { at } => {
                            let Some(at) = next_occupied(&self.s, at) else {
                                return;
                            };
                            let v = m.s[at].unwrap();
                            let unique = m.values[v].strong == 1;
                            match Strong::try_unwrap(self.s[at].take().unwrap()) {
                                Ok(value) => {
                                    assert!(unique, "try_unwrap of a shared value {v}");
                                    assert_eq!(value.id, v as u32);
                                    drop(value);
                                    m.s[at] = None;
                                    m.dec(v);
                                }
                                Err(handle) => {
                                    assert!(!unique, "try_unwrap of a unique value {v} failed");
                                    self.s[at] = Some(handle);
                                }
                            }
                        }
                        Op::IntoInner { at } => {
                            let Some(at) = next_occupied(&self.s, at) else {
                                return;
                            };
                            let v = m.s[at].take().unwrap();
                            let unique = m.values[v].strong == 1;
                            let value = Strong::into_inner(self.s[at].take().unwrap());
                            assert_eq!(value.is_some(), unique, "into_inner of value {v}");
                            if let Some(value) = value {
                                assert_eq!(value.id, v as u32);
                                drop(value);
                            }
                            m.dec(v);
                        }
                    }
                }

                /// Stores registered handle `h` in R`to`, dropping the old.
                fn put_reg(&mut self, to: u8, handle: Handle, h: usize) {
                    let to = slot(to, NR);
                    let old = self.r[to].replace(handle);
                    drop(old);
                    let old_m = self.model.r[to].replace(h);
                    self.model.reg_drop(old_m);
                }

                fn check_strong(&self, strong: &S, v: usize, what: &str) {
                    let m = &self.model;
                    assert_eq!(strong.id, v as u32, "{what}: value");
                    assert!(m.values[v].alive, "{what}: a handle of a dead value");
                    assert_eq!(
                        Strong::strong_count(strong),
                        m.values[v].strong,
                        "{what}: strong_count"
                    );
                    assert_eq!(
                        Strong::weak_count(strong),
                        m.weak_count(v),
                        "{what}: weak_count"
                    );
                    let got: Vec<_> = registrations(strong)
                        .iter()
                        .map(|r| (r.id(), r.kind(), r.has_callback()))
                        .collect();
                    assert_eq!(got, m.registrations(v), "{what}: registrations");
                }

                /// Compares everything with the model.
                fn check(&self) {
                    let m = &self.model;
                    assert_eq!(*lock(&self.log), m.log, "the event log");
                    for (i, strong) in self.s.iter().enumerate() {
                        assert_eq!(strong.is_some(), m.s[i].is_some(), "S{i}");
                        if let Some(strong) = strong {
                            self.check_strong(strong, m.s[i].unwrap(), &format!("S{i}"));
                        }
                    }
                    {
                        let cell = lock(&self.shared);
                        for (i, strong) in cell.park.iter().enumerate() {
                            assert_eq!(strong.is_some(), m.p[i].is_some(), "P{i}");
                            if let Some(strong) = strong {
                                self.check_strong(strong, m.p[i].unwrap(), &format!("P{i}"));
                            }
                        }
                        for (i, weak) in cell.weak.iter().enumerate() {
                            assert_eq!(weak.is_some(), m.w[i].is_some(), "W{i}");
                            if let Some(weak) = weak {
                                let v = m.w[i].unwrap();
                                let alive = m.values[v].alive;
                                let up = weak.upgrade();
                                assert_eq!(
                                    up.as_ref().map(|s| s.id),
                                    alive.then_some(v as u32),
                                    "W{i} upgrade"
                                );
                                drop(up);
                                let strong = if alive { m.values[v].strong } else { 0 };
                                assert_eq!(weak.strong_count(), strong, "W{i} strong_count");
                            }
                        }
                    }
                    for (i, handle) in self.r.iter().enumerate() {
                        assert_eq!(handle.is_some(), m.r[i].is_some(), "R{i}");
                        let Some(handle) = handle else { continue };
                        let reg = &m.regs[m.r[i].unwrap()];
                        let (v, alive) = (reg.v as u32, m.values[reg.v].alive);
                        match handle {
                            Handle::Ref(r) => {
                                assert_eq!(r.id(), reg.id);
                                assert_eq!(r.is_alive(), alive, "R{i} is_alive");
                                assert_eq!(
                                    r.upgrade().map(|s| s.id),
                                    alive.then_some(v),
                                    "R{i} upgrade"
                                );
                                assert_eq!(
                                    r.has_callback(),
                                    reg.has_cb && alive,
                                    "R{i} has_callback"
                                );
                            }
                            Handle::Proxy(p) => {
                                assert_eq!(p.id(), reg.id);
                                assert_eq!(p.is_alive(), alive, "R{i} is_alive");
                                let expected = if alive { Ok(v) } else { Err(ReferenceError) };
                                assert_eq!(p.with(|x| x.id), expected, "R{i} Proxy::with");
                            }
                            Handle::Method(wm) => {
                                assert_eq!(wm.id(), reg.id);
                                assert_eq!(
                                    wm.call(()),
                                    alive.then_some(v),
                                    "R{i} WeakMethod::call"
                                );
                            }
                            Handle::Fin(fin) => {
                                assert_eq!(fin.id(), reg.id);
                                assert_eq!(fin.alive(), reg.pending, "R{i} Finalizer::alive");
                                let peek = fin.peek().map(|s| s.id);
                                assert_eq!(peek, (reg.pending && alive).then_some(v), "R{i} peek");
                            }
                        }
                    }
                    assert_eq!(self.alloc.live(), m.live_blocks(), "live blocks");
                }
            }

            pub(crate) fn run(ops: &[Op]) {
                let alloc = CountingAlloc::new();
                {
                    let mut run = Run {
                        model: Model::default(),
                        alloc: alloc.clone(),
                        log: Log::default(),
                        shared: Arc::new(Mutex::new(Shared {
                            weak: (0..NW).map(|_| None).collect(),
                            park: (0..NP).map(|_| None).collect(),
                        })),
                        s: (0..NS).map(|_| None).collect(),
                        r: (0..NR).map(|_| None).collect(),
                    };
                    for &op in ops {
                        run.exec(op);
                        run.check();
                    }
                    // Drop everything, still checked.
                    let teardown = (0..NR as u8)
                        .map(|at| Op::RegDrop { at })
                        .chain((0..NW as u8).map(|at| Op::WeakDrop { at }))
                        .chain((0..NS as u8).map(|at| Op::Drop { at }))
                        .chain((0..NP as u8).map(|at| Op::ParkDrop { at }));
                    for op in teardown {
                        run.exec(op);
                        run.check();
                    }
                    let m = &run.model;
                    for (v, value) in m.values.iter().enumerate() {
                        assert!(!value.alive, "value {v} outlived its handles");
                    }
                    for (h, reg) in m.regs.iter().enumerate() {
                        assert!(
                            !reg.registered && !reg.pending,
                            "handle {h} still registered"
                        );
                    }
                    let dropped = m
                        .log
                        .iter()
                        .filter(|e| matches!(e, Event::Dropped(_)))
                        .count();
                    assert_eq!(dropped, m.values.len(), "every value dropped once");
                    assert!(
                        Arc::strong_count(&run.shared) == 1,
                        "a callback outlived its value"
                    );
                }
                alloc.assert_balanced();
            }
        }
    };
}

family!(local, LocalCount, Box<dyn FnOnce()>);
family!(atomic, AtomicCount, Box<dyn FnOnce() + Send>);
