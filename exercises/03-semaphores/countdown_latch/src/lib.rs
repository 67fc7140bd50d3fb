//! A countdown latch: a gate that opens after a number of `count_down()` calls and stays open.
//! Read `README.md` beside this folder's `src/` first.
//!
//! Build it from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`).

/// A gate that opens once [`count_down`](Latch::count_down) has been called `count` times, and
/// then stays open for ever. Share it between threads (for example in an
/// [`Arc`](harness::sync::Arc)).
///
/// Typical use: a coordinator waits until `count` workers have finished their part.
///
/// ```no_run
/// use countdown_latch::Latch;
///
/// let latch = Latch::new(2);
/// assert_eq!(latch.count(), 2);
/// latch.count_down();
/// latch.count_down(); // the latch opens
/// latch.wait(); // returns at once: the latch is open
/// latch.count_down(); // an open latch stays open
/// assert_eq!(latch.count(), 0);
/// ```
pub struct Latch {
    // TODO: the count (behind a `Mutex`) and a `Condvar` that waiters sleep on.
}

impl Latch {
    /// A latch that opens after `count` calls of [`count_down`](Latch::count_down). A latch of
    /// 0 is open from the start.
    pub fn new(count: usize) -> Self {
        // TODO
        todo!("make a latch that opens after {count} count_down() calls")
    }

    /// Counts one down. The call that brings the count to 0 opens the latch and releases every
    /// waiting thread. On an open latch it does nothing.
    pub fn count_down(&self) {
        // TODO: count one down (never below 0); on reaching 0, wake the waiters.
        todo!("count one down")
    }

    /// Waits until the latch is open (returns at once if it already is). Everything the
    /// threads did before their `count_down()` calls is visible after `wait()` returns.
    pub fn wait(&self) {
        // TODO: wait while the count is above 0.
        todo!("wait until the latch is open")
    }

    /// How many [`count_down`](Latch::count_down) calls are still missing (0 once open).
    pub fn count(&self) -> usize {
        // TODO
        todo!("read the count")
    }
}
