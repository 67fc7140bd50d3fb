//! Mutant: each end is its own atomic, changed with a compare_exchange loop: each store is safe on its own, but the check reads the *other* atomic, which can change before the store, so lo can end above hi.
//! Expect: race

use harness::sync::atomic::{AtomicU32, Ordering};

/// A range of numbers `lo..=hi`, shared between threads.
pub struct Range {
    lo: AtomicU32,
    hi: AtomicU32,
}

impl Range {
    /// The range `lo..=hi`; panics if `lo > hi`.
    pub fn new(lo: u32, hi: u32) -> Self {
        assert!(lo <= hi, "Range::new({lo}, {hi}): lo must not be above hi");
        Range {
            lo: AtomicU32::new(lo),
            hi: AtomicU32::new(hi),
        }
    }

    /// Moves the lower end to `lo` if `lo <= hi`; returns whether it did.
    pub fn set_lo(&self, lo: u32) -> bool {
        // The compare_exchange only protects `lo`: the `hi` it was checked against may be
        // gone by the time it succeeds.
        let mut current = self.lo.load(Ordering::SeqCst);
        loop {
            if lo > self.hi.load(Ordering::SeqCst) {
                return false;
            }
            match self
                .lo
                .compare_exchange(current, lo, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return true,
                Err(now) => current = now,
            }
        }
    }

    /// Moves the upper end to `hi` if `lo <= hi`; returns whether it did.
    pub fn set_hi(&self, hi: u32) -> bool {
        let mut current = self.hi.load(Ordering::SeqCst);
        loop {
            if hi < self.lo.load(Ordering::SeqCst) {
                return false;
            }
            match self
                .hi
                .compare_exchange(current, hi, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return true,
                Err(now) => current = now,
            }
        }
    }

    /// Returns `(lo, hi)`.
    pub fn get(&self) -> (u32, u32) {
        (
            self.lo.load(Ordering::SeqCst),
            self.hi.load(Ordering::SeqCst),
        )
    }
}
