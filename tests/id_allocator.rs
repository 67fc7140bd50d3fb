//! Checks for the `id_allocator` kata: every id of the range is handed out exactly once, none
//! outside it ever is, and the allocator never wraps around, whatever threads do at once.

use std::ops::Range;

use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread::{self, JoinHandle};
use id_allocator::IdAllocator;

fn main() {
    Checks::new()
        .sequential("an empty range hands out no id", empty_range)
        .sequential(
            "ids come out in order, then None forever",
            ids_in_order_then_none,
        )
        .sequential(
            "a range ending at u64::MAX never wraps around",
            no_wrap_at_the_end,
        )
        .concurrent(
            "threads drawing at once get every id exactly once",
            every_id_once,
        )
        .concurrent(
            "threads drawing past the end at u64::MAX never wrap around",
            no_wrap_at_once,
        )
        .run();
}

/// An id as a reader would write it: ids near the top as `u64::MAX - k`.
fn id(id: u64) -> String {
    match u64::MAX - id {
        0 => "u64::MAX".to_owned(),
        k if k < 1_000 => format!("u64::MAX - {k}"),
        _ => id.to_string(),
    }
}

/// A range as a reader would write it.
fn range_of(range: &Range<u64>) -> String {
    format!("{}..{}", id(range.start), id(range.end))
}

/// A list of ids as a reader would write it.
fn ids_of(ids: &[u64]) -> String {
    let ids: Vec<String> = ids.iter().map(|&i| id(i)).collect();
    format!("[{}]", ids.join(", "))
}

/// What `next()` returned, as a reader would write it.
fn got_of(got: Option<u64>) -> String {
    got.map_or("None".to_owned(), |i| format!("Some({})", id(i)))
}

/// Asserts that `next()` returns `None` `times` times in a row.
fn assert_used_up(ids: &IdAllocator, range: &Range<u64>, times: usize) {
    for call in 1..=times {
        let got = ids.next();
        assert!(
            got.is_none(),
            "IdAllocator::new({}) has no ids left, so next() should return None, but call \
             number {call} after the end returned {}",
            range_of(range),
            got_of(got)
        );
    }
}

/// Asserts that `next()` hands out exactly the ids of `range`, in order, then `None`.
fn assert_hands_out(range: Range<u64>) {
    let ids = IdAllocator::new(range.clone());
    for expected in range.clone() {
        let got = ids.next();
        assert!(
            got == Some(expected),
            "IdAllocator::new({}) should hand out {} next, but next() returned {}",
            range_of(&range),
            id(expected),
            got_of(got)
        );
    }
    assert_used_up(&ids, &range, 5);
}

fn empty_range() {
    for range in [0..0, 5..5, Range { start: 7, end: 3 }, u64::MAX..u64::MAX] {
        let ids = IdAllocator::new(range.clone());
        assert_used_up(&ids, &range, 3);
    }
}

fn ids_in_order_then_none() {
    assert_hands_out(0..3);
    assert_hands_out(100..104);
    assert_hands_out(41..42);
}

fn no_wrap_at_the_end() {
    assert_hands_out(u64::MAX - 2..u64::MAX);
    assert_hands_out(u64::MAX - 1..u64::MAX);
}

/// Spawns a thread that calls `next()` `calls` times (or until `None` if `calls` is `None`) and
/// returns every id it got.
fn spawn_drawing(ids: &Arc<IdAllocator>, calls: Option<usize>) -> JoinHandle<Vec<u64>> {
    let ids = Arc::clone(ids);
    thread::spawn(move || {
        let mut got = Vec::new();
        match calls {
            Some(calls) => got.extend((0..calls).filter_map(|_| ids.next())),
            None => got.extend(std::iter::from_fn(|| ids.next())),
        }
        got
    })
}

fn every_id_once() {
    let (threads, size) = match mode() {
        Mode::Model => (2, 3),
        Mode::Explore => (3, 12),
        _ => (4, 400),
    };
    let range = 1000..1000 + size;
    let ids = Arc::new(IdAllocator::new(range.clone()));
    let handles: Vec<_> = (0..threads).map(|_| spawn_drawing(&ids, None)).collect();
    let mut all: Vec<u64> = Vec::new();
    for handle in handles {
        let got = handle.join().unwrap();
        assert!(
            got.windows(2).all(|pair| pair[0] < pair[1]),
            "one thread's calls to next() should get increasing ids, but it got {}",
            ids_of(&got)
        );
        all.extend(got);
    }
    all.sort_unstable();
    if let Some(pair) = all.windows(2).find(|pair| pair[0] == pair[1]) {
        panic!(
            "{threads} threads called next() on IdAllocator::new({}) until it returned None, \
             and id {} was handed out twice",
            range_of(&range),
            id(pair[0])
        );
    }
    let expected: Vec<u64> = range.clone().collect();
    assert!(
        all == expected,
        "{threads} threads called next() on IdAllocator::new({}) until it returned None: \
         together they should get every id of the range exactly once, but they got {}",
        range_of(&range),
        ids_of(&all)
    );
    assert_used_up(&ids, &range, 2);
}

fn no_wrap_at_once() {
    let (threads, calls) = match mode() {
        Mode::Model => (2, 2),
        Mode::Explore => (3, 3),
        _ => (4, 50),
    };
    let range = u64::MAX - 1..u64::MAX;
    let ids = Arc::new(IdAllocator::new(range.clone()));
    let handles: Vec<_> = (0..threads)
        .map(|_| spawn_drawing(&ids, Some(calls)))
        .collect();
    let mut all: Vec<u64> = Vec::new();
    for handle in handles {
        all.extend(handle.join().unwrap());
    }
    all.sort_unstable();
    assert!(
        all == [u64::MAX - 1],
        "{threads} threads each called next() {calls} times on IdAllocator::new({}), which \
         has one id: together they should get just [{}], but they got {}",
        range_of(&range),
        id(u64::MAX - 1),
        ids_of(&all)
    );
    assert_used_up(&ids, &range, 2);
}
