//! A meeting point for a check's threads: each one arrives, then stays until every one of them
//! has arrived. Built on the facade's lock and condvar, so every engine sees who waits for
//! whom: a thread that never arrives leaves the others waiting, a `deadlock` that names them.
//!
//! ```no_run
//! use checks::together::Together;
//!
//! // Each of the two guests, once inside: nobody leaves before both are in.
//! let together = Together::new(2, "guests");
//! together.arrive_and_stay();
//! ```

use harness::sync::{Condvar, Mutex};

/// See the [module](self) docs.
pub struct Together {
    arrived: Mutex<usize>,
    changed: Condvar,
    expected: usize,
}

impl Together {
    /// A meeting of `expected` threads, called `who` in explanations ("guests in together").
    pub fn new(expected: usize, who: &str) -> Self {
        Together {
            arrived: Mutex::new(0).named(format!("{who} in together")),
            changed: Condvar::new().named(format!("another of the {who} is in")),
            expected,
        }
    }

    /// Arrives, then waits until `expected` threads have arrived.
    pub fn arrive_and_stay(&self) {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.changed.notify_all();
        while *arrived < self.expected {
            arrived = self.changed.wait(arrived).unwrap();
        }
    }
}
