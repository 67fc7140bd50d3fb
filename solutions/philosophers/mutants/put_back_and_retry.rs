//! Mutant: a philosopher who finds the second fork taken puts the first one back and tries again
//! later, with no rule about who goes first: neighbours can keep grabbing the forks in turn while
//! a hungry philosopher picks one up and puts it back, again and again.
//! Expect: starvation

use harness::sync::Mutex;
use harness::thread;

/// A round table with one fork between each two neighbouring seats.
pub struct Table {
    /// `true` while the fork lies on the table.
    forks: Vec<Mutex<bool>>,
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
            forks: (0..seats)
                .map(|i| Mutex::new(true).named(format!("fork {i}")))
                .collect(),
        }
    }

    /// Philosopher `seat` takes forks `seat` and `(seat + 1) % seats`, runs `eat`, puts them
    /// down and returns what `eat` returned.
    ///
    /// # Panics
    ///
    /// If there is no such seat.
    pub fn dine<R>(&self, seat: usize, eat: impl FnOnce() -> R) -> R {
        let seats = self.forks.len();
        assert!(
            seat < seats,
            "there is no seat {seat} at a table of {seats} seats"
        );
        let (left, right) = (seat, (seat + 1) % seats);
        loop {
            if self.pick_up(left) {
                if self.pick_up(right) {
                    let meal = eat();
                    self.put_down(right);
                    self.put_down(left);
                    return meal;
                }
                // The other fork is taken: put this one back rather than hold it and wait.
                self.put_down(left);
            }
            thread::yield_now();
        }
    }

    /// Takes fork `fork` if it lies on the table.
    fn pick_up(&self, fork: usize) -> bool {
        let mut on_table = self.forks[fork]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        std::mem::replace(&mut *on_table, false)
    }

    /// Puts fork `fork` back on the table.
    fn put_down(&self, fork: usize) {
        *self.forks[fork]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = true;
    }
}
