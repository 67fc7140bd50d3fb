//! Mutant: a thread that parks tries the flag with `if` instead of `while`, so when it is woken and the flag has been taken again meanwhile (by a spinner that got there first, or after a spurious wakeup) it does not try again and returns as if it held the lock: two threads use the value at the same time.
//! Expect: race

use std::ops::{Deref, DerefMut};

use harness::cell::{MutPtr, UnsafeCell};
use harness::hint;
use harness::sync::atomic::{AtomicBool, Ordering};
use harness::sync::{Condvar, Mutex, MutexGuard};

/// A mutual-exclusion lock whose waiters first spin up to `spin_limit` times, then park (sleep)
/// until the holder releases it.
///
/// ```
/// use spin_vs_park::HybridLock;
///
/// let lock = HybridLock::new(0, 100);
/// *lock.lock() += 1;
/// assert_eq!(*lock.lock(), 1);
/// ```
pub struct HybridLock<T> {
    spin_limit: u32,
    /// Whether some guard holds the lock.
    locked: AtomicBool,
    /// Threads asleep on `released`.
    sleepers: Mutex<usize>,
    released: Condvar,
    value: UnsafeCell<T>,
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
    /// A new, unlocked lock holding `value`. A waiter tries `spin_limit` times before it parks:
    /// 0 parks at once, `u32::MAX` practically never parks.
    pub fn new(value: T, spin_limit: u32) -> Self {
        HybridLock {
            spin_limit,
            locked: AtomicBool::new(false).named("locked"),
            sleepers: Mutex::new(0).named("sleepers"),
            released: Condvar::new().named("released"),
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

    /// One try at the flag.
    fn try_take(&self) -> bool {
        self.locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    /// Takes the lock: spins up to `spin_limit` times, then parks until woken.
    fn acquire(&self) {
        for _ in 0..self.spin_limit {
            if self.try_take() {
                return;
            }
            hint::spin_loop();
        }
        let mut sleepers = self.sleepers();
        // Under the sleepers lock: a `release` between this try and the wait has to take the
        // lock to look at the count, so it sees this thread counted and wakes it.
        if !self.try_take() {
            *sleepers += 1;
            sleepers = self
                .released
                .wait(sleepers)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            *sleepers -= 1;
        }
    }

    /// Releases the lock and wakes a parked thread, if any.
    fn release(&self) {
        self.locked.store(false, Ordering::Release);
        if *self.sleepers() > 0 {
            self.released.notify_one();
        }
    }

    fn sleepers(&self) -> MutexGuard<'_, usize> {
        self.sleepers
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
