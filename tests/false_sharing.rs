//! Checks for the `false_sharing` kata: every add is counted exactly once whichever shards the
//! threads pick, the total sums every shard and never runs backwards or ahead of the adds.
//!
//! Padding is not checked here: it changes how fast the counter is, never what it counts. The
//! benchmark (`cargo xtask bench false_sharing`, `tests/benches/false_sharing.rs`) shows it.

use checks::refusal::assert_refused;
use false_sharing::ShardedCounter;
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread;

fn main() {
    Checks::new()
        .sequential("a new counter totals zero", new_counter_totals_zero)
        .sequential("new(0) panics with a message", zero_shards_panic)
        .sequential("the total sums every shard", total_sums_every_shard)
        .sequential(
            "any shard number is accepted, modulo the shard count",
            shard_numbers_wrap,
        )
        .sequential("total() does not change the count", total_only_reads)
        .concurrent(
            "no add is lost when threads add to the same shard",
            same_shard_loses_nothing,
        )
        .concurrent(
            "no add is lost when each thread has a shard of its own",
            own_shards_lose_nothing,
        )
        .concurrent(
            "total() never goes down or ahead while adds happen",
            total_is_monotonic,
        )
        .run();
}

/// How many threads add at once, and how many adds each, scaled to the mode's engine.
fn scale() -> (usize, u64) {
    match mode() {
        Mode::Model => (2, 2),
        Mode::Explore => (3, 10),
        _ => (4, 500),
    }
}

fn new_counter_totals_zero() {
    for shards in [1, 4] {
        let counter = ShardedCounter::new(shards);
        assert_eq!(
            counter.shards(),
            shards,
            "ShardedCounter::new({shards}).shards() should be {shards}"
        );
        assert_eq!(
            counter.total(),
            0,
            "a new counter of {shards} shard(s) should total 0"
        );
    }
}

fn zero_shards_panic() {
    assert_refused(
        "ShardedCounter::new(0)",
        "ShardedCounter::new(0) returned a counter with nowhere to count; it should panic",
        || ShardedCounter::new(0),
    );
}

fn total_sums_every_shard() {
    for shards in [1, 3, 8] {
        let counter = ShardedCounter::new(shards);
        let mut expected = 0;
        for shard in 0..shards {
            let n = shard as u64 + 1;
            counter.add(shard, n);
            expected += n;
            let total = counter.total();
            assert_eq!(
                total, expected,
                "a counter of {shards} shard(s) got add(i, i + 1) for every shard i from 0 to \
                 {shard}, so total() should be {expected}, but it is {total}"
            );
        }
    }
}

fn shard_numbers_wrap() {
    let counter = ShardedCounter::new(3);
    counter.add(3, 1);
    counter.add(7, 10);
    counter.add(usize::MAX, 100);
    let total = counter.total();
    assert_eq!(
        total, 111,
        "a counter of 3 shards took add(3, 1), add(7, 10) and add(usize::MAX, 100) (shard numbers \
         are taken modulo 3), so total() should be 111, but it is {total}"
    );
}

fn total_only_reads() {
    let counter = ShardedCounter::new(2);
    counter.add(0, 4);
    counter.add(1, 5);
    let first = counter.total();
    let second = counter.total();
    assert_eq!(
        (first, second),
        (9, 9),
        "after add(0, 4) and add(1, 5), total() twice should read 9 both times, but it read \
         {first} then {second}"
    );
}

/// `threads` threads each add 1 `adds` times, thread `i` to shard `shard_of(i)`; the total must
/// count every add.
fn all_adds_counted(shards: usize, shard_of: fn(usize) -> usize, what: &str) {
    let (threads, adds) = scale();
    let counter = Arc::new(ShardedCounter::new(shards));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                for _ in 0..adds {
                    counter.add(shard_of(i), 1);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let expected = threads as u64 * adds;
    let total = counter.total();
    assert_eq!(
        total, expected,
        "{threads} threads each added 1 {adds} times ({what}), so total() should be {expected}, \
         but it is {total}: some adds were lost"
    );
}

fn same_shard_loses_nothing() {
    all_adds_counted(2, |_| 0, "all to shard 0");
}

fn own_shards_lose_nothing() {
    let (threads, _) = scale();
    all_adds_counted(threads, |i| i, "each to its own shard");
}

fn total_is_monotonic() {
    let (_, adds) = scale();
    let counter = Arc::new(ShardedCounter::new(2));
    let adder = {
        let counter = Arc::clone(&counter);
        thread::spawn(move || {
            for i in 0..adds {
                counter.add(i as usize, 1);
            }
        })
    };
    // The main thread reads while the other thread adds, alternating shards.
    let first = counter.total();
    let second = counter.total();
    assert!(
        first <= second,
        "total() went down while adds were happening: it read {first}, then {second}"
    );
    assert!(
        second <= adds,
        "only {adds} adds of 1 were made, but total() read {second}"
    );
    adder.join().unwrap();
    let total = counter.total();
    assert_eq!(
        total, adds,
        "one thread added 1 {adds} times while another read the total, so total() should end \
         at {adds}, but it is {total}"
    );
}
