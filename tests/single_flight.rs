//! Checks of the `single_flight` kata: a memoizer that computes every key once, even when many
//! threads ask for it at the same time.
//!
//! The promises: a value is computed once and then returned from the store; `get` returns only
//! finished values; callers of the same key at the same time share one computation and all get
//! its value; computations of different keys run at the same time (no lock is held while
//! computing); a computation may ask for other keys; a panicking computation reaches its caller,
//! stores nothing, and does not leave the callers waiting for it stuck: one of them computes.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use harness::check::{deliberate_panic, mode, Checks, Mode};
use harness::sync::atomic::{AtomicUsize, Ordering};
use harness::sync::{Arc, Condvar, Mutex};
use harness::thread::{self, JoinHandle};
use single_flight::SingleFlight;

fn main() {
    Checks::new()
        .sequential(
            "a value is computed once, then returned from the store",
            computes_once,
        )
        .sequential(
            "get() returns finished values only and never computes",
            get_never_computes,
        )
        .sequential(
            "a panicking computation reaches its caller and stores nothing",
            panic_reaches_caller,
        )
        .concurrent(
            "callers of the same key share one computation",
            same_key_one_computation,
        )
        .concurrent(
            "two keys compute at the same time",
            different_keys_in_parallel,
        )
        .concurrent("a computation can ask for another key", nested_keys)
        // Not under explore: shuttle runs every thread on one OS thread, so while one unwinds
        // through a lock (the cleanup after a panic), a lock another thread takes in between
        // comes out poisoned, a failure of the engine and not of the kata.
        .only(
            "callers waiting for a computation that panics are not stuck",
            &[Mode::Model, Mode::Stress],
            waiters_survive_a_panic,
        )
        .run();
}

fn computes_once() {
    let flights = SingleFlight::new();
    let calls = Cell::new(0);
    for round in 0..3 {
        let value = flights.get_or_compute(7_u64, |key| {
            calls.set(calls.get() + 1);
            key * 7
        });
        assert_eq!(
            value, 49,
            "round {round}: get_or_compute(7, |k| k * 7) should return 49, but it returned {value}"
        );
    }
    assert_eq!(
        calls.get(),
        1,
        "get_or_compute(7, ..) was called 3 times: it should compute once and then return the \
         stored value, but it computed {} times",
        calls.get()
    );
    let other = flights.get_or_compute(8, |key| key * 8);
    assert_eq!(
        other, 64,
        "get_or_compute(8, |k| k * 8) should compute 64 for a new key"
    );
    let strings: SingleFlight<String, String> = SingleFlight::default();
    let greeting = strings.get_or_compute("hi".to_owned(), |key| format!("{key}!"));
    assert_eq!(
        greeting, "hi!",
        "SingleFlight::default() should work like new()"
    );
}

fn get_never_computes() {
    let flights = SingleFlight::new();
    assert_eq!(
        flights.get(&1_u32),
        None,
        "nothing was computed, so get(&1) should be None"
    );
    flights.get_or_compute(1, |_| 'a');
    assert_eq!(
        flights.get(&1),
        Some('a'),
        "get(&1) should return the value get_or_compute(1, ..) stored"
    );
    assert_eq!(
        flights.get(&2),
        None,
        "key 2 was never computed, so get(&2) should be None"
    );
}

fn panic_reaches_caller() {
    let flights: SingleFlight<u32, u32> = SingleFlight::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        flights.get_or_compute(1, |_| deliberate_panic("the computation of key 1 fails"))
    }));
    assert!(
        outcome.is_err(),
        "the computation of key 1 panicked, but get_or_compute(1, ..) returned {outcome:?}: the \
         panic should reach its caller"
    );
    assert_eq!(
        flights.get(&1),
        None,
        "the computation of key 1 panicked, so no value should be stored for it"
    );
    let other = flights.get_or_compute(2, |_| 20);
    assert_eq!(
        other, 20,
        "after key 1 panicked, get_or_compute(2, ..) should still work"
    );
}

/// Starts a named thread.
fn spawn<R: Send + 'static>(
    name: String,
    body: impl FnOnce() -> R + Send + 'static,
) -> JoinHandle<R> {
    thread::Builder::new().name(name).spawn(body).unwrap()
}

