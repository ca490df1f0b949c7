//! Criterion benches of the weak sets: our `weakref_std::WeakSet` against
//! weak-table 0.4's `WeakHashSet` and a plain `hashbrown::HashMap` from the
//! element to its `Weak`, over the same `weakref_std::{Rc, Weak}` handles and
//! std's `RandomState`, at 1k and 100k elements (issue 7):
//!
//! - `sets/insert <n>`: n inserts into an empty set (growth included);
//! - `sets/contains_hit <n>`, `sets/contains_miss <n>`: n lookups.
//!
//! ```text
//! cargo bench -p weakref-tests --bench sets
//! ```

use std::hash::RandomState;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use weak_table::WeakHashSet;
use weak_table::traits::{WeakElement, WeakKey};
use weakref_std::{Rc, Weak, WeakSet};

/// weak-table's view of our `Weak<u64>`.
struct OurWeak(Weak<u64>);

impl WeakElement for OurWeak {
    type Strong = Rc<u64>;

    fn new(view: &Rc<u64>) -> Self {
        OurWeak(Rc::downgrade(view))
    }

    fn view(&self) -> Option<Rc<u64>> {
        self.0.upgrade()
    }

    fn is_expired(&self) -> bool {
        self.0.strong_count() == 0
    }

    fn clone(view: &Rc<u64>) -> Rc<u64> {
        Rc::clone(view)
    }
}

impl WeakKey for OurWeak {
    type Key = u64;

    fn with_key<F, R>(view: &Rc<u64>, f: F) -> R
    where
        F: FnOnce(&u64) -> R,
    {
        f(view)
    }
}

type Plain = hashbrown::HashMap<u64, Weak<u64>, RandomState>;
type Table = WeakHashSet<OurWeak, RandomState>;
type Ours = WeakSet<u64, RandomState>;

/// The operations the benches need, on the three sets.
trait Set: Sized {
    fn empty(hasher: RandomState) -> Self;
    fn put(&mut self, value: &Rc<u64>);
    fn has(&self, value: u64) -> bool;
}

impl Set for Plain {
    fn empty(hasher: RandomState) -> Self {
        Plain::with_hasher(hasher)
    }
    fn put(&mut self, value: &Rc<u64>) {
        self.insert(**value, Rc::downgrade(value));
    }
    fn has(&self, value: u64) -> bool {
        self.get(&value).is_some_and(|w| w.strong_count() > 0)
    }
}

impl Set for Table {
    fn empty(hasher: RandomState) -> Self {
        Table::with_hasher(hasher)
    }
    fn put(&mut self, value: &Rc<u64>) {
        self.insert(Rc::clone(value));
    }
    fn has(&self, value: u64) -> bool {
        self.contains(&value)
    }
}

impl Set for Ours {
    fn empty(hasher: RandomState) -> Self {
        Ours::with_hasher(hasher)
    }
    fn put(&mut self, value: &Rc<u64>) {
        self.insert(value);
    }
    fn has(&self, value: u64) -> bool {
        self.contains(&value)
    }
}

fn filled<S: Set>(hasher: &RandomState, values: &[Rc<u64>]) -> S {
    let mut set = S::empty(hasher.clone());
    for v in values {
        set.put(v);
    }
    set
}

fn bench_sized(c: &mut Criterion, hasher: &RandomState, n: u64, label: &str) {
    let values: Vec<Rc<u64>> = (0..n).map(Rc::new).collect();
    // A scrambled order, so lookups do not follow insertion order.
    let hits: Vec<u64> = (0..n).map(|i| (i * 7_919) % n).collect();
    let misses: Vec<u64> = hits.iter().map(|h| h + n).collect();

    let mut g = c.benchmark_group(format!("sets/insert {label}"));
    macro_rules! insert {
        ($name:literal, $set:ty) => {
            g.bench_function($name, |b| {
                b.iter_batched(
                    || (),
                    |()| filled::<$set>(hasher, &values),
                    BatchSize::LargeInput,
                )
            });
        };
    }
    insert!("plain", Plain);
    insert!("weak-table", Table);
    insert!("weakref", Ours);
    g.finish();

    let plain: Plain = filled(hasher, &values);
    let table: Table = filled(hasher, &values);
    let ours: Ours = filled(hasher, &values);
    for (what, keys) in [("contains_hit", &hits), ("contains_miss", &misses)] {
        let mut g = c.benchmark_group(format!("sets/{what} {label}"));
        g.bench_function("plain", |b| {
            b.iter(|| keys.iter().filter(|&&k| plain.has(black_box(k))).count())
        });
        g.bench_function("weak-table", |b| {
            b.iter(|| keys.iter().filter(|&&k| table.has(black_box(k))).count())
        });
        g.bench_function("weakref", |b| {
            b.iter(|| keys.iter().filter(|&&k| ours.has(black_box(k))).count())
        });
        g.finish();
    }
}

fn bench_sets(c: &mut Criterion) {
    let hasher = RandomState::new();
    bench_sized(c, &hasher, 1_000, "1k");
    bench_sized(c, &hasher, 100_000, "100k");
}

criterion_group!(benches, bench_sets);
criterion_main!(benches);
