//! Once: lazy one-time initialisation, a `OnceLock` of your own.
//!
//! Read `README.md` beside this crate for the lesson. Run `cargo xtask check once` to see what
//! the checks think of this file.

use harness::cell::UnsafeCell;
// You will need it: waiting callers call `hint::spin_loop()` each time round their loop.
#[allow(unused_imports)]
use harness::hint;
use harness::sync::atomic::{AtomicU32, Ordering};

/// Nobody has run `f` yet, or the last `f` panicked: the cell is empty.
const UNINIT: u32 = 0;
/// One caller is running its `f`: the cell is empty, and only that caller will write it.
#[allow(dead_code)] // until you use it
const RUNNING: u32 = 1;
/// The cell holds the value, and never changes again.
const DONE: u32 = 2;

/// A cell written once, by whichever thread first asks for its value, and read by every thread
/// after that without a lock.
///
/// ```no_run
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

/// Puts the state back to `UNINIT` when dropped: keep one alive while `f` runs, so that it
/// does so if `f` panics (the panic drops it while unwinding), and `std::mem::forget` it once
/// `f` returned.
#[allow(dead_code)] // until you use it
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
        // TODO: if the state is DONE, the value (use `self.written()`); otherwise None. Which
        // ordering makes the write of the cell, on another thread, visible to this one?
        let _ = (&self.state, DONE);
        todo!("the value if the state is DONE")
    }

    /// The value; if there is none yet, runs `f` to make it first. Of all the callers, on all
    /// threads, exactly one `f` runs to completion, and every caller gets a reference to the
    /// value it returned. A caller that finds another caller's `f` running waits for it.
    ///
    /// If `f` panics, the panic reaches that caller and the cell stays empty: a caller that
    /// was waiting, or the next caller, runs its own `f`.
    pub fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        // TODO:
        // - the value is there (DONE): return it;
        // - nobody runs `f` (UNINIT): become the one caller that does (RUNNING), in one
        //   indivisible step, run `f`, write the cell, then store DONE;
        // - another caller's `f` runs (RUNNING): wait (`hint::spin_loop()`) until the state
        //   changes, and look again;
        // - `f` panics: who puts the state back to UNINIT? (`Reset` above)
        let _ = f;
        todo!("run f once, and give every caller its value")
    }

    /// The value in the cell.
    ///
    /// # Safety
    ///
    /// `DONE` was stored by this thread, or seen by it with Acquire.
    #[allow(dead_code)] // until you use it
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
