//! Mutant: the spinning rendezvous with its two steps swapped: each side first spins until it
//! sees the other side's flag and only then raises its own, so when both arrive, both spin for
//! ever, running and yielding without end (the book's deadlocking rendezvous, with busy waiting).
//! Expect: livelock

use harness::sync::atomic::{AtomicBool, Ordering};
use harness::thread;

/// A meeting point for two threads, side A and side B: [`arrive_a`](Rendezvous::arrive_a)
/// returns only once side B has arrived, and [`arrive_b`](Rendezvous::arrive_b) only once side
/// A has arrived, whichever comes first.
///
/// A rendezvous is one meeting: once both sides have arrived, it stays open, and every later
/// arrival returns at once.
pub struct Rendezvous {
    a_arrived: AtomicBool,
    b_arrived: AtomicBool,
}

impl Rendezvous {
    /// A meeting nobody has arrived at yet.
    pub fn new() -> Self {
        Rendezvous {
            a_arrived: AtomicBool::new(false).named("a_arrived"),
            b_arrived: AtomicBool::new(false).named("b_arrived"),
        }
    }

    /// Side A arrives: announces itself, then waits until side B has arrived (returns at once if
    /// B is already there).
    pub fn arrive_a(&self) {
        meet(&self.a_arrived, &self.b_arrived);
    }

    /// Side B arrives: announces itself, then waits until side A has arrived (returns at once if
    /// A is already there).
    pub fn arrive_b(&self) {
        meet(&self.b_arrived, &self.a_arrived);
    }
}

/// Waits until `theirs` is set, then sets `mine`: the wrong order.
fn meet(mine: &AtomicBool, theirs: &AtomicBool) {
    while !theirs.load(Ordering::Acquire) {
        thread::yield_now();
    }
    mine.store(true, Ordering::Release);
}

impl Default for Rendezvous {
    /// The same as [`Rendezvous::new`].
    fn default() -> Self {
        Rendezvous::new()
    }
}
