//! A thread-safe string interner: equal strings share one `Arc<str>`, and
//! a string the program no longer uses leaves the table by itself (the
//! table holds it weakly). Python's classic `WeakSet`/`WeakValueDictionary`
//! interning, from several threads.
//!
//! Run with `cargo run -p weakref-sync --example interning`.

use std::sync::LazyLock;
use std::thread;

use weakref_sync::{Arc, WeakInterner};

/// Interned strings, shared by every thread.
static NAMES: LazyLock<WeakInterner<str>> = LazyLock::new(WeakInterner::new);

/// The one shared `Arc<str>` equal to `name`.
fn intern(name: &str) -> Arc<str> {
    NAMES.intern_with(name, |s| Arc::from(s))
}

fn live_names() -> usize {
    NAMES.live_len()
}

fn main() {
    let handles: Vec<Arc<str>> = thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|t| {
                s.spawn(move || {
                    (0..100)
                        .map(|i| intern(&format!("user-{}", (i + t) % 10)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    println!(
        "{} handles from 4 threads, {} distinct strings in the table",
        handles.len(),
        live_names()
    );
    let first = intern("user-3");
    let same = handles.iter().filter(|h| Arc::ptr_eq(h, &first)).count();
    println!(
        "\"user-3\": {same} handles share one allocation (strong count {})",
        Arc::strong_count(&first)
    );

    drop(handles);
    println!(
        "after the workers' handles go: {} string(s) still live",
        live_names()
    );
    drop(first);
    println!("after the last one goes: {} string(s) live", live_names());
}
