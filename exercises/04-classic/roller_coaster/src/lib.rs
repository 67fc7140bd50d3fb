//! The roller coaster: passengers ride a car of `seats` seats that runs only when full. Read
//! `README.md` beside this folder's `src/` first.
//!
//! Build it from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`).

/// A roller coaster car with a fixed number of seats, and the queue of passengers.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): passenger threads
/// call [`ride`](RollerCoaster::ride), one car thread calls [`run_trip`](RollerCoaster::run_trip).
///
/// ```no_run
/// use harness::sync::Arc;
/// use harness::thread;
/// use roller_coaster::RollerCoaster;
///
/// let car = Arc::new(RollerCoaster::new(2));
/// let passengers: Vec<_> = (0..2)
///     .map(|i| {
///         let car = Arc::clone(&car);
///         thread::spawn(move || car.ride(|| println!("{i} boards"), || println!("{i} gets off")))
///     })
///     .collect();
/// car.run_trip(|| println!("whee!"));
/// for passenger in passengers {
///     passenger.join().unwrap();
/// }
/// ```
pub struct RollerCoaster {
    // TODO: the number of seats; the car's state (where it is in its trip, how many passengers
    // have boarded or got off) behind a `Mutex`; `Condvar`s for passengers and the car to
    // sleep on.
}

impl RollerCoaster {
    /// Builds a car with `seats` seats.
    ///
    /// # Panics
    ///
    /// If `seats` is 0: the car could never be full, so it could never run.
    pub fn new(seats: usize) -> Self {
        // TODO: refuse 0 seats with a clear panic message.
        todo!("build a car with {seats} seats")
    }

    /// One passenger takes one ride: waits until the car is loading and has a free seat, calls
    /// `board`, waits until the car has run and is unloading, calls `unboard`, and returns.
    pub fn ride(&self, board: impl FnOnce(), unboard: impl FnOnce()) {
        // TODO
        let _ = (board, unboard);
        todo!("take one ride")
    }

    /// The car makes one trip: lets passengers board until every seat is taken and every
    /// passenger has boarded, calls `run`, lets them all get off, and returns when they are off.
    /// Only one thread drives the car.
    pub fn run_trip(&self, run: impl FnOnce()) {
        // TODO
        let _ = run;
        todo!("make one trip")
    }
}
