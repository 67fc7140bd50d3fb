//! Checks for the `slot_filling` kata: slot `i` always holds `f(i)`, whatever order the threads
//! finish in; every call of `f` runs on a thread of its own, all of them at once; and every
//! thread is done before the results are returned.

use std::sync::atomic::{AtomicUsize, Ordering};

use harness::check::{mode, Checks, Mode};
use harness::sync::{Arc, Condvar, Mutex};
use harness::thread;
use slot_filling::fill_slots;

fn main() {
    Checks::new()
        .sequential("no slots: an empty Vec and no call of f", no_slots)
        .sequential(
            "f is called once per index, each on a thread of its own",
            one_call_per_thread,
        )
        .concurrent(
            "slot i holds f(i), whatever order threads finish in",
            slots_in_order,
        )
        .concurrent("all calls of f run at the same time", calls_overlap)
        .concurrent(
            "every call of f has finished when fill_slots returns",
            all_finished,
        )
        .run();
}

/// How many slots, scaled to the mode's engine.
fn slots() -> usize {
    match mode() {
        Mode::Model => 2,
        Mode::Explore => 4,
        _ => 8,
    }
}

/// The value the checks put in slot `i`: never 0, so an unfilled slot shows.
fn value(i: usize) -> u64 {
    10 * (i as u64 + 1)
}

fn no_slots() {
    let calls = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&calls);
    let result = fill_slots(0, move |i| {
        counted.fetch_add(1, Ordering::SeqCst);
        value(i)
    });
    assert!(
        result.is_empty(),
        "fill_slots(0, f) should return an empty Vec, but it returned {result:?}"
    );
    let calls = calls.load(Ordering::SeqCst);
    assert_eq!(
        calls, 0,
        "fill_slots(0, f) should never call f, but called it {calls} times"
    );
}

fn one_call_per_thread() {
    let n = 4;
    // (index, thread) of every call, in call order.
    let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&calls);
    let result = fill_slots(n, move |i| {
        log.lock().unwrap().push((i, thread::current().id()));
        value(i)
    });
    assert_eq!(
        result.len(),
        n,
        "fill_slots({n}, f) should return {n} values, but it returned {result:?}"
    );
    let calls = calls.lock().unwrap().clone();
    let mut indices: Vec<usize> = calls.iter().map(|&(i, _)| i).collect();
    indices.sort_unstable();
    assert_eq!(
        indices,
        (0..n).collect::<Vec<_>>(),
        "fill_slots({n}, f) should call f exactly once with each index 0..{n}, but the calls \
         had these indices (sorted): {indices:?}"
    );
    let caller = thread::current().id();
    for &(i, id) in &calls {
        assert_ne!(
            id, caller,
            "f({i}) ran on the thread that called fill_slots: every call should run on a \
             thread of its own"
        );
        let sharing = calls.iter().filter(|&&(_, other)| other == id).count();
        assert_eq!(
            sharing, 1,
            "f({i}) ran on a thread that also ran another call of f: each slot should get a \
             thread of its own"
        );
    }
}

fn slots_in_order() {
    // Reading a slot before its thread has written it can only be caught with threads running:
    // even one slot is checked here, not in the sequential checks.
    for n in [1, slots()] {
        let result = fill_slots(n, value);
        let expected: Vec<u64> = (0..n).map(value).collect();
        assert_eq!(
            result, expected,
            "fill_slots({n}, |i| 10 * (i + 1)) should return {expected:?}, but it returned \
             {result:?}: some slot does not hold the value of its own index (a 0 is a slot \
             never filled)"
        );
    }
}

fn calls_overlap() {
    let n = match mode() {
        Mode::Model => 2,
        Mode::Explore => 3,
        _ => 4,
    };
    // Every call of f waits until all n calls have started: this only finishes if the
    // threads run at the same time.
    let arrived = Arc::new((Mutex::new(0usize), Condvar::new()));
    let result = fill_slots(n, move |i| {
        let (count, all_here) = &*arrived;
        let mut count = count.lock().unwrap();
        *count += 1;
        all_here.notify_all();
        let count = all_here.wait_while(count, |count| *count < n).unwrap();
        drop(count);
        value(i)
    });
    let expected: Vec<u64> = (0..n).map(value).collect();
    assert_eq!(
        result, expected,
        "fill_slots({n}, f) with calls that wait for each other should return {expected:?}, \
         but it returned {result:?}"
    );
}

fn all_finished() {
    let n = slots();
    let finished = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&finished);
    let result = fill_slots(n, move |i| {
        // Give the scheduler a chance to run the caller while this call is still going.
        thread::yield_now();
        counted.fetch_add(1, Ordering::SeqCst);
        value(i)
    });
    let finished = finished.load(Ordering::SeqCst);
    assert_eq!(
        finished, n,
        "fill_slots({n}, f) returned {result:?} while only {finished} of the {n} calls of f \
         had finished: it should wait for every thread"
    );
}
