//! Mutant: `wait` checks the flag and the generation with `if` instead of `while`, so a waiter whose wait ends with no set() at all (a spurious wakeup) returns from wait() although the event was never set.
//! Expect: race

use harness::sync::{Condvar, Mutex};

/// An event that threads wait for. It is either set or not: while it is set, [`wait`] returns
/// at once; [`set`] releases every waiting thread, and the event stays set until [`reset`].
///
/// A thread that was waiting when [`set`] was called is released by that call, even if
/// [`reset`] follows at once, before the thread got to run.
///
/// [`wait`]: Event::wait
/// [`set`]: Event::set
/// [`reset`]: Event::reset
///
/// ```
/// use manual_reset_event::Event;
///
/// let ready = Event::new();
/// assert!(!ready.is_set());
/// ready.set();
/// ready.wait(); // returns at once: the event is set
/// ready.wait();
/// ready.reset();
/// assert!(!ready.is_set()); // wait() would now wait for the next set()
/// ```
pub struct Event {
    state: Mutex<State>,
    changed: Condvar,
}

/// The event's state, guarded by its mutex.
struct State {
    set: bool,
    /// How many times `set()` has been called: a waiter that saw it change was released.
    generation: u64,
    /// Threads inside `wait()`.
    waiters: usize,
}

impl Event {
    /// An event that is not set.
    pub fn new() -> Self {
        Event {
            state: Mutex::new(State {
                set: false,
                generation: 0,
                waiters: 0,
            })
            .named("state"),
            changed: Condvar::new().named("was_set"),
        }
    }

    /// Sets the event: every thread waiting in [`wait`](Event::wait) goes on, and later calls of
    /// `wait` return at once until [`reset`](Event::reset).
    pub fn set(&self) {
        let mut state = self.state.lock().unwrap();
        state.set = true;
        state.generation += 1;
        // Every waiter waits for the same thing: wake them all.
        self.changed.notify_all();
    }

    /// Resets the event: later calls of [`wait`](Event::wait) wait for the next
    /// [`set`](Event::set). Threads already released by a `set` stay released.
    pub fn reset(&self) {
        self.state.lock().unwrap().set = false;
    }

    /// Waits until the event is set (returns at once if it is). Everything the thread that
    /// called [`set`](Event::set) did before it is visible after `wait` returns.
    pub fn wait(&self) {
        let mut state = self.state.lock().unwrap();
        if state.set {
            return;
        }
        let generation = state.generation;
        state.waiters += 1;
        // Released by a set() that happened while we slept, even if a reset() followed it.
        if !state.set && state.generation == generation {
            state = self.changed.wait(state).unwrap();
        }
        state.waiters -= 1;
    }

    /// Whether the event is set at this moment.
    pub fn is_set(&self) -> bool {
        self.state.lock().unwrap().set
    }

    /// How many threads are inside [`wait`](Event::wait) at this moment (waiting for the event,
    /// or released by a `set` and on their way out).
    pub fn waiters(&self) -> usize {
        self.state.lock().unwrap().waiters
    }
}

impl Default for Event {
    /// The same as [`Event::new`]: not set.
    fn default() -> Self {
        Event::new()
    }
}
