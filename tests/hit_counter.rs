//! Checks for the `hit_counter` kata: every hit is counted exactly once, whatever the
//! interleaving, and `total()` never runs backwards or ahead of the hits.

use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread;
use hit_counter::HitCounter;

fn main() {
    Checks::new()
        .sequential("a new counter reads zero", new_counter_reads_zero)
        .sequential("a default counter reads zero", default_counter_reads_zero)
        .sequential("hits from one thread are all counted", hits_are_counted)
        .concurrent("no hit is lost when threads hit at once", no_hit_is_lost)
        .concurrent(
            "total() never goes down or ahead while hits happen",
            total_is_monotonic,
        )
        .run();
}

/// How many threads hit at once, and how many hits each, scaled to the mode's engine.
fn scale() -> (u64, u64) {
    match mode() {
        Mode::Model => (2, 2),
        Mode::Explore => (3, 10),
        _ => (4, 500),
    }
}

fn new_counter_reads_zero() {
    let counter = HitCounter::new();
    assert_eq!(counter.total(), 0, "a new counter should read 0");
}

fn default_counter_reads_zero() {
    let counter = HitCounter::default();
    assert_eq!(counter.total(), 0, "HitCounter::default() should read 0");
}

fn hits_are_counted() {
    let counter = HitCounter::new();
    for expected in 1..=5 {
        counter.hit();
        assert_eq!(
            counter.total(),
            expected,
            "after {expected} hits from one thread, total() should be {expected}"
        );
    }
}

fn no_hit_is_lost() {
    let (threads, hits) = scale();
    let counter = Arc::new(HitCounter::new());
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                for _ in 0..hits {
                    counter.hit();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let total = counter.total();
    assert_eq!(
        total,
        threads * hits,
        "{threads} threads each hit {hits} times, so total() should be {}, but it is {total}: \
         some hits were lost",
        threads * hits
    );
}

fn total_is_monotonic() {
    let (_, hits) = scale();
    let counter = Arc::new(HitCounter::new());
    let hitter = {
        let counter = Arc::clone(&counter);
        thread::spawn(move || {
            for _ in 0..hits {
                counter.hit();
            }
        })
    };
    // The main thread reads while the other thread hits.
    let first = counter.total();
    let second = counter.total();
    assert!(
        first <= second,
        "total() went down while hits were happening: it read {first}, then {second}"
    );
    assert!(
        second <= hits,
        "only {hits} hits were made, but total() read {second}"
    );
    hitter.join().unwrap();
    let total = counter.total();
    assert_eq!(
        total, hits,
        "one thread hit {hits} times while another read the total, so total() should end at \
         {hits}, but it is {total}"
    );
}
