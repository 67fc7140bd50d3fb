//! The dining savages: a cook refills a pot that savages eat from.
//!
//! Reference solution: one lock over the pot's state and two condition variables. A savage who
//! finds the pot empty wakes the cook only if nobody has yet (the `cook_called` flag), then sleeps
//! until the pot is refilled, and looks again when woken. The cook sleeps until called, fills the
//! pot (which is empty whenever the cook is called) and wakes every sleeping savage.

use harness::sync::{Condvar, Mutex};

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
    state: Mutex<State>,
    /// The cook sleeps on this until called.
    cook_called: Condvar,
    /// Savages sleep on this until the pot is refilled.
    refilled: Condvar,
}

/// The pot's contents, guarded by its lock.
struct State {
    /// Servings left in the pot.
    left: usize,
    /// Whether a savage has found the pot empty and woken the cook, who has not filled it yet.
    cook_called: bool,
}

impl Pot {
    /// An empty pot that the cook fills with `servings` servings at a time.
    ///
    /// # Panics
    ///
    /// If `servings` is 0: a refill would feed nobody.
    pub fn new(servings: usize) -> Self {
        assert!(
            servings > 0,
            "a pot refilled with 0 servings would feed nobody; give it at least 1"
        );
        Pot {
            servings,
            state: Mutex::new(State {
                left: 0,
                cook_called: false,
            })
            .named("the pot"),
            cook_called: Condvar::new().named("cook called"),
            refilled: Condvar::new().named("pot refilled"),
        }
    }

    /// A savage takes one serving from the pot, running `take` at that moment (while nobody else
    /// touches the pot). If the pot is empty, the savage wakes the cook (unless someone already
    /// has) and waits for the refill.
    pub fn get_serving(&self, take: impl FnOnce()) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        while state.left == 0 {
            if !state.cook_called {
                state.cook_called = true;
                self.cook_called.notify_one();
            }
            state = self
                .refilled
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        state.left -= 1;
        take();
    }

    /// The cook waits until a savage finds the pot empty and calls, then fills the pot with a
    /// full set of servings, running `fill` at that moment (while nobody else touches the pot).
    pub fn cook(&self, fill: impl FnOnce()) {
        let state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut state = self
            .cook_called
            .wait_while(state, |state| !state.cook_called)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // The cook is called only when the pot is empty, and nobody eats until it is full.
        fill();
        state.left = self.servings;
        state.cook_called = false;
        drop(state);
        self.refilled.notify_all();
    }
}
