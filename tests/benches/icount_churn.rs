//! Instructions per churn insert (issue 4), counted by callgrind
//! (`common/callgrind.rs`): rounds of 1000 inserts under fresh keys, half of
//! the live values dying after each round (`common/weak_maps.rs`, the
//! workload of the `maps` bench's `churn` groups), into
//!
//! - `plain`: a `hashbrown::HashMap<u64, Weak<V>>` purged by hand (`retain`)
//!   once per round,
//! - `weak-table`: weak-table 0.4's `WeakValueHashMap`,
//! - `ours`: `weakref_std::WeakValueMap`,
//!
//! all over `weakref_std` handles with std's `RandomState`; and `workload`,
//! the same rounds with no map (making, holding and dropping the values).
//! The report gives each map's instructions per insert, and its own share:
//! the workload's subtracted.
//!
//! A binary of its own: `icount`'s std rows are measured in a binary that
//! does not also hold these maps, whose extra callers of std's
//! `BuildHasher::hash_one` change how LLVM inlines it there.
//!
//! ```text
//! cargo bench -p weakref-tests --bench icount_churn
//! ```

use std::hash::RandomState;
use std::hint::black_box;

#[path = "common/callgrind.rs"]
mod callgrind;
#[path = "common/weak_maps.rs"]
mod weak_maps;

use callgrind::{Args, per_op};
use weak_maps::{Map, NoMap, Ours, Plain, Table};

/// Inserts per churn round.
const ROUND: u64 = 1000;

/// `n` churn inserts into a map `M`, in rounds of [`ROUND`].
fn churn<M: Map>(n: u64) {
    let values = weak_maps::values(n);
    black_box(weak_maps::churn::<M>(&RandomState::new(), values, ROUND));
}

fn main() {
    match callgrind::args() {
        Args::Run(op, n) => match op.as_str() {
            "workload" => churn::<NoMap>(n),
            "plain" => churn::<Plain>(n),
            "weak-table" => churn::<Table>(n),
            "ours" => churn::<Ours>(n),
            _ => panic!("unknown map {op}"),
        },
        Args::Report(filter) => {
            if !filter.is_empty() {
                eprintln!("icount_churn measures every map: filter {filter:?} ignored");
            }
            let workload = per_op("workload");
            println!("churn, instructions per insert (workload alone: {workload:.1})");
            println!("{:<12} {:>10} {:>10}", "map", "total", "own");
            let mut own = Vec::new();
            for map in ["plain", "weak-table", "ours"] {
                let total = per_op(map);
                println!("{map:<12} {total:>10.1} {:>10.1}", total - workload);
                own.push(total - workload);
            }
            println!(
                "ours/plain {:.3}, ours/weak-table {:.3} (own instructions)",
                own[2] / own[0],
                own[2] / own[1]
            );
        }
    }
}
