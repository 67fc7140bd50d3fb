//! Alternative: a turnstile, as in the Little Book of Semaphores' no-starve solution. Every thread goes through a turnstile (a mutex): a reader holds it only until it is counted in, a writer keeps it while it waits for the room to empty and writes, so everybody who arrives later queues behind it. Fair only because the facade's mutex hands over in arrival order (`handover = "fifo"`).

use std::ops::{Deref, DerefMut};

use harness::cell::{ConstPtr, MutPtr, UnsafeCell};
use harness::sync::{Condvar, Mutex, MutexGuard};

/// A readers-writer lock: many readers at once, or one writer alone, and nobody waits forever.
///
/// ```
/// use fair_rwlock::FairRwLock;
///
/// let lock = FairRwLock::new(5);
/// {
///     let a = lock.read();
///     let b = lock.read(); // readers share the lock
///     assert_eq!(*a + *b, 10);
/// }
/// *lock.write() += 1; // a writer is alone
/// assert_eq!(*lock.read(), 6);
/// ```
pub struct FairRwLock<T> {
    /// Every arriving thread passes through here. Readers walk straight through; a writer
    /// stays in it until it has written, so threads that arrive after it queue behind it.
    turnstile: Mutex<()>,
    /// Readers inside. No flag for a writer: a writer inside holds the turnstile, so no other
    /// thread is counted in or waits for the room meanwhile.
    room: Mutex<usize>,
    /// The room emptied: only a writer waits for it, the one that holds the turnstile.
    changed: Condvar,
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands out `&T` to readers on several threads at once (so `T: Sync` is needed to
// share it) and `&mut T` to one writer at a time, possibly on another thread than the one that
// created the value (so `T: Send`). These are the bounds of `std::sync::RwLock`.
unsafe impl<T: Send> Send for FairRwLock<T> {}
// SAFETY: see above.
unsafe impl<T: Send + Sync> Sync for FairRwLock<T> {}

/// Shared access to the value; dropping it lets the reader out.
#[must_use = "dropping the guard at once releases the lock at once"]
pub struct ReadGuard<'a, T> {
    // Fields drop in order: the pointer (ending the access) before the reader leaves.
    value: ConstPtr<T>,
    _leave: LeaveRead<'a, T>,
}

/// Exclusive access to the value; dropping it lets the writer out.
#[must_use = "dropping the guard at once releases the lock at once"]
pub struct WriteGuard<'a, T> {
    // Fields drop in order: the pointer (ending the access) before the writer leaves.
    value: MutPtr<T>,
    _leave: LeaveWrite<'a>,
}

/// Lets a reader out when dropped.
struct LeaveRead<'a, T> {
    lock: &'a FairRwLock<T>,
}

/// Lets a writer out when dropped: the threads queued behind it go through the turnstile.
struct LeaveWrite<'a> {
    _turnstile: MutexGuard<'a, ()>,
}

impl<T> FairRwLock<T> {
    /// A new, unlocked lock holding `value`.
    pub fn new(value: T) -> Self {
        FairRwLock {
            turnstile: Mutex::new(()),
            room: Mutex::new(0),
            changed: Condvar::new(),
            value: UnsafeCell::new(value),
        }
    }

    /// Waits until this thread may read, then returns shared access to the value. Other readers
    /// may hold the lock at the same time; no writer does.
    pub fn read(&self) -> ReadGuard<'_, T> {
        self.enter_read();
        ReadGuard {
            value: self.value.get(),
            _leave: LeaveRead { lock: self },
        }
    }

    /// Waits until this thread may write, then returns exclusive access to the value. Nobody
    /// else holds the lock until the guard is dropped.
    pub fn write(&self) -> WriteGuard<'_, T> {
        let turnstile = self.enter_write();
        WriteGuard {
            value: self.value.get_mut(),
            _leave: LeaveWrite {
                _turnstile: turnstile,
            },
        }
    }

    /// Takes the turnstile (waiting behind a writer that holds it) and keeps it until counted
    /// in, so no writer that arrives later can get into the room first. A writer inside holds
    /// the turnstile until it has left the room, so holding it means no writer is inside.
    fn enter_read(&self) {
        let _turnstile = self.turnstile.lock().unwrap();
        *self.room.lock().unwrap() += 1;
    }

    /// Takes the turnstile and keeps it, so nobody new gets in, then waits for the room to
    /// empty. Returns the turnstile, to be released after writing.
    fn enter_write(&self) -> MutexGuard<'_, ()> {
        let turnstile = self.turnstile.lock().unwrap();
        let mut readers = self.room.lock().unwrap();
        while *readers > 0 {
            readers = self.changed.wait(readers).unwrap();
        }
        turnstile
    }

    /// A reader leaves; the last one out wakes the writer that may be waiting for an empty room
    /// (at most one waits: the one holding the turnstile).
    fn leave_read(&self) {
        let mut readers = self.room.lock().unwrap();
        *readers -= 1;
        let empty = *readers == 0;
        drop(readers);
        if empty {
            self.changed.notify_one();
        }
    }
}

impl<T> Deref for ReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: a reader is inside, so no writer is, and the value is not changed until the
        // guard is dropped.
        unsafe { self.value.deref() }
    }
}

impl<T> Deref for WriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the writer is alone inside until the guard is dropped.
        unsafe { self.value.deref() }
    }
}

impl<T> DerefMut for WriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the writer is alone inside until the guard is dropped, and `&mut self` makes
        // this the only reference handed out through the guard.
        unsafe { self.value.deref() }
    }
}

impl<T> Drop for LeaveRead<'_, T> {
    fn drop(&mut self) {
        self.lock.leave_read();
    }
}
