//! Checks for the `two_field_invariant` kata: `lo <= hi` holds whatever threads do at once,
//! exactly the changes that keep it are made, and a reader only ever sees pairs the range
//! really held.

use std::panic;

use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread;
use two_field_invariant::Range;

fn main() {
    Checks::new()
        .sequential("a new range holds its two ends", new_range)
        .sequential(
            "Range::new(lo, hi) with lo > hi panics",
            new_rejects_inverted,
        )
        .sequential("set_lo keeps lo <= hi", set_lo_keeps_invariant)
        .sequential("set_hi keeps lo <= hi", set_hi_keeps_invariant)
        .concurrent(
            "set_lo and set_hi at once never leave lo above hi",
            competing_setters,
        )
        .concurrent(
            "get() while the range moves up sees only pairs it held",
            reader_while_moving_up,
        )
        .concurrent(
            "get() while the range moves down sees only pairs it held",
            reader_while_moving_down,
        )
        .run();
}

/// Which end a step moves.
#[derive(Clone, Copy, Debug)]
enum Step {
    Lo(u32),
    Hi(u32),
}

/// How many steps the writer takes (and reads the reader makes), scaled to the mode's engine.
fn steps() -> usize {
    match mode() {
        Mode::Model => 2,
        Mode::Explore => 6,
        _ => 20,
    }
}

fn assert_get(range: &Range, expected: (u32, u32), after: &str) {
    let got = range.get();
    assert_eq!(
        got, expected,
        "after {after}, get() should be {expected:?}, but it is {got:?}"
    );
}

fn new_range() {
    assert_get(&Range::new(3, 7), (3, 7), "Range::new(3, 7)");
    assert_get(&Range::new(5, 5), (5, 5), "Range::new(5, 5)");
    assert_get(
        &Range::new(0, u32::MAX),
        (0, u32::MAX),
        "Range::new(0, u32::MAX)",
    );
}

fn new_rejects_inverted() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(|| Range::new(8, 2));
    panic::set_hook(previous);
    assert!(
        result.is_err(),
        "Range::new(8, 2) has lo above hi, so it should panic, but it returned a range"
    );
}

fn set_lo_keeps_invariant() {
    let range = Range::new(10, 20);
    assert!(range.set_lo(15), "set_lo(15) on (10, 20) should succeed");
    assert_get(&range, (15, 20), "set_lo(15) on (10, 20)");
    assert!(range.set_lo(0), "set_lo(0) on (15, 20) should succeed");
    assert_get(&range, (0, 20), "set_lo(0) on (15, 20)");
    assert!(
        range.set_lo(20),
        "set_lo(20) on (0, 20) should succeed: lo may equal hi"
    );
    assert_get(&range, (20, 20), "set_lo(20) on (0, 20)");
    assert!(
        !range.set_lo(21),
        "set_lo(21) on (20, 20) would put lo above hi, so it should return false"
    );
    assert!(
        !range.set_lo(u32::MAX),
        "set_lo(u32::MAX) on (20, 20) would put lo above hi, so it should return false"
    );
    assert_get(&range, (20, 20), "two refused set_lo calls on (20, 20)");
}

fn set_hi_keeps_invariant() {
    let range = Range::new(10, 20);
    assert!(range.set_hi(15), "set_hi(15) on (10, 20) should succeed");
    assert_get(&range, (10, 15), "set_hi(15) on (10, 20)");
    assert!(
        range.set_hi(u32::MAX),
        "set_hi(u32::MAX) on (10, 15) should succeed"
    );
    assert_get(&range, (10, u32::MAX), "set_hi(u32::MAX) on (10, 15)");
    assert!(
        range.set_hi(10),
        "set_hi(10) on (10, u32::MAX) should succeed: hi may equal lo"
    );
    assert_get(&range, (10, 10), "set_hi(10) on (10, u32::MAX)");
    assert!(
        !range.set_hi(9),
        "set_hi(9) on (10, 10) would put hi below lo, so it should return false"
    );
    assert!(
        !range.set_hi(0),
        "set_hi(0) on (10, 10) would put hi below lo, so it should return false"
    );
    assert_get(&range, (10, 10), "two refused set_hi calls on (10, 10)");
}

