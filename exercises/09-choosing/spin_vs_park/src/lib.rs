//! A hybrid lock that spins a little, then sleeps. Read `README.md` beside this folder's `src/`
//! first.
//!
//! The guard and the value's cell are done for you: `lock()` calls the private `acquire`, and
//! dropping the guard calls `release`. Your job: the lock's state, `new`, `acquire` and `release`.
//! Use `harness::sync` and `harness::hint::spin_loop`, never `std::sync` or `std::hint`.

// The starting code does not use all of its parts yet; delete this line when it does.
#![allow(dead_code, unused_imports)]

use std::ops::{Deref, DerefMut};

use harness::cell::{MutPtr, UnsafeCell};
use harness::hint;
use harness::sync::atomic::{AtomicBool, Ordering};
use harness::sync::{Condvar, Mutex};

/// A mutual-exclusion lock whose waiters first spin up to `spin_limit` times, then park (sleep)
/// until the holder releases it.
///
/// ```no_run
/// use spin_vs_park::HybridLock;
///
/// let lock = HybridLock::new(0, 100);
/// *lock.lock() += 1;
/// assert_eq!(*lock.lock(), 1);
/// ```
pub struct HybridLock<T> {
    // TODO: the lock's state: the flag that spinners try to take, and what a parked thread
    // sleeps on (for example a `Mutex` counting the sleepers and a `Condvar`).
    spin_limit: u32,
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
        // TODO: also set up the state you added.
        HybridLock {
            spin_limit,
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

    /// Takes the lock: spins up to `spin_limit` times, then parks until woken.
    fn acquire(&self) {
        // TODO: try to take the flag, calling `hint::spin_loop()` between tries; after
        // `spin_limit` failed tries, sleep until `release` wakes you, and try again. Beware the
        // moment between "it is taken" and "I am asleep": a release right then must not be lost.
        todo!("take the lock")
    }

    /// Releases the lock and wakes a parked thread, if any.
    fn release(&self) {
        // TODO: free the flag so that the next holder sees everything this one wrote, then wake
        // one parked thread.
        todo!("release the lock")
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
