//! A rendezvous of two threads: neither goes on before the other has arrived.
//!
//! Reference solution: one flag per side in a `Mutex`, and a `Condvar`. Each side first
//! announces itself (sets its flag and notifies), and only then waits, in a `while` loop under
//! the lock, until the other side's flag is set. The flags stay set, so a notification sent
//! before anybody waits is never lost: the waiter finds the flag already set and does not sleep.

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
        let mut arrived = self.arrived.lock().unwrap();
        // Announce first, then wait: if both sides waited first, both would wait for ever. One
        // thread at most can be waiting (side B, if it came first), so one notification is enough.
        arrived.a = true;
        self.changed.notify_one();
        while !arrived.b {
            arrived = self.changed.wait(arrived).unwrap();
        }
    }

    /// Side B arrives: announces itself, then waits until side A has arrived (returns at once if
    /// A is already there).
    pub fn arrive_b(&self) {
        let mut arrived = self.arrived.lock().unwrap();
        arrived.b = true;
        self.changed.notify_one();
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
