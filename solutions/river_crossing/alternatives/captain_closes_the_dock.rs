//! Alternative: the book's design. The passenger whose arrival completes a safe boatload is its
//! captain: it reserves the other three seats, closes the dock to newcomers (the book keeps its
//! mutex for the whole trip), waits at a barrier until all four are aboard, rows, and only then
//! reopens the dock. Boatloads are only ever completed on arrival.

use harness::sync::{Condvar, Mutex};

/// Index of hackers in the per-kind arrays.
const HACKER: usize = 0;
/// Index of serfs in the per-kind arrays.
const SERF: usize = 1;

/// The dock where hackers and serfs wait for the boat across the river.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): hacker threads
/// call [`hacker`](Dock::hacker), serf threads call [`serf`](Dock::serf).
pub struct Dock {
    state: Mutex<State>,
    /// Newcomers wait here while a boat is loading or out.
    dock_open: Condvar,
    /// Passengers on the dock wait here for a seat.
    seat_free: Condvar,
    /// The captain waits here for its crew to board.
    all_aboard: Condvar,
}

/// The dock's bookkeeping, guarded by its lock.
struct State {
    /// Whether a boat is loading or out: newcomers wait until it is back.
    closed: bool,
    /// Passengers of each kind on the dock without a seat.
    waiting: [usize; 2],
    /// Seats of each kind reserved for passengers on the dock.
    seats: [usize; 2],
    /// Passengers aboard the boat being loaded.
    aboard: usize,
}

impl Dock {
    /// Opens an empty dock.
    pub fn new() -> Self {
        Dock {
            state: Mutex::new(State {
                closed: false,
                waiting: [0, 0],
                seats: [0, 0],
                aboard: 0,
            })
            .named("the dock"),
            dock_open: Condvar::new().named("the dock is open"),
            seat_free: Condvar::new().named("a seat is free"),
            all_aboard: Condvar::new().named("all aboard"),
        }
    }

    /// A hacker arrives: waits for a safe boatload, calls `board`, and if it is the captain of
    /// its boatload calls `row_boat` once all four are aboard. Returns whether it was the
    /// captain.
    pub fn hacker(&self, board: impl FnOnce(), row_boat: impl FnOnce()) -> bool {
        self.cross(HACKER, board, row_boat)
    }

    /// A serf arrives: waits for a safe boatload, calls `board`, and if it is the captain of
    /// its boatload calls `row_boat` once all four are aboard. Returns whether it was the
    /// captain.
    pub fn serf(&self, board: impl FnOnce(), row_boat: impl FnOnce()) -> bool {
        self.cross(SERF, board, row_boat)
    }

    fn cross(&self, kind: usize, board: impl FnOnce(), row_boat: impl FnOnce()) -> bool {
        let other = 1 - kind;
        let mut state = self.state.lock().unwrap();
        while state.closed {
            state = self.dock_open.wait(state).unwrap();
        }
        state.waiting[kind] += 1;
        // No safe boatload was on the dock before this arrival, so any boatload now includes
        // this passenger: four of its kind, or two of each.
        let crew = if state.waiting[kind] == 4 {
            Some([4, 0])
        } else if state.waiting[kind] >= 2 && state.waiting[other] >= 2 {
            Some([2, 2])
        } else {
            None
        };
        let captain = crew.is_some();
        if let Some([mine, theirs]) = crew {
            state.closed = true;
            state.waiting[kind] -= mine;
            state.waiting[other] -= theirs;
            // The captain's own seat is not reserved: it boards at once.
            state.seats[kind] = mine - 1;
            state.seats[other] = theirs;
            self.seat_free.notify_all();
        } else {
            while state.seats[kind] == 0 {
                state = self.seat_free.wait(state).unwrap();
            }
            state.seats[kind] -= 1;
        }
        drop(state);
        board();
        let mut state = self.state.lock().unwrap();
        state.aboard += 1;
        if !captain {
            if state.aboard == 4 {
                self.all_aboard.notify_one();
            }
            return false;
        }
        while state.aboard < 4 {
            state = self.all_aboard.wait(state).unwrap();
        }
        drop(state);
        row_boat();
        let mut state = self.state.lock().unwrap();
        state.aboard = 0;
        state.closed = false;
        self.dock_open.notify_all();
        true
    }
}

impl Default for Dock {
    fn default() -> Self {
        Dock::new()
    }
}
