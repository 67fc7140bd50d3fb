//! The benchmark of the `thread_pool` kata: `load` small jobs, each summing a few hundred
//! numbers into a shared total, run by the kata's pool of 4 workers ("this pool"), by a fresh
//! thread per job ("thread per job", the naive baseline a pool exists to beat), or by the
//! well-known `threadpool` crate's pool of as many workers ("threadpool crate", the baseline
//! `[performance]` in kata.toml compares with).
//!
//! `cargo xtask bench thread_pool` builds it in release mode against a variant of the kata and
//! prints the table. Outside the checks the facade is `std`, so the pool runs on real threads.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use checks::bench::Bench;
use thread_pool::ThreadPool;

/// Worker threads of the pool.
const WORKERS: usize = 4;

/// Numbers each job sums.
const NUMBERS_PER_JOB: u64 = 300;

fn main() {
    Bench::new("load small jobs, each summing 300 numbers into a shared total")
        .loads(&[1_000, 10_000])
        .approach("this pool", this_pool)
        .approach("thread per job", thread_per_job)
        .approach("threadpool crate", threadpool_crate)
        .run();
}

/// One job's work: sums `NUMBERS_PER_JOB` numbers starting at `job` into `total`.
fn small_job(job: u64, total: &AtomicU64) {
    let start = black_box(job);
    let sum: u64 = (start..start + NUMBERS_PER_JOB).sum();
    total.fetch_add(sum, Ordering::Relaxed);
}

/// What the total must be after jobs `0..load`.
fn expected_total(load: usize) -> u64 {
    (0..load as u64)
        .map(|job| (job..job + NUMBERS_PER_JOB).sum::<u64>())
        .sum()
}

/// The kata's pool of `WORKERS` threads; dropping it waits for every job.
fn this_pool(load: usize) {
    let total = Arc::new(AtomicU64::new(0));
    let pool = ThreadPool::new(WORKERS);
    for job in 0..load as u64 {
        let total = Arc::clone(&total);
        pool.execute(move || small_job(job, &total));
    }
    drop(pool);
    assert_eq!(
        total.load(Ordering::Relaxed),
        expected_total(load),
        "the pool lost jobs"
    );
}

/// A new thread for every job, all joined at the end.
fn thread_per_job(load: usize) {
    let total = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..load as u64)
        .map(|job| {
            let total = Arc::clone(&total);
            std::thread::spawn(move || small_job(job, &total))
        })
        .collect();
    for handle in handles {
        handle.join().expect("a job thread panicked");
    }
    assert_eq!(
        total.load(Ordering::Relaxed),
        expected_total(load),
        "a thread per job lost jobs"
    );
}

/// The `threadpool` crate's pool of `WORKERS` threads (a channel feeding the workers, like the
/// kata's classic design); `join` waits until every job has run.
fn threadpool_crate(load: usize) {
    let total = Arc::new(AtomicU64::new(0));
    let pool = checks::baselines::threadpool::ThreadPool::new(WORKERS);
    for job in 0..load as u64 {
        let total = Arc::clone(&total);
        pool.execute(move || small_job(job, &total));
    }
    pool.join();
    assert_eq!(
        total.load(Ordering::Relaxed),
        expected_total(load),
        "the threadpool crate lost jobs"
    );
}
