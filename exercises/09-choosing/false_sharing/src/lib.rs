//! A counter split into shards, one per thread, so that threads counting at the same time do
//! not fight over one cache line.
//!
//! Read `README.md` beside this crate for the lesson. Run `cargo xtask check false_sharing` to
//! see what the checks think of this file, and `cargo xtask bench false_sharing` to see what
//! padding is worth.

use harness::sync::atomic::{AtomicU64, Ordering};

// TODO: you will need `crossbeam_utils::CachePadded` (already a dependency of this crate).

/// A counter that many threads add to at once, each preferably on a shard of its own.
///
/// Share one counter between threads with an `Arc`; give each thread its own shard number
/// (its index, say). [`total`](Self::total) sums the shards.
///
/// ```
/// use false_sharing::ShardedCounter;
///
/// let counter = ShardedCounter::new(4);
/// counter.add(0, 2);
/// counter.add(3, 5);
/// assert_eq!(counter.total(), 7);
/// ```
pub struct ShardedCounter {
    // TODO: these shards sit side by side in memory, several to a cache line, so two threads
    // adding to "their own" shard still fight over the same line. Give each shard a cache line
    // of its own.
    shards: Vec<AtomicU64>,
}

impl ShardedCounter {
    /// Creates a counter of `shards` shards, all at zero.
    ///
    /// # Panics
    ///
    /// If `shards` is 0: a counter needs somewhere to count.
    pub fn new(shards: usize) -> Self {
        assert!(shards > 0, "a ShardedCounter needs at least one shard");
        ShardedCounter {
            shards: (0..shards).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// How many shards the counter has.
    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    /// Adds `n` to shard number `shard`.
    ///
    /// Any `shard` is accepted: it is taken modulo [`shards`](Self::shards), so a thread can
    /// pass its index whatever the number of shards. Called from many threads at once, even
    /// on the same shard: every call must be counted exactly once.
    pub fn add(&self, shard: usize, n: u64) {
        // TODO: right with one thread, wrong with two on the same shard: both can load the
        // same old value and both store old + n. Make the read and the write one step.
        let shard = &self.shards[shard % self.shards.len()];
        let seen = shard.load(Ordering::Relaxed);
        shard.store(seen + n, Ordering::Relaxed);
    }

    /// The sum of every shard.
    ///
    /// Once every thread that called [`add`](Self::add) has been joined, this is exactly the
    /// sum of their `n`s. While adds are still happening it may lag behind, but it never goes
    /// down and never counts an add that has not happened.
    pub fn total(&self) -> u64 {
        // TODO: sum the shards.
        todo!()
    }
}
