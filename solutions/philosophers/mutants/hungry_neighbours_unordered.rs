//! Mutant: a waiter (one lock and a condition variable) lets a hungry philosopher eat as soon as
//! neither neighbour is eating, but keeps no order among the hungry: two neighbours who take
//! turns can keep the philosopher between them hungry for ever. Safe and deadlock-free, yet unfair.
//! Expect: starvation

use harness::sync::{Condvar, Mutex};

/// A round table with one fork between each two neighbouring seats.
pub struct Table {
    /// Whether a philosopher is eating at each seat.
    eating: Mutex<Vec<bool>>,
    /// Notified whenever a philosopher stops eating.
    forks_down: Condvar,
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
            eating: Mutex::new(vec![false; seats]).named("the table"),
            forks_down: Condvar::new().named("forks down"),
        }
    }

    /// Philosopher `seat` takes forks `seat` and `(seat + 1) % seats`, runs `eat`, puts them
    /// down and returns what `eat` returned.
    ///
    /// # Panics
    ///
    /// If there is no such seat.
    pub fn dine<R>(&self, seat: usize, eat: impl FnOnce() -> R) -> R {
        let mut eating = self
            .eating
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let seats = eating.len();
        assert!(
            seat < seats,
            "there is no seat {seat} at a table of {seats} seats"
        );
        let (before, after) = ((seat + seats - 1) % seats, (seat + 1) % seats);
        // Also wait while someone else eats at this seat: they hold both forks.
        while eating[before] || eating[seat] || eating[after] {
            eating = self
                .forks_down
                .wait(eating)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        eating[seat] = true;
        drop(eating);

        let meal = eat();

        self.eating
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())[seat] = false;
        self.forks_down.notify_all();
        meal
    }
}
