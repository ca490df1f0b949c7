#!/usr/bin/env bash
# The no_std suite executed, not only built: tests/firmware booted in QEMU
# on two emulated cores, reporting through semihosting (a failed assertion
# exits QEMU with failure, and this script with it):
#   thumbv6m-none-eabi      Cortex-M0, -machine microbit: no CAS, weakref on
#                           portable-atomic in a critical section
#   thumbv7em-none-eabihf   Cortex-M4F, -machine mps2-an386: LDREX/STREX
# The suite runs twice per core: as built for release (the code shipped)
# and for dev (overflow checks and debug assertions on, in weakref-core
# too). Each run has a timeout; one pass line per target. Then the footprint
# programs (run too: they check their own result) with their flash and RAM
# sizes, and the instruction counts per pool operation against heapless.
#
#   ci/embedded.sh                   run everything, print the numbers
#   ci/embedded.sh --report FILE     also write them as markdown to FILE
#                                    (tests/firmware/footprint.md, which
#                                    bench-report puts into BENCHMARKS.md)
#
# Installs Debian's qemu-system-arm if missing, the two targets and
# llvm-tools (for llvm-size), idempotently.
set -euo pipefail
cd "$(dirname "$0")/.."

report=
if [[ ${1:-} == --report ]]; then
    report=$(realpath -m "${2:?--report FILE}")
fi

if ! command -v qemu-system-arm >/dev/null; then
    sudo=
    [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq qemu-system-arm >/dev/null
fi
bash ci/targets.sh
rustup component list --installed | grep -q '^llvm-tools' || rustup component add llvm-tools
llvm_size=$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-size

# The firmware is its own workspace, with its own .cargo/config.toml (the
# linker script and the QEMU runner of each target): cargo runs from there.
cd tests/firmware
unset RUSTFLAGS
targets=(thumbv6m-none-eabi thumbv7em-none-eabihf)
for target in "${targets[@]}"; do
    cargo build --release --target "$target" --bins
    cargo build --target "$target" --bin suite
done

run() { # target bin [cargo options]: runs it in QEMU (the target's runner), with a timeout
    timeout --kill-after=5 60 cargo run -q --target "$1" --bin "$2" "${@:3}"
}

for target in "${targets[@]}"; do
    for profile in release dev; do
        out=$(run "$target" suite --profile "$profile") ||
            { echo "$out"; echo "FAIL $target ($profile): the suite failed"; exit 1; }
        echo "$out"
        passed=$(grep '^weakref firmware: ' <<<"$out") ||
            { echo "FAIL $target ($profile): no pass line"; exit 1; }
    done
    echo "PASS $target (release and dev builds): ${passed#weakref firmware: }"
done

# Flash = text + data (the initial values of .data live in flash), RAM =
# data + bss (statics, the pools among them; the stack comes on top).
rows=()
costs=()
for target in "${targets[@]}"; do
    for program in baseline weakref heapless; do
        run "$target" "footprint-$program" --release || { echo "FAIL $target: footprint-$program"; exit 1; }
        read -r text data bss _ < <("$llvm_size" "target/$target/release/footprint-$program" | tail -1)
        rows+=("$target $program $((text + data)) $((data + bss))")
    done
    out=$(run "$target" cost --release) || { echo "$out"; echo "FAIL $target: cost"; exit 1; }
    echo "$target: $out"
    # "cost OP: weakref N heapless M" (M "-": no such operation), in tenths;
    # "cost empty-loop: N".
    while read -r line; do
        op=${line#cost }
        op=${op%%:*}
        mapfile -t counts < <(grep -o '[0-9]\+' <<<"${line#*:}")
        costs+=("$target $op ${counts[0]} ${counts[1]:--}")
    done < <(grep '^cost ' <<<"$out")
done

table() {
    echo "| target | program | flash (bytes) | RAM (bytes) | flash over baseline | RAM over baseline |"
    echo "|---|---|---:|---:|---:|---:|"
    for row in "${rows[@]}"; do
        read -r target program flash ram <<<"$row"
        if [[ $program == baseline ]]; then base_flash=$flash base_ram=$ram; fi
        echo "| $target | $program | $flash | $ram | $((flash - base_flash)) | $((ram - base_ram)) |"
    done
    echo
    echo "| target | operation | weakref (instructions) | heapless (instructions) | weakref / heapless |"
    echo "|---|---|---:|---:|---:|"
    for row in "${costs[@]}"; do
        read -r target op ours theirs <<<"$row"
        if [[ $op == empty-loop ]]; then
            echo "| $target | empty loop (subtracted from the rows below) | $((ours / 10)).$((ours % 10)) | | |"
        elif [[ $theirs == - ]]; then
            echo "| $target | $op | $((ours / 10)).$((ours % 10)) | (no weak handles) | |"
        else
            echo "| $target | $op | $((ours / 10)).$((ours % 10)) | $((theirs / 10)).$((theirs % 10)) | $(awk "BEGIN { printf \"%.2f\", $ours / $theirs }") |"
        fi
    done
}
table
if [[ -n $report ]]; then
    {
        echo "## On emulated Cortex-M cores (QEMU)"
        echo
        echo "Generated by \`ci/embedded.sh --report tests/firmware/footprint.md\`; $(rustc -V); $(qemu-system-arm --version | head -1)."
        echo
        cat <<'TEXT'
Sizes: `llvm-size` of three programs in tests/firmware (release, `opt-level = "s"`,
LTO), each run in QEMU too (it exits with failure if its checks fail). `baseline` is
the skeleton alone (cortex-m-rt, semihosting exit, a panic handler without
formatting); `weakref` fills a static pool of four `u32`s with `Arc`s, is refused,
keeps a `Weak` across the last strong handle, upgrades, refills; `heapless` is the
same program on heapless's pool `Arc` (four `ArcBlock`s), without the weak handle
(heapless has none: the nearest anchor). Flash = text + data; RAM = data + bss (the
pools are statics; the stack comes on top). The baselines differ by their vector
tables: cortex-m-rt's default has 240 interrupt vectors on v7em (1024 bytes), 32 on
v6m (192 bytes); compare the columns "over baseline".

Instructions: SysTick counts QEMU's virtual clock, which under `-icount shift=0`
advances one nanosecond per instruction (QEMU models no cycle counter, and the
Cortex-M0 has none): instructions = clocks × 10⁹ / the board's clock. 2000 rounds
of the operation minus 2000 rounds of an empty loop, divided by 2000; the same
every run. The empty loop's row checks the scale: its disassembly (`llvm-objdump -d`
of `cost`) has 6 instructions a round on the M4 and 8 on the M0 (checked when this
was written). On the Cortex-M0, both crates emulate compare-and-swap with
portable-atomic in a critical section (heapless's pool needs a 64-bit CAS there,
weakref's a byte CAS). Where weakref's alloc+free goes: allocating scans the slot
flags (a load, then the CAS) and stores the next-slot hint; freeing takes two count
updates (strong, then the implicit weak: the block outlives the value while weak
handles exist), tests the watch bit of death callbacks, and checks the pointer is
one of the pool's slots (a division by the slot size) before clearing its flag.
heapless's pool is a Treiber stack (one LL/SC pop, one push) under a single count.

TEXT
        table
    } >"$report"
    echo "wrote $report"
fi
