//! Mutant: writers lock both ends (always lo's lock first), but `get` locks and reads one end at a time, so a reader can see lo from before a change and hi from after it: a pair the range never held.
//! Expect: race

use harness::sync::Mutex;

/// A range of numbers `lo..=hi`, shared between threads.
pub struct Range {
    lo: Mutex<u32>,
    hi: Mutex<u32>,
}

impl Range {
    /// The range `lo..=hi`; panics if `lo > hi`.
    pub fn new(lo: u32, hi: u32) -> Self {
        assert!(lo <= hi, "Range::new({lo}, {hi}): lo must not be above hi");
        Range {
            lo: Mutex::new(lo),
            hi: Mutex::new(hi),
        }
    }

    /// Moves the lower end to `lo` if `lo <= hi`; returns whether it did.
    pub fn set_lo(&self, lo: u32) -> bool {
        let mut low = self.lo.lock().unwrap();
        let high = self.hi.lock().unwrap();
        if lo > *high {
            return false;
        }
        *low = lo;
        true
    }

    /// Moves the upper end to `hi` if `lo <= hi`; returns whether it did.
    pub fn set_hi(&self, hi: u32) -> bool {
        let low = self.lo.lock().unwrap();
        let mut high = self.hi.lock().unwrap();
        if hi < *low {
            return false;
        }
        *high = hi;
        true
    }

    /// Returns `(lo, hi)`.
    pub fn get(&self) -> (u32, u32) {
        // Two separate acquisitions: a writer can run between them.
        let lo = *self.lo.lock().unwrap();
        let hi = *self.hi.lock().unwrap();
        (lo, hi)
    }
}
