//! Alternative: no fork locks at all. A waiter (one lock and a condition variable) keeps, for
//! every seat, whether a philosopher is eating there and the tickets of those hungry there. A
//! hungry philosopher eats when nobody eats at their seat or a neighbour's, and nobody hungry at
//! those seats got a ticket before them, so philosophers who share a fork are served in the order
//! they got hungry (several philosophers may dine at one seat: they share both forks).

use std::collections::VecDeque;

use harness::sync::{Condvar, Mutex};

/// A round table with one fork between each two neighbouring seats.
///
/// ```
/// use philosophers::Table;
///
/// let table = Table::new(5);
/// assert_eq!(table.dine(0, || "spaghetti"), "spaghetti");
/// ```
pub struct Table {
    state: Mutex<State>,
    changed: Condvar,
}

/// What the waiter knows, guarded by the table's lock.
struct State {
    /// The ticket the next philosopher to get hungry receives.
    next_ticket: u64,
    seats: Vec<Seat>,
}

#[derive(Clone)]
struct Seat {
    /// The tickets of the philosophers waiting to eat at this seat, oldest first.
    hungry: VecDeque<u64>,
    /// Whether a philosopher is eating at this seat.
    eating: bool,
}

/// Clears the seat when the meal ends, even if it panicked.
struct Meal<'a> {
    table: &'a Table,
    seat: usize,
}

impl Table {
    /// Lays a table for `seats` philosophers, with `seats` forks.
    ///
    /// # Panics
    ///
    /// If `seats` is less than 2.
    pub fn new(seats: usize) -> Self {
        assert!(
            seats >= 2,
            "a table needs at least 2 seats (each philosopher eats with two forks), not {seats}"
        );
        Table {
            state: Mutex::new(State {
                next_ticket: 0,
                seats: vec![
                    Seat {
                        hungry: VecDeque::new(),
                        eating: false,
                    };
                    seats
                ],
            })
            .named("the waiter"),
            changed: Condvar::new().named("a meal ended"),
        }
    }

    /// Philosopher `seat` takes forks `seat` and `(seat + 1) % seats`, runs `eat`, puts them
    /// down and returns what `eat` returned.
    ///
    /// # Panics
    ///
    /// If there is no such seat.
    pub fn dine<R>(&self, seat: usize, eat: impl FnOnce() -> R) -> R {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let seats = state.seats.len();
        assert!(
            seat < seats,
            "there is no seat {seat} at a table of {seats} seats"
        );
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.seats[seat].hungry.push_back(ticket);
        // The seats whose philosophers use one of our forks: our own and both neighbours'.
        let sharing = [(seat + seats - 1) % seats, seat, (seat + 1) % seats];
        let blocked = |state: &mut State| {
            sharing.iter().any(|&s| {
                let other = &state.seats[s];
                other.eating || other.hungry.front().is_some_and(|&theirs| theirs < ticket)
            })
        };
        state = self
            .changed
            .wait_while(state, blocked)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Nobody at our seat got hungry before us: our ticket is the oldest there.
        state.seats[seat].hungry.pop_front();
        state.seats[seat].eating = true;
        drop(state);
        // Whoever waited behind our ticket now waits for our meal instead: nothing for them to
        // do yet.
        let _meal = Meal { table: self, seat };
        eat()
    }
}

impl Drop for Meal<'_> {
    fn drop(&mut self) {
        let mut state = self
            .table
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.seats[self.seat].eating = false;
        drop(state);
        self.table.changed.notify_all();
    }
}
