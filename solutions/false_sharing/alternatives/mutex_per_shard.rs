//! Alternative: a Mutex<u64> per shard, each padded to a cache line of its own.

use crossbeam_utils::CachePadded;
use harness::sync::Mutex;

/// A counter that many threads add to at once, each preferably on a shard of its own.
pub struct ShardedCounter {
    shards: Vec<CachePadded<Mutex<u64>>>,
}

impl ShardedCounter {
    /// Creates a counter of `shards` shards, all at zero.
    ///
    /// # Panics
    ///
    /// If `shards` is 0.
    pub fn new(shards: usize) -> Self {
        if shards == 0 {
            panic!("ShardedCounter::new(0): a counter needs at least one shard");
        }
        let shards = (0..shards)
            .map(|i| CachePadded::new(Mutex::new(0).named(format!("shard {i}"))))
            .collect();
        ShardedCounter { shards }
    }

    /// How many shards the counter has.
    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    /// Adds `n` to shard number `shard` (modulo the number of shards).
    pub fn add(&self, shard: usize, n: u64) {
        let mut count = self.shards[shard % self.shards.len()].lock().unwrap();
        *count = count.wrapping_add(n);
    }

    /// The sum of every shard, each read under its own lock.
    pub fn total(&self) -> u64 {
        let mut sum = 0u64;
        for shard in &self.shards {
            sum = sum.wrapping_add(*shard.lock().unwrap());
        }
        sum
    }
}
