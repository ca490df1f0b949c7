//! The weak maps the benches compare, behind one interface: our
//! `weakref_std::WeakValueMap`, weak-table 0.4's `WeakValueHashMap` and a
//! plain `hashbrown::HashMap<K, Weak<V>>`, all over the same
//! `weakref_std::{Rc, Weak}` handles and a hasher chosen by the caller, so
//! only the tables differ; and the churn workload. Shared by `maps.rs`
//! (criterion, wall time) and `icount_churn.rs` (instruction counts);
//! each uses part of it.
#![allow(dead_code, reason = "each bench uses part of it")]

use std::hash::RandomState;

use weak_table::WeakValueHashMap;
use weak_table::traits::WeakElement;
use weakref_std::{Rc, Weak, WeakValueMap};

/// The values the maps hold.
pub(crate) type Value = [u64; 4];

/// weak-table's view of our `Weak`.
pub(crate) struct OurWeak(Weak<Value>);

impl WeakElement for OurWeak {
    type Strong = Rc<Value>;

    fn new(view: &Rc<Value>) -> Self {
        OurWeak(Rc::downgrade(view))
    }

    fn view(&self) -> Option<Rc<Value>> {
        self.0.upgrade()
    }

    fn is_expired(&self) -> bool {
        self.0.strong_count() == 0
    }

    fn clone(view: &Rc<Value>) -> Rc<Value> {
        Rc::clone(view)
    }
}

/// The plain map, purged by hand once per churn round.
pub(crate) type Plain<S = RandomState> = hashbrown::HashMap<u64, Weak<Value>, S>;
/// weak-table 0.4's map.
pub(crate) type Table<S = RandomState> = WeakValueHashMap<u64, OurWeak, S>;
/// Ours.
pub(crate) type Ours<S = RandomState> = WeakValueMap<u64, Value, S>;

/// The three maps behind one interface, so each operation is written once.
pub(crate) trait Map: Sized {
    fn empty(hasher: RandomState) -> Self;
    fn put(&mut self, key: u64, value: &Rc<Value>);
    fn fetch(&self, key: u64) -> Option<Rc<Value>>;
    fn sum_live(&self) -> u64;
    /// What the map holds now, dead entries included.
    fn entries(&self) -> usize;
    /// Called once per churn round: the plain map purges here.
    fn end_round(&mut self) {}
}

impl Map for Plain {
    fn empty(hasher: RandomState) -> Self {
        Plain::with_hasher(hasher)
    }
    fn put(&mut self, key: u64, value: &Rc<Value>) {
        self.insert(key, Rc::downgrade(value));
    }
    fn fetch(&self, key: u64) -> Option<Rc<Value>> {
        self.get(&key).and_then(Weak::upgrade)
    }
    fn sum_live(&self) -> u64 {
        self.values().filter_map(Weak::upgrade).map(|v| v[0]).sum()
    }
    fn entries(&self) -> usize {
        self.len()
    }
    fn end_round(&mut self) {
        self.retain(|_, weak| weak.strong_count() != 0);
    }
}

impl Map for Table {
    fn empty(hasher: RandomState) -> Self {
        Table::with_hasher(hasher)
    }
    fn put(&mut self, key: u64, value: &Rc<Value>) {
        self.insert(key, Rc::clone(value));
    }
    fn fetch(&self, key: u64) -> Option<Rc<Value>> {
        self.get(&key)
    }
    fn sum_live(&self) -> u64 {
        self.values().map(|v| v[0]).sum()
    }
    fn entries(&self) -> usize {
        self.len()
    }
}

impl Map for Ours {
    fn empty(hasher: RandomState) -> Self {
        Ours::with_hasher(hasher)
    }
    fn put(&mut self, key: u64, value: &Rc<Value>) {
        self.insert(key, value);
    }
    fn fetch(&self, key: u64) -> Option<Rc<Value>> {
        self.get(&key)
    }
    fn sum_live(&self) -> u64 {
        self.values().map(|v| v[0]).sum()
    }
    fn entries(&self) -> usize {
        self.len()
    }
}

/// No map at all: the churn workload alone (making, holding and dropping
/// the values), whose cost `icount_churn` subtracts to get each map's own.
pub(crate) struct NoMap;

impl Map for NoMap {
    fn empty(_: RandomState) -> Self {
        NoMap
    }
    fn put(&mut self, _: u64, _: &Rc<Value>) {}
    fn fetch(&self, _: u64) -> Option<Rc<Value>> {
        None
    }
    fn sum_live(&self) -> u64 {
        0
    }
    fn entries(&self) -> usize {
        0
    }
}

/// Keys in a scrambled order (a multiplicative permutation of 0..N), so
/// lookups do not walk the table in insertion order.
pub(crate) fn keys(range: std::ops::Range<u64>) -> Vec<u64> {
    let len = range.end - range.start;
    (0..len).map(|i| range.start + (i * 7_919) % len).collect()
}

pub(crate) fn values(n: u64) -> Vec<Rc<Value>> {
    (0..n).map(|i| Rc::new([i; 4])).collect()
}

pub(crate) fn filled<M: Map>(hasher: &RandomState, values: &[Rc<Value>]) -> M {
    let mut map = M::empty(hasher.clone());
    for (i, v) in values.iter().enumerate() {
        map.put(i as u64, v);
    }
    map
}

/// The values of one churn run, made outside the timed region.
pub(crate) fn churn_values(rounds: u64, per_round: u64) -> Vec<Rc<Value>> {
    values(rounds * per_round)
}

/// One churn run over `values` (consumed: each round's values die half by
/// half); returns the map, the survivors and the peak number of entries
/// held, to be dropped outside the timed region.
pub(crate) fn churn<M: Map>(
    hasher: &RandomState,
    values: Vec<Rc<Value>>,
    per_round: u64,
) -> (M, Vec<Rc<Value>>, usize) {
    let mut map = M::empty(hasher.clone());
    let mut live: Vec<Rc<Value>> = Vec::with_capacity(2 * per_round as usize);
    let mut peak = 0;
    let rounds = values.len() as u64 / per_round;
    let mut values = values.into_iter();
    for round in 0..rounds {
        for (i, value) in values.by_ref().take(per_round as usize).enumerate() {
            map.put(round * per_round + i as u64, &value);
            live.push(value);
        }
        peak = peak.max(map.entries());
        // Half of the live values die.
        let mut keep = false;
        live.retain(|_| {
            keep = !keep;
            keep
        });
        map.end_round();
    }
    (map, live, peak)
}
