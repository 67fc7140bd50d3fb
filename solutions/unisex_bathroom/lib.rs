//! The unisex bathroom: women and men never inside together, at most `capacity` at a time, and
//! nobody waits for ever.
//!
//! Reference solution: numbered tickets, first come, first served. Every visitor takes the next
//! ticket and goes in when its number is up and the bathroom is empty or holds its own sex with
//! room to spare. Women behind women (or men behind men) go in together; a visitor of the other
//! sex waits at the front of the line, and everybody behind waits too, so nobody starves.

use harness::sync::{Condvar, Mutex};

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
pub struct Bathroom {
    capacity: usize,
    state: Mutex<State>,
    changed: Condvar,
}

/// The door's bookkeeping, guarded by its lock.
struct State {
    /// People inside.
    inside: usize,
    /// Their sex, when `inside > 0`.
    occupant: Visitor,
    /// The ticket the next visitor gets.
    next_ticket: u64,
    /// The ticket whose holder may go in next.
    now_serving: u64,
}

/// Proof that its holder is inside. Dropping it means leaving.
#[must_use = "dropping the pass at once means leaving at once"]
pub struct Pass<'a> {
    bathroom: &'a Bathroom,
}

impl Bathroom {
    /// Opens an empty bathroom with room for `capacity` people.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0: nobody could ever go in.
    pub fn new(capacity: usize) -> Self {
        assert!(
            capacity > 0,
            "a bathroom needs room for at least 1 person: with capacity 0 nobody could ever go in"
        );
        Bathroom {
            capacity,
            state: Mutex::new(State {
                inside: 0,
                occupant: Visitor::Woman,
                next_ticket: 0,
                now_serving: 0,
            })
            .named("the door"),
            changed: Condvar::new().named("the line moved"),
        }
    }

    /// Goes in, waiting while the bathroom is full or holds the other sex (or someone who came
    /// earlier is still waiting). Returns the pass that proves `visitor` is inside.
    pub fn enter(&self, visitor: Visitor) -> Pass<'_> {
        let mut state = self.state.lock().unwrap();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        while !(state.now_serving == ticket
            && (state.inside == 0 || (state.occupant == visitor && state.inside < self.capacity)))
        {
            state = self.changed.wait(state).unwrap();
        }
        state.inside += 1;
        state.occupant = visitor;
        state.now_serving += 1;
        drop(state);
        // The next in line may be able to come in too.
        self.changed.notify_all();
        Pass { bathroom: self }
    }

    /// Someone leaves; the front of the line may go in now.
    fn leave(&self) {
        self.state.lock().unwrap().inside -= 1;
        self.changed.notify_all();
    }
}

impl Drop for Pass<'_> {
    /// The visitor leaves.
    fn drop(&mut self) {
        self.bathroom.leave();
    }
}