fn same_key_one_computation() {
    // Three callers, so that two can wait for the one computing: waking only one of them is a
    // bug too.
    let callers = match mode() {
        Mode::Model => 3,
        _ => 4,
    };
    let flights = Arc::new(SingleFlight::new());
    let computations = Arc::new(AtomicUsize::new(0).named("computations of key 1"));
    let ask = move |flights: &SingleFlight<u64, u64>, computations: &AtomicUsize, id: u64| {
        flights.get_or_compute(1, |_| {
            computations.fetch_add(1, Ordering::SeqCst);
            100 + id
        })
    };
    let handles: Vec<_> = (1..callers)
        .map(|id| {
            let flights = Arc::clone(&flights);
            let computations = Arc::clone(&computations);
            spawn(format!("caller {id}"), move || {
                ask(&flights, &computations, id)
            })
        })
        .collect();
    let mut results = vec![ask(&flights, &computations, 0)];
    results.extend(handles.into_iter().map(|handle| handle.join().unwrap()));
    let computed = computations.load(Ordering::SeqCst);
    assert_eq!(
        computed, 1,
        "{callers} threads asked for key 1 at the same time and its computation ran {computed} \
         times (results {results:?}): it should run once, the other callers waiting for its result"
    );
    let stored = flights.get(&1);
    assert!(
        results.iter().all(|&result| Some(result) == stored),
        "{callers} threads asked for key 1 at the same time and got {results:?}, but the stored \
         value is {stored:?}: every caller should get the value of the one computation"
    );
}

/// A meeting point for two computations: each one arrives, then waits until both have.
struct Meeting {
    arrived: Mutex<usize>,
    all_here: Condvar,
}

impl Meeting {
    fn new() -> Self {
        Meeting {
            arrived: Mutex::new(0).named("computations started"),
            all_here: Condvar::new().named("both computations started"),
        }
    }

    fn arrive_and_wait(&self, expected: usize) {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.all_here.notify_all();
        while *arrived < expected {
            arrived = self.all_here.wait(arrived).unwrap();
        }
    }
}

fn different_keys_in_parallel() {
    // The computation of key 1 waits until the one of key 2 has started, and the other way
    // round: both can finish only if both run at the same time.
    let flights = Arc::new(SingleFlight::new());
    let meeting = Arc::new(Meeting::new());
    let other = {
        let flights = Arc::clone(&flights);
        let meeting = Arc::clone(&meeting);
        spawn("caller 2".to_owned(), move || {
            flights.get_or_compute(2_u64, |key| {
                meeting.arrive_and_wait(2);
                key * 10
            })
        })
    };
    let first = flights.get_or_compute(1_u64, |key| {
        meeting.arrive_and_wait(2);
        key * 10
    });
    let second = other.join().unwrap();
    assert_eq!(
        (first, second),
        (10, 20),
        "keys 1 and 2 computed at the same time should give 10 and 20"
    );
}

fn nested_keys() {
    let flights: Arc<SingleFlight<u64, u64>> = Arc::new(SingleFlight::new());
    // Keys 1 and 2 both need key 0: its computation is shared, and runs inside theirs.
    let ask = |flights: &SingleFlight<u64, u64>, key: u64| {
        flights.get_or_compute(key, |key| flights.get_or_compute(0, |_| 100) + key)
    };
    let other = {
        let flights = Arc::clone(&flights);
        spawn("caller 2".to_owned(), move || ask(&flights, 2))
    };
    let first = ask(&flights, 1);
    let second = other.join().unwrap();
    assert_eq!(
        (first, second),
        (101, 102),
        "key 1 and key 2 are computed as key 0 (100) plus the key, computed while the caller \
         computes them; they came out as {first} and {second}"
    );
    assert_eq!(
        flights.get(&0),
        Some(100),
        "key 0 was computed inside keys 1 and 2, so get(&0) should be 100"
    );
}

fn waiters_survive_a_panic() {
    let waiters = match mode() {
        Mode::Model => 1,
        _ => 2,
    };
    let flights: Arc<SingleFlight<u64, u64>> = Arc::new(SingleFlight::new());
    // One caller's computation of key 1 fails; the others' succeed.
    let failing = {
        let flights = Arc::clone(&flights);
        spawn("failing caller".to_owned(), move || {
            catch_unwind(AssertUnwindSafe(|| {
                flights.get_or_compute(1, |_| deliberate_panic("the computation of key 1 fails"))
            }))
            .ok()
        })
    };
    let handles: Vec<_> = (1..waiters)
        .map(|id| {
            let flights = Arc::clone(&flights);
            spawn(format!("caller {id}"), move || {
                flights.get_or_compute(1, |_| 7)
            })
        })
        .collect();
    let mut results = vec![flights.get_or_compute(1, |_| 7)];
    results.extend(handles.into_iter().map(|handle| handle.join().unwrap()));
    let failed = failing.join().unwrap();
    assert!(
        results.iter().all(|&result| result == 7),
        "one caller's computation of key 1 panicked, the others compute 7, yet they got \
         {results:?}"
    );
    assert!(
        failed.is_none() || failed == Some(7),
        "the caller whose computation panics either gets the panic, or (if another caller \
         computed first) the stored 7, but it got {failed:?}"
    );
    assert_eq!(flights.get(&1), Some(7), "key 1 should hold 7 in the end");
}
