//! Alternative: Downey's footman. At most `seats - 1` philosophers may sit down at once (a
//! counting semaphore built from a lock and a condition variable, serving tickets in order); with
//! one seat always empty, the circle of philosophers each holding one fork cannot close, so
//! everybody may pick up the fork on their left first.

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
    forks: Vec<Mutex<()>>,
    footman: Mutex<Door>,
    door_changed: Condvar,
}

/// The footman's books: who may sit down next, and how many sit.
struct Door {
    next_ticket: u64,
    now_serving: u64,
    seated: usize,
}

/// Stands the philosopher up again when the meal ends, even if it panicked.
struct Seated<'a> {
    table: &'a Table,
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
                .map(|i| Mutex::new(()).named(format!("fork {i}")))
                .collect(),
            footman: Mutex::new(Door {
                next_ticket: 0,
                now_serving: 0,
                seated: 0,
            })
            .named("the footman"),
            door_changed: Condvar::new().named("door"),
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
        let _seated = self.sit_down();
        let _left = self.forks[seat]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let _right = self.forks[(seat + 1) % seats]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        eat()
    }

    /// Waits for the footman to let this philosopher sit, in the order they asked.
    fn sit_down(&self) -> Seated<'_> {
        let limit = self.forks.len() - 1;
        let mut door = self
            .footman
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let ticket = door.next_ticket;
        door.next_ticket += 1;
        door = self
            .door_changed
            .wait_while(door, |door| {
                door.now_serving != ticket || door.seated == limit
            })
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        door.now_serving += 1;
        door.seated += 1;
        drop(door);
        // The next ticket may be able to sit down too.
        self.door_changed.notify_all();
        Seated { table: self }
    }
}

impl Drop for Seated<'_> {
    fn drop(&mut self) {
        self.table
            .footman
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .seated -= 1;
        self.table.door_changed.notify_all();
    }
}
