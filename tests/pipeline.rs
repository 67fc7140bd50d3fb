//! Checks of the `pipeline` kata: a source, `stage_workers` workers and a sink joined by bounded
//! channels, with a clean shutdown.
//!
//! The promises: every result comes back, in input order; `stage_workers` workers apply `work`
//! at the same time; the pipeline never deadlocks, even with channels of capacity 1 and far more
//! items than room; a panic in `work` reaches the caller instead of hanging the pipeline; every
//! thread it started has finished when it returns or panics; 0 workers or capacity 0 is refused.
//!
//! The channels are crossbeam's, which the model checkers cannot see, so the concurrent checks
//! run in stress mode, on real threads.

use std::panic::{catch_unwind, AssertUnwindSafe};

use checks::property::{self, proptest::prelude::*};
use checks::refusal::refusal_message;
use harness::check::{deliberate_panic, Checks, Mode};
use harness::sync::{Arc, Condvar, Mutex};
use harness::thread;
use pipeline::run_pipeline;

fn main() {
    Checks::new()
        .sequential(
            "results come back in input order, even at capacity 1",
            results_in_order,
        )
        .sequential(
            "0 stage workers or capacity 0 panics with a clear message",
            zero_panics,
        )
        .sequential(
            "a panic in work reaches the caller, and every thread is joined",
            panic_reaches_caller,
        )
        .only(
            "every result arrives, in order, run after run",
            &[Mode::Stress],
            stress_results,
        )
        .only(
            "stage workers apply work at the same time",
            &[Mode::Stress],
            workers_in_parallel,
        )
        .only(
            "a panic in work never hangs the pipeline",
            &[Mode::Stress],
            stress_panics,
        )
        .only(
            "every result comes back in order, for generated inputs, workers and capacities",
            &[Mode::Stress],
            generated_pipelines,
        )
        .run();
}

/// A property over generated pipelines (last, so that a failure the other checks explain is
/// reported by them): whatever the input, the number of stage workers and the capacity, the
/// output is `work` applied to the input, in order.
fn generated_pipelines() {
    let pipelines = (
        prop::collection::vec(0u64..1_000_000, 0..200),
        1usize..5,
        1usize..5,
    );
    property::check(
        "every result comes back, in input order",
        4,
        pipelines,
        |(input, stage_workers, capacity)| {
            let expected: Vec<u64> = input.iter().map(|&value| work(value)).collect();
            let output = run_pipeline(input, stage_workers, capacity, work);
            prop_assert_eq!(output, expected);
            Ok(())
        },
    );
}

fn work(value: u64) -> u64 {
    value * value + 1
}

/// Runs the pipeline and fails unless every result is right and in place, and every thread
/// the pipeline started has finished.
fn run_and_compare(count: u64, stage_workers: usize, capacity: usize) {
    let input: Vec<u64> = (0..count).map(|i| (i * 7919) % 1000).collect();
    let expected: Vec<u64> = input.iter().map(|&value| work(value)).collect();
    let before = thread::census();
    let output = run_pipeline(input, stage_workers, capacity, work);
    let after = thread::census();
    assert_eq!(
        output.len(),
        expected.len(),
        "{count} items went in ({stage_workers} stage workers, capacity {capacity}), but {} \
         results came out",
        output.len()
    );
    if let Some(wrong) = (0..expected.len()).find(|&i| output[i] != expected[i]) {
        panic!(
            "{count} items went in ({stage_workers} stage workers, capacity {capacity}): result \
             {wrong} should be work(input[{wrong}]) = {}, but it is {} (results must come back \
             in input order)",
            expected[wrong], output[wrong]
        );
    }
    assert_eq!(
        after.alive,
        before.alive,
        "run_pipeline returned while {} of its threads were still running: it should join them \
         all",
        after.alive.saturating_sub(before.alive)
    );
}

fn zero_panics() {
    for (workers, capacity, what) in [(0, 2, "0 stage workers"), (2, 0, "capacity 0")] {
        let message = refusal_message(
            || run_pipeline(vec![1, 2, 3], workers, capacity, work),
            &format!("run_pipeline with {what} returned; it should panic with a clear message"),
        );
        assert!(
            !message.trim().is_empty(),
            "run_pipeline with {what} panicked, but without a message saying why (got {message:?})"
        );
    }
}

fn results_in_order() {
    run_and_compare(50, 3, 2);
    run_and_compare(1, 1, 1);
    run_and_compare(0, 2, 2);
    // Far more items than room in the channels.
    run_and_compare(100, 1, 1);
    run_and_compare(100, 4, 1);
}

/// A meeting point: the first `expected` calls of `work` each wait until all of them are in.
struct Meeting {
    arrived: Mutex<usize>,
    all_here: Condvar,
}

fn workers_in_parallel() {
    let stage_workers = 3;
    let meeting = Arc::new(Meeting {
        arrived: Mutex::new(0).named("work calls in progress"),
        all_here: Condvar::new().named("all stage workers are busy"),
    });
    let shared = Arc::clone(&meeting);
    let before = thread::census();
    let output = run_pipeline((0..12).collect(), stage_workers, 1, move |value| {
        let mut arrived = shared.arrived.lock().unwrap();
        *arrived += 1;
        shared.all_here.notify_all();
        while *arrived < stage_workers {
            arrived = shared.all_here.wait(arrived).unwrap();
        }
        value + 100
    });
    let after = thread::census();
    let expected: Vec<u64> = (100..112).collect();
    assert_eq!(
        output, expected,
        "12 items went through 3 stage workers adding 100, in input order"
    );
    let started = after.spawned - before.spawned;
    assert!(
        (stage_workers..=stage_workers + 2).contains(&started),
        "with {stage_workers} stage workers the pipeline should start {stage_workers} worker \
         threads plus at most a source and a sink, but it started {started} threads"
    );
}

fn panic_reaches_caller() {
    for stage_workers in [1, 3] {
        let before = thread::census();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            run_pipeline((0..40).collect(), stage_workers, 1, |value| {
                if value == 13 {
                    deliberate_panic("work fails on item 13");
                }
                value
            })
        }));
        let after = thread::census();
        assert!(
            outcome.is_err(),
            "work panicked on item 13 ({stage_workers} stage workers), but run_pipeline returned \
             {outcome:?} instead of passing the panic on to its caller"
        );
        assert_eq!(
            after.alive,
            before.alive,
            "work panicked on item 13 ({stage_workers} stage workers): run_pipeline panicked \
             while {} of its threads were still running; it should join them all first",
            after.alive.saturating_sub(before.alive)
        );
    }
}

fn stress_results() {
    run_and_compare(64, 3, 1);
    run_and_compare(30, 2, 3);
}

fn stress_panics() {
    for (stage_workers, fails_at) in [(2, 0), (3, 17), (2, 39)] {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            run_pipeline((0..40).collect(), stage_workers, 1, move |value| {
                if value == fails_at {
                    deliberate_panic("work fails on one item");
                }
                value
            })
        }));
        assert!(
            outcome.is_err(),
            "work panicked on item {fails_at} ({stage_workers} stage workers), but run_pipeline \
             returned instead of passing the panic on"
        );
    }
}
