//! Mutant: the call that opens the latch wakes only one waiter (`notify_one`), so when several threads wait, the others sleep for ever although the latch is open.
//! Expect: deadlock

use harness::sync::{Condvar, Mutex};

/// A gate that opens once [`count_down`](Latch::count_down) has been called `count` times, and
/// then stays open for ever. Share it between threads (for example in an
/// [`Arc`](harness::sync::Arc)).
///
/// Typical use: a coordinator waits until `count` workers have finished their part.
///
/// ```
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
    count: Mutex<usize>,
    opened: Condvar,
}

impl Latch {
    /// A latch that opens after `count` calls of [`count_down`](Latch::count_down). A latch of
    /// 0 is open from the start.
    pub fn new(count: usize) -> Self {
        Latch {
            count: Mutex::new(count).named("count"),
            opened: Condvar::new().named("opened"),
        }
    }

    /// Counts one down. The call that brings the count to 0 opens the latch and releases every
    /// waiting thread. On an open latch it does nothing.
    pub fn count_down(&self) {
        let mut count = self.count.lock().unwrap();
        if *count == 0 {
            return;
        }
        *count -= 1;
        if *count == 0 {
            self.opened.notify_one();
        }
    }

    /// Waits until the latch is open (returns at once if it already is). Everything the
    /// threads did before their `count_down()` calls is visible after `wait()` returns.
    pub fn wait(&self) {
        let mut count = self.count.lock().unwrap();
        // `while`, not `if`: decide from the count, never from having been woken.
        while *count > 0 {
            count = self.opened.wait(count).unwrap();
        }
    }

    /// How many [`count_down`](Latch::count_down) calls are still missing (0 once open).
    pub fn count(&self) -> usize {
        *self.count.lock().unwrap()
    }
}
