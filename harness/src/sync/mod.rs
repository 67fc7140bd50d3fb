//! `std::sync`, recorded: [`Mutex`], [`Condvar`], [`atomic`], [`mpsc`] and [`Arc`], with std's API.
//!
//! ```
//! use harness::sync::{Arc, Condvar, Mutex};
//!
//! let pair = Arc::new((Mutex::new(false), Condvar::new()));
//! let (ready, signal) = &*pair;
//! *ready.lock().unwrap() = true;
//! signal.notify_all();
//! let guard = signal.wait_while(ready.lock().unwrap(), |ready| !*ready).unwrap();
//! assert!(*guard);
//! ```

pub mod atomic;
mod condvar;
pub mod mpsc;
mod mutex;

pub use crate::backend::Arc;
pub use condvar::Condvar;
pub use mutex::{Mutex, MutexGuard};
pub use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};
