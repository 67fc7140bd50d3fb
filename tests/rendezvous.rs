//! Checks of the `rendezvous` kata: two threads meet, neither goes on before the other arrived.
//!
//! The promises: the two sides meet and both go on (whoever comes first), neither side's
//! `arrive_*` returns before the other side has called its own, what a side did before the
//! meeting is visible to the other side after it, and once both sides have met, later arrivals
//! return at once.

use checks::threads::spawn_named;
use harness::cell::UnsafeCell;
use harness::check::{mode, Checks, Mode};
use harness::sync::atomic::{AtomicBool, Ordering};
use harness::sync::Arc;
use rendezvous::Rendezvous;

fn main() {
    Checks::new()
        .sequential("a rendezvous can be made", can_be_made)
        .concurrent("two threads meet and both go on", two_threads_meet)
        .concurrent(
            "after the meeting, arriving again returns at once",
            later_arrivals_return,
        )
        .concurrent(
            "neither side goes on before the other has arrived",
            nobody_goes_on_alone,
        )
        .concurrent(
            "what a side did before the meeting is seen by the other after it",
            work_before_is_seen_after,
        )
        .run();
}

/// How many meetings a concurrent check holds in a row, one fresh `Rendezvous` each.
fn meetings() -> usize {
    match mode() {
        // Two, so that each side is once on the spawned thread.
        Mode::Model => 2,
        _ => 3,
    }
}

fn can_be_made() {
    // Meeting needs two threads, so the checks that arrive run in the concurrent modes, where
    // every way the two sides can mix is tried.
    let _made = Rendezvous::new();
    let _default = Rendezvous::default();
}

fn two_threads_meet() {
    let meeting = Arc::new(Rendezvous::new());
    let b = {
        let meeting = Arc::clone(&meeting);
        spawn_named("side B", move || meeting.arrive_b())
    };
    meeting.arrive_a();
    b.join().unwrap();
    // And the other way round, with side A on the spawned thread.
    let meeting = Arc::new(Rendezvous::default());
    let a = {
        let meeting = Arc::clone(&meeting);
        spawn_named("side A", move || meeting.arrive_a())
    };
    meeting.arrive_b();
    a.join().unwrap();
}

fn later_arrivals_return() {
    let meeting = Arc::new(Rendezvous::new());
    let b = {
        let meeting = Arc::clone(&meeting);
        spawn_named("side B", move || meeting.arrive_b())
    };
    meeting.arrive_a();
    b.join().unwrap();
    // Both sides have arrived: the meeting stays open, nobody has to wait any more.
    meeting.arrive_a();
    meeting.arrive_b();
    meeting.arrive_b();
    meeting.arrive_a();
}

/// Who has called `arrive_*` so far, kept by the check itself. The flags are the engine's
/// atomics, so that the model checker also tries a side running all the way through before the
/// other has even started.
struct Called {
    a: AtomicBool,
    b: AtomicBool,
}

fn nobody_goes_on_alone() {
    for round in 0..meetings() {
        // The sides take turns on the spawned thread: the side that runs first is most often
        // the one that waits, and both sides' waits must hold.
        let spawned_side = if round % 2 == 0 { Side::B } else { Side::A };
        let meeting = Arc::new(Rendezvous::new());
        let called = Arc::new(Called {
            a: AtomicBool::new(false).named("A called"),
            b: AtomicBool::new(false).named("B called"),
        });
        let other = {
            let (meeting, called) = (Arc::clone(&meeting), Arc::clone(&called));
            spawn_named(spawned_side.thread_name(), move || {
                spawned_side.arrive(&meeting, &called, round)
            })
        };
        spawned_side.other().arrive(&meeting, &called, round);
        other.join().unwrap();
    }
}

/// One side of a meeting.
#[derive(Clone, Copy)]
enum Side {
    A,
    B,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }

    fn thread_name(self) -> &'static str {
        match self {
            Side::A => "side A",
            Side::B => "side B",
        }
    }

    /// The side's letter.
    fn letter(self) -> char {
        match self {
            Side::A => 'a',
            Side::B => 'b',
        }
    }

    /// Notes the call, arrives, and checks that the other side had called before this side
    /// went on.
    fn arrive(self, meeting: &Rendezvous, called: &Called, round: usize) {
        let (mine, theirs) = match self {
            Side::A => (&called.a, &called.b),
            Side::B => (&called.b, &called.a),
        };
        mine.store(true, Ordering::SeqCst);
        match self {
            Side::A => meeting.arrive_a(),
            Side::B => meeting.arrive_b(),
        }
        let (me, them) = (self.letter(), self.other().letter());
        assert!(
            theirs.load(Ordering::SeqCst),
            "meeting {round}: arrive_{me}() returned before side {} had called arrive_{them}()",
            them.to_ascii_uppercase()
        );
    }
}

/// What each side writes before the meeting. The cells are the engine's: under the model
/// checker, reading a note that the meeting did not order after its writing is a data race.
struct Notes {
    from_a: UnsafeCell<usize>,
    from_b: UnsafeCell<usize>,
}

// SAFETY: each cell is written by one side before the meeting and read by the other after it;
// the kata's promise is exactly that those accesses are ordered (and the checker verifies it).
unsafe impl Sync for Notes {}
// SAFETY: see above.
unsafe impl Send for Notes {}

fn work_before_is_seen_after() {
    for round in 0..meetings() {
        let meeting = Arc::new(Rendezvous::new());
        let notes = Arc::new(Notes {
            from_a: UnsafeCell::new(0),
            from_b: UnsafeCell::new(0),
        });
        let b = {
            let (meeting, notes) = (Arc::clone(&meeting), Arc::clone(&notes));
            spawn_named("side B", move || {
                // SAFETY: only side B writes this note, and only before the meeting.
                notes.from_b.with_mut(|note| unsafe { *note = 2 });
                meeting.arrive_b();
                // SAFETY: side A wrote its note before arriving, so after the meeting nobody
                // writes it any more (if the meeting keeps its promise).
                let seen = notes.from_a.with(|note| unsafe { *note });
                assert_eq!(
                    seen, 1,
                    "meeting {round}: side A wrote 1 before arriving, but side B read {seen} \
                     after the meeting"
                );
            })
        };
        // SAFETY: only side A writes this note, and only before the meeting.
        notes.from_a.with_mut(|note| unsafe { *note = 1 });
        meeting.arrive_a();
        // SAFETY: as above, the other way round.
        let seen = notes.from_b.with(|note| unsafe { *note });
        assert_eq!(
            seen, 2,
            "meeting {round}: side B wrote 2 before arriving, but side A read {seen} after the \
             meeting"
        );
        b.join().unwrap();
    }
}
