#!/usr/bin/env bash
# Proof by mutants: each patch in ci/mutants/ plants one bug; the tool named
# for it must catch it. For each: apply, check that the mutant still builds
# (a mutant that does not compile proves nothing), run the tool, expect a
# failure, revert. Prints a table of what caught what, and how fast.
#
#   bash ci/mutants.sh            # every mutant
#   bash ci/mutants.sh 04 08      # the mutants whose names start so
#
# The table is ci/mutants/README.md; keep the two in step.
set -euo pipefail
cd "$(dirname "$0")/.."

loom_env=(env RUSTFLAGS="--cfg weakref_loom" LOOM_MAX_PREEMPTIONS=3)
loom_args=(-p weakref-core --features loom,pool,collections --release --target-dir target/loom --test loom)
miri_env=(env MIRIFLAGS="-Zmiri-strict-provenance")

# name -> "tool|test filter", several separated by ';' (each must catch it)
declare -A catcher=(
    [01-upgrade-revives-zero]="loom|upgrade_vs_last_strong_drop;sched|arc_sched"
    [02-last-drop-without-acquire]="loom|concurrent_last_drops_order_reads_before_drop"
    [03-downgrade-ignores-lock]="loom|downgrade_vs_get_mut"
    [04-purge-ignores-death]="loom|cache_purge_vs_death_and_get"
    [05-unregister-clears-flag-outside-lock]="loom|unregistration_vs_registration"
    [06-tally-acquire-relaxed]="loom|purge_skip_vs_death"
    [07-tally-release-relaxed]="loom|purge_skip_vs_death"
    [08-cache-make-outside-lock]="loom|cache_get_or_insert_vs_last_drop;sched|arc_sched"
    [09-slot-freed-before-value-drop]="miri|panic_safety::local::panicking_drop_still_frees_the_block;shuttle|full_static_pool_take_and_give_back"
    [10-make-mut-without-restore-guard]="test|adversary::handles::atomic::make_mut_allocate_panic_restores_strong"
    [11-arena-handed-on-in-use]="test|adversary::pools::late_thread_local_destructors"
    [12-count-before-allocator-clone]="test|adversary::handles::local::strong_clone_alloc_clone_panic"
    [13-narrow-increment-not-atomic]="loom|narrow_counts_near_their_limit"
    [16-intern-checks-then-inserts]="shuttle|weak_interner_under_three_threads;sched|arc_sched"
    [15-tally-reads-the-freed-block]="loom|last_weak_drop_vs_last_strong_drop"
    [14-upgrade-load-then-store]="shuttle|weak_cache_purges_under_three_threads;sched|arc_sched"
)

# Runs one tool; `build` only compiles what it would run.
run() {
    local tool=$1 filter=$2 build=$3
    case $tool in
        shuttle)
            local shuttle=(env RUSTFLAGS="--cfg weakref_shuttle" cargo test -q -p weakref-core
                --features shuttle,pool,collections --release --target-dir target/shuttle --test shuttle)
            if [[ $build == build ]]; then
                "${shuttle[@]}" --no-run
            else
                "${shuttle[@]}" -- "$filter" --nocapture
            fi ;;
        sched)
            # The schedule fuzzer from its committed seeds, 60 s at most (a
            # crash fails ci/fuzz.sh, whose own build is then a no-op).
            if [[ $build == build ]]; then
                RUSTFLAGS="--cfg weakref_shuttle" cargo +nightly fuzz build --fuzz-dir fuzz/sched \
                    --no-trace-compares --sanitizer address "$filter"
            else
                ARC_SCHED_SECONDS=60 bash ci/fuzz.sh "$filter"
            fi ;;
        loom)
            if [[ $build == build ]]; then
                "${loom_env[@]}" cargo test -q "${loom_args[@]}" --no-run
            else
                "${loom_env[@]}" cargo test -q "${loom_args[@]}" -- "$filter" --test-threads=1 --nocapture
            fi ;;
        miri)
            if [[ $build == build ]]; then
                "${miri_env[@]}" cargo +nightly miri test -q -p weakref-tests --test it --target-dir target/miri --no-run
            else
                "${miri_env[@]}" cargo +nightly miri test -q -p weakref-tests --test it --target-dir target/miri -- "$filter"
            fi ;;
        test)
            if [[ $build == build ]]; then
                cargo test -q -p weakref-tests --test it --no-run
            else
                cargo test -q -p weakref-tests --test it -- "$filter"
            fi ;;
    esac
}

filters=("$@")
selected() {
    [[ ${#filters[@]} -eq 0 ]] && return 0
    local f
    for f in "${filters[@]}"; do [[ $1 == "$f"* ]] && return 0; done
    return 1
}

if ! git diff --quiet -- core; then
    echo "mutants: core/ has uncommitted changes; commit or stash them first" >&2
    exit 2
fi
if [[ " ${filters[*]-} " == *miri* || ${#filters[@]} -eq 0 ]]; then
    rustup component add miri rust-src --toolchain nightly >/dev/null 2>&1 || true
    cargo +nightly miri setup >/dev/null 2>&1 || true
fi

results=()
status=0
for patch in ci/mutants/*.patch; do
    name=$(basename "$patch" .patch)
    selected "$name" || continue
    IFS=';' read -ra catchers <<<"${catcher[$name]:?no catcher for $name}"
    git apply "$patch"
    trap 'git apply -R "$patch"' EXIT
    for one in "${catchers[@]}"; do
        IFS='|' read -r tool filter <<<"$one"
        if ! run "$tool" "$filter" build >/dev/null 2>&1; then
            results+=("$name|$tool|DOES NOT BUILD|-")
            status=1
            continue
        fi
        start=$SECONDS
        log=$(mktemp)
        if run "$tool" "$filter" run >"$log" 2>&1; then
            results+=("$name|$tool|MISSED|$((SECONDS - start)) s")
            status=1
        else
            # Loom models print the executions they explored; shuttle
            # names the failing execution; libFuzzer counts the inputs it
            # ran, the crashing one included.
            explored=$(grep -o '[0-9]* executions\|failed in execution [0-9]*\|number_of_executed_units: *[0-9]*' "$log" |
                head -1 | sed 's/number_of_executed_units: */fuzz inputs: /' || true)
            results+=("$name|$tool|caught|$((SECONDS - start)) s${explored:+, $explored}")
        fi
        rm -f "$log"
    done
    git apply -R "$patch"
    trap - EXIT
done

printf '%-40s %-8s %-16s %s\n' mutant tool result time
for row in "${results[@]}"; do
    IFS='|' read -r name tool result time <<<"$row"
    printf '%-40s %-8s %-16s %s\n' "$name" "$tool" "$result" "$time"
done
exit $status
