//! Mutant: `hit` locks the Mutex to read the count and locks it again to write count + 1, releasing it in between, so two threads can read the same value and one hit is lost.
//! Expect: race

use harness::sync::Mutex;

/// Counts hits recorded by many threads at once.
pub struct HitCounter {
    hits: Mutex<u64>,
}

impl HitCounter {
    /// Creates a counter that has seen no hits yet.
    pub fn new() -> Self {
        HitCounter {
            hits: Mutex::new(0),
        }
    }

    /// Records one hit.
    pub fn hit(&self) {
        // Each guard is a temporary: it is dropped at the end of its statement, so the lock
        // is not held between the read and the write.
        let seen = *self.hits.lock().unwrap();
        *self.hits.lock().unwrap() = seen + 1;
    }

    /// Returns how many hits have been recorded so far.
    pub fn total(&self) -> u64 {
        *self.hits.lock().unwrap()
    }
}

impl Default for HitCounter {
    /// Same as [`HitCounter::new`].
    fn default() -> Self {
        Self::new()
    }
}
