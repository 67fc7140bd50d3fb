//! A readers-writer lock that prefers writers: once a writer waits, no new reader gets in. Read
//! `README.md` beside this folder's `src/` first.
//!
//! The guards and the value's cell are done for you: `read()` and `write()` call the private
//! `enter_*` methods, and dropping a guard calls the matching `leave_*`. Your job is the waiting
//! room: the lock's state, and the four methods marked TODO. Build it from
//! `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`), not from an `RwLock`.

use std::ops::{Deref, DerefMut};

use harness::cell::{ConstPtr, MutPtr, UnsafeCell};

/// A readers-writer lock: many readers at once, or one writer alone. A writer that waits keeps
/// new readers out, so a steady stream of readers cannot starve it.
///
/// ```no_run
/// use writer_preferring_lock::WriterPreferringLock;
///
/// let lock = WriterPreferringLock::new(5);
/// {
///     let a = lock.read();
///     let b = lock.read(); // readers share the lock
///     assert_eq!(*a + *b, 10);
/// }
/// *lock.write() += 1; // a writer is alone
/// assert_eq!(*lock.read(), 6);
/// ```
pub struct WriterPreferringLock<T> {
    // TODO: the lock's state (who is inside, who waits) behind a `Mutex`, and the `Condvar`(s)
    // that waiting threads sleep on.
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands out `&T` to readers on several threads at once (so `T: Sync` is needed to
// share it) and `&mut T` to one writer at a time, possibly on another thread than the one that
// created the value (so `T: Send`). These are the bounds of `std::sync::RwLock`.
unsafe impl<T: Send> Send for WriterPreferringLock<T> {}
// SAFETY: see above.
unsafe impl<T: Send + Sync> Sync for WriterPreferringLock<T> {}

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
    lock: &'a WriterPreferringLock<T>,
}

/// Lets a writer out when dropped.
struct LeaveWrite<'a, T> {
    lock: &'a WriterPreferringLock<T>,
}

impl<T> WriterPreferringLock<T> {
    /// A new, unlocked lock holding `value`.
    pub fn new(value: T) -> Self {
        // TODO: also set up the state you added.
        WriterPreferringLock {
            value: UnsafeCell::new(value),
        }
    }

    /// Waits until this thread may read, then returns shared access to the value. Other readers
    /// may hold the lock at the same time; no writer does. While a writer waits, new readers
    /// wait behind it.
    pub fn read(&self) -> ReadGuard<'_, T> {
        self.enter_read();
        ReadGuard {
            value: self.value.get(),
            _leave: LeaveRead { lock: self },
        }
    }

    /// Waits until this thread may write, then returns exclusive access to the value. Nobody
    /// else holds the lock until the guard is dropped. From the moment a writer waits, no new
    /// reader gets in before it.
    pub fn write(&self) -> WriteGuard<'_, T> {
        self.enter_write();
        WriteGuard {
            value: self.value.get_mut(),
            _leave: LeaveWrite { lock: self },
        }
    }

    fn enter_read(&self) {
        // TODO: wait while reading is not allowed: a writer is inside, or one is waiting.
        todo!("let a reader in")
    }

    fn enter_write(&self) {
        // TODO: announce that a writer waits (so new readers stay out), then wait until the lock
        // is empty.
        todo!("let a writer in")
    }

    /// A reader leaves; the last one out lets a waiting writer in.
    fn leave_read(&self) {
        // TODO: count the reader out; the last one out must wake a waiting writer.
        todo!("let a reader out")
    }

    /// The writer leaves: the next writer goes first; if none waits, all readers may go in.
    fn leave_write(&self) {
        // TODO: count the writer out and wake whoever goes next.
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
