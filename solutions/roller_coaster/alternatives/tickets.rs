//! Alternative: numbered tickets and one Condvar. Every passenger takes the next ticket, and
//! ticket `t` rides on trip `t / seats`: passengers ride strictly in arrival order. The car
//! counts its trips; everybody sleeps on the same Condvar and every change wakes them all.

use harness::sync::{Condvar, Mutex};

/// A roller coaster car with a fixed number of seats, and the queue of passengers.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): passenger threads
/// call [`ride`](RollerCoaster::ride), one car thread calls [`run_trip`](RollerCoaster::run_trip).
pub struct RollerCoaster {
    seats: usize,
    state: Mutex<State>,
    changed: Condvar,
}

/// The queue and the car, guarded by one lock.
struct State {
    /// The ticket the next passenger gets.
    next_ticket: usize,
    /// The trip the car is on (or about to load).
    trip: usize,
    /// Whether the car is loading `trip`.
    loading: bool,
    /// Whether the car is unloading `trip`.
    unloading: bool,
    /// Passengers of `trip` whose `board` has returned.
    boarded: usize,
    /// Passengers of `trip` whose `unboard` has returned.
    unboarded: usize,
}

impl RollerCoaster {
    /// Builds a car with `seats` seats.
    ///
    /// # Panics
    ///
    /// If `seats` is 0: the car could never be full, so it could never run.
    pub fn new(seats: usize) -> Self {
        assert!(
            seats > 0,
            "a roller coaster car with 0 seats could never run"
        );
        RollerCoaster {
            seats,
            state: Mutex::new(State {
                next_ticket: 0,
                trip: 0,
                loading: false,
                unloading: false,
                boarded: 0,
                unboarded: 0,
            })
            .named("the queue and the car"),
            changed: Condvar::new().named("something changed"),
        }
    }

    /// One passenger takes one ride: waits until the car is loading and has a free seat, calls
    /// `board`, waits until the car has run and is unloading, calls `unboard`, and returns.
    pub fn ride(&self, board: impl FnOnce(), unboard: impl FnOnce()) {
        let mut state = self.state.lock().unwrap();
        let my_trip = state.next_ticket / self.seats;
        state.next_ticket += 1;
        while !(state.loading && state.trip == my_trip) {
            state = self.changed.wait(state).unwrap();
        }
        drop(state);
        board();
        let mut state = self.state.lock().unwrap();
        state.boarded += 1;
        self.changed.notify_all();
        while !(state.unloading && state.trip == my_trip) {
            state = self.changed.wait(state).unwrap();
        }
        drop(state);
        unboard();
        let mut state = self.state.lock().unwrap();
        state.unboarded += 1;
        self.changed.notify_all();
    }

    /// The car makes one trip: lets passengers board until every seat is taken and every
    /// passenger has boarded, calls `run`, lets them all get off, and returns when they are off.
    /// Only one thread drives the car.
    pub fn run_trip(&self, run: impl FnOnce()) {
        let mut state = self.state.lock().unwrap();
        state.loading = true;
        state.boarded = 0;
        self.changed.notify_all();
        while state.boarded < self.seats {
            state = self.changed.wait(state).unwrap();
        }
        state.loading = false;
        drop(state);
        run();
        let mut state = self.state.lock().unwrap();
        state.unloading = true;
        state.unboarded = 0;
        self.changed.notify_all();
        while state.unboarded < self.seats {
            state = self.changed.wait(state).unwrap();
        }
        state.unloading = false;
        state.trip += 1;
    }
}
