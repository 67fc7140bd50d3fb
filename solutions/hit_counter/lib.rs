//! A hit counter that many threads bump at the same time.
//!
//! Reference solution: one atomic read-modify-write (`fetch_add`) per hit.

use harness::sync::atomic::{AtomicU64, Ordering};

/// Counts hits, for example page views, recorded by many threads at once.
///
/// Share one counter between threads with an `Arc`.
///
/// ```
/// use hit_counter::HitCounter;
///
/// let counter = HitCounter::new();
/// counter.hit();
/// counter.hit();
/// assert_eq!(counter.total(), 2);
/// ```
pub struct HitCounter {
    hits: AtomicU64,
}

impl HitCounter {
    /// Creates a counter that has seen no hits yet: `total()` returns 0.
    pub fn new() -> Self {
        HitCounter {
            hits: AtomicU64::new(0),
        }
    }

    /// Records one hit.
    ///
    /// Called from many threads at the same time: every call must be counted exactly once.
    pub fn hit(&self) {
        // `fetch_add` reads, adds and writes in one indivisible step: no other thread can slip
        // in between. `Relaxed` is enough: the count publishes no other data, and joining a
        // thread already makes all of its hits visible to the joiner.
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    /// Returns how many hits have been recorded so far.
    ///
    /// Once every thread that called [`hit`](Self::hit) has been joined, this is exactly the
    /// number of calls. While hits are still happening it may lag behind, but it never goes
    /// down and never counts a hit that has not happened.
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
