//! Mutant: `hit` loads the count and then stores count + 1 as two separate steps, so two threads can both load the same value and one hit is lost.
//! Expect: race

use harness::sync::atomic::{AtomicU64, Ordering};

/// Counts hits recorded by many threads at once.
pub struct HitCounter {
    hits: AtomicU64,
}

impl HitCounter {
    /// Creates a counter that has seen no hits yet.
    pub fn new() -> Self {
        HitCounter {
            hits: AtomicU64::new(0),
        }
    }

    /// Records one hit.
    pub fn hit(&self) {
        // Each step is atomic, but the pair is not: another thread's hit can land in between
        // and be overwritten.
        let seen = self.hits.load(Ordering::SeqCst);
        self.hits.store(seen + 1, Ordering::SeqCst);
    }

    /// Returns how many hits have been recorded so far.
    pub fn total(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Default for HitCounter {
    /// Same as [`HitCounter::new`].
    fn default() -> Self {
        Self::new()
    }
}
