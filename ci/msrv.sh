#!/usr/bin/env bash
# The libraries build with the declared rust-version (Cargo.toml).
set -euo pipefail
cd "$(dirname "$0")/.."

msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
rustup toolchain list | grep -q "^${msrv}-" || rustup toolchain install "$msrv" --profile minimal
cargo "+${msrv}" check -p weakref-core -p weakref-std -p weakref-sync --target-dir target/msrv
cargo "+${msrv}" check -p weakref-core --no-default-features --target-dir target/msrv
