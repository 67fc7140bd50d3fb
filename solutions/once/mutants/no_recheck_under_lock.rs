//! Mutant: double-checked locking without the second check: a caller that waited for the lock while another caller ran its `f` runs its own `f` too, and writes the cell again.
//! Expect: race

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use harness::cell::UnsafeCell;
use harness::sync::atomic::{AtomicBool, Ordering};
use harness::sync::{Mutex, PoisonError};

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
    /// Set (with Release) once the cell is written; never cleared.
    done: AtomicBool,
    /// Held by the caller that runs `f`; callers that find no value wait for it here.
    init: Mutex<()>,
    /// Written once, under `init`, before `done` is set; read only after `done` was seen set.
    value: UnsafeCell<Option<T>>,
}

// SAFETY: the cell is written by one thread, under the lock, before `done` is set with
// Release, and read (shared) only after `done` was seen set with Acquire or under the lock:
// `T` may be made on one thread and shared with others (`Send + Sync`).
unsafe impl<T: Send + Sync> Sync for OnceLock<T> {}

impl<T> OnceLock<T> {
    /// An empty cell.
    pub fn new() -> Self {
        OnceLock {
            done: AtomicBool::new(false).named("once done"),
            init: Mutex::new(()).named("once init lock"),
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
        // First check, without the lock.
        if let Some(value) = self.get() {
            return value;
        }
        // Nobody panics while holding the lock (see below), but should it ever be poisoned, the
        // flag and the cell are as they were before: carry on.
        let held = self.init.lock().unwrap_or_else(PoisonError::into_inner);
        // The flag was not set a moment ago, so make the value. If `f` panics, let go of the
        // lock first, then pass the panic on: the lock is not poisoned.
        let value = match catch_unwind(AssertUnwindSafe(f)) {
            Ok(value) => value,
            Err(panic) => {
                drop(held);
                resume_unwind(panic);
            }
        };
        // SAFETY: (wrong) only the holder of the lock writes the cell.
        self.value.with_mut(|cell| unsafe { *cell = Some(value) });
        self.done.store(true, Ordering::Release);
        drop(held);
        // SAFETY: the flag is set, by this thread or by a holder of the lock before it.
        unsafe { self.written() }
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
