//! Alternative: a compare_exchange loop that retries whenever another thread changed the count first.

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
        let mut seen = self.hits.load(Ordering::Relaxed);
        // Write seen + 1 only if the count is still `seen`; otherwise start over from the
        // value that is there now. Some thread always wins, so this cannot loop forever.
        while let Err(now) =
            self.hits
                .compare_exchange_weak(seen, seen + 1, Ordering::Relaxed, Ordering::Relaxed)
        {
            seen = now;
        }
    }

    /// Returns how many hits have been recorded so far.
    pub fn total(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }
}

impl Default for HitCounter {
    /// Same as [`HitCounter::new`].
    fn default() -> Self {
        Self::new()
    }
}
