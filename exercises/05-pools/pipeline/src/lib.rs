//! A fan-out/fan-in pipeline over bounded channels, with a clean shutdown. Read `README.md`
//! beside this folder's `src/` first.
//!
//! Build it from `crossbeam_channel::bounded` and threads from `harness::thread`.

#[allow(unused_imports)] // TODO: you will need these.
use crossbeam_channel::{bounded, Receiver, Sender};
#[allow(unused_imports)] // TODO: you will need these.
use harness::thread;

/// Runs `work` on every item of `input` with `stage_workers` threads in parallel, between a
/// source thread and a sink thread, over channels that hold at most `capacity` items each, and
/// returns the results **in input order**: `result[i] == work(input[i])`.
///
/// Every thread it starts has finished when it returns (or panics).
///
/// # Panics
///
/// If `stage_workers` or `capacity` is 0; and if `work` panics, with that panic, once every
/// thread of the pipeline has finished.
pub fn run_pipeline<F>(input: Vec<u64>, stage_workers: usize, capacity: usize, work: F) -> Vec<u64>
where
    F: Fn(u64) -> u64 + Send + Sync + 'static,
{
    // TODO: two bounded channels; a source thread that sends (index, value) pairs and then
    // drops its Sender; `stage_workers` threads that receive until the channel is closed, apply
    // `work`, and send (index, result) on; a sink thread that collects the results by index.
    // Start them all before waiting for any, make sure every Sender is dropped when its owner is
    // done, join every thread, and pass a panic of `work` on to the caller.
    let _ = (input, stage_workers, capacity, work);
    todo!("run the pipeline")
}
