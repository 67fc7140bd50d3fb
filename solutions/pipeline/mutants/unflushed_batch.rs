//! Mutant: stage workers send their results in batches of 4 to save channel traffic, but when the input runs out a worker ends without sending its last, partial batch: those results are lost.
//! Expect: wrong-result

use std::any::Any;
use std::panic;

use crossbeam_channel::bounded;
use harness::sync::Arc;
use harness::thread::{self, JoinHandle};

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
    assert!(
        stage_workers > 0,
        "a pipeline needs at least one stage worker"
    );
    assert!(
        capacity > 0,
        "a pipeline needs channels with a capacity of at least 1"
    );
    let count = input.len();
    let work = Arc::new(work);
    let (to_stage, from_source) = bounded::<(usize, u64)>(capacity);
    let (to_sink, from_stage) = bounded::<Vec<(usize, u64)>>(capacity);

    let source = thread::Builder::new()
        .name("source".into())
        .spawn(move || {
            for item in input.into_iter().enumerate() {
                // Every worker is gone (they all panicked): nobody will take the rest.
                if to_stage.send(item).is_err() {
                    break;
                }
            }
            // Dropping `to_stage` here closes the channel: the workers finish the rest and stop.
        })
        .expect("the source thread starts");

    let stages: Vec<JoinHandle<()>> = (0..stage_workers)
        .map(|id| {
            let from_source = from_source.clone();
            let to_sink = to_sink.clone();
            let work = Arc::clone(&work);
            thread::Builder::new()
                .name(format!("stage {id}"))
                .spawn(move || {
                    let mut batch = Vec::with_capacity(4);
                    for (index, value) in from_source {
                        batch.push((index, work(value)));
                        if batch.len() == 4 && to_sink.send(std::mem::take(&mut batch)).is_err() {
                            break;
                        }
                    }
                })
                .expect("a stage thread starts")
        })
        .collect();
    // The workers hold the only handles they need: the caller's copies must go, or the
    // channels never close.
    drop(from_source);
    drop(to_sink);

    let sink = thread::Builder::new()
        .name("sink".into())
        .spawn(move || {
            let mut results = Vec::with_capacity(count);
            for batch in from_stage {
                results.extend(batch);
            }
            // Back in input order.
            results.sort_unstable();
            results
                .into_iter()
                .map(|(_, result)| result)
                .collect::<Vec<u64>>()
        })
        .expect("the sink thread starts");

    let mut panicked = None;
    let mut note = |outcome: Result<(), Box<dyn Any + Send>>| {
        if let Err(payload) = outcome {
            panicked.get_or_insert(payload);
        }
    };
    note(source.join());
    for stage in stages {
        note(stage.join());
    }
    let results = sink.join();
    if let Some(payload) = panicked {
        panic::resume_unwind(payload);
    }
    results.unwrap_or_else(|payload| panic::resume_unwind(payload))
}
