//! Alternative: the count is an `AtomicUsize` counted down with `compare_exchange`, so
//! `count_down`, `count` and `wait` on an open latch take no lock; a `Mutex<()>` and a `Condvar`
//! are used only to sleep while the latch is closed. The call that opens the latch takes that
//! mutex before notifying, so a waiter that saw the latch closed is already asleep by then.

use harness::sync::atomic::{AtomicUsize, Ordering};
use harness::sync::{Condvar, Mutex};

/// A gate that opens once [`count_down`](Latch::count_down) has been called `count` times, and
/// then stays open for ever.
pub struct Latch {
    count: AtomicUsize,
    sleepers: Mutex<()>,
    opened: Condvar,
}

impl Latch {
    /// A latch that opens after `count` calls of [`count_down`](Latch::count_down). A latch of
    /// 0 is open from the start.
    pub fn new(count: usize) -> Self {
        Latch {
            count: AtomicUsize::new(count).named("count"),
            sleepers: Mutex::new(()).named("sleepers"),
            opened: Condvar::new().named("opened"),
        }
    }

    /// Counts one down. The call that brings the count to 0 opens the latch and releases every
    /// waiting thread. On an open latch it does nothing.
    pub fn count_down(&self) {
        // Relaxed: the value read is only a guess, which the exchange below checks.
        let mut current = self.count.load(Ordering::Relaxed);
        loop {
            if current == 0 {
                return;
            }
            // AcqRel: every count_down publishes what its thread did before (Release) and passes
            // on what the earlier ones published (Acquire), so the last one carries it all. A
            // failed exchange only hands over a fresh guess: Relaxed.
            match self.count.compare_exchange(
                current,
                current - 1,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(now) => current = now,
            }
        }
        if current == 1 {
            // Taking the lock first: a waiter checks the count under this lock, so it is either
            // still before its check (and will see 0) or already asleep (and gets the notify).
            drop(self.sleepers.lock().unwrap());
            self.opened.notify_all();
        }
    }

    /// Waits until the latch is open (returns at once if it already is). Everything the
    /// threads did before their `count_down()` calls is visible after `wait()` returns.
    pub fn wait(&self) {
        if self.count.load(Ordering::Acquire) == 0 {
            return;
        }
        let mut sleepers = self.sleepers.lock().unwrap();
        while self.count.load(Ordering::Acquire) > 0 {
            sleepers = self.opened.wait(sleepers).unwrap();
        }
    }

    /// How many [`count_down`](Latch::count_down) calls are still missing (0 once open).
    pub fn count(&self) -> usize {
        // A number, not a promise that what the counting threads did is visible (that is
        // wait's): Relaxed.
        self.count.load(Ordering::Relaxed)
    }
}
