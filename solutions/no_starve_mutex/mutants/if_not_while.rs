//! Mutant: the semaphore's `wait` checks for a permit with `if` instead of `while`, so a thread
//! whose wait ends with no permit there (a spurious wakeup, or a newcomer took the permit first)
//! goes through the turnstile anyway and takes 1 from a count of 0, which overflows.
//! Expect: race

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
        let mut permits = if *permits == 0 {
            self.released
                .wait(permits)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        } else {
            permits
        };
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
/// ```
/// use no_starve_mutex::NoStarveMutex;
///
/// let lock = NoStarveMutex::new(0);
/// *lock.lock() += 1;
/// assert_eq!(*lock.lock(), 1);
/// ```
pub struct NoStarveMutex<T> {
    /// Threads in room 1, guarded by its own lock.
    room1: Mutex<usize>,
    /// Threads in room 2: touched only by the holder of `t1` or of `t2` (never both open).
    room2: UnsafeCell<usize>,
    t1: Semaphore,
    t2: Semaphore,
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
        NoStarveMutex {
            room1: Mutex::new(0).named("room 1"),
            room2: UnsafeCell::new(0),
            t1: Semaphore::new(1, "t1"),
            t2: Semaphore::new(0, "t2"),
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

    /// Morris's entry: through room 1 and turnstile `t1` into room 2, then through `t2`.
    fn enter(&self) {
        *self.room1() += 1;

        self.t1.wait();
        // SAFETY: we hold `t1`, so `t2` is closed and nobody else touches room 2.
        self.room2.with_mut(|room2| unsafe { *room2 += 1 });
        let mut room1 = self.room1();
        *room1 -= 1;
        if *room1 == 0 {
            drop(room1);
            // The last of the batch: close `t1` (keep its permit) and open `t2`.
            self.t2.signal();
        } else {
            drop(room1);
            self.t1.signal();
        }

        self.t2.wait();
        // SAFETY: we hold `t2`, so `t1` is closed and nobody else touches room 2.
        self.room2.with_mut(|room2| unsafe { *room2 -= 1 });
    }

    /// Morris's exit: let the next of the batch in, or reopen `t1` after the last one.
    fn exit(&self) {
        // SAFETY: we still hold `t2`: nobody else touches room 2.
        let empty = self.room2.with(|room2| unsafe { *room2 == 0 });
        if empty {
            self.t1.signal();
        } else {
            self.t2.signal();
        }
    }

    fn room1(&self) -> harness::sync::MutexGuard<'_, usize> {
        self.room1
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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
