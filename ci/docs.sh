#!/usr/bin/env bash
# API docs build without a warning (broken links, missing docs).
set -euo pipefail
cd "$(dirname "$0")/.."

RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
