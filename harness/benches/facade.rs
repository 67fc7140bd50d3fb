//! What the facade costs on plain builds: std's primitives against the facade's, single-threaded
//! and contended. Run with `cargo bench -p harness`; prints nanoseconds per operation.

use std::hint::black_box;
use std::time::{Duration, Instant};

const OPS: u64 = 2_000_000;

/// Nanoseconds per call of `op`, best of five runs of `OPS` calls.
fn per_op(mut op: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..OPS {
                op();
            }
            start.elapsed()
        })
        .min()
        .map_or(0.0, |best: Duration| best.as_nanos() as f64 / OPS as f64)
}

/// Nanoseconds per operation with `threads` threads each running `op` `OPS / threads` times.
fn contended(threads: u64, op: impl Fn() + Sync) -> f64 {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..OPS / threads {
                    op();
                }
            });
        }
    });
    start.elapsed().as_nanos() as f64 / OPS as f64
}

fn row(what: &str, std: f64, facade: f64) {
    println!(
        "{what:<32} {std:>8.2} {facade:>8.2} {:>+7.1}%",
        (facade / std - 1.0) * 100.0
    );
}

fn main() {
    println!(
        "{:<32} {:>8} {:>8} {:>8}",
        "ns per operation", "std", "facade", "cost"
    );

    let std_mutex = std::sync::Mutex::new(0u64);
    let facade_mutex = harness::sync::Mutex::new(0u64);
    row(
        "Mutex lock + unlock",
        per_op(|| *black_box(&std_mutex).lock().unwrap() += 1),
        per_op(|| *black_box(&facade_mutex).lock().unwrap() += 1),
    );

    let std_atomic = std::sync::atomic::AtomicU64::new(0);
    let facade_atomic = harness::sync::atomic::AtomicU64::new(0);
    let relaxed = std::sync::atomic::Ordering::Relaxed;
    row(
        "AtomicU64 fetch_add",
        per_op(|| {
            black_box(&std_atomic).fetch_add(1, relaxed);
        }),
        per_op(|| {
            black_box(&facade_atomic).fetch_add(1, relaxed);
        }),
    );
    row(
        "AtomicU64 load",
        per_op(|| {
            black_box(black_box(&std_atomic).load(relaxed));
        }),
        per_op(|| {
            black_box(black_box(&facade_atomic).load(relaxed));
        }),
    );
    row(
        "Mutex, 2 threads contending",
        contended(2, || *std_mutex.lock().unwrap() += 1),
        contended(2, || *facade_mutex.lock().unwrap() += 1),
    );
}
