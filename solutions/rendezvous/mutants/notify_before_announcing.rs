//! Mutant: each side notifies before it sets its flag, and sets the flag under a lock taken afterwards, so a side already asleep is woken too early, finds no flag, sleeps again, and is never woken once the flag is set (a lost wakeup).
//! Expect: deadlock

use harness::sync::{Condvar, Mutex};

/// A meeting point for two threads, side A and side B: [`arrive_a`](Rendezvous::arrive_a)
/// returns only once side B has arrived, and [`arrive_b`](Rendezvous::arrive_b) only once side
/// A has arrived, whichever comes first.
///
/// A rendezvous is one meeting: once both sides have arrived, it stays open, and every later
/// arrival returns at once.
///
/// ```
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
    arrived: Mutex<Arrived>,
    changed: Condvar,
}

/// Who has arrived so far.
struct Arrived {
    a: bool,
    b: bool,
}

impl Rendezvous {
    /// A meeting nobody has arrived at yet.
    pub fn new() -> Self {
        Rendezvous {
            arrived: Mutex::new(Arrived { a: false, b: false }).named("arrived"),
            changed: Condvar::new().named("someone_arrived"),
        }
    }

    /// Side A arrives: announces itself, then waits until side B has arrived (returns at once if
    /// B is already there).
    pub fn arrive_a(&self) {
        // Wake side B, then announce.
        self.changed.notify_all();
        let mut arrived = self.arrived.lock().unwrap();
        arrived.a = true;
        while !arrived.b {
            arrived = self.changed.wait(arrived).unwrap();
        }
    }

    /// Side B arrives: announces itself, then waits until side A has arrived (returns at once if
    /// A is already there).
    pub fn arrive_b(&self) {
        self.changed.notify_all();
        let mut arrived = self.arrived.lock().unwrap();
        arrived.b = true;
        while !arrived.a {
            arrived = self.changed.wait(arrived).unwrap();
        }
    }
}

impl Default for Rendezvous {
    /// The same as [`Rendezvous::new`].
    fn default() -> Self {
        Rendezvous::new()
    }
}
