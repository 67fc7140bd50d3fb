//! A manual-reset event: once set, it stays set (and lets every thread through) until reset.
//! Read `README.md` beside this folder's `src/` first.
//!
//! Build it from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`).

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
/// ```no_run
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
    // TODO: the state (behind a `Mutex`) and a `Condvar` that waiters sleep on. A flag alone is
    // not enough: see the README.
}

impl Event {
    /// An event that is not set.
    pub fn new() -> Self {
        // TODO
        todo!("make an event that is not set")
    }

    /// Sets the event: every thread waiting in [`wait`](Event::wait) goes on, and later calls of
    /// `wait` return at once until [`reset`](Event::reset).
    pub fn set(&self) {
        // TODO
        todo!("set the event and release every waiter")
    }

    /// Resets the event: later calls of [`wait`](Event::wait) wait for the next
    /// [`set`](Event::set). Threads already released by a `set` stay released.
    pub fn reset(&self) {
        // TODO
        todo!("reset the event")
    }

    /// Waits until the event is set (returns at once if it is). Everything the thread that
    /// called [`set`](Event::set) did before it is visible after `wait` returns.
    pub fn wait(&self) {
        // TODO: a thread waiting when set() is called must go on, even if reset() follows
        // before it runs.
        todo!("wait until the event is set")
    }

    /// Whether the event is set at this moment.
    pub fn is_set(&self) -> bool {
        // TODO
        todo!("tell whether the event is set")
    }

    /// How many threads are inside [`wait`](Event::wait) at this moment (waiting for the event,
    /// or released by a `set` and on their way out).
    pub fn waiters(&self) -> usize {
        // TODO
        todo!("count the threads inside wait()")
    }
}

impl Default for Event {
    /// The same as [`Event::new`]: not set.
    fn default() -> Self {
        Event::new()
    }
}
