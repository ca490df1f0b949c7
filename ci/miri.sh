#!/usr/bin/env bash
# Miri over the core, adapter and integration suites, under both aliasing
# models (a planted aliasing bug was caught only by stacked borrows; tree
# borrows is the newer model), with strict provenance.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup component add miri rust-src --toolchain nightly >/dev/null
cargo +nightly miri setup >/dev/null

packages=(-p weakref-core -p weakref-std -p weakref-sync -p weakref-tests)
# Unit, integration and doc tests (the doctests exercise the raw-pointer
# examples); the overflow tests spawn processes, so Miri ignores them.
export MIRIFLAGS="-Zmiri-strict-provenance"
cargo +nightly miri test "${packages[@]}" --target-dir target/miri
export MIRIFLAGS="-Zmiri-strict-provenance -Zmiri-tree-borrows"
cargo +nightly miri test "${packages[@]}" --target-dir target/miri
