#!/usr/bin/env bash
# no_std builds. weakref-core with and without `alloc`; weakref-sync
# (no_std + alloc); and tests/embedded, a no-heap firmware-like crate using
# Arc + Weak in a static pool, for:
#   thumbv7em-none-eabihf          Cortex-M4F, native CAS
#   thumbv6m-none-eabi             Cortex-M0, no CAS: `portable-atomic`
#   riscv32imc-unknown-none-elf    no CAS: `portable-atomic`
# Without CAS the firmware picks portable-atomic's backend; here the
# single-core cfg, as a single-core firmware would.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/targets.sh

cas=thumbv7em-none-eabihf
cargo build -p weakref-core --no-default-features --target "$cas"
cargo build -p weakref-core --no-default-features --features pool --target "$cas"
cargo build -p weakref-core --target "$cas"
cargo build -p weakref-sync --no-default-features --target "$cas"
cargo build -p weakref-embedded --target "$cas"

# The local counter needs no atomics at all.
cargo build -p weakref-core --no-default-features --target riscv32imc-unknown-none-elf
cargo build -p weakref-core --no-default-features --target thumbv6m-none-eabi

export RUSTFLAGS="--cfg portable_atomic_unsafe_assume_single_core"
for nocas in thumbv6m-none-eabi riscv32imc-unknown-none-elf; do
    cargo build -p weakref-embedded --features portable-atomic --target "$nocas" --target-dir target/nocas
    cargo build -p weakref-sync --no-default-features --features portable-atomic --target "$nocas" \
        --target-dir target/nocas
done
