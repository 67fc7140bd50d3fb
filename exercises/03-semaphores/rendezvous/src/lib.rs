//! A rendezvous of two threads: neither goes on before the other has arrived. Read `README.md`
//! beside this folder's `src/` first.
//!
//! Build it from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`).

/// A meeting point for two threads, side A and side B: [`arrive_a`](Rendezvous::arrive_a)
/// returns only once side B has arrived, and [`arrive_b`](Rendezvous::arrive_b) only once side
/// A has arrived, whichever comes first.
///
/// A rendezvous is one meeting: once both sides have arrived, it stays open, and every later
/// arrival returns at once.
///
/// ```no_run
/// use std::sync::Arc;
/// use rendezvous::Rendezvous;
///
/// let meeting = Arc::new(Rendezvous::new());
/// let other = Arc::clone(&meeting);
/// let b = std::thread::spawn(move || {
///     // b1: work before the meeting
///     other.arrive_b();
///     // b2: runs only after a1 is done
/// });
/// // a1: work before the meeting
/// meeting.arrive_a();
/// // a2: runs only after b1 is done
/// b.join().unwrap();
/// ```
pub struct Rendezvous {
    // TODO: who has arrived so far (behind a `Mutex`), and a `Condvar` to wait on.
}

impl Rendezvous {
    /// A meeting nobody has arrived at yet.
    pub fn new() -> Self {
        // TODO
        todo!("make a meeting nobody has arrived at")
    }

    /// Side A arrives: announces itself, then waits until side B has arrived (returns at once if
    /// B is already there).
    pub fn arrive_a(&self) {
        // TODO: tell side B that A is here, then wait for B.
        todo!("arrive as side A and wait for side B")
    }

    /// Side B arrives: announces itself, then waits until side A has arrived (returns at once if
    /// A is already there).
    pub fn arrive_b(&self) {
        // TODO: tell side A that B is here, then wait for A.
        todo!("arrive as side B and wait for side A")
    }
}

impl Default for Rendezvous {
    /// The same as [`Rendezvous::new`].
    fn default() -> Self {
        Rendezvous::new()
    }
}
