//! Alternative: both ends packed into one AtomicU64 (lo in the high half, hi in the low half), changed with a compare_exchange loop, so a check and a change are one atomic step and a read is one load.

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
            ends: AtomicU64::new(pack(lo, hi)).named("range ends"),
        }
    }

    /// Applies `change` to the pair as one atomic step, unless it refuses (returns `None`).
    fn update(&self, change: impl Fn(u32, u32) -> Option<(u32, u32)>) -> bool {
        // fetch_update retries with the fresh pair whenever another thread changed it between
        // our load and our compare_exchange: the check is always about the pair we replace.
        // Relaxed is enough: the word guards no other memory, and every operation on one atomic
        // reads and writes it in one order that all threads agree on.
        self.ends
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |ends| {
                let (lo, hi) = unpack(ends);
                change(lo, hi).map(|(lo, hi)| pack(lo, hi))
            })
            .is_ok()
    }

    /// Moves the lower end to `lo` if `lo <= hi`; returns whether it did.
    pub fn set_lo(&self, lo: u32) -> bool {
        self.update(|_, hi| (lo <= hi).then_some((lo, hi)))
    }

    /// Moves the upper end to `hi` if `lo <= hi`; returns whether it did.
    pub fn set_hi(&self, hi: u32) -> bool {
        self.update(|lo, _| (lo <= hi).then_some((lo, hi)))
    }

    /// Returns `(lo, hi)`, both read at one instant.
    pub fn get(&self) -> (u32, u32) {
        // One load reads both ends from one moment; Relaxed, as in `update`.
        unpack(self.ends.load(Ordering::Relaxed))
    }
}
