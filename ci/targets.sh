#!/usr/bin/env bash
# Installs the embedded targets the no_std checks build for (idempotent).
set -euo pipefail
targets=(thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imc-unknown-none-elf)
installed=$(rustup target list --installed)
for t in "${targets[@]}"; do
    grep -qx "$t" <<<"$installed" || rustup target add "$t"
done
