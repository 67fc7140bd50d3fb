//! Alternative: a queue of parked threads and `thread::park`/`unpark` instead of a `Condvar`. A
//! thread that stops spinning tries the flag once more under the queue's lock and, if it is
//! still taken, puts its `Thread` handle in the queue and parks. `release` frees the flag, pops
//! the first parked thread and unparks it. `unpark` leaves a token when it comes before `park`,
//! so a release between "queued" and "asleep" is not lost; a thread that wakes still queued (a
//! spurious wakeup, which std allows) takes its own entry out before it tries again, so a wakeup
//! is never spent on a thread that no longer sleeps.

use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};

use harness::cell::{MutPtr, UnsafeCell};
use harness::hint;
use harness::sync::atomic::{AtomicBool, Ordering};
use harness::sync::{Mutex, MutexGuard};
use harness::thread::{self, Thread};

/// A mutual-exclusion lock whose waiters first spin up to `spin_limit` times, then park (sleep)
/// until the holder releases it.
pub struct HybridLock<T> {
    spin_limit: u32,
    locked: AtomicBool,
    parked: Mutex<Parked>,
    value: UnsafeCell<T>,
}

/// The threads asleep, first come first woken.
struct Parked {
    next_id: u64,
    queue: VecDeque<(u64, Thread)>,
}

// SAFETY: the lock hands `&mut T` to one thread at a time, possibly another than the one that made
// it: `T: Send` is needed, as for `std::sync::Mutex`.
unsafe impl<T: Send> Send for HybridLock<T> {}
// SAFETY: see above.
unsafe impl<T: Send> Sync for HybridLock<T> {}

/// Access to the value; dropping it unlocks.
#[must_use = "dropping the guard at once unlocks at once"]
pub struct HybridGuard<'a, T> {
    // Fields drop in order: the pointer (ending the access) before the unlock.
    value: MutPtr<T>,
    _unlock: Unlock<'a, T>,
}

/// Releases the lock when dropped.
struct Unlock<'a, T> {
    lock: &'a HybridLock<T>,
}

impl<T> HybridLock<T> {
    /// A new, unlocked lock holding `value`. A waiter tries `spin_limit` times before it parks.
    pub fn new(value: T, spin_limit: u32) -> Self {
        HybridLock {
            spin_limit,
            locked: AtomicBool::new(false).named("locked"),
            parked: Mutex::new(Parked {
                next_id: 0,
                queue: VecDeque::new(),
            })
            .named("parked threads"),
            value: UnsafeCell::new(value),
        }
    }

    /// Waits until this thread holds the lock, then returns access to the value.
    pub fn lock(&self) -> HybridGuard<'_, T> {
        self.acquire();
        HybridGuard {
            value: self.value.get_mut(),
            _unlock: Unlock { lock: self },
        }
    }

    fn try_take(&self) -> bool {
        self.locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    fn acquire(&self) {
        for _ in 0..self.spin_limit {
            if self.try_take() {
                return;
            }
            hint::spin_loop();
        }
        loop {
            let me = {
                let mut parked = self.parked();
                if self.try_take() {
                    return;
                }
                let me = parked.next_id;
                parked.next_id += 1;
                parked.queue.push_back((me, thread::current()));
                me
            };
            thread::park();
            // Woken by `release` (our entry is gone) or spuriously (it is still there).
            self.parked().queue.retain(|(id, _)| *id != me);
        }
    }

    fn release(&self) {
        self.locked.store(false, Ordering::Release);
        let first = self.parked().queue.pop_front();
        if let Some((_, sleeper)) = first {
            sleeper.unpark();
        }
    }

    fn parked(&self) -> MutexGuard<'_, Parked> {
        self.parked
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<T> Deref for HybridGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this thread holds the lock until the guard is dropped.
        unsafe { self.value.deref() }
    }
}

impl<T> DerefMut for HybridGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this thread holds the lock until the guard is dropped, and `&mut self` makes
        // this the only reference handed out through the guard.
        unsafe { self.value.deref() }
    }
}

impl<T> Drop for Unlock<'_, T> {
    fn drop(&mut self) {
        self.lock.release();
    }
}
