//! Alternative: one Condvar for everybody and `notify_all` on every way out, with the state as a
//! single signed count (`-1` while a writer is inside, otherwise the number of readers) plus the
//! number of waiting writers; every woken thread checks its own condition again with
//! `wait_while`.

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
    changed: Condvar,
    value: UnsafeCell<T>,
}

/// What a writer inside counts as in [`State::inside`].
const WRITER: isize = -1;

/// Who is inside and who waits, guarded by the lock's mutex.
struct State {
    /// [`WRITER`] while a writer is inside, otherwise the number of readers inside.
    inside: isize,
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
                inside: 0,
                waiting_writers: 0,
            })
            .named("state"),
            changed: Condvar::new().named("changed"),
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
        let state = self.state.lock().unwrap();
        let mut state = self
            .changed
            .wait_while(state, |state| {
                state.inside == WRITER || state.waiting_writers > 0
            })
            .unwrap();
        state.inside += 1;
    }

    fn enter_write(&self) {
        let mut state = self.state.lock().unwrap();
        state.waiting_writers += 1;
        let mut state = self
            .changed
            .wait_while(state, |state| state.inside != 0)
            .unwrap();
        state.waiting_writers -= 1;
        state.inside = WRITER;
    }

    /// A reader leaves; the last one out lets a waiting writer in.
    fn leave_read(&self) {
        let mut state = self.state.lock().unwrap();
        state.inside -= 1;
        if state.inside == 0 {
            self.changed.notify_all();
        }
    }

    /// The writer leaves: the next writer goes first; if none waits, all readers may go in.
    fn leave_write(&self) {
        self.state.lock().unwrap().inside = 0;
        self.changed.notify_all();
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
