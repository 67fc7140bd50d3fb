//! The benchmark of the `false_sharing` kata: threads each counting on a counter of their own,
//! with the counters side by side in memory ("packed"), each on a cache line of its own
//! ("padded": this kata's `ShardedCounter`), or all on one shared atomic.
//!
//! `cargo xtask bench false_sharing` builds it in release mode against a variant of the kata
//! and prints the table. The load is the number of adds each thread makes.
//!
//! "packed" uses std's 8-byte atomics: the facade's own atomics carry a name for the traces,
//! which makes each one bigger than an 8-byte counter and would hide the effect.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use checks::bench::Bench;
use false_sharing::ShardedCounter;

fn main() {
    Bench::new("each thread adds 1, load times, to its own counter")
        .loads(&[1_000_000, 4_000_000])
        .approach("packed", packed)
        .approach("padded", padded)
        .approach("one shared atomic", one_shared_atomic)
        .run();
}

/// Threads counting at once: as many as the machine has cores, at least 2 and at most 8.
fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(2, usize::from)
        .clamp(2, 8)
}

/// Runs `threads()` threads, thread `i` calling `add(i)` `load` times.
fn in_parallel(load: usize, add: impl Fn(usize) + Sync) {
    std::thread::scope(|scope| {
        for i in 0..threads() {
            let add = &add;
            scope.spawn(move || {
                for _ in 0..load {
                    add(black_box(i));
                }
            });
        }
    });
}

/// One plain 8-byte atomic per thread, side by side: eight of them to a 64-byte cache line.
fn packed(load: usize) {
    let counters: Vec<AtomicU64> = (0..threads()).map(|_| AtomicU64::new(0)).collect();
    in_parallel(load, |i| {
        counters[i].fetch_add(1, Ordering::Relaxed);
    });
    let total: u64 = counters.iter().map(|c| c.load(Ordering::Relaxed)).sum();
    assert_eq!(
        total,
        (threads() * load) as u64,
        "packed counters lost adds"
    );
}

/// This kata's `ShardedCounter`, one shard per thread.
fn padded(load: usize) {
    let counter = ShardedCounter::new(threads());
    in_parallel(load, |i| counter.add(i, 1));
    assert_eq!(
        counter.total(),
        (threads() * load) as u64,
        "ShardedCounter lost adds"
    );
}

/// Every thread adds to the same atomic: true sharing, the line every thread needs.
fn one_shared_atomic(load: usize) {
    let counter = AtomicU64::new(0);
    in_parallel(load, |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    assert_eq!(
        counter.load(Ordering::Relaxed),
        (threads() * load) as u64,
        "the shared atomic lost adds"
    );
}