fn competing_setters() {
    // From (0, 10), set_lo(5) and set_hi(3) are each fine alone, but not both: whichever
    // comes first must make the other one fail.
    let range = Arc::new(Range::new(0, 10));
    let lo_setter = {
        let range = Arc::clone(&range);
        thread::spawn(move || range.set_lo(5))
    };
    let hi_setter = {
        let range = Arc::clone(&range);
        thread::spawn(move || range.set_hi(3))
    };
    let lo_set = lo_setter.join().unwrap();
    let hi_set = hi_setter.join().unwrap();
    let (lo, hi) = range.get();
    assert!(
        lo <= hi,
        "from (0, 10), one thread called set_lo(5) and another set_hi(3) at once; now get() \
         is ({lo}, {hi}): lo is above hi"
    );
    let expected = match (lo_set, hi_set) {
        (true, false) => (5, 10),
        (false, true) => (0, 3),
        _ => panic!(
            "from (0, 10), one thread called set_lo(5) and another set_hi(3) at once: exactly \
             one of them can succeed, but set_lo returned {lo_set} and set_hi returned \
             {hi_set} (get() is now ({lo}, {hi}))"
        ),
    };
    assert_eq!(
        (lo, hi),
        expected,
        "from (0, 10), set_lo(5) returned {lo_set} and set_hi(3) returned {hi_set}, so get() \
         should be {expected:?}, but it is ({lo}, {hi})"
    );
}

/// The range starts at `start`; a writer thread takes `steps` (each must succeed) while this
/// thread reads. Every pair read must be one the range held, and reads never go back in time.
fn reader_while_moving(start: (u32, u32), steps: &[Step], direction: &str) {
    let mut held = vec![start];
    for step in steps {
        let (lo, hi) = *held.last().unwrap();
        held.push(match *step {
            Step::Lo(lo) => (lo, hi),
            Step::Hi(hi) => (lo, hi),
        });
    }
    let range = Arc::new(Range::new(start.0, start.1));
    let writer = {
        let range = Arc::clone(&range);
        let steps = steps.to_vec();
        thread::spawn(move || {
            for step in steps {
                let done = match step {
                    Step::Lo(lo) => range.set_lo(lo),
                    Step::Hi(hi) => range.set_hi(hi),
                };
                assert!(
                    done,
                    "only one thread moves the range, and {step:?} keeps lo <= hi, yet it \
                     was refused"
                );
            }
        })
    };
    let mut latest = 0;
    for _ in 0..steps.len() {
        let seen = range.get();
        let Some(position) = held.iter().position(|&pair| pair == seen) else {
            panic!(
                "while one thread moved the range {direction} through {held:?}, get() returned \
                 {seen:?}, a pair the range never held: one end was read before a change and \
                 the other after it"
            );
        };
        assert!(
            position >= latest,
            "while the range moved {direction} through {held:?}, get() returned {:?} and then \
             the older {seen:?}: it went back in time",
            held[latest]
        );
        latest = position;
    }
    writer.join().unwrap();
    assert_get(
        &range,
        *held.last().unwrap(),
        &format!("moving {direction}"),
    );
}

fn reader_while_moving_up() {
    // (0, 10) -> hi 20 -> lo 15 -> hi 30 -> lo 25 ...: hi always moves first.
    let steps: Vec<Step> = (1..=steps() as u32)
        .map(|k| {
            if k % 2 == 1 {
                Step::Hi(10 * k + 10)
            } else {
                Step::Lo(10 * k - 5)
            }
        })
        .collect();
    reader_while_moving((0, 10), &steps, "up");
}

fn reader_while_moving_down() {
    // (1000, 1010) -> lo 990 -> hi 995 -> lo 980 -> hi 985 ...: lo always moves first.
    let steps: Vec<Step> = (1..=steps() as u32)
        .map(|k| {
            if k % 2 == 1 {
                Step::Lo(1000 - 10 * k.div_ceil(2))
            } else {
                Step::Hi(1005 - 10 * (k / 2))
            }
        })
        .collect();
    reader_while_moving((1000, 1010), &steps, "down");
}
