#!/usr/bin/env bash
# Loom model checking of the atomic protocol (core/tests/loom.rs), and the
# canary that proves a wrong ordering is caught (core/tests/loom_canary.rs).
# A separate target dir: the cfg changes every crate's flags. Each model
# prints how many executions it explored.
set -euo pipefail
cd "$(dirname "$0")/.."

export RUSTFLAGS="--cfg weakref_loom"
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-3}"
cargo test -p weakref-core --features loom,pool,collections --release --target-dir target/loom \
    --test loom -- --nocapture --test-threads=1
cargo test -p weakref-core --features loom,pool,collections --release --target-dir target/loom \
    --test loom_canary
# A dependent's loom test through the ecosystem's `--cfg loom` (README,
# "Testing your code with loom").
RUSTFLAGS="--cfg loom" cargo test -p weakref-sync --features loom --release \
    --target-dir target/loom-dependent --test loom

# The wait-free strong protocol (issue 23): its models, then the canaries
# that plant one bug per model (each must be caught; see the file).
cargo test -p weakref-core --features loom,pool,collections --release --target-dir target/loom \
    --test loom_wait_free -- --nocapture --test-threads=1
cargo test -p weakref-core --features loom,pool,collections --release --target-dir target/loom \
    --test loom_wait_free_canary -- --nocapture --test-threads=1
