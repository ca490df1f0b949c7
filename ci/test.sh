#!/usr/bin/env bash
# The README's test command, then the builds the default one does not cover.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace
# weakref-core without `alloc` (no Global, no unsized constructors).
cargo test -p weakref-core --no-default-features --lib --test tidy
# With `alloc` but not `std`: the crate's own spin lock.
cargo test -p weakref-core --no-default-features --features alloc,collections --lib
# The example the README runs.
cargo run -q -p weakref-std --example image_cache >/dev/null
# Benches compile and run once each (no timing here: see the README).
cargo bench -p weakref-tests --no-run -q
