//! The same workload five ways: sequentially, with threads, with a pool, with processes and
//! with async tasks. Read `README.md` beside this folder's `src/` first.
//!
//! The workloads, the helpers that cut the items into slices and chunks, and the plumbing that
//! starts a worker process are provided by the crate `model_choice_support`
//! (`support/src/lib.rs` beside this folder's `src/`). Your part is the four functions marked
//! `// TODO`. Threads come from `harness::thread` (std's API), locks from `harness::sync`; async
//! code runs on tokio.

use std::ops::Range;

use model_choice_support::Workload;

// You will need some of these.
#[allow(unused_imports)]
use harness::sync::{Arc, Mutex};
#[allow(unused_imports)]
use harness::thread;
#[allow(unused_imports)]
use model_choice_support::{answer_of, chunks, slices, spawn_worker};
#[allow(unused_imports)]
use std::collections::VecDeque;
#[allow(unused_imports)]
use std::process::Child;

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
    // TODO: one `harness::thread` per slice (`slices(items, threads)`), each running
    // `work.run(slice)` on its own clone of `work`; start them all, then join them all.
    todo!("run {items:?} on {threads} threads, {work:?}")
}

/// A pool: starts exactly `workers` threads, which take chunks of `chunk` items from one shared
/// queue until it is empty (a free worker takes the next chunk), and sums their answers.
///
/// # Panics
///
/// If `workers` or `chunk` is 0.
pub fn with_pool(items: Range<u64>, workers: usize, chunk: u64, work: &Workload) -> u64 {
    // TODO: put `chunks(items, chunk)` in a queue every worker can reach; start `workers`
    // threads that take the next chunk, run it, and come back for more until the queue is
    // empty.
    todo!("run {items:?} in chunks of {chunk} on a pool of {workers} workers, {work:?}")
}

/// Cuts `items` into `processes` slices and runs each in a worker process of its own (see
/// [`spawn_worker`]), all at once; waits for every one of them and sums their answers.
///
/// # Panics
///
/// If `processes` is 0, or a worker fails.
pub fn with_processes(items: Range<u64>, processes: usize, work: &Workload) -> u64 {
    // TODO: `spawn_worker` for every slice, and only then collect each worker's answer with
    // `answer_of(child.wait_with_output()...)`.
    todo!("run {items:?} in {processes} processes, {work:?}")
}

/// Cuts `items` into chunks of `chunk` items and runs every chunk as a task of its own
/// (`tokio::spawn`), all at once, each awaiting [`Workload::run_async`]; sums their answers.
/// Runs on the caller's runtime.
///
/// # Panics
///
/// If `chunk` is 0.
pub async fn with_async(items: Range<u64>, chunk: u64, work: &Workload) -> u64 {
    // TODO: spawn one task per chunk, each with its own clone of `work`, awaiting
    // `work.run_async(chunk)`; then await every task and add up their answers.
    todo!("run {items:?} as tasks of {chunk} items, {work:?}")
}
