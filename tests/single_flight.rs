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
use std::time::Duration;

use checks::threads::spawn_named;
use harness::check::{deliberate_panic, mode, Checks, Mode};
use harness::sync::atomic::{AtomicUsize, Ordering};
use harness::sync::{Arc, Condvar, Mutex};
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
        .only(
            "callers waiting for a computation that panics retry it one at a time",
            &[Mode::Model, Mode::Stress],
            waiters_of_a_crash_retry_once,
        )
        .only(
            "a computation that panics wakes the callers of its key while other keys wait",
            &[Mode::Model, Mode::Stress],
            crash_wakes_its_own_waiters,
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
            spawn_named(format!("caller {id}"), move || {
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
        spawn_named("caller 2", move || {
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
        spawn_named("caller 2", move || ask(&flights, 2))
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
        spawn_named("failing caller", move || {
            catch_unwind(AssertUnwindSafe(|| {
                flights.get_or_compute(1, |_| deliberate_panic("the computation of key 1 fails"))
            }))
            .ok()
        })
    };
    let handles: Vec<_> = (1..waiters)
        .map(|id| {
            let flights = Arc::clone(&flights);
            spawn_named(format!("caller {id}"), move || {
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

/// Under stress, lets the threads the check has just started reach their wait (a sleep of the
/// check's own thread, so that the scenario it sets up happens in (almost) every round); the
/// other modes try every order anyway.
fn settle() {
    if mode() == Mode::Stress {
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A one-way signal between the check's own threads.
struct Flag {
    raised: Mutex<bool>,
    changed: Condvar,
}

impl Flag {
    fn new(name: &str) -> Arc<Self> {
        Arc::new(Flag {
            raised: Mutex::new(false).named(name),
            changed: Condvar::new().named(name),
        })
    }

    fn raise(&self) {
        *self.raised.lock().unwrap() = true;
        self.changed.notify_all();
    }

    fn wait(&self) {
        let mut raised = self.raised.lock().unwrap();
        while !*raised {
            raised = self.changed.wait(raised).unwrap();
        }
    }
}

/// Counts the computations of one key: how many ran in all, and the most in flight at once.
struct Computations {
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    total: AtomicUsize,
}

/// One computation in flight; dropping it (at its end, or while its panic unwinds) lands it.
struct InFlight<'a>(&'a Computations);

impl Computations {
    fn new() -> Arc<Self> {
        Arc::new(Computations {
            in_flight: AtomicUsize::new(0).named("computations of key 1 in flight"),
            most_in_flight: AtomicUsize::new(0).named("most computations of key 1 in flight"),
            total: AtomicUsize::new(0).named("computations of key 1"),
        })
    }

    fn start(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, Ordering::SeqCst);
        self.total.fetch_add(1, Ordering::SeqCst);
        InFlight(self)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Several callers wait for the same computation, which panics: all of them wake up, one of them
/// computes again, and the others wait for that second flight (they look at the key again
/// however they were woken), so at most one computation of the key is in flight at any time, and
/// the key is computed twice in all (the crash and one retry). Every computation counts itself
/// while it runs; under stress each retry lasts long enough for the other woken callers to look.
fn waiters_of_a_crash_retry_once() {
    let waiters = match mode() {
        Mode::Model => 2,
        _ => 3,
    };
    let flights: Arc<SingleFlight<u64, u64>> = Arc::new(SingleFlight::new());
    let computations = Computations::new();
    let crash_started = Flag::new("the failing computation started");
    let failing = {
        let flights = Arc::clone(&flights);
        let computations = Arc::clone(&computations);
        let crash_started = Arc::clone(&crash_started);
        spawn_named("failing caller", move || {
            catch_unwind(AssertUnwindSafe(|| {
                flights.get_or_compute(1, |_| {
                    let _running = computations.start();
                    crash_started.raise();
                    settle();
                    deliberate_panic("the computation of key 1 fails")
                })
            }))
            .is_err()
        })
    };
    crash_started.wait();
    let retry = move |flights: &SingleFlight<u64, u64>, computations: &Computations| {
        flights.get_or_compute(1, |_| {
            let _running = computations.start();
            settle();
            7
        })
    };
    let handles: Vec<_> = (1..waiters)
        .map(|id| {
            let flights = Arc::clone(&flights);
            let computations = Arc::clone(&computations);
            spawn_named(format!("caller {id}"), move || {
                retry(&flights, &computations)
            })
        })
        .collect();
    let mut results = vec![retry(&flights, &computations)];
    results.extend(handles.into_iter().map(|handle| handle.join().unwrap()));
    let crashed = failing.join().unwrap();
    assert!(
        crashed,
        "the computation of key 1 panicked, but its caller did not get the panic"
    );
    let most = computations.most_in_flight.load(Ordering::SeqCst);
    assert_eq!(
        most, 1,
        "the first computation of key 1 panicked while {waiters} callers waited for it, and then \
         {most} computations of key 1 were in flight at the same time: one caller should compute \
         again and the others wait for its flight"
    );
    let total = computations.total.load(Ordering::SeqCst);
    assert_eq!(
        total, 2,
        "the first computation of key 1 panicked while {waiters} callers waited for it, and key 1 \
         was computed {total} times in all: it should be computed once more, and the value stored"
    );
    assert!(
        results.iter().all(|&result| result == 7),
        "after the crash, the callers of key 1 should all get the 7 computed again, yet they got \
         {results:?}"
    );
}

/// A crash must wake the callers of its own key, not just any caller: a memoizer whose callers
/// all sleep on one condvar has callers of other keys asleep on it too. Here a caller waits for
/// key 2, whose computation needs key 1 to be computed first (by someone else), then a caller
/// waits for key 1, whose first computation panics. Waking only one sleeper can wake key 2's
/// caller, which goes back to sleep, and leaves key 1's caller asleep: nobody computes key 1
/// again, so key 2 never finishes either.
fn crash_wakes_its_own_waiters() {
    let flights: Arc<SingleFlight<u64, u64>> = Arc::new(SingleFlight::new());
    let two_started = Flag::new("the computation of key 2 started");
    let one_computed = Flag::new("key 1 was computed again");
    let crash_started = Flag::new("the failing computation started");
    let two = {
        let flights = Arc::clone(&flights);
        let two_started = Arc::clone(&two_started);
        let one_computed = Arc::clone(&one_computed);
        spawn_named("caller of key 2", move || {
            flights.get_or_compute(2, |_| {
                two_started.raise();
                one_computed.wait();
                20
            })
        })
    };
    two_started.wait();
    let two_waiter = {
        let flights = Arc::clone(&flights);
        spawn_named("waiter for key 2", move || {
            flights.get_or_compute(2, |_| 21)
        })
    };
    settle();
    let failing = {
        let flights = Arc::clone(&flights);
        let crash_started = Arc::clone(&crash_started);
        spawn_named("failing caller of key 1", move || {
            catch_unwind(AssertUnwindSafe(|| {
                flights.get_or_compute(1, |_| {
                    crash_started.raise();
                    settle();
                    deliberate_panic("the computation of key 1 fails")
                })
            }))
            .is_err()
        })
    };
    crash_started.wait();
    let one = flights.get_or_compute(1, |_| {
        one_computed.raise();
        10
    });
    let crashed = failing.join().unwrap();
    let results = (two.join().unwrap(), two_waiter.join().unwrap());
    assert!(
        crashed,
        "the computation of key 1 panicked, but its caller did not get the panic"
    );
    assert_eq!(
        (one, results),
        (10, (20, 20)),
        "key 1 is computed again as 10 after its first computation panicked, and key 2 as 20 once \
         key 1 is done; the callers got {one} for key 1 and {results:?} for key 2"
    );
}
