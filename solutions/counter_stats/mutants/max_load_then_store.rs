//! Mutant: the maximum is read, compared and written in three steps: two recorders can both
//! read the old maximum, and the smaller sample, written last, wins.
//! Expect: race

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

    /// Records one sample; called from many threads at once, every sample counted once.
    pub fn record(&self, sample: u64) {
        // Each statistic alone is one indivisible step: no other thread's sample can be lost.
        // Relaxed: these words publish nothing by themselves; the count below does.
        let _ = self
            .sum
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |sum| {
                Some(sum.saturating_add(sample))
            });
        self.min.fetch_min(sample, Ordering::Relaxed);
        if sample > self.max.load(Ordering::Relaxed) {
            self.max.store(sample, Ordering::Relaxed);
        }
        // Last, and Release: a reader that sees this count (Acquire) sees the updates above.
        self.count.fetch_add(1, Ordering::Release);
    }

    /// How many samples were recorded.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Acquire)
    }

    /// The sum of the samples, saturating at `u64::MAX` instead of wrapping.
    pub fn sum(&self) -> u64 {
        self.sum.load(Ordering::Relaxed)
    }

    /// The smallest sample, or `None` before the first one was recorded.
    pub fn min(&self) -> Option<u64> {
        (self.count() > 0).then(|| self.min.load(Ordering::Relaxed))
    }

    /// The largest sample, or `None` before the first one was recorded.
    pub fn max(&self) -> Option<u64> {
        (self.count() > 0).then(|| self.max.load(Ordering::Relaxed))
    }
}

impl Default for Stats {
    fn default() -> Self {
        Self::new()
    }
}
