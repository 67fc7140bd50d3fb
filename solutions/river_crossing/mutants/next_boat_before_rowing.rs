//! Mutant: the captain calls the next boatload before it rows, so the next boat's passengers board while the boat is still rowing away.
//! Expect: race

use harness::sync::{Condvar, Mutex, MutexGuard};

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
    /// One Condvar per kind: index [`HACKER`] or [`SERF`].
    seat_free: [Condvar; 2],
}

/// The dock's bookkeeping, guarded by its lock.
struct State {
    /// Passengers of each kind on the dock without a seat yet.
    waiting: [usize; 2],
    /// Free seats of each kind on the boat being loaded.
    seats: [usize; 2],
    /// Whether a boatload has been called and has not been rowed away yet.
    loading: bool,
    /// Passengers aboard the boat being loaded.
    aboard: usize,
}

impl Dock {
    /// Opens an empty dock.
    pub fn new() -> Self {
        Dock {
            state: Mutex::new(State {
                waiting: [0, 0],
                seats: [0, 0],
                loading: false,
                aboard: 0,
            })
            .named("the dock"),
            seat_free: [
                Condvar::new().named("a hacker seat is free"),
                Condvar::new().named("a serf seat is free"),
            ],
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
        let mut state = self.state.lock().unwrap();
        state.waiting[kind] += 1;
        self.call_boatload(&mut state);
        while state.seats[kind] == 0 {
            state = self.seat_free[kind].wait(state).unwrap();
        }
        state.seats[kind] -= 1;
        drop(state);
        board();
        let mut state = self.state.lock().unwrap();
        state.aboard += 1;
        if state.aboard < 4 {
            return false;
        }
        // The fourth passenger aboard is the captain: it calls the next boatload, then rows.
        state.aboard = 0;
        state.loading = false;
        self.call_boatload(&mut state);
        drop(state);
        row_boat();
        true
    }

    /// If no boat is loading and a safe boatload is waiting on the dock, reserves its seats and
    /// wakes the passengers who may take them.
    fn call_boatload(&self, state: &mut MutexGuard<'_, State>) {
        if state.loading {
            return;
        }
        let [hackers, serfs] = state.waiting;
        let seats = if hackers >= 4 {
            [4, 0]
        } else if serfs >= 4 {
            [0, 4]
        } else if hackers >= 2 && serfs >= 2 {
            [2, 2]
        } else {
            return;
        };
        for kind in [HACKER, SERF] {
            state.waiting[kind] -= seats[kind];
            state.seats[kind] = seats[kind];
            if seats[kind] > 0 {
                // Several seats: notify_one would wake only one of their passengers.
                self.seat_free[kind].notify_all();
            }
        }
        state.loading = true;
    }
}

impl Default for Dock {
    fn default() -> Self {
        Dock::new()
    }
}
