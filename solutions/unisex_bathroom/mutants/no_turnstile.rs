//! Mutant: the book's lightswitch solution without its turnstile: once women are inside, more women keep joining them, and a man waiting for the bathroom to empty waits as long as they keep coming.
//! Expect: starvation

use harness::sync::{Condvar, Mutex};

/// Who wants to go in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visitor {
    /// A woman.
    Woman,
    /// A man.
    Man,
}

impl Visitor {
    fn index(self) -> usize {
        match self {
            Visitor::Woman => 0,
            Visitor::Man => 1,
        }
    }
}

/// A counting semaphore: a Mutex around the number of permits and a Condvar to wait on.
struct Semaphore {
    permits: Mutex<usize>,
    released: Condvar,
}

impl Semaphore {
    fn new(permits: usize, name: &str) -> Self {
        Semaphore {
            permits: Mutex::new(permits).named(name.to_owned()),
            released: Condvar::new().named(format!("{name} released")),
        }
    }

    fn acquire(&self) {
        let mut permits = self.permits.lock().unwrap();
        while *permits == 0 {
            permits = self.released.wait(permits).unwrap();
        }
        *permits -= 1;
    }

    fn release(&self) {
        *self.permits.lock().unwrap() += 1;
        self.released.notify_one();
    }
}

/// A bathroom shared by women and men, never at the same time, with room for `capacity`.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)); every visitor
/// inside holds a [`Pass`].
pub struct Bathroom {
    /// One permit: taken by the first of a sex to go in, returned by the last one out.
    empty: Semaphore,
    /// How many of each sex are inside (the lightswitches).
    counts: [Mutex<usize>; 2],
    /// Room for `capacity` of each sex.
    multiplex: [Semaphore; 2],
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
        assert!(capacity > 0, "a bathroom with capacity 0 lets nobody in");
        Bathroom {
            empty: Semaphore::new(1, "empty"),
            counts: [
                Mutex::new(0).named("women's switch"),
                Mutex::new(0).named("men's switch"),
            ],
            multiplex: [
                Semaphore::new(capacity, "women's places"),
                Semaphore::new(capacity, "men's places"),
            ],
        }
    }

    /// Goes in, waiting while the bathroom is full or holds the other sex (or someone who came
    /// earlier is still waiting). Returns the pass that proves `visitor` is inside.
    pub fn enter(&self, visitor: Visitor) -> Pass<'_> {
        let i = visitor.index();
        {
            let mut count = self.counts[i].lock().unwrap();
            *count += 1;
            if *count == 1 {
                // The first of this sex waits until the other sex has left (holding the
                // switch, so the others of this sex wait behind, and the turnstile).
                self.empty.acquire();
            }
        }
        self.multiplex[i].acquire();
        Pass {
            bathroom: self,
            visitor,
        }
    }

    /// Someone leaves: gives back its place; the last of its sex out gives back `empty`.
    fn leave(&self, visitor: Visitor) {
        let i = visitor.index();
        self.multiplex[i].release();
        let mut count = self.counts[i].lock().unwrap();
        *count -= 1;
        if *count == 0 {
            self.empty.release();
        }
    }
}

impl Drop for Pass<'_> {
    /// The visitor leaves.
    fn drop(&mut self) {
        self.bathroom.leave(self.visitor);
    }
}
