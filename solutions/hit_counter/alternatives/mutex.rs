//! Alternative: a Mutex<u64> held across both the read and the write of each hit.

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
        // One guard covers the read and the write, so no other hit can land in between.
        let mut hits = self.hits.lock().unwrap();
        *hits += 1;
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
