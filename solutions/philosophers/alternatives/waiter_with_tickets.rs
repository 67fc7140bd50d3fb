//! Alternative: no fork locks at all. A waiter (one lock and a condition variable) keeps, for
//! every seat, whether its philosopher is eating and since which ticket they have been hungry. A
//! hungry philosopher eats when neither neighbour is eating and no hungry neighbour got a ticket
//! before them, so neighbours are served in the order they got hungry.

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

#[derive(Clone, Copy)]
struct Seat {
    /// The ticket of a philosopher waiting to eat at this seat.
    hungry: Option<u64>,
    /// Whether the philosopher at this seat is eating.
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
                        hungry: None,
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
        state.seats[seat].hungry = Some(ticket);
        let neighbours = [(seat + seats - 1) % seats, (seat + 1) % seats];
        let blocked = |state: &mut State| {
            neighbours.iter().any(|&n| {
                let neighbour = state.seats[n];
                neighbour.eating || neighbour.hungry.is_some_and(|theirs| theirs < ticket)
            })
        };
        state = self
            .changed
            .wait_while(state, blocked)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.seats[seat] = Seat {
            hungry: None,
            eating: true,
        };
        drop(state);
        // A neighbour who waited behind our ticket now waits for our meal instead: nothing for
        // them to do yet.
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
