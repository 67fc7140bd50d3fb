//! The dining savages. Read `README.md` beside this folder's `src/` first.
//!
//! Build the pot from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`).

/// A pot of stew shared by savages and one cook.
///
/// ```no_run
/// use harness::sync::Arc;
/// use harness::thread;
/// use dining_savages::Pot;
///
/// let pot = Arc::new(Pot::new(2));
/// let cook = {
///     let pot = Arc::clone(&pot);
///     thread::spawn(move || pot.cook(|| println!("the cook fills the pot")))
/// };
/// pot.get_serving(|| println!("a savage takes a serving"));
/// pot.get_serving(|| println!("and another"));
/// cook.join().unwrap();
/// ```
pub struct Pot {
    // TODO: the servings per refill, the pot's state behind a `Mutex` (what else must the state
    // remember, besides the servings left?), and `Condvar`s for the cook and the savages to
    // sleep on.
}

impl Pot {
    /// An empty pot that the cook fills with `servings` servings at a time.
    ///
    /// # Panics
    ///
    /// If `servings` is 0: a refill would feed nobody.
    pub fn new(servings: usize) -> Self {
        // TODO: refuse 0 servings with a clear panic message, then make an empty pot.
        todo!("make an empty pot refilled with {servings} servings at a time")
    }

    /// A savage takes one serving from the pot, running `take` at that moment (while nobody else
    /// touches the pot). If the pot is empty, the savage wakes the cook (unless someone already
    /// has) and waits for the refill.
    pub fn get_serving(&self, take: impl FnOnce()) {
        // TODO: take a serving and run `take`; if the pot is empty, wake the cook (once) and
        // wait for the refill.
        let _ = take;
        todo!("take a serving")
    }

    /// The cook waits until a savage finds the pot empty and calls, then fills the pot with a
    /// full set of servings, running `fill` at that moment (while nobody else touches the pot).
    pub fn cook(&self, fill: impl FnOnce()) {
        // TODO: wait until a savage calls, then fill the pot, run `fill`, and wake the savages.
        let _ = fill;
        todo!("wait for a call and fill the pot")
    }
}
