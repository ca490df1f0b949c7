#!/usr/bin/env bash
# What crates.io users get: `cargo package` for every published crate
# (failing on any warning), then the packaged crates, unpacked on their own
# (outside this workspace, each depending on the others' packages), built
# and tested with their default features.
set -euo pipefail
cd "$(dirname "$0")/.."

published=(weakref-core weakref-std weakref-sync)
# cargo verifies each package against the others through a temporary local
# registry, and reuses a copy unpacked by an earlier run of the same
# version (it assumes a registry's versions never change): remove those
# stale copies of our own crates first. (Local registries unpack under
# `-<hash>` directories; crates.io's are left alone.)
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/weakref-*
log=$(mktemp)
cargo package --workspace --exclude weakref-tests --exclude weakref-embedded --allow-dirty 2>&1 | tee "$log"
if grep -q '^warning' "$log"; then
    echo "package: cargo package warned (see above)" >&2
    exit 1
fi

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work" "$log"' EXIT
{
    echo '[workspace]'
    echo 'resolver = "3"'
    printf 'members = ['
    for crate in "${published[@]}"; do printf '"%s-%s", ' "$crate" "$version"; done
    echo ']'
    echo '[patch.crates-io]'
    for crate in "${published[@]}"; do echo "$crate = { path = \"$crate-$version\" }"; done
} >"$work/Cargo.toml"
for crate in "${published[@]}"; do
    tar -xzf "target/package/$crate-$version.crate" -C "$work"
done
# The packages' own lock files are for `cargo install`; the workspace makes one.
(cd "$work" && cargo test --workspace --target-dir "$OLDPWD/target/packaged" -q)
