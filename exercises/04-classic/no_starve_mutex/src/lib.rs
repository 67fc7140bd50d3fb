//! A mutex that never starves a waiting thread. Read `README.md` beside this folder's `src/`
//! first.
//!
//! The guard and the value's cell are done for you: `lock()` calls the private `enter`, and
//! dropping the guard calls `exit`. So is a `Semaphore` built from `harness::sync::{Mutex,
//! Condvar}`; it is *weak*: `signal` wakes some waiter, but a newcomer may take the permit first.
//! Your job: the lock's state, `new`, `enter` and `exit` (Morris's algorithm).

// The starting code does not use all of its parts yet; delete this line when it does.
#![allow(dead_code)]

use std::ops::{Deref, DerefMut};

use harness::cell::{MutPtr, UnsafeCell};
use harness::sync::{Condvar, Mutex};

/// A weak counting semaphore: `signal` wakes some waiter, but a newcomer may take the permit first.
struct Semaphore {
    permits: Mutex<usize>,
    released: Condvar,
}

impl Semaphore {
    fn new(permits: usize, name: &str) -> Self {
        Semaphore {
            permits: Mutex::new(permits).named(name),
            released: Condvar::new().named(format!("{name} signalled")),
        }
    }

    fn wait(&self) {
        let permits = self
            .permits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut permits = self
            .released
            .wait_while(permits, |permits| *permits == 0)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *permits -= 1;
    }

    fn signal(&self) {
        *self
            .permits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) += 1;
        self.released.notify_one();
    }
}

/// A mutual-exclusion lock in which no waiting thread is overtaken without bound.
///
/// ```no_run
/// use no_starve_mutex::NoStarveMutex;
///
/// let lock = NoStarveMutex::new(0);
/// *lock.lock() += 1;
/// assert_eq!(*lock.lock(), 1);
/// ```
pub struct NoStarveMutex<T> {
    // TODO: the state of the waiting rooms and turnstiles (for example counters behind a
    // `Mutex`, or in an `UnsafeCell` that only the holder of a turnstile touches, and
    // `Semaphore`s).
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands `&mut T` to one thread at a time, possibly another than the one that made
// it: `T: Send` is needed, as for `std::sync::Mutex`.
unsafe impl<T: Send> Send for NoStarveMutex<T> {}
// SAFETY: see above.
unsafe impl<T: Send> Sync for NoStarveMutex<T> {}

/// Access to the value; dropping it unlocks.
#[must_use = "dropping the guard at once unlocks at once"]
pub struct NoStarveGuard<'a, T> {
    // Fields drop in order: the pointer (ending the access) before the unlock.
    value: MutPtr<T>,
    _unlock: Unlock<'a, T>,
}

/// Lets the next thread in when dropped.
struct Unlock<'a, T> {
    lock: &'a NoStarveMutex<T>,
}

impl<T> NoStarveMutex<T> {
    /// A new, unlocked mutex holding `value`.
    pub fn new(value: T) -> Self {
        // TODO: also set up the state you added.
        NoStarveMutex {
            value: UnsafeCell::new(value),
        }
    }

    /// Waits until this thread holds the lock, then returns access to the value.
    pub fn lock(&self) -> NoStarveGuard<'_, T> {
        self.enter();
        NoStarveGuard {
            value: self.value.get_mut(),
            _unlock: Unlock { lock: self },
        }
    }

    /// Waits until this thread may hold the lock.
    fn enter(&self) {
        // TODO: pass the waiting rooms and turnstiles. A thread that arrives while others wait
        // must not be able to overtake them again and again.
        todo!("wait for the lock")
    }

    /// Lets the next waiting thread in.
    fn exit(&self) {
        // TODO: hand the lock to the next waiting thread, or open the door for newcomers.
        todo!("unlock")
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
        // SAFETY: this thread holds the lock until the guard is dropped, and `&mut self` makes
        // this the only reference handed out through the guard.
        unsafe { self.value.deref() }
    }
}

impl<T> Drop for Unlock<'_, T> {
    fn drop(&mut self) {
        self.lock.exit();
    }
}
