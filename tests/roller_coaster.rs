//! Checks of the `roller_coaster` kata: passengers ride a car that runs only when full.
//!
//! The promises: passengers board only while the car is loading (once `run_trip` is called)
//! and has a free seat; the car departs only when every seat is taken and every passenger has
//! finished boarding; nobody boards or gets off while it runs; its passengers get off after it
//! returns, `run_trip` returns only when all of them are off, and the next trip loads only when
//! `run_trip` is called again; everyone rides (no lost signal); 0 seats is refused. Passengers
//! log their boarding and getting off, the car its calls of `run_trip`, its departure and return;
//! the log is judged by `checks::validators::roller_coaster`, during the run and once more at
//! the end.

use std::sync::Mutex as StdMutex;

use checks::refusal::assert_refused;
use checks::threads::spawn_named;
use checks::validators::roller_coaster::{validate, validate_so_far, Event, Step};
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread::{self, JoinHandle};
use roller_coaster::RollerCoaster;

fn main() {
    Checks::new()
        .sequential("a car can be built", car_can_be_built)
        .sequential(
            "a car with 0 seats panics with a clear message",
            zero_seats_panics,
        )
        .concurrent("a full car runs, then its passengers get off", one_trip)
        .concurrent("trips follow each other", trips_in_a_row)
        .only(
            "a car of three seats makes two trips",
            &[Mode::Explore, Mode::Stress],
            three_seats,
        )
        .run();
}

/// The log everybody writes to: plain std bookkeeping, held only for an instant.
type Log = Arc<StdMutex<Vec<Event>>>;

/// Appends one line to the log and judges the log so far; a broken promise fails the check at
/// once, in the thread that saw it.
fn record(log: &Log, seats: usize, thread: &str, step: Step) {
    let verdict = {
        let mut log = log.lock().unwrap();
        log.push(Event::new(thread, step));
        validate_so_far(&log, seats)
    };
    if let Err(problem) = verdict {
        panic!("{problem}");
    }
}

/// A moment's pause that lets other threads run, outside model mode.
fn pause() {
    if mode() != Mode::Model {
        thread::yield_now();
    }
}

fn car_can_be_built() {
    let _car = RollerCoaster::new(1);
    let _car = RollerCoaster::new(4);
}

fn zero_seats_panics() {
    let _car = RollerCoaster::new(1);
    assert_refused(
        "RollerCoaster::new(0)",
        "RollerCoaster::new(0) returned a car that can never be full; it should panic",
        || RollerCoaster::new(0),
    );
}

/// Passengers and a car, each a thread, and the log.
struct Park {
    car: Arc<RollerCoaster>,
    seats: usize,
    log: Log,
    threads: Vec<JoinHandle<()>>,
}

impl Park {
    fn new(seats: usize) -> Self {
        Park {
            car: Arc::new(RollerCoaster::new(seats)),
            seats,
            log: Arc::new(StdMutex::new(Vec::new())),
            threads: Vec::new(),
        }
    }

    /// Starts a passenger thread that takes one ride.
    fn passenger(&mut self, name: String) {
        let (car, log, seats) = (Arc::clone(&self.car), Arc::clone(&self.log), self.seats);
        let thread = spawn_named(name.clone(), move || {
            car.ride(
                || {
                    // Boarding takes a moment; the log says when it is done. (Model mode
                    // tries every interleaving anyway, and a pause there only multiplies
                    // them.)
                    pause();
                    record(&log, seats, &name, Step::Board);
                },
                || record(&log, seats, &name, Step::Unboard),
            );
        });
        self.threads.push(thread);
    }

    /// Drives the car for `trips` trips on this thread, logging each call of `run_trip` (just
    /// before it) and its return (just after): passengers started before the first call, or
    /// who come back between two calls, must not board until the car loads.
    fn drive(&self, trips: usize) {
        for _ in 0..trips {
            record(&self.log, self.seats, "the car", Step::Start);
            self.car.run_trip(|| {
                record(&self.log, self.seats, "the car", Step::Depart);
                pause();
                record(&self.log, self.seats, "the car", Step::Return);
            });
            record(&self.log, self.seats, "the car", Step::End);
        }
    }

    /// Joins every passenger, then judges the whole log.
    fn finish(self) {
        for thread in self.threads {
            thread.join().unwrap();
        }
        let log = self.log.lock().unwrap();
        if let Err(problem) = validate(&log, self.seats) {
            panic!("{problem}");
        }
    }
}

fn one_trip() {
    let mut park = Park::new(2);
    park.passenger("passenger 0".into());
    park.passenger("passenger 1".into());
    park.drive(1);
    park.finish();
}

fn trips_in_a_row() {
    // Model mode tries every interleaving, so it gets a one-seat car making two trips.
    let (seats, trips) = match mode() {
        Mode::Model => (1, 2),
        _ => (2, 3),
    };
    let mut park = Park::new(seats);
    for id in 0..seats * trips {
        park.passenger(format!("passenger {id}"));
    }
    park.drive(trips);
    park.finish();
}

fn three_seats() {
    let mut park = Park::new(3);
    for id in 0..6 {
        park.passenger(format!("passenger {id}"));
    }
    park.drive(2);
    park.finish();
}
