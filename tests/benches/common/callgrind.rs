//! The instruction-count harness of the `icount` benches: a bench binary
//! re-runs itself as `<binary> <op> <iterations>` under valgrind's
//! callgrind, once with `N1` and once with `N2` iterations, and the
//! per-iteration cost is `(Ir(N2) - Ir(N1)) / (N2 - N1)`: start-up and
//! set-up cancel out. Deterministic where wall-clock time on a shared
//! machine is not.

use std::process::Command;

/// The two loop lengths whose difference is measured.
pub(crate) const N1: u64 = 10_000;
pub(crate) const N2: u64 = 110_000;

/// What this process was started for.
pub(crate) enum Args {
    /// Run one operation `n` times (the process under callgrind).
    Run(String, u64),
    /// Print the report, for the operations whose name contains this
    /// filter (empty: all). `cargo bench` passes `--bench`, which is
    /// ignored.
    Report(String),
}

/// Reads the command line.
pub(crate) fn args() -> Args {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.as_slice() {
        [op, n] => Args::Run(op.clone(), n.parse().expect("iterations")),
        [filter, ..] => Args::Report(filter.clone()),
        [] => Args::Report(String::new()),
    }
}

/// The function an operation named `... last drop ...` passes each last
/// handle to: its rows count only the instructions run inside it
/// (callgrind's `--toggle-collect`), the drop without the `new`.
pub(crate) const LAST_DROP: &str = "*::last_drop";

/// Instructions executed by `this_binary op n`, from callgrind's summary.
fn instructions(op: &str, n: u64) -> u64 {
    let exe = std::env::current_exe().expect("own path");
    let mut valgrind = Command::new("valgrind");
    valgrind.args(["--tool=callgrind", "--callgrind-out-file=/dev/null"]);
    if op.contains("last drop") {
        valgrind.arg(format!("--toggle-collect={LAST_DROP}"));
    }
    let out = valgrind
        .arg(exe)
        .args([op, &n.to_string()])
        .output()
        .expect("valgrind is installed (TOOLING.md)");
    assert!(
        out.status.success(),
        "{op}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("Collected :"))
        .expect("callgrind summary");
    line.rsplit(':')
        .next()
        .unwrap()
        .trim()
        .parse()
        .expect("a count")
}

/// Instructions per iteration of `op`.
pub(crate) fn per_op(op: &str) -> f64 {
    (instructions(op, N2) as f64 - instructions(op, N1) as f64) / (N2 - N1) as f64
}
