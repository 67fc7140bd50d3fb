//! Once: lazy one-time initialisation, a `OnceLock` of your own.
//!
//! Alternative: a lock and a condition variable decide who runs `f`, and the waiters sleep
//! instead of spinning. Under the lock, `running` says whether some caller's `f` is running; a
//! caller that finds it set waits on the condvar, and looks again (the value, or the cell free
//! again after a panic) each time it wakes. `f` runs with no lock held. An atomic flag, set
//! with Release once the cell is written, is the fast path that needs no lock.

use harness::cell::UnsafeCell;
use harness::sync::atomic::{AtomicBool, Ordering};
use harness::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// A cell written once, by whichever thread first asks for its value, and read by every thread
/// after that without a lock.
///
/// ```
/// use once::OnceLock;
///
/// let config = OnceLock::new();
/// assert_eq!(config.get(), None); // nothing yet
/// let port = config.get_or_init(|| 8080);
/// assert_eq!(*port, 8080);
/// assert_eq!(*config.get_or_init(|| 9090), 8080); // the first value stays
/// assert_eq!(config.get(), Some(&8080));
/// ```
pub struct OnceLock<T> {
    /// Set (with Release, under `running`'s lock) once the cell is written; never cleared.
    done: AtomicBool,
    /// Whether some caller's `f` is running now.
    running: Mutex<bool>,
    /// Notified when `running` is cleared: the value is in, or the `f` panicked.
    changed: Condvar,
    /// Written once, by the caller that set `running`, before `done` is set; read only after
    /// `done` was seen set.
    value: UnsafeCell<Option<T>>,
}

// SAFETY: the cell is written by the one caller that set `running`, before `done` is set with
// Release, and read (shared) only after `done` was seen set with Acquire or under the lock: `T`
// may be made on one thread and shared with others (`Send + Sync`).
unsafe impl<T: Send + Sync> Sync for OnceLock<T> {}

/// Clears `running` and wakes the waiters if `f` panics, so that one of them runs its own `f`.
struct Reset<'a, T>(&'a OnceLock<T>);

impl<T> Drop for Reset<'_, T> {
    fn drop(&mut self) {
        *self.0.lock() = false;
        // Every waiter looks again: one of them takes over, the others wait for it.
        self.0.changed.notify_all();
    }
}

impl<T> OnceLock<T> {
    /// An empty cell.
    pub fn new() -> Self {
        OnceLock {
            done: AtomicBool::new(false).named("once done"),
            running: Mutex::new(false).named("once running"),
            changed: Condvar::new().named("once running cleared"),
            value: UnsafeCell::new(None),
        }
    }

    /// The value, if some `get_or_init` has finished writing it; `None` before that (also
    /// while an `f` is running). Never blocks, never runs anything.
    pub fn get(&self) -> Option<&T> {
        // Acquire pairs with the Release that sets the flag: the write of the cell is visible.
        if self.done.load(Ordering::Acquire) {
            // SAFETY: the flag was seen set with Acquire: the cell is written, for good.
            Some(unsafe { self.written() })
        } else {
            None
        }
    }

    /// The value; if there is none yet, runs `f` to make it first. Of all the callers, on all
    /// threads, exactly one `f` runs to completion, and every caller gets a reference to the
    /// value it returned. A caller that finds another caller's `f` running waits for it.
    ///
    /// If `f` panics, the panic reaches that caller and the cell stays empty: a caller that
    /// was waiting, or the next caller, runs its own `f`.
    pub fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        if let Some(value) = self.get() {
            return value;
        }
        let mut running = self.lock();
        loop {
            // Under the lock, Relaxed is enough: the flag is set under it too.
            if self.done.load(Ordering::Relaxed) {
                drop(running);
                // SAFETY: the flag was set under the lock this thread now held.
                return unsafe { self.written() };
            }
            if !*running {
                break;
            }
            running = self
                .changed
                .wait(running)
                .unwrap_or_else(PoisonError::into_inner);
        }
        // This caller runs its `f`, with no lock held.
        *running = true;
        drop(running);
        let reset = Reset(self);
        let value = f();
        std::mem::forget(reset);
        // SAFETY: only the caller that set `running` writes the cell, and nobody reads it before
        // the flag is set.
        self.value.with_mut(|cell| unsafe { *cell = Some(value) });
        let mut running = self.lock();
        // Release publishes the write of the cell to the fast path's Acquire.
        self.done.store(true, Ordering::Release);
        *running = false;
        drop(running);
        // Every waiter returns the value now.
        self.changed.notify_all();
        // SAFETY: this thread wrote the cell and set the flag.
        unsafe { self.written() }
    }

    /// The lock on `running`. Nobody panics while holding it, but should it ever be poisoned,
    /// `running` is still right.
    fn lock(&self) -> MutexGuard<'_, bool> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value in the cell.
    ///
    /// # Safety
    ///
    /// The flag was set by this thread, seen set with Acquire, or seen set under the lock.
    unsafe fn written(&self) -> &T {
        // SAFETY: the caller promises the cell is written and, the flag being final, never
        // written again, so a shared reference to its contents stays valid as long as `self`.
        self.value
            .with(|cell| unsafe { &*cell })
            .as_ref()
            .expect("read an empty cell: the flag was not set here nor seen set")
    }
}

impl<T> Default for OnceLock<T> {
    fn default() -> Self {
        Self::new()
    }
}
