#!/usr/bin/env bash
# The whole CI: every check, in order of cost. `.ci/run` calls this.
# Each step is its own script under ci/, runnable alone; each installs what
# it needs (idempotently) and fails loudly.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never
export CARGO_INCREMENTAL=0

steps=(lint test docs package nostd embedded loom shuttle miri mutants fuzz san msrv)
declare -A took
start_all=$SECONDS
for step in "${steps[@]}"; do
    echo "::: ci/${step}.sh"
    start=$SECONDS
    bash "ci/${step}.sh"
    took[$step]=$((SECONDS - start))
    echo "::: ci/${step}.sh passed in ${took[$step]}s"
done

echo
echo "CI summary (seconds):"
for step in "${steps[@]}"; do
    printf '  %-6s %5s\n' "$step" "${took[$step]}"
done
echo "  total  $((SECONDS - start_all))"
