//! A hit counter that many threads bump at the same time.
//!
//! Read `README.md` beside this crate for the lesson. Run `cargo xtask check hit_counter` to
//! see what the checks think of this file.

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
        // TODO: this is correct with one thread but loses hits with two. Two threads can both
        // load the same old value, then both store old + 1: two hits, but the counter only
        // went up by one. Make the read and the write a single indivisible step.
        let seen = self.hits.load(Ordering::SeqCst);
        self.hits.store(seen + 1, Ordering::SeqCst);
    }

    /// Returns how many hits have been recorded so far.
    ///
    /// Once every thread that called [`hit`](Self::hit) has been joined, this is exactly the
    /// number of calls. While hits are still happening it may lag behind, but it never goes
    /// down and never counts a hit that has not happened.
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
