//! Alternative: threads report their answers over a channel instead of through `join`; the pool's
//! queue is an atomic cursor (`fetch_add` hands out the next chunk, no lock at all); processes
//! are waited for newest first; async tasks live in a `tokio::task::JoinSet`.

use std::ops::Range;
use std::process::Child;

use harness::sync::atomic::{AtomicU64, Ordering};
use harness::sync::mpsc;
use harness::sync::Arc;
use harness::thread;
use model_choice_support::{answer_of, chunks, slices, spawn_worker, Workload};

/// The baseline: the whole workload on the calling thread.
pub fn sequential(items: Range<u64>, work: &Workload) -> u64 {
    work.run(items)
}

/// Cuts `items` into `threads` slices and runs each on a thread of its own, all at once; the
/// answer is the sum of theirs. Starts exactly `threads` threads.
///
/// # Panics
///
/// If `threads` is 0.
pub fn with_threads(items: Range<u64>, threads: usize, work: &Workload) -> u64 {
    assert!(threads > 0, "with_threads needs at least one thread");
    let (answers, collected) = mpsc::channel();
    let handles: Vec<_> = slices(items, threads)
        .into_iter()
        .map(|slice| {
            let work = work.clone();
            let answers = answers.clone();
            thread::spawn(move || answers.send(work.run(slice)).unwrap())
        })
        .collect();
    drop(answers);
    let sum = collected.iter().sum();
    for handle in handles {
        handle.join().unwrap();
    }
    sum
}

/// A pool: starts exactly `workers` threads, which take chunks of `chunk` items from one shared
/// queue until it is empty (a free worker takes the next chunk), and sums their answers.
///
/// # Panics
///
/// If `workers` or `chunk` is 0.
pub fn with_pool(items: Range<u64>, workers: usize, chunk: u64, work: &Workload) -> u64 {
    assert!(workers > 0, "a pool needs at least one worker");
    assert!(chunk > 0, "chunks of 0 items would never finish");
    // The queue is implicit: the chunks are consecutive, so the next chunk is just a number.
    let next = Arc::new(AtomicU64::new(items.start).named("next chunk"));
    let end = items.end;
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let next = Arc::clone(&next);
            let work = work.clone();
            thread::spawn(move || {
                let mut sum = 0;
                loop {
                    let start = next.fetch_add(chunk, Ordering::Relaxed);
                    if start >= end {
                        return sum;
                    }
                    sum += work.run(start..end.min(start + chunk));
                }
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}

/// Cuts `items` into `processes` slices and runs each in a worker process of its own (see
/// [`spawn_worker`]), all at once; waits for every one of them and sums their answers.
///
/// # Panics
///
/// If `processes` is 0, or a worker fails.
pub fn with_processes(items: Range<u64>, processes: usize, work: &Workload) -> u64 {
    assert!(processes > 0, "with_processes needs at least one process");
    let children: Vec<Child> = slices(items, processes)
        .into_iter()
        .map(|slice| spawn_worker(work, slice))
        .collect();
    children
        .into_iter()
        .rev()
        .map(|child| answer_of(child.wait_with_output().expect("cannot wait for a worker")))
        .sum()
}

/// Cuts `items` into chunks of `chunk` items and runs every chunk as a task of its own
/// (`tokio::spawn`), all at once, each awaiting [`Workload::run_async`]; sums their answers.
/// Runs on the caller's runtime.
///
/// # Panics
///
/// If `chunk` is 0.
pub async fn with_async(items: Range<u64>, chunk: u64, work: &Workload) -> u64 {
    let mut tasks = tokio::task::JoinSet::new();
    for chunk in chunks(items, chunk) {
        let work = work.clone();
        tasks.spawn(async move { work.run_async(chunk).await });
    }
    let mut sum = 0;
    while let Some(answer) = tasks.join_next().await {
        sum += answer.expect("a task failed");
    }
    sum
}
