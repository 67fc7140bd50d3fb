//! The library every kata and check uses.
//!
//! - A **sync facade** ([`sync`], [`thread`], [`cell`], [`hint`]) with std's API, backed by std,
//!   loom (feature `model`) or shuttle (feature `explore`), that records what each thread does.
//! - **Check engines** ([`check`]): sequential, model, explore and stress runs of a kata's checks,
//!   each in its own process.
//! - **Detectors** ([`detect`]): capacity and exclusion gauges, bounded-bypass starvation, and the
//!   deadlock analysis of recorded lock state; [`future`] watches an executor's polls and wakes.
//! - **Process mode** ([`process`]): checks that start real child processes (the check binary
//!   in a role), with captured output, kill injection, a bounded wait and cleanup; [`shm`]'s
//!   atomics for memory shared between processes, which stress mode's noise reaches.
//! - The **protocol** between a check process and its runner ([`protocol`]) and the **verdict**
//!   vocabulary ([`verdict`]).
//!
//! Kata code names only the facade:
//!
//! ```
//! use harness::sync::{Arc, Mutex};
//! use harness::thread;
//!
//! let total = Arc::new(Mutex::new(0));
//! let handles: Vec<_> = (0..2)
//!     .map(|_| {
//!         let total = Arc::clone(&total);
//!         thread::spawn(move || *total.lock().unwrap() += 1)
//!     })
//!     .collect();
//! for handle in handles {
//!     handle.join().unwrap();
//! }
//! assert_eq!(*total.lock().unwrap(), 2);
//! ```

#![warn(missing_docs)]

#[cfg(all(feature = "model", feature = "explore"))]
compile_error!(
    "the harness features `model` (loom) and `explore` (shuttle) select different backends and \
     cannot be enabled together; `cargo xtask` enables one at a time"
);

mod backend;
mod context;
mod cpu;
mod noise;
mod trace;

pub mod analysis;
pub mod cell;
pub mod check;
pub mod detect;
pub mod future;
pub mod hint;
pub mod process;
pub mod protocol;
pub mod shm;
pub mod sync;
pub mod thread;
pub mod verdict;
