//! Alternative: one gate object per generation. Waiters take (a shared pointer to) the current
//! gate and sleep on that gate's own Mutex + Condvar; set() opens the current gate, and reset()
//! puts a fresh closed gate in its place. A released waiter keeps its old, open gate, so a reset
//! can never catch it.

use harness::sync::{Arc, Condvar, Mutex};

/// An event that threads wait for. It is either set or not: while it is set, [`wait`] returns
/// at once; [`set`] releases every waiting thread, and the event stays set until [`reset`].
///
/// [`wait`]: Event::wait
/// [`set`]: Event::set
/// [`reset`]: Event::reset
pub struct Event {
    current: Mutex<Current>,
}

/// The gate new waiters use, and how many threads are inside `wait()`.
struct Current {
    gate: Arc<Gate>,
    waiters: usize,
}

/// One generation of the event: closed until set, then open for ever.
struct Gate {
    open: Mutex<bool>,
    opened: Condvar,
}

impl Gate {
    fn closed() -> Arc<Gate> {
        Arc::new(Gate {
            open: Mutex::new(false).named("gate"),
            opened: Condvar::new().named("gate_opened"),
        })
    }

    fn is_open(&self) -> bool {
        *self.open.lock().unwrap()
    }
}

impl Event {
    /// An event that is not set.
    pub fn new() -> Self {
        Event {
            current: Mutex::new(Current {
                gate: Gate::closed(),
                waiters: 0,
            })
            .named("current"),
        }
    }

    /// Sets the event: every thread waiting in [`wait`](Event::wait) goes on, and later calls of
    /// `wait` return at once until [`reset`](Event::reset).
    pub fn set(&self) {
        let current = self.current.lock().unwrap();
        *current.gate.open.lock().unwrap() = true;
        current.gate.opened.notify_all();
    }

    /// Resets the event: later calls of [`wait`](Event::wait) wait for the next
    /// [`set`](Event::set). Threads already released by a `set` stay released.
    pub fn reset(&self) {
        let mut current = self.current.lock().unwrap();
        if current.gate.is_open() {
            current.gate = Gate::closed();
        }
    }

    /// Waits until the event is set (returns at once if it is).
    pub fn wait(&self) {
        let gate = {
            let mut current = self.current.lock().unwrap();
            current.waiters += 1;
            Arc::clone(&current.gate)
        };
        let open = gate.open.lock().unwrap();
        drop(gate.opened.wait_while(open, |open| !*open).unwrap());
        self.current.lock().unwrap().waiters -= 1;
    }

    /// Whether the event is set at this moment.
    pub fn is_set(&self) -> bool {
        self.current.lock().unwrap().gate.is_open()
    }

    /// How many threads are inside [`wait`](Event::wait) at this moment.
    pub fn waiters(&self) -> usize {
        self.current.lock().unwrap().waiters
    }
}

impl Default for Event {
    /// The same as [`Event::new`]: not set.
    fn default() -> Self {
        Event::new()
    }
}
