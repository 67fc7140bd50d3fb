//! Alternative: the book's reusable barrier with two preloaded turnstiles, built from a small
//! counting semaphore (Mutex + Condvar). The last thread in opens the first turnstile for all `n`
//! threads; the last thread out of the first phase opens the second turnstile. A fast thread is
//! held at the second turnstile until everyone has passed the first, so it cannot lap the others.

use harness::sync::{Condvar, Mutex};

/// A meeting point for `n` threads that can be used again and again: every call of
/// [`wait`](Barrier::wait) returns only once `n` threads have called it in the same round.
pub struct Barrier {
    n: usize,
    /// Threads between arriving and leaving the first phase.
    count: Mutex<usize>,
    /// Opened (n permits) by the last thread to arrive.
    turnstile: Semaphore,
    /// Opened (n permits) by the last thread to pass the first turnstile.
    turnstile2: Semaphore,
}

/// A counting semaphore.
struct Semaphore {
    permits: Mutex<usize>,
    released: Condvar,
}

impl Semaphore {
    fn new(name: &str) -> Self {
        Semaphore {
            permits: Mutex::new(0).named(name),
            released: Condvar::new().named(format!("{name}_released")),
        }
    }

    /// Adds `n` permits.
    fn signal(&self, n: usize) {
        *self.permits.lock().unwrap() += n;
        self.released.notify_all();
    }

    /// Takes one permit, waiting while there is none.
    fn wait(&self) {
        let permits = self.permits.lock().unwrap();
        let mut permits = self
            .released
            .wait_while(permits, |permits| *permits == 0)
            .unwrap();
        *permits -= 1;
    }
}

impl Barrier {
    /// A barrier for rounds of `n` threads.
    ///
    /// # Panics
    ///
    /// If `n` is 0: a round of nobody makes no sense.
    pub fn new(n: usize) -> Self {
        assert!(n > 0, "Barrier::new(0): a round needs at least 1 thread");
        Barrier {
            n,
            count: Mutex::new(0).named("count"),
            turnstile: Semaphore::new("turnstile"),
            turnstile2: Semaphore::new("turnstile2"),
        }
    }

    /// Arrives at the barrier and waits until `n` threads have arrived in this round.
    ///
    /// Returns `true` for exactly one thread of each round (the last to arrive).
    pub fn wait(&self) -> bool {
        let leader = {
            let mut count = self.count.lock().unwrap();
            *count += 1;
            let last = *count == self.n;
            if last {
                self.turnstile.signal(self.n);
            }
            last
        };
        self.turnstile.wait();
        {
            let mut count = self.count.lock().unwrap();
            *count -= 1;
            if *count == 0 {
                self.turnstile2.signal(self.n);
            }
        }
        self.turnstile2.wait();
        leader
    }
}
