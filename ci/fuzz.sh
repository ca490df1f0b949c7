#!/usr/bin/env bash
# Fuzzing: builds every cargo-fuzz target in fuzz/ with the nightly
# toolchain (AddressSanitizer + LeakSanitizer: cargo-fuzz's default; a
# use-after-free without ASan can go unnoticed and hang libFuzzer later),
# then runs each for a bounded time, always under `timeout`.
#
#   ci/fuzz.sh                     smoke run: each target 60 s (FUZZ_SECONDS)
#   ci/fuzz.sh --long SECONDS      long run: each target SECONDS
#   ci/fuzz.sh --runs N            long run: each target N executions
#   ci/fuzz.sh --no-asan ...       without AddressSanitizer: about 6x the
#                                  executions per second; the model, the
#                                  allocator's ledger and debug assertions
#                                  still check every step (for volume; the
#                                  ASan runs catch what only ASan sees)
#   ci/fuzz.sh [options] rc_ops ...   only the named targets
#
# Each target starts from its committed seeds (fuzz/corpus/<target>, read
# only) plus a working corpus in fuzz/target/corpus/<target> (git-ignored,
# kept between runs, so long runs build on earlier ones). A crash leaves its
# input in fuzz/artifacts/<target>/ and fails the script; reproduce it with
#   cargo +nightly fuzz run --fuzz-dir fuzz --no-trace-compares <target> fuzz/artifacts/<target>/<file>
# and print the decoded program with
#   cargo +nightly fuzz fmt --fuzz-dir fuzz <target> fuzz/artifacts/<target>/<file>
#
# `arc_sched` (the input picks the thread interleaving too, through a
# shuttle scheduler) is its own project, fuzz/sched, built with
# `--cfg weakref_shuttle`; its smoke run is shorter (ARC_SCHED_SECONDS,
# 30 s). Its crashes land in fuzz/sched/artifacts/arc_sched/; replay one
# (the same schedule, exactly) and print its trace hash with
#   ARC_SCHED_TRACE=1 RUSTFLAGS="--cfg weakref_shuttle" cargo +nightly fuzz run \
#       --fuzz-dir fuzz/sched --no-trace-compares arc_sched <file>
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never

seconds="${FUZZ_SECONDS:-60}"
sched_seconds="${ARC_SCHED_SECONDS:-30}"
runs=-1
sanitizer=address
while [[ "${1:-}" == --* ]]; do
    case "$1" in
    --long) seconds="${2:?usage: ci/fuzz.sh --long SECONDS [TARGET...]}"; sched_seconds=$seconds; shift 2 ;;
    --runs) runs="${2:?usage: ci/fuzz.sh --runs N [TARGET...]}"; seconds=0; sched_seconds=0; shift 2 ;;
    --no-asan) sanitizer=none; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
all_targets=(rc_ops arc_ops pool_ops callback_ops weak_map_ops arc_sched)
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=("${all_targets[@]}")
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# Release, debug assertions, ASan. No compare tracing: the inputs hold no
# magic values for it to solve (enum tags are ranges, slots are taken
# modulo), and it halved the executions per second. `run` must get the same
# flags, or it rebuilds.
build_flags=(--fuzz-dir fuzz --no-trace-compares --sanitizer "$sanitizer")

# fuzz/sched: the shuttle cfg on weakref-core (RUSTFLAGS cover a whole
# build, so it cannot share fuzz/'s); its own target dir.
sched_flags=(--fuzz-dir fuzz/sched --no-trace-compares --sanitizer "$sanitizer")

start=$SECONDS
# fuzz/'s targets, unless only arc_sched runs (ci/mutants.sh).
if [[ " ${targets[*]} " != " arc_sched " ]]; then
    cargo +nightly fuzz build "${build_flags[@]}"
fi
if [[ " ${targets[*]} " == *" arc_sched "* ]]; then
    RUSTFLAGS="--cfg weakref_shuttle" cargo +nightly fuzz build "${sched_flags[@]}" arc_sched
fi
echo "::: fuzz targets built in $((SECONDS - start))s"

summary=()
for target in "${targets[@]}"; do
    work="fuzz/target/corpus/${target}"
    mkdir -p "$work" "fuzz/artifacts/${target}"
    log="fuzz/target/${target}.log"
    # `timeout` backs up -max_total_time: a hang inside one input (or in
    # libFuzzer) must not hold CI. -timeout: one input taking 20 s is a bug.
    # -max_len: programs longer than this add little (a handful of slots)
    # and slow every run down; the threaded target pays per phase.
    max_len=2048
    [[ $target == arc_ops ]] && max_len=1024
    flags=("${build_flags[@]}")
    secs=$seconds
    rustflags="${RUSTFLAGS:-}"
    if [[ $target == arc_sched ]]; then
        # Each decision between runnable threads costs a byte: 512 bytes
        # are 48 operations and a few hundred decisions.
        max_len=512
        flags=("${sched_flags[@]}")
        secs=$sched_seconds
        rustflags="--cfg weakref_shuttle"
    fi
    echo "::: fuzzing ${target} for ${secs}s (0: no limit) / ${runs} runs (-1: no limit), sanitizer ${sanitizer}"
    status=0
    # A run-count campaign has no time limit but the session's.
    limit=$((secs + 120))
    [[ $secs -eq 0 ]] && limit=86400
    RUSTFLAGS="$rustflags" timeout --kill-after=30 "$limit" \
        cargo +nightly fuzz run "${flags[@]}" "$target" "$work" "fuzz/corpus/${target}" -- \
        -max_total_time="$secs" -runs="$runs" -max_len="$max_len" -timeout=20 -print_final_stats=1 \
        >"$log" 2>&1 || status=$?
    grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs)' "$log" || true
    if [[ $status -ne 0 ]]; then
        tail -n 80 "$log"
        echo "::: fuzz target ${target} FAILED (status ${status}); log: ${log}" >&2
        exit 1
    fi
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    summary+=("$(printf '  %-13s %12s runs  %8s exec/s' "$target" "${executed:-?}" "${rate:-?}")")
done

echo
echo "fuzz summary (${seconds}s, arc_sched ${sched_seconds}s / ${runs} runs per target, sanitizer ${sanitizer}, total $((SECONDS - start))s):"
printf '%s\n' "${summary[@]}"
