//! Tests that must run in a process of their own (one that aborts, or
//! whose failure may abort, or that checks what runs at exit): the test
//! re-runs its own binary on itself, as a child, and looks at how the
//! child ended.
//!
//! Shared by core's loom canaries (`loom_wait_free_canary.rs`) and the
//! workspace's integration suite (`tests/tests/it`, through a `#[path]`
//! include: weakref-core cannot dev-depend on weakref-tests' kit, which
//! depends on it).

use std::process::{Command, Output};

/// Set in the child's environment: the child runs the body.
const CHILD: &str = "WEAKREF_TEST_CHILD";

/// In the child: runs `body`, then returns `None`. In the parent: runs
/// this test binary on the one test `test` (its full path, as libtest
/// names it), with `CHILD` and `env` set, and returns the child's output.
pub(crate) fn in_child(test: &str, env: &[(&str, &str)], body: impl FnOnce()) -> Option<Output> {
    if std::env::var_os(CHILD).is_some() {
        body();
        return None;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Some(output)
}
