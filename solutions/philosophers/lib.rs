//! The dining philosophers, without deadlock and without starvation.
//!
//! Reference solution: a resource hierarchy. Every philosopher picks up the lower-numbered of
//! their two forks first. Then a circle of philosophers each holding one fork and waiting for the
//! next cannot form: the philosopher who would close the circle reaches for fork 0 first, and
//! fork 0 is already taken, so they wait with empty hands. With locks that serve waiters in the
//! order they came, nobody waits for ever either.

use harness::sync::Mutex;

/// A round table with one fork between each two neighbouring seats.
///
/// Seat `i` eats with fork `i` (on one side) and fork `(i + 1) % seats` (on the other side), so
/// neighbours share a fork and can never eat at the same time.
///
/// ```
/// use philosophers::Table;
///
/// let table = Table::new(5);
/// let meal = table.dine(0, || "spaghetti");
/// assert_eq!(meal, "spaghetti");
/// ```
pub struct Table {
    forks: Vec<Mutex<()>>,
}

impl Table {
    /// Lays a table for `seats` philosophers, with `seats` forks.
    ///
    /// # Panics
    ///
    /// If `seats` is less than 2: a philosopher needs two forks, and one seat has only one.
    pub fn new(seats: usize) -> Self {
        assert!(
            seats >= 2,
            "a table needs at least 2 seats (each philosopher eats with two forks), not {seats}"
        );
        Table {
            forks: (0..seats)
                .map(|i| Mutex::new(()).named(format!("fork {i}")))
                .collect(),
        }
    }

    /// Philosopher `seat` takes forks `seat` and `(seat + 1) % seats`, runs `eat` while holding
    /// both, puts them down and returns what `eat` returned.
    ///
    /// Waits while a neighbour holds a fork. Any number of philosophers may dine at once, at
    /// every seat: nobody deadlocks, and a hungry philosopher is not passed over for ever.
    ///
    /// # Panics
    ///
    /// If there is no such seat (`seat >= seats`).
    pub fn dine<R>(&self, seat: usize, eat: impl FnOnce() -> R) -> R {
        let seats = self.forks.len();
        assert!(
            seat < seats,
            "there is no seat {seat} at a table of {seats} seats"
        );
        let other = (seat + 1) % seats;
        // Lower-numbered fork first, whichever side of the plate it lies on.
        let (first, second) = (seat.min(other), seat.max(other));
        let _first = self.forks[first]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let _second = self.forks[second]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        eat()
    }
}
