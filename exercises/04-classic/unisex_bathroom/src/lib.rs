//! The unisex bathroom: women and men never inside together, at most `capacity` at a time, and
//! nobody waits for ever. Read `README.md` beside this folder's `src/` first.
//!
//! Build it from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`).

/// Who wants to go in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visitor {
    /// A woman.
    Woman,
    /// A man.
    Man,
}

/// A bathroom shared by women and men, never at the same time, with room for `capacity`.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)); every visitor
/// inside holds a [`Pass`].
///
/// ```no_run
/// use unisex_bathroom::{Bathroom, Visitor};
///
/// let bathroom = Bathroom::new(3);
/// let ann = bathroom.enter(Visitor::Woman);
/// let eve = bathroom.enter(Visitor::Woman); // women share the bathroom
/// drop(ann);
/// drop(eve);
/// let bob = bathroom.enter(Visitor::Man); // now it is empty, a man may go in
/// drop(bob);
/// ```
pub struct Bathroom {
    // TODO: the capacity; the door's state (who is inside, who waits, in which order) behind a
    // `Mutex`; a `Condvar` that waiting visitors sleep on.
}

/// Proof that its holder is inside. Dropping it means leaving.
#[must_use = "dropping the pass at once means leaving at once"]
pub struct Pass<'a> {
    bathroom: &'a Bathroom,
    visitor: Visitor,
}

impl Bathroom {
    /// Opens an empty bathroom with room for `capacity` people.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0: nobody could ever go in.
    pub fn new(capacity: usize) -> Self {
        // TODO: refuse capacity 0 with a clear panic message.
        todo!("open a bathroom for {capacity}")
    }

    /// Goes in, waiting while the bathroom is full or holds the other sex (or someone who came
    /// earlier is still waiting). Returns the pass that proves `visitor` is inside.
    pub fn enter(&self, visitor: Visitor) -> Pass<'_> {
        // TODO: wait for your turn, then count yourself in.
        todo!("let a {visitor:?} in")
    }

    /// Someone leaves: count them out and let the waiting visitors look again.
    fn leave(&self, visitor: Visitor) {
        // TODO: called when a `Pass` is dropped.
        todo!("let a {visitor:?} out")
    }
}

impl Drop for Pass<'_> {
    /// The visitor leaves.
    fn drop(&mut self) {
        self.bathroom.leave(self.visitor);
    }
}
