//! Mutant: both ends packed into one AtomicU64, but a change is a load, a check and a separate store, so two changes at once both start from the same pair and the later store wipes out the earlier one.
//! Expect: race

use harness::sync::atomic::{AtomicU64, Ordering};

/// A range of numbers `lo..=hi`, shared between threads.
pub struct Range {
    /// `lo << 32 | hi`.
    ends: AtomicU64,
}

fn pack(lo: u32, hi: u32) -> u64 {
    (u64::from(lo) << 32) | u64::from(hi)
}

fn unpack(ends: u64) -> (u32, u32) {
    ((ends >> 32) as u32, ends as u32)
}

impl Range {
    /// The range `lo..=hi`; panics if `lo > hi`.
    pub fn new(lo: u32, hi: u32) -> Self {
        assert!(lo <= hi, "Range::new({lo}, {hi}): lo must not be above hi");
        Range {
            ends: AtomicU64::new(pack(lo, hi)),
        }
    }

    /// Moves the lower end to `lo` if `lo <= hi`; returns whether it did.
    pub fn set_lo(&self, lo: u32) -> bool {
        let (_, hi) = unpack(self.ends.load(Ordering::SeqCst));
        if lo > hi {
            return false;
        }
        // Another change may have landed since the load: it is overwritten here.
        self.ends.store(pack(lo, hi), Ordering::SeqCst);
        true
    }

    /// Moves the upper end to `hi` if `lo <= hi`; returns whether it did.
    pub fn set_hi(&self, hi: u32) -> bool {
        let (lo, _) = unpack(self.ends.load(Ordering::SeqCst));
        if hi < lo {
            return false;
        }
        self.ends.store(pack(lo, hi), Ordering::SeqCst);
        true
    }

    /// Returns `(lo, hi)`, both read at one instant.
    pub fn get(&self) -> (u32, u32) {
        unpack(self.ends.load(Ordering::SeqCst))
    }
}
