//! Alternative: a ticket lock: each locker takes a number with fetch_add and spins until `now_serving` reaches it, so waiters get in in arrival order; try_lock takes a number only if it would be served at once.

use std::ops::{Deref, DerefMut};

use harness::cell::{MutPtr, UnsafeCell};
use harness::hint;
use harness::sync::atomic::{AtomicUsize, Ordering};

/// A mutual-exclusion lock that waits by spinning, first come first served.
pub struct SpinLock<T> {
    /// The number the next locker gets.
    next_ticket: AtomicUsize,
    /// The number of the locker allowed in.
    now_serving: AtomicUsize,
    value: UnsafeCell<T>,
}

// SAFETY: one holder at a time gets `&mut T`; std's `Mutex` bounds.
unsafe impl<T: Send> Send for SpinLock<T> {}
// SAFETY: see above.
unsafe impl<T: Send> Sync for SpinLock<T> {}

/// Exclusive access to the value of a [`SpinLock`]; dropping it releases the lock.
#[must_use = "dropping the guard at once releases the lock at once"]
pub struct SpinGuard<'a, T> {
    // Dropped first: the access ends before the lock is passed on.
    value: MutPtr<T>,
    _unlock: Unlock<'a, T>,
}

/// Serves the next ticket when dropped.
struct Unlock<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> SpinLock<T> {
    /// A new, unlocked lock holding `value`.
    pub fn new(value: T) -> Self {
        SpinLock {
            next_ticket: AtomicUsize::new(0).named("next ticket"),
            now_serving: AtomicUsize::new(0).named("now serving"),
            value: UnsafeCell::new(value),
        }
    }

    /// Waits (spinning) until this caller's ticket is served, and returns a guard.
    pub fn lock(&self) -> SpinGuard<'_, T> {
        let ticket = self.next_ticket.fetch_add(1, Ordering::Relaxed);
        // Acquire pairs with the Release of the previous holder's `fetch_add` below.
        while self.now_serving.load(Ordering::Acquire) != ticket {
            hint::spin_loop();
        }
        self.guard()
    }

    /// Takes the lock if nobody holds it or waits for it; `None` otherwise.
    pub fn try_lock(&self) -> Option<SpinGuard<'_, T>> {
        let serving = self.now_serving.load(Ordering::Acquire);
        // Take ticket `serving` only if it is the next one to be handed out: then it is
        // served at once.
        self.next_ticket
            .compare_exchange(
                serving,
                serving.wrapping_add(1),
                Ordering::Acquire,
                Ordering::Relaxed,
            )
            .is_ok()
            .then(|| self.guard())
    }

    /// Consumes the lock and returns the value.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }

    fn guard(&self) -> SpinGuard<'_, T> {
        SpinGuard {
            value: self.value.get_mut(),
            _unlock: Unlock { lock: self },
        }
    }
}

impl<T> Drop for Unlock<'_, T> {
    fn drop(&mut self) {
        // Only the holder changes `now_serving`; Release publishes its writes to the next one.
        self.lock.now_serving.fetch_add(1, Ordering::Release);
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
