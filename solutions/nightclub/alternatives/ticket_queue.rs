//! Alternative: a first-come, first-served queue. Every waiting guest takes a numbered ticket and
//! goes in only when its number is called and there is room; `try_enter` never jumps the queue.

use harness::sync::{Condvar, Mutex};

/// A club that lets in at most `capacity` guests at a time: a counting semaphore.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)); every guest holds a
/// [`Wristband`] while inside.
///
/// ```
/// use nightclub::Nightclub;
///
/// let club = Nightclub::new(2);
/// let alice = club.enter();
/// let bob = club.enter();
/// assert_eq!(club.inside(), 2);
/// assert!(club.try_enter().is_none(), "the club is full");
/// drop(alice);
/// assert!(club.try_enter().is_some(), "Alice left, so there is room again");
/// drop(bob);
/// assert_eq!(club.inside(), 0);
/// ```
pub struct Nightclub {
    capacity: usize,
    queue: Mutex<Queue>,
    changed: Condvar,
}

/// The door's state, guarded by the club's lock.
struct Queue {
    /// Guests inside.
    inside: usize,
    /// The number the next arriving guest gets.
    next_ticket: u64,
    /// The number of the guest allowed in next.
    now_serving: u64,
}

/// Proof that its holder is inside the club. Dropping it means the guest leaves, which lets
/// one waiting guest in.
#[must_use = "dropping the wristband at once means the guest leaves at once"]
pub struct Wristband<'a> {
    club: &'a Nightclub,
}

impl Nightclub {
    /// Opens an empty club that holds at most `capacity` guests at a time.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0: nobody could ever get in.
    pub fn new(capacity: usize) -> Self {
        assert!(
            capacity > 0,
            "a nightclub needs a capacity of at least 1: with capacity 0 nobody could ever enter"
        );
        Nightclub {
            capacity,
            queue: Mutex::new(Queue {
                inside: 0,
                next_ticket: 0,
                now_serving: 0,
            }),
            changed: Condvar::new(),
        }
    }

    /// Enters the club, waiting while it is full. Returns once there was room and the guest
    /// took it.
    pub fn enter(&self) -> Wristband<'_> {
        let mut queue = self.queue.lock().unwrap();
        let ticket = queue.next_ticket;
        queue.next_ticket += 1;
        while queue.now_serving != ticket || queue.inside == self.capacity {
            queue = self.changed.wait(queue).unwrap();
        }
        queue.inside += 1;
        queue.now_serving += 1;
        drop(queue);
        // The next ticket may be able to go in too.
        self.changed.notify_all();
        Wristband { club: self }
    }

    /// Enters the club if there is room right now. Never waits: returns `None` when the club
    /// is full (or when guests are already queueing for the free places).
    pub fn try_enter(&self) -> Option<Wristband<'_>> {
        let mut queue = self.queue.lock().unwrap();
        if queue.now_serving != queue.next_ticket || queue.inside == self.capacity {
            return None;
        }
        queue.inside += 1;
        queue.next_ticket += 1;
        queue.now_serving += 1;
        Some(Wristband { club: self })
    }

    /// How many guests are inside at this moment (holders of a live [`Wristband`]).
    pub fn inside(&self) -> usize {
        self.queue.lock().unwrap().inside
    }

    /// One guest leaves: count them out, then wake the queue so the first in line can look.
    fn leave(&self) {
        self.queue.lock().unwrap().inside -= 1;
        // Several guests may be asleep, but only the one whose number is called may go in:
        // wake them all so that one is sure to be among them.
        self.changed.notify_all();
    }
}

impl Drop for Wristband<'_> {
    /// The guest leaves the club.
    fn drop(&mut self) {
        self.club.leave();
    }
}
