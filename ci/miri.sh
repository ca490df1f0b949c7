#!/usr/bin/env bash
# Miri over the core, adapter and integration suites, under both aliasing
# models (a planted aliasing bug was caught only by stacked borrows; tree
# borrows is the newer model), with strict provenance.
#
# Stacked borrows runs everything but the weak collections' `_u32`
# instances (bar their panic tests). Tree borrows runs everything but two
# parts that only repeat, through safe code, paths the rest covers: the
# weak collections (safe code over hashbrown and the handles, under
# `forbid(unsafe_code)`: 573 of the integration suite's 770 Miri seconds,
# measured with `--report-time`, 187 of them the `_u32` instances) and the
# `_u32` counter widths (the same code as the default width, which the
# other groups run at `u32` under stacked borrows). Every other group, the
# core's own tests and its doctests run under both.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup component add miri rust-src --toolchain nightly >/dev/null
cargo +nightly miri setup >/dev/null

packages=(-p weakref-core -p weakref-std -p weakref-sync -p weakref-tests)
for model in "" "-Zmiri-tree-borrows"; do
    export MIRIFLAGS="-Zmiri-strict-provenance ${model}"
    echo "::: miri ${MIRIFLAGS}"
    if [[ -n "${model}" ]]; then
        skip=(-- --skip collections:: --skip _u32::)
    else
        skip=(-- --skip collections::local_u32:: --skip collections::atomic_u32::
              --skip collections::model::local_u32:: --skip collections::model::atomic_u32::)
    fi
    # Unit and integration tests (the overflow tests spawn processes, so
    # Miri ignores them; suites shrink their loops under cfg(miri)).
    cargo +nightly miri test "${packages[@]}" --lib --tests --target-dir target/miri "${skip[@]}"
    # weakref-core's doctests exercise the raw-pointer API (from_raw,
    # increment_strong_count, get_mut_unchecked...): run them too.
    cargo +nightly miri test -p weakref-core --doc --target-dir target/miri
    # The no_std lock (a data race there is reported as undefined behaviour).
    cargo +nightly miri test -p weakref-core --no-default-features --features alloc --lib spin_lock \
        --target-dir target/miri
    # The nightly-only `CoerceUnsized` impls (a cfg, so its own target dir).
    RUSTFLAGS="--cfg weakref_coerce_unsized" \
        cargo +nightly miri test -p weakref-core --lib unsize --target-dir target/miri-cu
done
