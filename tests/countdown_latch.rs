//! Checks of the `countdown_latch` kata: a gate that opens after n `count_down()` calls.
//!
//! The promises: `count()` goes down by one per `count_down()` and never below 0 (not even
//! when more threads count down at once than the count), a latch of 0 is open from the start,
//! an open latch stays open, `wait()` returns only once the count is 0, every waiting thread is
//! released when it gets there (no lost wakeup), and what the counting threads did before their
//! `count_down()` is visible after `wait()`.

use checks::threads::spawn_named;
use countdown_latch::Latch;
use harness::cell::UnsafeCell;
use harness::check::{mode, Checks, Mode};
use harness::sync::atomic::{AtomicUsize, Ordering};
use harness::sync::Arc;

fn main() {
    Checks::new()
        .sequential("count() goes down by one per count_down()", counts_down)
        .sequential("a latch of 0 is open from the start", zero_is_open)
        .sequential("an open latch stays open", open_stays_open)
        .sequential(
            "count_down() on an open latch does nothing",
            count_down_when_open,
        )
        .concurrent(
            "count_down() calls racing past zero leave the count at 0",
            extra_count_downs_race,
        )
        .concurrent(
            "wait() returns only after the last count_down()",
            wait_until_zero,
        )
        .concurrent(
            "every waiting thread is released when the latch opens",
            every_waiter_released,
        )
        .concurrent(
            "what the counting threads did before count_down() is seen after wait()",
            work_is_seen,
        )
        .run();
}

fn counts_down() {
    let latch = Latch::new(3);
    for expected in [3, 2, 1] {
        let count = latch.count();
        assert_eq!(
            count,
            expected,
            "Latch::new(3), then {} count_down() call(s): count() should be {expected}, but it \
             is {count}",
            3 - expected
        );
        latch.count_down();
    }
    assert_eq!(
        latch.count(),
        0,
        "Latch::new(3), then 3 count_down() calls: count() should be 0"
    );
}

fn zero_is_open() {
    let latch = Latch::new(0);
    assert_eq!(latch.count(), 0, "Latch::new(0).count() should be 0");
    latch.wait();
}

fn open_stays_open() {
    let latch = Latch::new(2);
    latch.count_down();
    latch.count_down();
    latch.wait();
    latch.wait();
    assert_eq!(
        latch.count(),
        0,
        "the latch opened, but count() is {}",
        latch.count()
    );
}

fn count_down_when_open() {
    let latch = Latch::new(1);
    latch.count_down();
    latch.count_down();
    assert_eq!(
        latch.count(),
        0,
        "Latch::new(1), then 2 count_down() calls: count() should stay 0, but it is {}",
        latch.count()
    );
    latch.wait();
    let never_closed = Latch::new(0);
    never_closed.count_down();
    assert_eq!(
        never_closed.count(),
        0,
        "count_down() on Latch::new(0) should leave count() at 0"
    );
    never_closed.wait();
}

fn extra_count_downs_race() {
    // More threads count down than the count, at the same time: the calls that find the latch
    // open must do nothing, even when they looked at the count before the last one took it to 0.
    let (count, threads) = match mode() {
        Mode::Model => (1, 2),
        _ => (2, 4),
    };
    let latch = Arc::new(Latch::new(count));
    let handles: Vec<_> = (0..threads)
        .map(|id| {
            let latch = Arc::clone(&latch);
            spawn_named(format!("counter {id}"), move || latch.count_down())
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(
        latch.count(),
        0,
        "Latch::new({count}), then {threads} count_down() calls at once: count() should be 0, \
         but it is {}",
        latch.count()
    );
    latch.wait();
}

fn wait_until_zero() {
    // One worker counts down several times while others wait: a waiter woken by an early
    // count_down() must not go on.
    let (count, waiters) = match mode() {
        Mode::Model => (2, 1),
        _ => (4, 3),
    };
    let latch = Arc::new(Latch::new(count));
    // How many count_down() calls have started, kept by the check.
    let started = Arc::new(AtomicUsize::new(0).named("count_down calls started"));
    let handles: Vec<_> = (0..waiters)
        .map(|id| {
            let (latch, started) = (Arc::clone(&latch), Arc::clone(&started));
            spawn_named(format!("waiter {id}"), move || {
                latch.wait();
                let started = started.load(Ordering::SeqCst);
                assert_eq!(
                    started, count,
                    "wait() on Latch::new({count}) returned after only {started} count_down() \
                     call(s)"
                );
            })
        })
        .collect();
    let worker = {
        let (latch, started) = (Arc::clone(&latch), Arc::clone(&started));
        spawn_named("worker", move || {
            for _ in 0..count {
                started.fetch_add(1, Ordering::SeqCst);
                latch.count_down();
            }
        })
    };
    latch.wait();
    let seen = started.load(Ordering::SeqCst);
    assert_eq!(
        seen, count,
        "wait() on Latch::new({count}) returned after only {seen} count_down() call(s)"
    );
    worker.join().unwrap();
    for handle in handles {
        handle.join().unwrap();
    }
}

fn every_waiter_released() {
    // Several threads wait; this thread counts down.
    let (count, waiters) = match mode() {
        Mode::Model => (1, 2),
        _ => (2, 4),
    };
    let latch = Arc::new(Latch::new(count));
    let handles: Vec<_> = (0..waiters)
        .map(|id| {
            let latch = Arc::clone(&latch);
            spawn_named(format!("waiter {id}"), move || {
                latch.wait();
                let left = latch.count();
                assert_eq!(left, 0, "wait() returned, but count() is {left}, not 0");
            })
        })
        .collect();
    for _ in 0..count {
        latch.count_down();
    }
    for handle in handles {
        handle.join().unwrap();
    }
    latch.wait();
}

/// One note per worker, written before its count_down(). The cells are the engine's: under the
/// model checker, reading a note that wait() did not order after its writing is a data race.
struct Notes(Vec<UnsafeCell<usize>>);

// SAFETY: note `i` is written only by worker `i` before its count_down(), and read only after
// wait() returned; the kata's promise is that these accesses are ordered (the checker verifies
// it).
unsafe impl Sync for Notes {}
// SAFETY: see above.
unsafe impl Send for Notes {}

fn work_is_seen() {
    let workers = match mode() {
        Mode::Model => 2,
        _ => 4,
    };
    let latch = Arc::new(Latch::new(workers));
    let notes = Arc::new(Notes((0..workers).map(|_| UnsafeCell::new(0)).collect()));
    let handles: Vec<_> = (0..workers)
        .map(|id| {
            let (latch, notes) = (Arc::clone(&latch), Arc::clone(&notes));
            spawn_named(format!("worker {id}"), move || {
                // SAFETY: only this worker writes note `id`, before its count_down().
                notes.0[id].with_mut(|note| unsafe { *note = id + 1 });
                latch.count_down();
            })
        })
        .collect();
    latch.wait();
    for (id, note) in notes.0.iter().enumerate() {
        // SAFETY: the latch is open, so every worker has written its note.
        let seen = note.with(|note| unsafe { *note });
        assert_eq!(
            seen,
            id + 1,
            "worker {id} wrote {} before its count_down(), but after wait() the note reads \
             {seen}",
            id + 1
        );
    }
    for handle in handles {
        handle.join().unwrap();
    }
}
