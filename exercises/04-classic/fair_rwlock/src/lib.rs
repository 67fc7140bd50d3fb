//! A readers-writer lock in which neither readers nor writers starve. Read `README.md` beside
//! this folder's `src/` first.
//!
//! The guards and the value's cell are done for you: `read()` and `write()` call the private
//! `enter_*` methods, and dropping a guard calls the matching `leave_*`. Your job is the waiting
//! room: the lock's state, and the four methods marked TODO. Build it from
//! `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`), not from an `RwLock`.

use std::ops::{Deref, DerefMut};

use harness::cell::{ConstPtr, MutPtr, UnsafeCell};

/// A readers-writer lock: many readers at once, or one writer alone, and nobody waits forever.
///
/// ```no_run
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
    // TODO: the lock's state (who is inside, who waits) behind a `Mutex`, and a `Condvar` that
    // waiting threads sleep on.
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
    _leave: LeaveWrite<'a, T>,
}

/// Lets a reader out when dropped.
struct LeaveRead<'a, T> {
    lock: &'a FairRwLock<T>,
}

/// Lets a writer out when dropped.
struct LeaveWrite<'a, T> {
    lock: &'a FairRwLock<T>,
}

impl<T> FairRwLock<T> {
    /// A new, unlocked lock holding `value`.
    pub fn new(value: T) -> Self {
        // TODO: also set up the state you added.
        FairRwLock {
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
        self.enter_write();
        WriteGuard {
            value: self.value.get_mut(),
            _leave: LeaveWrite { lock: self },
        }
    }

    /// Waits until this thread may come in as a reader, and counts it in.
    fn enter_read(&self) {
        // TODO: wait while reading is not allowed. Readers may share the lock, but a reader
        // must not walk past a writer that is already waiting, or writers can starve.
        todo!("let a reader in")
    }

    /// Waits until this thread may come in as the only writer, and counts it in.
    fn enter_write(&self) {
        // TODO: wait until the lock is empty, without letting a stream of writers starve the
        // readers.
        todo!("let a writer in")
    }

    /// A reader leaves.
    fn leave_read(&self) {
        // TODO: count the reader out; wake whoever may be waiting for the lock to empty.
        todo!("let a reader out")
    }

    /// The writer leaves.
    fn leave_write(&self) {
        // TODO: count the writer out and wake whoever waits.
        todo!("let the writer out")
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

impl<T> Drop for LeaveWrite<'_, T> {
    fn drop(&mut self) {
        self.lock.leave_write();
    }
}
