//! Wall-clock harnesses for the 2-thread benchmarks (`benches/arc_threads.rs`
//! and the `wait-free-ab` tool): two threads started together, or one
//! thread timed while another makes noise.

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Runs `work(iters)` on two threads at once; returns the slower one's time.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
/// let hits = AtomicU64::new(0);
/// weakref_tests::timing::on_two_threads(10, |n| {
///     hits.fetch_add(n, Relaxed);
/// });
/// assert_eq!(hits.into_inner(), 20);
/// ```
pub fn on_two_threads(iters: u64, work: impl Fn(u64) + Sync) -> Duration {
    let barrier = Barrier::new(2);
    thread::scope(|s| {
        let run = || {
            barrier.wait();
            let start = Instant::now();
            work(iters);
            start.elapsed()
        };
        let other = s.spawn(run);
        let mine = run();
        mine.max(other.join().unwrap())
    })
}

/// Runs `work(iters)` on this thread while `noise` loops on another until
/// `work` is done; returns `work`'s time.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
/// let noise = AtomicU64::new(0);
/// let mut done = 0;
/// weakref_tests::timing::while_busy(5, |n| done = n, || {
///     noise.fetch_add(1, Relaxed);
/// });
/// assert_eq!(done, 5);
/// ```
pub fn while_busy(iters: u64, work: impl FnOnce(u64), noise: impl Fn() + Sync) -> Duration {
    let stop = AtomicBool::new(false);
    let started = Barrier::new(2);
    thread::scope(|s| {
        s.spawn(|| {
            started.wait();
            while !stop.load(Ordering::Relaxed) {
                noise();
            }
        });
        started.wait();
        let start = Instant::now();
        work(iters);
        let elapsed = start.elapsed();
        stop.store(true, Ordering::Relaxed);
        elapsed
    })
}
