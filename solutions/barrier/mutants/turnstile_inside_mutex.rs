//! Mutant: the two-turnstile barrier waits at the first turnstile while still holding the count's mutex (the book's "deadlock #2"), so the first thread to arrive sleeps holding the lock that every other thread needs in order to arrive.
//! Expect: deadlock

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
        let mut count = self.count.lock().unwrap();
        *count += 1;
        let leader = *count == self.n;
        if leader {
            self.turnstile.signal(self.n);
        }
        // Still holding `count`: nobody else can arrive.
        self.turnstile.wait();
        drop(count);
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
