//! The same workload five ways: sequentially, with threads, with a pool, with processes and
//! with async tasks.
//!
//! Reference solution: `with_threads` gives each thread one slice; `with_pool` starts `workers`
//! threads that take chunks from a shared queue (a `Mutex<VecDeque>`, released before the
//! work); `with_processes` starts every worker process before waiting for any; `with_async`
//! spawns one task per chunk, each awaiting the workload's async form, then awaits them all.

use std::collections::VecDeque;
use std::ops::Range;
use std::process::Child;

use harness::sync::{Arc, Mutex};
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
    let handles: Vec<_> = slices(items, threads)
        .into_iter()
        .enumerate()
        .map(|(k, slice)| {
            let work = work.clone();
            thread::Builder::new()
                .name(format!("slice {k}"))
                .spawn(move || work.run(slice))
                .expect("cannot start a thread")
        })
        .collect();
    // Every thread is started before the first join: they all run at once.
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}

/// A pool: starts exactly `workers` threads, which take chunks of `chunk` items from one shared
/// queue until it is empty (a free worker takes the next chunk), and sums their answers.
///
/// # Panics
///
/// If `workers` or `chunk` is 0.
pub fn with_pool(items: Range<u64>, workers: usize, chunk: u64, work: &Workload) -> u64 {
    assert!(workers > 0, "a pool needs at least one worker");
    let queue: VecDeque<Range<u64>> = chunks(items, chunk).into();
    let queue = Arc::new(Mutex::new(queue).named("chunk queue"));
    let handles: Vec<_> = (0..workers)
        .map(|k| {
            let queue = Arc::clone(&queue);
            let work = work.clone();
            thread::Builder::new()
                .name(format!("worker {k}"))
                .spawn(move || {
                    let mut sum = 0;
                    loop {
                        // The guard is a temporary: the lock is released before the work.
                        let next = queue.lock().unwrap().pop_front();
                        let Some(chunk) = next else { break };
                        sum += work.run(chunk);
                    }
                    sum
                })
                .expect("cannot start a worker")
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
    let tasks: Vec<_> = chunks(items, chunk)
        .into_iter()
        .map(|chunk| {
            let work = work.clone();
            tokio::spawn(async move { work.run_async(chunk).await })
        })
        .collect();
    let mut sum = 0;
    for task in tasks {
        sum += task.await.expect("a task failed");
    }
    sum
}
