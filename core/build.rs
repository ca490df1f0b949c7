//! Probes the compiler for `Layout::for_value_raw`: the layout of a value
//! read from a raw pointer, without forming `&T` (block.rs,
//! `Block::value_layout`). Stable from Rust 1.98 (rust-lang/rust#157572);
//! on older nightlies behind `#![feature(layout_for_ptr)]`.
//!
//! * `cfg(weakref_layout_raw)`: `for_value_raw` is available;
//! * `cfg(weakref_layout_raw_feature)`: it needs the nightly feature, which
//!   lib.rs then enables.
//!
//! Also: the ecosystem's `--cfg loom` with this crate's `loom` feature turns
//! on `cfg(weakref_loom)`, so a dependent's loom tests see weakref's atomics
//! as loom's (`--cfg weakref_loom` alone still works, and keeps other
//! loom-aware crates on real atomics). `--cfg loom` without the feature keeps
//! real atomics, with a build warning that names the fix.
//!
//! Each probe compiles a one-line library with the compiler, target and
//! flags cargo builds this crate with (autocfg's method, without the
//! dependency); a probe that fails for any reason leaves its cfg unset,
//! and the crate falls back to `Layout::for_value(&*ptr)`.

use std::env;
use std::ffi::OsString;
use std::io::Write;
use std::process::{Command, Stdio};

/// A library that calls `Layout::for_value_raw` on a slice pointer.
const PROBE: &str = "#![no_std]\n\
    pub unsafe fn probe(p: *const [u8]) -> core::alloc::Layout {\n\
        unsafe { core::alloc::Layout::for_value_raw(p) }\n\
    }\n";

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    loom_convention();
    println!("cargo::rustc-check-cfg=cfg(weakref_layout_raw)");
    println!("cargo::rustc-check-cfg=cfg(weakref_layout_raw_feature)");
    if compiles(PROBE) {
        println!("cargo::rustc-cfg=weakref_layout_raw");
    } else if compiles(&format!("#![feature(layout_for_ptr)]\n{PROBE}")) {
        println!("cargo::rustc-cfg=weakref_layout_raw");
        println!("cargo::rustc-cfg=weakref_layout_raw_feature");
    }
}

/// `--cfg loom` (cargo passes `RUSTFLAGS`' cfgs as `CARGO_CFG_*`): with the
/// `loom` feature, the crate's own loom cfg; without it, a warning.
fn loom_convention() {
    if env::var_os("CARGO_CFG_LOOM").is_none() || env::var_os("CARGO_CFG_WEAKREF_LOOM").is_some() {
        return;
    }
    if env::var_os("CARGO_FEATURE_LOOM").is_some() {
        println!("cargo::rustc-cfg=weakref_loom");
    } else {
        println!(
            "cargo::warning=`--cfg loom` is set but weakref's atomics stay real: \
             enable the `loom` feature of weakref-sync (or weakref-core) to model them"
        );
    }
}

/// Whether `source` compiles as a library for the target.
fn compiles(source: &str) -> bool {
    let (Some(rustc), Some(out_dir)) = (env::var_os("RUSTC"), env::var_os("OUT_DIR")) else {
        return false;
    };
    let mut command = Command::new(rustc);
    command
        .args([
            "--crate-name",
            "weakref_layout_probe",
            "--crate-type",
            "lib",
        ])
        .args(["--emit", "metadata", "--edition", "2024", "--out-dir"])
        .arg(out_dir);
    if let Some(target) = env::var_os("TARGET") {
        command.arg("--target").arg(target);
    }
    // The flags this crate is built with (`--cfg`s, `-Z`s, `--sysroot`).
    if let Some(flags) = env::var_os("CARGO_ENCODED_RUSTFLAGS") {
        let flags = flags.to_string_lossy().into_owned();
        command.args(
            flags
                .split('\x1f')
                .filter(|f| !f.is_empty())
                .map(OsString::from),
        );
    }
    command
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let Ok(mut child) = command.spawn() else {
        return false;
    };
    let written = child
        .stdin
        .take()
        .is_some_and(|mut stdin| stdin.write_all(source.as_bytes()).is_ok());
    child.wait().is_ok_and(|status| status.success()) && written
}
