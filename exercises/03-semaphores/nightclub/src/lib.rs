//! A nightclub with a fixed capacity: a counting semaphore built from a lock and a condition
//! variable. Read `README.md` beside this folder's `src/` first.
//!
//! Build it from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`).

/// A club that lets in at most `capacity` guests at a time: a counting semaphore.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)); every guest holds a
/// [`Wristband`] while inside.
///
/// ```no_run
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
    // TODO: the capacity, the number of guests inside (behind a `Mutex`), and a `Condvar` that
    // waiting guests sleep on.
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
        // TODO: refuse capacity 0 with a clear panic message, then open an empty club.
        todo!("open a club for {capacity} guests")
    }

    /// Enters the club, waiting while it is full. Returns once there was room and the guest
    /// took it.
    pub fn enter(&self) -> Wristband<'_> {
        // TODO: wait while the club is full, then count yourself in.
        todo!("enter the club, waiting while it is full")
    }

    /// Enters the club if there is room right now. Never waits: returns `None` when the club
    /// is full.
    pub fn try_enter(&self) -> Option<Wristband<'_>> {
        // TODO: like `enter`, but give up at once instead of waiting.
        todo!("enter the club only if there is room right now")
    }

    /// How many guests are inside at this moment (holders of a live [`Wristband`]).
    pub fn inside(&self) -> usize {
        // TODO
        todo!("count the guests inside")
    }

    /// One guest leaves: count them out, then wake a guest waiting for a place.
    fn leave(&self) {
        // TODO: called when a `Wristband` is dropped.
        todo!("let one guest out")
    }
}

impl Drop for Wristband<'_> {
    /// The guest leaves the club.
    fn drop(&mut self) {
        self.club.leave();
    }
}
