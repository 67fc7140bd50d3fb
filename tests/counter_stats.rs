//! Checks for the `counter_stats` kata: every sample is counted once in every statistic, the sum
//! saturates, and a reader never sees a statistic of a sample that is not there: `min()` and
//! `max()` are `None` before the first sample and then always a sample some `record` was given,
//! never going back.

use counter_stats::Stats;
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread;

fn main() {
    Checks::new()
        .sequential(
            "no samples: count and sum 0, no minimum or maximum",
            no_samples,
        )
        .sequential(
            "samples from one thread: count, sum, minimum and maximum",
            one_thread,
        )
        .sequential(
            "samples at the ends of the range: 0, u64::MAX, and a sum that saturates",
            edge_samples,
        )
        .concurrent(
            "samples recorded at once are each counted once, in every statistic",
            recorders_at_once,
        )
        .concurrent(
            "a reader sees only samples that were recorded, and never an extreme go back",
            reader_while_recording,
        )
        .run();
}

/// The statistics of `stats`, as one tuple for messages.
fn all(stats: &Stats) -> (u64, u64, Option<u64>, Option<u64>) {
    (stats.count(), stats.sum(), stats.min(), stats.max())
}

fn no_samples() {
    let stats = Stats::new();
    assert_eq!(
        all(&stats),
        (0, 0, None, None),
        "Stats::new(): (count, sum, min, max) should be (0, 0, None, None)"
    );
}

fn one_thread() {
    let stats = Stats::new();
    let mut expected = (0, 0, None::<u64>, None::<u64>);
    for sample in [5, 3, 9, 3, 7] {
        stats.record(sample);
        expected = (
            expected.0 + 1,
            expected.1 + sample,
            Some(expected.2.map_or(sample, |min| min.min(sample))),
            Some(expected.3.map_or(sample, |max| max.max(sample))),
        );
        assert_eq!(
            all(&stats),
            expected,
            "after record({sample}) (samples 5, 3, 9, 3, 7 in turn): (count, sum, min, max)"
        );
    }
}

fn edge_samples() {
    let zero = Stats::new();
    zero.record(0);
    assert_eq!(
        all(&zero),
        (1, 0, Some(0), Some(0)),
        "after record(0): (count, sum, min, max) should be (1, 0, Some(0), Some(0)): 0 is a \
         sample like any other"
    );
    let top = Stats::new();
    top.record(u64::MAX - 1);
    top.record(5);
    top.record(u64::MAX);
    assert_eq!(
        all(&top),
        (3, u64::MAX, Some(5), Some(u64::MAX)),
        "after record(u64::MAX - 1), record(5), record(u64::MAX): (count, sum, min, max) should \
         be (3, u64::MAX, Some(5), Some(u64::MAX)): the sum saturates instead of wrapping"
    );
}

/// How many recorders, and how many samples each, scaled to the mode's engine.
fn recorders() -> (u64, u64) {
    match mode() {
        Mode::Model => (2, 1),
        Mode::Explore => (3, 6),
        Mode::Miri => (2, 3),
        _ => (4, 400),
    }
}

fn recorders_at_once() {
    let (threads, each) = recorders();
    let stats = Arc::new(Stats::new());
    // Recorder t records t + 1, t + 1 + threads, ...: every sample different, and the largest
    // and smallest from different threads.
    let samples = move |thread: u64| (0..each).map(move |i| thread + 1 + i * threads);
    let handles: Vec<_> = (0..threads)
        .map(|recorder| {
            let stats = Arc::clone(&stats);
            thread::spawn(move || samples(recorder).for_each(|sample| stats.record(sample)))
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let every: Vec<u64> = (0..threads).flat_map(samples).collect();
    let expected = (
        every.len() as u64,
        every.iter().sum(),
        every.iter().min().copied(),
        every.iter().max().copied(),
    );
    assert_eq!(
        all(&stats),
        expected,
        "{threads} threads recorded {each} different samples each, at once, then were joined: \
         (count, sum, min, max)"
    );
}

/// What one reader saw: the extremes it read, in order.
struct Seen {
    min: Option<u64>,
    max: Option<u64>,
}

impl Seen {
    /// Takes in one reading of `stats`, where `recorded` are the samples any `record` call was
    /// given: a minimum or maximum must be one of them, and must not go back.
    fn read(&mut self, stats: &Stats, recorded: &[u64]) {
        let (min, max) = (stats.min(), stats.max());
        for (what, value) in [("min", min), ("max", max)] {
            if let Some(value) = value {
                assert!(
                    recorded.contains(&value),
                    "a reader saw {what}() = Some({value}) while the samples {recorded:?} were \
                     being recorded: that is no sample"
                );
            }
        }
        assert!(
            self.min.is_none() || min.is_some_and(|min| Some(min) <= self.min),
            "a reader saw min() = {:?}, then {min:?}: the minimum went back",
            self.min
        );
        assert!(
            self.max.is_none() || max.is_some_and(|max| Some(max) >= self.max),
            "a reader saw max() = {:?}, then {max:?}: the maximum went back",
            self.max
        );
        (self.min, self.max) = (min, max);
    }
}

fn reader_while_recording() {
    // The recorder's samples decrease then increase, so both extremes change while the reader
    // reads; the reader reads a fixed number of times (the model checker explores where).
    let (recorded, reads): (Vec<u64>, usize) = match mode() {
        Mode::Model => (vec![7], 2),
        Mode::Explore => (vec![7, 3, 9], 6),
        Mode::Miri => (vec![7, 3, 9], 4),
        _ => (vec![7, 3, 9, 1, 12, 5], 200),
    };
    let stats = Arc::new(Stats::new());
    let recorder = {
        let (stats, samples) = (Arc::clone(&stats), recorded.clone());
        thread::spawn(move || samples.into_iter().for_each(|sample| stats.record(sample)))
    };
    let mut seen = Seen {
        min: None,
        max: None,
    };
    for _ in 0..reads {
        seen.read(&stats, &recorded);
        thread::yield_now();
    }
    recorder.join().unwrap();
    seen.read(&stats, &recorded);
}
