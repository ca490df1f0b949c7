#!/usr/bin/env bash
# Sanitizers, nightly, with std rebuilt (-Zbuild-std) so that std's own
# atomics, locks and allocations are instrumented too:
#
#  * ThreadSanitizer on the threaded tests: the `threads`, `pool` and
#    `model::threaded_*` modules of the integration suite, and
#    weakref-core's unit and loom-free integration tests. Built with
#    `--cfg weakref_tsan`: TSan does not model fences, so the
#    last-reference Acquire becomes an Acquire load, as in std under TSan
#    (see `acquire!` in core/src/count/atomic.rs).
#  * AddressSanitizer (with LeakSanitizer) on the whole integration suite.
#
# `--target` keeps the sanitizer flags off build scripts and proc macros;
# each sanitizer has its own target dir (the flags rebuild everything).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never
export CARGO_INCREMENTAL=0

target=x86_64-unknown-linux-gnu
rustup component add rust-src --toolchain nightly >/dev/null

# The model property tests run ~10x slower instrumented: fewer cases here
# (ci/test.sh runs the full count).
export WEAKREF_MODEL_CASES="${WEAKREF_MODEL_CASES:-400}"

start=$SECONDS

echo "::: ThreadSanitizer"
tsan=(cargo +nightly test -Zbuild-std --target "$target" --target-dir target/tsan)
export RUSTFLAGS="-Zsanitizer=thread --cfg weakref_tsan"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
"${tsan[@]}" -p weakref-core --features std,pool --lib --tests
"${tsan[@]}" -p weakref-tests --test it -- threads:: pool:: model::threaded cache::
unset TSAN_OPTIONS
tsan_took=$((SECONDS - start))

echo "::: AddressSanitizer"
asan_start=$SECONDS
# `weakref_asan`: a test that needs the allocator to reuse an address
# (which ASan's quarantine prevents) skips only that precondition.
export RUSTFLAGS="-Zsanitizer=address --cfg weakref_asan"
export ASAN_OPTIONS="detect_leaks=1 detect_stack_use_after_return=1"
cargo +nightly test -Zbuild-std --target "$target" --target-dir target/asan \
    -p weakref-tests --test it
asan_took=$((SECONDS - asan_start))

echo
echo "sanitizers (seconds): tsan ${tsan_took}, asan ${asan_took}, total $((SECONDS - start))"
