//! Alternative: the head count is an `AtomicUsize` that guests claim with `compare_exchange`, so
//! `try_enter`, `inside` and leaving never take a lock; a `Mutex<()>` and a `Condvar` are used only
//! to sleep while the club is full.

use harness::sync::atomic::{AtomicUsize, Ordering};
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
    inside: AtomicUsize,
    /// Held by a guest between finding the club full and falling asleep, and by a leaving
    /// guest before it wakes someone, so that no wake-up falls between the two.
    door: Mutex<()>,
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
            inside: AtomicUsize::new(0),
            door: Mutex::new(()),
            someone_left: Condvar::new(),
        }
    }

    /// Enters the club, waiting while it is full. Returns once there was room and the guest
    /// took it.
    pub fn enter(&self) -> Wristband<'_> {
        if let Some(band) = self.try_enter() {
            return band;
        }
        let mut door = self.door.lock().unwrap();
        loop {
            if let Some(band) = self.try_enter() {
                return band;
            }
            door = self.someone_left.wait(door).unwrap();
        }
    }

    /// Enters the club if there is room right now. Never waits: returns `None` when the club
    /// is full.
    pub fn try_enter(&self) -> Option<Wristband<'_>> {
        let mut seen = self.inside.load(Ordering::Relaxed);
        while seen < self.capacity {
            match self
                .inside
                .compare_exchange(seen, seen + 1, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return Some(Wristband { club: self }),
                Err(now) => seen = now,
            }
        }
        None
    }

    /// How many guests are inside at this moment (holders of a live [`Wristband`]).
    pub fn inside(&self) -> usize {
        self.inside.load(Ordering::Relaxed)
    }

    /// One guest leaves: count them out, then wake one guest waiting for a place.
    fn leave(&self) {
        self.inside.fetch_sub(1, Ordering::Release);
        // A guest who saw the club full holds the door until it sleeps: taking the door here
        // means that guest either sees the free place or is already asleep and gets the signal.
        drop(self.door.lock().unwrap());
        self.someone_left.notify_one();
    }
}

impl Drop for Wristband<'_> {
    /// The guest leaves the club.
    fn drop(&mut self) {
        self.club.leave();
    }
}
