//! Alternative: shards in a boxed slice of padded atomics, each add a compare_exchange loop that retries when another thread changed the shard first.

use crossbeam_utils::CachePadded;
use harness::hint;
use harness::sync::atomic::{AtomicU64, Ordering};

/// A counter that many threads add to at once, each preferably on a shard of its own.
pub struct ShardedCounter {
    shards: Box<[CachePadded<AtomicU64>]>,
}

impl ShardedCounter {
    /// Creates a counter of `shards` shards, all at zero.
    ///
    /// # Panics
    ///
    /// If `shards` is 0.
    pub fn new(shards: usize) -> Self {
        assert_ne!(shards, 0, "a ShardedCounter needs at least one shard");
        let mut all = Vec::with_capacity(shards);
        all.resize_with(shards, || CachePadded::new(AtomicU64::new(0)));
        ShardedCounter {
            shards: all.into_boxed_slice(),
        }
    }

    /// How many shards the counter has.
    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    /// Adds `n` to shard number `shard` (modulo the number of shards).
    pub fn add(&self, shard: usize, n: u64) {
        let shard = &self.shards[shard % self.shards.len()];
        let mut seen = shard.load(Ordering::Relaxed);
        loop {
            match shard.compare_exchange_weak(
                seen,
                seen.wrapping_add(n),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(now) => {
                    seen = now;
                    hint::spin_loop();
                }
            }
        }
    }

    /// The sum of every shard.
    pub fn total(&self) -> u64 {
        let mut sum = 0u64;
        for shard in self.shards.iter() {
            sum = sum.wrapping_add(shard.load(Ordering::Relaxed));
        }
        sum
    }
}
