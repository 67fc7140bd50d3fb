//! Mutant: `enter_write` checks its condition with `if` instead of `while`, so a writer woken by a notify_all meant for another waiter (every reader that goes in wakes all) goes in without looking again, before its turn and while readers are still inside, and changes the value while they read it.
//! Expect: race

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

/// Who is inside and whose turn it is, guarded by the lock's mutex.
struct State {
    /// The number the next arriving thread gets.
    next_ticket: u64,
    /// The number of the thread allowed in next.
    now_serving: u64,
    /// Readers inside.
    readers: usize,
    /// Whether a writer is inside.
    writer: bool,
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
                next_ticket: 0,
                now_serving: 0,
                readers: 0,
                writer: false,
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

    /// Takes a ticket and waits for it to be called while no writer is inside.
    fn enter_read(&self) {
        let mut state = self.state.lock().unwrap();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        while state.now_serving != ticket || state.writer {
            state = self.changed.wait(state).unwrap();
        }
        state.readers += 1;
        state.now_serving += 1;
        drop(state);
        // The next in line may be a reader who can come in right behind us.
        self.changed.notify_all();
    }

    /// Takes a ticket and waits for it to be called while nobody is inside.
    fn enter_write(&self) {
        let mut state = self.state.lock().unwrap();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        if state.now_serving != ticket || state.writer || state.readers > 0 {
            state = self.changed.wait(state).unwrap();
        }
        state.writer = true;
        state.now_serving += 1;
        // Nobody else can come in while we write: no one to wake.
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

    /// The writer leaves and wakes whoever is next in line.
    fn leave_write(&self) {
        self.state.lock().unwrap().writer = false;
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
