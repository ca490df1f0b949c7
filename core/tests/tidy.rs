//! Tidy checks on the source tree (matklad's "tidy" idea): rules that the
//! compiler cannot enforce.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Only `shim.rs` names atomics, `UnsafeCell`, the spin hint, the raw
/// allocator or loom: everything else goes through the shim, so that
/// `--cfg weakref_loom` swaps all of them at once.
#[test]
#[cfg_attr(miri, ignore = "reads the source tree; Miri isolates the file system")]
fn only_the_shim_names_concurrency_primitives() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 5, "found the sources");
    let forbidden = [
        "sync::atomic",
        "cell::UnsafeCell",
        "hint::spin_loop",
        "alloc::alloc::",
        "loom::",
    ];
    let mut offences = Vec::new();
    for file in files.iter().filter(|f| !f.ends_with("shim.rs")) {
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap();
            for word in forbidden.iter().filter(|w| code.contains(**w)) {
                offences.push(format!("{}:{}: `{word}`", file.display(), n + 1));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "outside shim.rs:\n{}",
        offences.join("\n")
    );
}

/// Every `unsafe` block is preceded by a `// SAFETY:` comment (clippy's
/// `undocumented_unsafe_blocks` checks blocks; this also covers the
/// `unsafe impl`s of `Send`/`Sync`, which must say why).
#[test]
#[cfg_attr(miri, ignore = "reads the source tree; Miri isolates the file system")]
fn every_unsafe_impl_says_why() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut offences = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            if line.trim_start().starts_with("unsafe impl") {
                let above = lines[..n].iter().rev().take_while(|l| {
                    let t = l.trim_start();
                    t.starts_with("//") || t.starts_with("#[")
                });
                if !above.into_iter().any(|l| l.contains("SAFETY:")) {
                    offences.push(format!("{}:{}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "unsafe impl without a SAFETY comment:\n{}",
        offences.join("\n")
    );
}

/// Layers point down (DESIGN.md): a counter strategy reports that a watched
/// block died; the callbacks layer above runs the hooks. Nothing in
/// `count/` names `callbacks`.
#[test]
#[cfg_attr(miri, ignore = "reads the source tree; Miri isolates the file system")]
fn counters_do_not_name_the_callbacks_layer() {
    let count = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/count");
    let mut files = Vec::new();
    rust_files(&count, &mut files);
    assert!(files.len() >= 3, "found the counters");
    let offences: Vec<_> = files
        .iter()
        .flat_map(|file| {
            let text = fs::read_to_string(file).unwrap();
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.split("//").next().unwrap().contains("callbacks"))
                .map(|(n, _)| format!("{}:{}", file.display(), n + 1))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offences.is_empty(),
        "count/ names callbacks:\n{}",
        offences.join("\n")
    );
}
