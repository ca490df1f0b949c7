#!/usr/bin/env bash
# no_std builds: weakref-core with and without `alloc`, weakref-sync, for a
# Cortex-M4F, and weakref-core's local counter on a RISC-V core without CAS.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/targets.sh
cargo build -p weakref-core --no-default-features --target thumbv7em-none-eabihf
cargo build -p weakref-core --target thumbv7em-none-eabihf
cargo build -p weakref-sync --no-default-features --target thumbv7em-none-eabihf
cargo build -p weakref-core --no-default-features --target riscv32imc-unknown-none-elf
cargo build -p weakref-core --no-default-features --target thumbv6m-none-eabi
