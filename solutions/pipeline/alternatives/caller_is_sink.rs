//! Alternative: the calling thread is the sink, and results travel back unordered, tagged with
//! their index. The source and the stage workers are plain threads; a stage worker catches a
//! panic of `work` itself and sends it to the caller as a message instead of dying, so the
//! caller sees it in the results channel. The caller drains the channel to the end (so no
//! thread ever blocks on a full channel), joins every thread, and then resumes the first panic.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

use crossbeam_channel::bounded;
use harness::sync::Arc;
use harness::thread;

/// What a stage worker sends back.
enum Outcome {
    Done(usize, u64),
    Panicked(Box<dyn Any + Send>),
}

/// Runs `work` on every item of `input` with `stage_workers` threads in parallel, over channels
/// that hold at most `capacity` items each, and returns the results in input order.
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
    let (to_caller, results) = bounded::<Outcome>(capacity);

    let mut threads = vec![thread::Builder::new()
        .name("source".into())
        .spawn(move || {
            for item in input.into_iter().enumerate() {
                if to_stage.send(item).is_err() {
                    break;
                }
            }
        })
        .expect("the source thread starts")];
    for id in 0..stage_workers {
        let from_source = from_source.clone();
        let to_caller = to_caller.clone();
        let work = Arc::clone(&work);
        threads.push(
            thread::Builder::new()
                .name(format!("stage {id}"))
                .spawn(move || {
                    for (index, value) in from_source {
                        let outcome = match panic::catch_unwind(AssertUnwindSafe(|| work(value))) {
                            Ok(result) => Outcome::Done(index, result),
                            Err(payload) => Outcome::Panicked(payload),
                        };
                        let failed = matches!(outcome, Outcome::Panicked(_));
                        if to_caller.send(outcome).is_err() || failed {
                            break;
                        }
                    }
                })
                .expect("a stage thread starts"),
        );
    }
    drop((from_source, to_caller));

    let mut ordered = vec![0; count];
    let mut first_panic = None;
    for outcome in results {
        match outcome {
            Outcome::Done(index, result) => ordered[index] = result,
            Outcome::Panicked(payload) => {
                first_panic.get_or_insert(payload);
            }
        }
    }
    for handle in threads {
        if let Err(payload) = handle.join() {
            first_panic.get_or_insert(payload);
        }
    }
    if let Some(payload) = first_panic {
        panic::resume_unwind(payload);
    }
    ordered
}
