//! Counter stats: statistics of a stream of samples, recorded from many threads without a lock.
//!
//! Read the lesson (README.md beside this directory) first. The code below is right with one
//! thread and plain samples; fix the places marked `TODO`. The public API stays as it is.

use harness::sync::atomic::{AtomicU64, Ordering};

/// Count, sum, minimum and maximum of the samples recorded so far.
///
/// ```
/// let stats = counter_stats::Stats::new();
/// stats.record(5);
/// stats.record(3);
/// assert_eq!((stats.count(), stats.sum()), (2, 8));
/// assert_eq!((stats.min(), stats.max()), (Some(3), Some(5)));
/// ```
pub struct Stats {
    count: AtomicU64,
    sum: AtomicU64,
    min: AtomicU64,
    max: AtomicU64,
}

impl Stats {
    /// Statistics of no samples.
    pub fn new() -> Self {
        Stats {
            count: AtomicU64::new(0).named("count"),
            sum: AtomicU64::new(0).named("sum"),
            // The identities of min and max: any sample replaces them.
            min: AtomicU64::new(u64::MAX).named("min"),
            max: AtomicU64::new(0).named("max"),
        }
    }

    /// Records one sample; called from many threads at once, every sample counted once in every
    /// statistic.
    pub fn record(&self, sample: u64) {
        // TODO: this is right with one thread only. Each statistic must change in one
        // indivisible step, the sum must saturate at u64::MAX, and a reader that sees the count
        // must see this sample's minimum and maximum.
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum.fetch_add(sample, Ordering::Relaxed);
        if sample < self.min.load(Ordering::Relaxed) {
            self.min.store(sample, Ordering::Relaxed);
        }
        if sample > self.max.load(Ordering::Relaxed) {
            self.max.store(sample, Ordering::Relaxed);
        }
    }

    /// How many samples were recorded.
    pub fn count(&self) -> u64 {
        // TODO: which ordering pairs with the one the count is written with?
        self.count.load(Ordering::Relaxed)
    }

    /// The sum of the samples, saturating at `u64::MAX` instead of wrapping.
    pub fn sum(&self) -> u64 {
        self.sum.load(Ordering::Relaxed)
    }

    /// The smallest sample, or `None` before the first one was recorded.
    pub fn min(&self) -> Option<u64> {
        // TODO: u64::MAX is a sample too: what says whether there is a sample yet?
        let min = self.min.load(Ordering::Relaxed);
        (min != u64::MAX).then_some(min)
    }

    /// The largest sample, or `None` before the first one was recorded.
    pub fn max(&self) -> Option<u64> {
        // TODO: and 0 is a sample too.
        let max = self.max.load(Ordering::Relaxed);
        (max != 0).then_some(max)
    }
}

impl Default for Stats {
    fn default() -> Self {
        Self::new()
    }
}
