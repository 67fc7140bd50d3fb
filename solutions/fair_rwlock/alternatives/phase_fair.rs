//! Alternative: phase-fair. Readers and writers take turns in phases: a reader that arrives while a writer is inside or waiting sits out exactly one write, and the leaving writer lets every such reader in at once; writers queue by ticket among themselves.

use std::ops::{Deref, DerefMut};

use harness::cell::{ConstPtr, MutPtr, UnsafeCell};
use harness::sync::{Condvar, Mutex};

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
    state: Mutex<State>,
    changed: Condvar,
    value: UnsafeCell<T>,
}

/// Who is inside, who waits, and how many writes have finished, guarded by the lock's mutex.
struct State {
    /// Readers inside (including readers let in by a leaving writer that are not awake yet).
    readers: usize,
    /// Whether a writer is inside.
    writer: bool,
    /// Readers waiting for the current or next write to finish.
    readers_waiting: usize,
    /// Writes finished so far: a waiting reader goes in once this changes.
    writes_done: u64,
    /// The ticket the next arriving writer gets.
    next_writer: u64,
    /// The ticket of the writer allowed in next.
    serving_writer: u64,
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
        FairRwLock {
            state: Mutex::new(State {
                readers: 0,
                writer: false,
                readers_waiting: 0,
                writes_done: 0,
                next_writer: 0,
                serving_writer: 0,
            }),
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
        self.enter_write();
        WriteGuard {
            value: self.value.get_mut(),
            _leave: LeaveWrite { lock: self },
        }
    }

    /// Goes in at once if no writer is inside or waiting; otherwise waits for the next write
    /// to finish, whose writer lets this reader in.
    fn enter_read(&self) {
        let mut state = self.state.lock().unwrap();
        let writers_waiting = state.next_writer != state.serving_writer;
        if !state.writer && !writers_waiting {
            state.readers += 1;
            return;
        }
        state.readers_waiting += 1;
        let phase = state.writes_done;
        while state.writes_done == phase {
            state = self.changed.wait(state).unwrap();
        }
        // The leaving writer has already counted this reader in.
    }

    /// Takes a writer's ticket and waits for it to be called while nobody is inside. Readers
    /// that arrive meanwhile wait, so the readers inside can only drain.
    fn enter_write(&self) {
        let mut state = self.state.lock().unwrap();
        let ticket = state.next_writer;
        state.next_writer += 1;
        while state.serving_writer != ticket || state.writer || state.readers > 0 {
            state = self.changed.wait(state).unwrap();
        }
        state.serving_writer += 1;
        state.writer = true;
    }

    /// A reader leaves; the last one out wakes a writer that may be waiting for an empty lock.
    fn leave_read(&self) {
        let mut state = self.state.lock().unwrap();
        state.readers -= 1;
        let empty = state.readers == 0;
        drop(state);
        if empty {
            self.changed.notify_all();
        }
    }

    /// The writer leaves, ends the write phase and lets in every reader that waited for it,
    /// before the next writer can go.
    fn leave_write(&self) {
        let mut state = self.state.lock().unwrap();
        state.writer = false;
        state.writes_done += 1;
        state.readers += state.readers_waiting;
        state.readers_waiting = 0;
        drop(state);
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
