//! Mutant: a home-made spin lock that checks a `busy` flag with `load` and then sets it with `store`, so two threads can both see it free and both enter, updating the count at the same time.
//! Expect: race

use harness::cell::UnsafeCell;
use harness::hint;
use harness::sync::atomic::{AtomicBool, Ordering};

/// Counts hits recorded by many threads at once.
pub struct HitCounter {
    busy: AtomicBool,
    hits: UnsafeCell<u64>,
}

// SAFETY (claimed, and wrong): `busy` is meant to let only one thread at a time touch `hits`.
unsafe impl Sync for HitCounter {}

impl HitCounter {
    /// Creates a counter that has seen no hits yet.
    pub fn new() -> Self {
        HitCounter {
            busy: AtomicBool::new(false),
            hits: UnsafeCell::new(0),
        }
    }

    /// Waits until the flag looks free, then sets it. Check-then-act: two threads can both see
    /// `false` before either stores `true`.
    fn acquire(&self) {
        while self.busy.load(Ordering::Acquire) {
            hint::spin_loop();
        }
        self.busy.store(true, Ordering::Relaxed);
    }

    /// Clears the flag, publishing what was written while it was set.
    fn release(&self) {
        self.busy.store(false, Ordering::Release);
    }

    /// Records one hit.
    pub fn hit(&self) {
        self.acquire();
        // SAFETY: not actually safe, see `acquire`.
        self.hits.with_mut(|hits| unsafe { *hits += 1 });
        self.release();
    }

    /// Returns how many hits have been recorded so far.
    pub fn total(&self) -> u64 {
        self.acquire();
        // SAFETY: not actually safe, see `acquire`.
        let total = self.hits.with(|hits| unsafe { *hits });
        self.release();
        total
    }
}

impl Default for HitCounter {
    /// Same as [`HitCounter::new`].
    fn default() -> Self {
        Self::new()
    }
}
