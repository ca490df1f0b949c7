#!/usr/bin/env bash
# Formatting and clippy, also for code that only exists under a cfg: the
# loom build and a target without atomics (cfg-disabled code is not linted
# otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."

rustup component add rustfmt clippy >/dev/null 2>&1 || true

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p weakref-core --no-default-features -- -D warnings
# (--lib --tests: examples use `static_pool!`, whose const `Pool::new` loom lacks.)
RUSTFLAGS="--cfg weakref_loom" cargo clippy -p weakref-core --features loom,pool,collections --lib --tests \
    --target-dir target/loom -- -D warnings
RUSTFLAGS="--cfg weakref_shuttle" cargo clippy -p weakref-core --features shuttle,pool,collections --lib --tests \
    --target-dir target/shuttle -- -D warnings
# The reference models as the schedule fuzzer (fuzz/sched) builds them.
RUSTFLAGS="--cfg weakref_shuttle" cargo clippy -p weakref-tests --features weakref-core/shuttle --lib \
    --target-dir target/shuttle -- -D warnings
bash ci/targets.sh
cargo clippy -p weakref-core --no-default-features --target riscv32imc-unknown-none-elf -- -D warnings
cargo clippy -p weakref-core --no-default-features --features pool -- -D warnings
RUSTFLAGS="--cfg portable_atomic_unsafe_assume_single_core" cargo clippy -p weakref-embedded \
    --features portable-atomic --target thumbv6m-none-eabi --target-dir target/nocas -- -D warnings
# tests/firmware is its own workspace (Cortex-M only; see ci/embedded.sh):
# from its directory, so its .cargo/config.toml applies.
(
    cd tests/firmware
    unset RUSTFLAGS
    cargo fmt -- --check
    for target in thumbv6m-none-eabi thumbv7em-none-eabihf; do
        cargo clippy --release --target "$target" --bins -- -D warnings
    done
)
