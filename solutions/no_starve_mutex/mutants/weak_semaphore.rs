//! Mutant: the lock is a single semaphore of one permit, whose `signal` wakes some waiter but lets
//! a newcomer take the permit first. Safe, but a thread can wait for ever while others barge in.
//! Expect: starvation

use std::ops::{Deref, DerefMut};

use harness::cell::{MutPtr, UnsafeCell};
use harness::sync::{Condvar, Mutex};

/// A mutual-exclusion lock.
pub struct NoStarveMutex<T> {
    /// Whether the lock is free.
    free: Mutex<bool>,
    released: Condvar,
    value: UnsafeCell<T>,
}

// SAFETY: one thread at a time gets `&mut T`, as with `std::sync::Mutex`.
unsafe impl<T: Send> Send for NoStarveMutex<T> {}
// SAFETY: see above.
unsafe impl<T: Send> Sync for NoStarveMutex<T> {}

/// Access to the value; dropping it unlocks.
#[must_use = "dropping the guard at once unlocks at once"]
pub struct NoStarveGuard<'a, T> {
    value: MutPtr<T>,
    _unlock: Unlock<'a, T>,
}

struct Unlock<'a, T> {
    lock: &'a NoStarveMutex<T>,
}

impl<T> NoStarveMutex<T> {
    /// A new, unlocked mutex holding `value`.
    pub fn new(value: T) -> Self {
        NoStarveMutex {
            free: Mutex::new(true).named("the lock"),
            released: Condvar::new().named("released"),
            value: UnsafeCell::new(value),
        }
    }

    /// Waits until this thread holds the lock, then returns access to the value.
    pub fn lock(&self) -> NoStarveGuard<'_, T> {
        let free = self
            .free
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut free = self
            .released
            .wait_while(free, |free| !*free)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *free = false;
        drop(free);
        NoStarveGuard {
            value: self.value.get_mut(),
            _unlock: Unlock { lock: self },
        }
    }
}

impl<T> Deref for NoStarveGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this thread holds the lock until the guard is dropped.
        unsafe { self.value.deref() }
    }
}

impl<T> DerefMut for NoStarveGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as above, and `&mut self` makes this the only reference.
        unsafe { self.value.deref() }
    }
}

impl<T> Drop for Unlock<'_, T> {
    fn drop(&mut self) {
        *self
            .lock
            .free
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = true;
        self.lock.released.notify_one();
    }
}
