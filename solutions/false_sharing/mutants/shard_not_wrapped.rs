//! Mutant: `add` indexes the shards with the caller's number as it is, without taking it modulo the number of shards, so a thread whose index is past the last shard panics with an index out of bounds.
//! Expect: panic

use crossbeam_utils::CachePadded;
use harness::sync::atomic::{AtomicU64, Ordering};

/// A counter that many threads add to at once, each preferably on a shard of its own.
pub struct ShardedCounter {
    /// `CachePadded` aligns each shard to (and pads it out to) a cache line, 128 bytes on
    /// x86-64 where the prefetcher fetches lines in pairs: no two shards share a line.
    shards: Box<[CachePadded<AtomicU64>]>,
}

impl ShardedCounter {
    /// Creates a counter of `shards` shards, all at zero.
    ///
    /// # Panics
    ///
    /// If `shards` is 0.
    pub fn new(shards: usize) -> Self {
        assert!(shards > 0, "a ShardedCounter needs at least one shard");
        ShardedCounter {
            shards: (0..shards)
                .map(|i| CachePadded::new(AtomicU64::new(0).named(format!("shard {i}"))))
                .collect(),
        }
    }

    /// How many shards the counter has.
    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    /// Adds `n` to shard number `shard` (modulo the number of shards).
    pub fn add(&self, shard: usize, n: u64) {
        // One read-modify-write step. Relaxed is enough: a count publishes no other data, and
        // joining a thread orders its adds before whatever the joiner does next.
        self.shards[shard].fetch_add(n, Ordering::Relaxed);
    }

    /// The sum of every shard.
    pub fn total(&self) -> u64 {
        self.shards
            .iter()
            .map(|shard| shard.load(Ordering::Relaxed))
            .fold(0, u64::wrapping_add)
    }
}
