//! Checks of the `barrier` kata: a reusable barrier for rounds of `n` threads.
//!
//! The promises: `Barrier::new(0)` is refused, a barrier of 1 never waits, no thread leaves a
//! round before all `n` threads have arrived in it (also in later rounds: no thread laps the
//! others), every round ends (no lost wakeup), exactly one thread per round is the leader, and
//! what the threads did before a round is visible to all of them after it.

use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering as StdOrdering};

use barrier::Barrier;
use checks::refusal::assert_refused;
use checks::threads::spawn_named;
use harness::cell::UnsafeCell;
use harness::check::{mode, Checks, Mode};
use harness::sync::atomic::{AtomicUsize, Ordering};
use harness::sync::Arc;

fn main() {
    Checks::new()
        .sequential(
            "a barrier of 1 never waits and always leads",
            barrier_of_one,
        )
        .sequential("Barrier::new(0) panics with a clear message", zero_panics)
        .concurrent(
            "no thread leaves a round before all n have arrived",
            nobody_leaves_early,
        )
        .concurrent(
            "exactly one thread per round is the leader",
            one_leader_per_round,
        )
        .concurrent(
            "what the threads did before a round is seen by all after it",
            work_is_seen,
        )
        .run();
}

fn barrier_of_one() {
    let barrier = Barrier::new(1);
    for round in 0..3 {
        assert!(
            barrier.wait(),
            "round {round}: the only thread of a Barrier::new(1) must be the leader, but wait() \
             returned false"
        );
    }
}

fn zero_panics() {
    assert_refused(
        "Barrier::new(0)",
        "Barrier::new(0) returned a barrier for rounds of nobody; it should panic",
        || Barrier::new(0),
    );
}

/// Runs `body(id)` on `n` threads: threads 1.. are spawned, thread 0 is the caller.
fn on_threads(n: usize, body: impl Fn(usize) + Send + Sync + 'static) {
    let body = Arc::new(body);
    let handles: Vec<_> = (1..n)
        .map(|id| {
            let body = Arc::clone(&body);
            spawn_named(format!("thread {id}"), move || body(id))
        })
        .collect();
    body(0);
    for handle in handles {
        handle.join().unwrap();
    }
}

fn nobody_leaves_early() {
    let (n, rounds) = match mode() {
        Mode::Model => (2, 2),
        _ => (4, 4),
    };
    let barrier = Arc::new(Barrier::new(n));
    // How many threads have arrived in each round, kept by the check.
    let arrived: Arc<Vec<AtomicUsize>> = Arc::new(
        (0..rounds)
            .map(|round| AtomicUsize::new(0).named(format!("arrived in round {round}")))
            .collect(),
    );
    on_threads(n, move |id| {
        for (round, arrived) in arrived.iter().enumerate() {
            arrived.fetch_add(1, Ordering::SeqCst);
            barrier.wait();
            let seen = arrived.load(Ordering::SeqCst);
            assert_eq!(
                seen, n,
                "thread {id} left round {round} of a Barrier::new({n}) when only {seen} \
                 thread(s) had arrived in that round"
            );
        }
    });
}

fn one_leader_per_round() {
    let (n, rounds) = match mode() {
        Mode::Model => (3, 1),
        _ => (3, 4),
    };
    let barrier = Arc::new(Barrier::new(n));
    // Leaders of each round, kept by the check (plain std atomics: no extra interleavings).
    let leaders: Arc<Vec<StdAtomicUsize>> =
        Arc::new((0..rounds).map(|_| StdAtomicUsize::new(0)).collect());
    {
        let leaders = Arc::clone(&leaders);
        on_threads(n, move |_| {
            for leaders in leaders.iter() {
                if barrier.wait() {
                    leaders.fetch_add(1, StdOrdering::SeqCst);
                }
            }
        });
    }
    for (round, leaders) in leaders.iter().enumerate() {
        let leaders = leaders.load(StdOrdering::SeqCst);
        assert_eq!(
            leaders, 1,
            "in round {round} of a Barrier::new({n}), wait() returned true for {leaders} \
             threads; exactly one should be the leader"
        );
    }
}

/// One note per round and thread, written before the round's barrier. The cells are the
/// engine's: under the model checker, reading a note that the barrier did not order after its
/// writing is a data race.
struct Notes(Vec<Vec<UnsafeCell<usize>>>);

// SAFETY: note [round][id] is written only by thread `id` before round `round`'s barrier and read
// only after it; the kata's promise is that these accesses are ordered (the checker verifies it).
unsafe impl Sync for Notes {}
// SAFETY: see above.
unsafe impl Send for Notes {}

fn work_is_seen() {
    let (n, rounds) = match mode() {
        Mode::Model => (2, 2),
        _ => (3, 3),
    };
    let barrier = Arc::new(Barrier::new(n));
    let notes = Arc::new(Notes(
        (0..rounds)
            .map(|_| (0..n).map(|_| UnsafeCell::new(0)).collect())
            .collect(),
    ));
    on_threads(n, move |id| {
        for (round, notes) in notes.0.iter().enumerate() {
            let mine = round * 10 + id + 1;
            // SAFETY: only this thread writes its note of this round, before the barrier.
            notes[id].with_mut(|note| unsafe { *note = mine });
            barrier.wait();
            for (other, note) in notes.iter().enumerate() {
                // SAFETY: every thread wrote its note of this round before the barrier.
                let seen = note.with(|note| unsafe { *note });
                let expected = round * 10 + other + 1;
                assert_eq!(
                    seen, expected,
                    "in round {round}, thread {other} wrote {expected} before the barrier, but \
                     thread {id} read {seen} after it"
                );
            }
        }
    });
}
