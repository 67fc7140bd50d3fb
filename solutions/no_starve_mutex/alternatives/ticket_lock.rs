//! Alternative: a ticket lock. Every arriving thread takes the next number under one lock and
//! waits on a condition variable until its number is served, like the number machine at a deli
//! counter: nobody can barge, whatever the lock underneath does.

use std::ops::{Deref, DerefMut};

use harness::cell::{MutPtr, UnsafeCell};
use harness::sync::{Condvar, Mutex};

/// A mutual-exclusion lock.
pub struct NoStarveMutex<T> {
    /// The next ticket to hand out, and the ticket allowed in.
    tickets: Mutex<Tickets>,
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

struct Tickets {
    next: u64,
    serving: u64,
}

struct Unlock<'a, T> {
    lock: &'a NoStarveMutex<T>,
}

impl<T> NoStarveMutex<T> {
    /// A new, unlocked mutex holding `value`.
    pub fn new(value: T) -> Self {
        NoStarveMutex {
            tickets: Mutex::new(Tickets {
                next: 0,
                serving: 0,
            })
            .named("tickets"),
            released: Condvar::new().named("released"),
            value: UnsafeCell::new(value),
        }
    }

    /// Waits until this thread holds the lock, then returns access to the value.
    pub fn lock(&self) -> NoStarveGuard<'_, T> {
        let mut tickets = self
            .tickets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mine = tickets.next;
        tickets.next += 1;
        let tickets = self
            .released
            .wait_while(tickets, |tickets| tickets.serving != mine)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        drop(tickets);
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
        self.lock
            .tickets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .serving += 1;
        // Only the holder of the next ticket may go in, and we do not know which sleeper it is.
        self.lock.released.notify_all();
    }
}
