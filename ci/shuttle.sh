#!/usr/bin/env bash
# Shuttle: randomised and PCT schedules of scenarios too big for loom
# (core/tests/shuttle.rs: a purging WeakCache, the callback registry, a
# full static pool), 3 or 4 threads, tens of thousands of executions in
# a few seconds. Shuttle treats every ordering as SeqCst: it checks the
# protocol's logic; loom (ci/loom.sh) checks the orderings.
# A separate target dir: the cfg changes every crate's flags.
#   SHUTTLE_ITERATIONS=N ci/shuttle.sh    N times the executions
set -euo pipefail
cd "$(dirname "$0")/.."

export RUSTFLAGS="--cfg weakref_shuttle"
cargo test -p weakref-core --features shuttle,pool,collections --release \
    --target-dir target/shuttle --test shuttle -- --nocapture
