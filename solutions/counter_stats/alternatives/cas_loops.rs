//! Alternative: every statistic by a compare-exchange loop written by hand, as `fetch_max` and
//! `fetch_update` do inside: read, compute, try to swap in, and on failure start again from the
//! value the failed exchange saw.

use harness::sync::atomic::{AtomicU64, Ordering};

/// Count, sum, minimum and maximum of the samples recorded so far.
pub struct Stats {
    count: AtomicU64,
    sum: AtomicU64,
    min: AtomicU64,
    max: AtomicU64,
}

/// Replaces the value of `word` by `next(value)` in one indivisible step, unless `next` returns
/// `None` (nothing to change).
fn update(word: &AtomicU64, next: impl Fn(u64) -> Option<u64>) {
    let mut seen = word.load(Ordering::Relaxed);
    while let Some(new) = next(seen) {
        match word.compare_exchange_weak(seen, new, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            // Someone changed it meanwhile: decide again from what is there now.
            Err(now) => seen = now,
        }
    }
}

impl Stats {
    /// Statistics of no samples.
    pub fn new() -> Self {
        Stats {
            count: AtomicU64::new(0).named("count"),
            sum: AtomicU64::new(0).named("sum"),
            min: AtomicU64::new(u64::MAX).named("min"),
            max: AtomicU64::new(0).named("max"),
        }
    }

    /// Records one sample; called from many threads at once, every sample counted once.
    pub fn record(&self, sample: u64) {
        update(&self.sum, |sum| Some(sum.saturating_add(sample)));
        update(&self.min, |min| (sample < min).then_some(sample));
        update(&self.max, |max| (sample > max).then_some(sample));
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
