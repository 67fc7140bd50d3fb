//! Named threads for checks: the name appears in traces and explanations (`spawn waiter 1`,
//! the column of `philosopher 2`), so a check names every thread it starts.
//!
//! ```no_run
//! use checks::threads::spawn_named;
//!
//! let waiter = spawn_named("waiter 1", || 6 * 7);
//! assert_eq!(waiter.join().unwrap(), 42);
//! ```

use harness::thread::{Builder, JoinHandle};

/// Starts a facade thread called `name` running `body`. The spawn is recorded at the caller's
/// line, as a spawn written in the check itself would be.
///
/// # Panics
///
/// If the thread cannot be started.
#[track_caller]
pub fn spawn_named<R: Send + 'static>(
    name: impl Into<String>,
    body: impl FnOnce() -> R + Send + 'static,
) -> JoinHandle<R> {
    Builder::new().name(name.into()).spawn(body).unwrap()
}
