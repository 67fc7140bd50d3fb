//! Mutant: `get` (the fast path of `get_or_init` too) loads the state with `Relaxed`: seeing `DONE` then says nothing about the cell, which it reads at once.
//! Expect: race

use harness::cell::UnsafeCell;
use harness::hint;
use harness::sync::atomic::{AtomicU32, Ordering};

/// Nobody has run `f` yet, or the last `f` panicked: the cell is empty.
const UNINIT: u32 = 0;
/// One caller is running its `f`: the cell is empty, and only that caller will write it.
const RUNNING: u32 = 1;
/// The cell holds the value, and never changes again.
const DONE: u32 = 2;

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
    /// `UNINIT`, `RUNNING` or `DONE`.
    state: AtomicU32,
    /// Written once, by the caller that took the state from `UNINIT` to `RUNNING`, before it
    /// stores `DONE`; read only after a load saw `DONE`.
    value: UnsafeCell<Option<T>>,
}

// SAFETY: the cell is written by one thread (the one that set `RUNNING`) before `DONE` is
// stored with Release, and read (shared, `&T`) by threads only after an Acquire load saw `DONE`:
// so `T` may be created on one thread and shared with others (`Send + Sync`), as std's
// `OnceLock` requires.
unsafe impl<T: Send + Sync> Sync for OnceLock<T> {}

/// Puts the state back to `UNINIT` if `f` panics, so that another caller can run its own `f`.
struct Reset<'a>(&'a AtomicU32);

impl Drop for Reset<'_> {
    fn drop(&mut self) {
        // Relaxed: the cell was not written, so there is nothing to publish; the next caller
        // that takes `UNINIT` to `RUNNING` writes it afresh.
        self.0.store(UNINIT, Ordering::Relaxed);
    }
}

impl<T> OnceLock<T> {
    /// An empty cell.
    pub fn new() -> Self {
        OnceLock {
            state: AtomicU32::new(UNINIT).named("once state"),
            value: UnsafeCell::new(None),
        }
    }

    /// The value, if some `get_or_init` has finished writing it; `None` before that (also
    /// while an `f` is running). Never blocks, never runs anything.
    pub fn get(&self) -> Option<&T> {
        // Relaxed: the state is an atomic, so `DONE` is read whole.
        if self.state.load(Ordering::Relaxed) == DONE {
            // SAFETY: `DONE` was seen with Acquire, so the cell is written and never written
            // again.
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
        // The fast path: one Acquire load when the value is there.
        if let Some(value) = self.get() {
            return value;
        }
        loop {
            // One indivisible step decides who runs `f`: UNINIT → RUNNING. On failure it read
            // the state, and a read of `DONE` must be Acquire (the cell is read next). On
            // success Relaxed is enough: the cell is empty, and nobody else writes it.
            match self
                .state
                .compare_exchange(UNINIT, RUNNING, Ordering::Relaxed, Ordering::Acquire)
            {
                Ok(_) => {
                    let reset = Reset(&self.state);
                    let value = f();
                    // SAFETY: this thread set `RUNNING`, so nobody else writes the cell, and
                    // nobody reads it before `DONE` is stored below.
                    self.value.with_mut(|cell| unsafe { *cell = Some(value) });
                    // `f` returned: no reset any more.
                    std::mem::forget(reset);
                    // Release publishes the write of the cell to every Acquire that sees `DONE`.
                    self.state.store(DONE, Ordering::Release);
                    // SAFETY: this thread wrote the cell, and it is never written again.
                    return unsafe { self.written() };
                }
                // SAFETY: `DONE` was read with Acquire: the cell is written.
                Err(DONE) => return unsafe { self.written() },
                Err(_) => {
                    // Another caller's `f` is running: wait until it is done or reset, then
                    // try again (the compare_exchange above reads the state again, with
                    // Acquire). Plain loads, so the waiters do not fight over the cache line.
                    while self.state.load(Ordering::Relaxed) == RUNNING {
                        hint::spin_loop();
                    }
                }
            }
        }
    }

    /// The value in the cell.
    ///
    /// # Safety
    ///
    /// `DONE` was stored by this thread, or seen by it with Acquire.
    unsafe fn written(&self) -> &T {
        // SAFETY: the caller promises the cell is written and, with `DONE` final, never
        // written again, so a shared reference to its contents stays valid as long as `self`.
        self.value
            .with(|cell| unsafe { &*cell })
            .as_ref()
            .expect("read an empty cell: DONE was not stored here nor seen with Acquire")
    }
}

impl<T> Default for OnceLock<T> {
    fn default() -> Self {
        Self::new()
    }
}
