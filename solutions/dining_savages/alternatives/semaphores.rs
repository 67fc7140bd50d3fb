//! Alternative: Downey's solution with semaphores (each built from a lock and a condition
//! variable). `mutex` keeps the servings count to one savage at a time; a savage who finds the pot
//! empty signals `empty_pot` and, still holding `mutex`, waits on `full_pot`. The cook waits on
//! `empty_pot`, fills the pot and signals `full_pot`, and the savage who called sets the count.

use harness::sync::{Condvar, Mutex};

/// A counting semaphore.
struct Semaphore {
    permits: Mutex<usize>,
    released: Condvar,
}

impl Semaphore {
    fn new(permits: usize, name: &str) -> Self {
        Semaphore {
            permits: Mutex::new(permits).named(name),
            released: Condvar::new().named(format!("{name} signalled")),
        }
    }

    fn wait(&self) {
        let permits = self
            .permits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut permits = self
            .released
            .wait_while(permits, |permits| *permits == 0)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *permits -= 1;
    }

    fn signal(&self) {
        *self
            .permits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) += 1;
        self.released.notify_one();
    }
}

/// A pot of stew shared by savages and one cook.
///
/// ```
/// use harness::sync::Arc;
/// use harness::thread;
/// use dining_savages::Pot;
///
/// let pot = Arc::new(Pot::new(2));
/// let cook = {
///     let pot = Arc::clone(&pot);
///     thread::spawn(move || pot.cook(|| println!("the cook fills the pot")))
/// };
/// pot.get_serving(|| println!("a savage takes a serving"));
/// pot.get_serving(|| println!("and another"));
/// cook.join().unwrap();
/// ```
pub struct Pot {
    servings: usize,
    /// Servings left; only touched by the savage holding `mutex`.
    mutex: Mutex<usize>,
    /// A semaphore of one: the savage holding it is alone at the pot.
    turn: Semaphore,
    empty_pot: Semaphore,
    full_pot: Semaphore,
}

impl Pot {
    /// An empty pot that the cook fills with `servings` servings at a time.
    ///
    /// # Panics
    ///
    /// If `servings` is 0.
    pub fn new(servings: usize) -> Self {
        assert!(
            servings > 0,
            "a pot refilled with 0 servings would feed nobody; give it at least 1"
        );
        Pot {
            servings,
            mutex: Mutex::new(0).named("servings"),
            turn: Semaphore::new(1, "mutex"),
            empty_pot: Semaphore::new(0, "empty pot"),
            full_pot: Semaphore::new(0, "full pot"),
        }
    }

    /// A savage takes one serving from the pot, running `take` at that moment. If the pot is
    /// empty, the savage wakes the cook and waits for the refill.
    pub fn get_serving(&self, take: impl FnOnce()) {
        self.turn.wait();
        let empty = *self.left() == 0;
        if empty {
            self.empty_pot.signal();
            // Still holding `turn`: no other savage can reach the pot until it is full.
            self.full_pot.wait();
            *self.left() = self.servings;
        }
        *self.left() -= 1;
        take();
        self.turn.signal();
    }

    /// The cook waits until a savage finds the pot empty and calls, then fills the pot, running
    /// `fill` at that moment.
    pub fn cook(&self, fill: impl FnOnce()) {
        self.empty_pot.wait();
        // The calling savage holds `turn` and waits for us: nobody else is at the pot.
        fill();
        self.full_pot.signal();
    }

    fn left(&self) -> harness::sync::MutexGuard<'_, usize> {
        self.mutex
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
