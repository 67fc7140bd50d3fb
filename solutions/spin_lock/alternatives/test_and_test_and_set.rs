//! Alternative: test-and-test-and-set with swap: lock first spins on a Relaxed load until the flag looks free, and only then tries `swap(true, Acquire)`, going back to reading if someone else got in first; try_lock is a single swap.

use std::ops::{Deref, DerefMut};

use harness::cell::{MutPtr, UnsafeCell};
use harness::hint;
use harness::sync::atomic::{AtomicBool, Ordering};

/// A mutual-exclusion lock that waits by spinning: one holder at a time gets `&mut T`.
///
/// ```
/// use spin_lock::SpinLock;
///
/// let lock = SpinLock::new(0);
/// *lock.lock() += 1;
/// let guard = lock.lock();
/// assert!(lock.try_lock().is_none()); // held
/// drop(guard);
/// assert_eq!(*lock.try_lock().unwrap(), 1);
/// ```
pub struct SpinLock<T> {
    /// Whether some guard holds the lock.
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands `&mut T` to one thread at a time, possibly another thread than the one
// that created the value, so `T: Send` is needed and enough; these are std's `Mutex` bounds.
unsafe impl<T: Send> Send for SpinLock<T> {}
// SAFETY: see above.
unsafe impl<T: Send> Sync for SpinLock<T> {}

/// Exclusive access to the value of a [`SpinLock`]; dropping it releases the lock.
#[must_use = "dropping the guard at once releases the lock at once"]
pub struct SpinGuard<'a, T> {
    // Fields drop in declaration order: the pointer (ending the access the model checker
    // tracks) is dropped before `_unlock` releases the lock. Keep this order.
    value: MutPtr<T>,
    _unlock: Unlock<'a, T>,
}

/// Releases the lock when dropped.
struct Unlock<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> SpinLock<T> {
    /// A new, unlocked lock holding `value`.
    pub fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false).named("spin lock flag"),
            value: UnsafeCell::new(value),
        }
    }

    /// Waits (spinning) until the lock is free, takes it, and returns a guard for the value.
    /// Everything the previous holder wrote is visible through the guard.
    pub fn lock(&self) -> SpinGuard<'_, T> {
        loop {
            // Test: wait with plain loads (no writes) while the lock looks taken.
            while self.locked.load(Ordering::Relaxed) {
                hint::spin_loop();
            }
            // Test-and-set: it looked free, so try to take it. `swap` returns the old value:
            // `false` means this thread flipped it and holds the lock. Acquire pairs with the
            // Release in `Unlock::drop`.
            if !self.locked.swap(true, Ordering::Acquire) {
                return self.guard();
            }
            // Someone else took it between the load and the swap: back to reading.
        }
    }

    /// Takes the lock if it is free, without waiting; `None` if it is held.
    pub fn try_lock(&self) -> Option<SpinGuard<'_, T>> {
        // Writing `true` over a `true` changes nothing, so one swap is enough either way.
        (!self.locked.swap(true, Ordering::Acquire)).then(|| self.guard())
    }

    /// Consumes the lock and returns the value.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }

    /// A guard for the value; call it only once this thread holds the lock.
    fn guard(&self) -> SpinGuard<'_, T> {
        SpinGuard {
            value: self.value.get_mut(),
            _unlock: Unlock { lock: self },
        }
    }
}

impl<T> Drop for Unlock<'_, T> {
    fn drop(&mut self) {
        // Release publishes everything written under the lock to the next Acquire that
        // reads this `false`.
        self.lock.locked.store(false, Ordering::Release);
    }
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard exists only while this thread holds the lock.
        unsafe { self.value.deref() }
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard exists only while this thread holds the lock.
        unsafe { self.value.deref() }
    }
}
