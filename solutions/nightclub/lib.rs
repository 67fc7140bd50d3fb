//! A nightclub with a fixed capacity: a counting semaphore built from a lock and a condition
//! variable.
//!
//! Reference solution: the number of guests inside lives in a `Mutex<usize>`. A guest who finds
//! the club full waits on a `Condvar`, and checks again in a `while` loop every time it wakes up,
//! because someone else may have taken the free place first. A leaving guest counts itself out
//! and wakes one waiting guest.

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
    inside: Mutex<usize>,
    someone_left: Condvar,
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
            inside: Mutex::new(0),
            someone_left: Condvar::new(),
        }
    }

    /// Enters the club, waiting while it is full. Returns once there was room and the guest
    /// took it.
    pub fn enter(&self) -> Wristband<'_> {
        let mut inside = self.inside.lock().unwrap();
        // `while`, not `if`: between the wake-up and getting the lock back, another guest may
        // have taken the free place.
        while *inside == self.capacity {
            inside = self.someone_left.wait(inside).unwrap();
        }
        *inside += 1;
        Wristband { club: self }
    }

    /// Enters the club if there is room right now. Never waits: returns `None` when the club
    /// is full.
    pub fn try_enter(&self) -> Option<Wristband<'_>> {
        let mut inside = self.inside.lock().unwrap();
        if *inside == self.capacity {
            return None;
        }
        *inside += 1;
        Some(Wristband { club: self })
    }

    /// How many guests are inside at this moment (holders of a live [`Wristband`]).
    pub fn inside(&self) -> usize {
        *self.inside.lock().unwrap()
    }

    /// One guest leaves: count them out, then wake one guest waiting for a place.
    fn leave(&self) {
        *self.inside.lock().unwrap() -= 1;
        self.someone_left.notify_one();
    }
}

impl Drop for Wristband<'_> {
    /// The guest leaves the club.
    fn drop(&mut self) {
        self.club.leave();
    }
}
