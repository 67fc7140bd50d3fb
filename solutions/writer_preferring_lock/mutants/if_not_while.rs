//! Mutant: `enter_write` checks whether the lock is empty with `if` instead of `while`, so a writer woken when the lock is no longer empty (a newly arrived writer went in first after the wakeup, or a spurious wakeup) does not look again and goes in too, changing the value while another writer or readers are inside.
//! Expect: race

use std::ops::{Deref, DerefMut};

use harness::cell::{ConstPtr, MutPtr, UnsafeCell};
use harness::sync::{Condvar, Mutex};

/// A readers-writer lock: many readers at once, or one writer alone. A writer that waits keeps
/// new readers out, so a steady stream of readers cannot starve it.
///
/// ```
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
    state: Mutex<State>,
    can_read: Condvar,
    can_write: Condvar,
    value: UnsafeCell<T>,
}

/// Who is inside and who waits, guarded by the lock's mutex.
struct State {
    /// Readers inside.
    readers: usize,
    /// Whether a writer is inside.
    writer: bool,
    /// Writers waiting to get in.
    waiting_writers: usize,
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
        WriterPreferringLock {
            state: Mutex::new(State {
                readers: 0,
                writer: false,
                waiting_writers: 0,
            })
            .named("state"),
            can_read: Condvar::new().named("can_read"),
            can_write: Condvar::new().named("can_write"),
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
        let mut state = self.state.lock().unwrap();
        // Not only while a writer is inside: also while one waits. That is the preference.
        while state.writer || state.waiting_writers > 0 {
            state = self.can_read.wait(state).unwrap();
        }
        state.readers += 1;
    }

    fn enter_write(&self) {
        let mut state = self.state.lock().unwrap();
        state.waiting_writers += 1;
        if state.writer || state.readers > 0 {
            state = self.can_write.wait(state).unwrap();
        }
        state.waiting_writers -= 1;
        state.writer = true;
    }

    /// A reader leaves; the last one out lets a waiting writer in.
    fn leave_read(&self) {
        let mut state = self.state.lock().unwrap();
        state.readers -= 1;
        if state.readers == 0 && state.waiting_writers > 0 {
            // Only one writer can go in: wake one.
            self.can_write.notify_one();
        }
    }

    /// The writer leaves: the next writer goes first; if none waits, all readers may go in.
    fn leave_write(&self) {
        let mut state = self.state.lock().unwrap();
        state.writer = false;
        if state.waiting_writers > 0 {
            self.can_write.notify_one();
        } else {
            self.can_read.notify_all();
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

impl<T> Drop for LeaveWrite<'_, T> {
    fn drop(&mut self) {
        self.lock.leave_write();
    }
}
