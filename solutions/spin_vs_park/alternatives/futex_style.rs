//! Alternative: futex-style, as Rust's own `std::sync::Mutex` on Linux and Drepper's "Futexes
//! Are Tricky" mutex: one atomic with three states, 0 free, 1 locked, 2 locked and maybe somebody
//! asleep; a `Mutex<()>` with a `Condvar` stands in for the kernel's futex. Spinners wait for 0
//! and take it with a compare-exchange; a thread that stops spinning swaps in 2 (taking the lock
//! if the swap saw 0) and sleeps while the state is 2. `release` swaps in 0 and touches the
//! sleeping place only if it saw 2: an uncontended lock and unlock is two atomic operations.

use std::ops::{Deref, DerefMut};

use harness::cell::{MutPtr, UnsafeCell};
use harness::hint;
use harness::sync::atomic::{AtomicU32, Ordering};
use harness::sync::{Condvar, Mutex};

/// Free.
const FREE: u32 = 0;
/// Locked, nobody asleep.
const LOCKED: u32 = 1;
/// Locked, and threads may be asleep: the release must wake one.
const CONTENDED: u32 = 2;

/// A mutual-exclusion lock whose waiters first spin up to `spin_limit` times, then park (sleep)
/// until the holder releases it.
pub struct HybridLock<T> {
    spin_limit: u32,
    state: AtomicU32,
    /// The futex: sleepers check the state under this lock, so a wake cannot slip in between.
    futex: Mutex<()>,
    woken: Condvar,
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
    /// A new, unlocked lock holding `value`. A waiter tries `spin_limit` times before it parks.
    pub fn new(value: T, spin_limit: u32) -> Self {
        HybridLock {
            spin_limit,
            state: AtomicU32::new(FREE).named("lock state"),
            futex: Mutex::new(()).named("futex"),
            woken: Condvar::new().named("futex woken"),
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

    fn acquire(&self) {
        for _ in 0..self.spin_limit {
            // Read before writing: spinners share the cache line until it is worth a try.
            if self.state.load(Ordering::Relaxed) == FREE
                && self
                    .state
                    .compare_exchange(FREE, LOCKED, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                return;
            }
            hint::spin_loop();
        }
        // From now on the state says "maybe sleepers" while this thread waits: whoever releases
        // will wake somebody. Seeing FREE in the swap means the lock is ours.
        while self.state.swap(CONTENDED, Ordering::Acquire) != FREE {
            self.sleep_while_contended();
        }
    }

    /// futex_wait(state, CONTENDED): sleeps unless the state has changed already.
    fn sleep_while_contended(&self) {
        let futex = self
            .futex
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.state.load(Ordering::Relaxed) == CONTENDED {
            drop(
                self.woken
                    .wait(futex)
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            );
        }
    }

    fn release(&self) {
        if self.state.swap(FREE, Ordering::Release) == CONTENDED {
            // futex_wake(1): taking the futex lock waits out a sleeper that is between its check
            // and its wait.
            drop(
                self.futex
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            );
            self.woken.notify_one();
        }
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
