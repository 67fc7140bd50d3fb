//! Mutant: `hit` uses compare_exchange but ignores its failure, so when another thread changed the count in between, this hit is silently dropped.
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
        let seen = self.hits.load(Ordering::SeqCst);
        // The exchange fails if the count is no longer `seen`; the failure should mean
        // "try again", but here it is thrown away together with the hit.
        let _ = self
            .hits
            .compare_exchange(seen, seen + 1, Ordering::SeqCst, Ordering::SeqCst);
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
