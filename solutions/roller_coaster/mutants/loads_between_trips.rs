//! Mutant: the car is open from the start and reopens for the next trip as soon as its passengers are off, without waiting for run_trip to be called, so passengers board a trip the car may never run.
//! Expect: race

use harness::sync::{Condvar, Mutex};

/// Where the car is in its trip.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Passengers may take the free seats and board.
    Loading,
    /// The car is out: nobody boards or gets off.
    Running,
    /// The passengers of the trip get off.
    Unloading,
}

/// A roller coaster car with a fixed number of seats, and the queue of passengers.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): passenger threads
/// call [`ride`](RollerCoaster::ride), one car thread calls [`run_trip`](RollerCoaster::run_trip).
pub struct RollerCoaster {
    seats: usize,
    state: Mutex<State>,
    /// Passengers wait here for the car to load, or to unload.
    car_moved: Condvar,
    /// The car waits here for its passengers to board, or to get off.
    passenger_done: Condvar,
}

/// The car's bookkeeping, guarded by its lock.
struct State {
    phase: Phase,
    /// Seats taken on this trip.
    taken: usize,
    /// Passengers of this trip whose `board` has returned.
    boarded: usize,
    /// Passengers of this trip whose `unboard` has returned.
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
            "a roller coaster car needs at least 1 seat: with 0 seats it is never full, so it never runs"
        );
        RollerCoaster {
            seats,
            state: Mutex::new(State {
                phase: Phase::Loading,
                taken: 0,
                boarded: 0,
                unboarded: 0,
            })
            .named("the car"),
            car_moved: Condvar::new().named("the car loads or unloads"),
            passenger_done: Condvar::new().named("a passenger boarded or got off"),
        }
    }

    /// One passenger takes one ride: waits until the car is loading and has a free seat, calls
    /// `board`, waits until the car has run and is unloading, calls `unboard`, and returns.
    pub fn ride(&self, board: impl FnOnce(), unboard: impl FnOnce()) {
        let mut state = self.state.lock().unwrap();
        while !(state.phase == Phase::Loading && state.taken < self.seats) {
            state = self.car_moved.wait(state).unwrap();
        }
        state.taken += 1;
        drop(state);
        board();
        let mut state = self.state.lock().unwrap();
        state.boarded += 1;
        self.passenger_done.notify_one();
        // Aboard, the car cannot start another trip without this passenger getting off.
        while state.phase != Phase::Unloading {
            state = self.car_moved.wait(state).unwrap();
        }
        drop(state);
        unboard();
        let mut state = self.state.lock().unwrap();
        state.unboarded += 1;
        self.passenger_done.notify_one();
    }

    /// The car makes one trip: lets passengers board until every seat is taken and every
    /// passenger has boarded, calls `run`, lets them all get off, and returns when they are off.
    /// Only one thread drives the car.
    pub fn run_trip(&self, run: impl FnOnce()) {
        let mut state = self.state.lock().unwrap();
        while state.boarded < self.seats {
            state = self.passenger_done.wait(state).unwrap();
        }
        state.phase = Phase::Running;
        drop(state);
        run();
        let mut state = self.state.lock().unwrap();
        state.phase = Phase::Unloading;
        state.unboarded = 0;
        self.car_moved.notify_all();
        while state.unboarded < self.seats {
            state = self.passenger_done.wait(state).unwrap();
        }
        // The car is empty: open it for the next trip at once.
        state.phase = Phase::Loading;
        state.taken = 0;
        state.boarded = 0;
        self.car_moved.notify_all();
    }
}
