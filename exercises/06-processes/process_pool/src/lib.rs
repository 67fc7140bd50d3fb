//! A pool of worker processes, fed jobs over pipes, that survives a worker killed in the middle
//! of a job. Read `README.md` beside this folder's `src/` first.
//!
//! Start the processes with `std::process::Command` (from the `worker` factory you are given)
//! and talk to them over their stdin and stdout pipes. If you want threads (one reader per
//! worker is a good design), take them from the facade: `harness::thread` and
//! `harness::sync::mpsc`, `harness::sync::{Arc, Mutex}`, never `std::thread` or `std::sync`.

use std::fmt;
use std::io;
use std::process::Command;

/// How many times one job is handed to a worker before the pool gives up on it: a job whose
/// worker died this many times makes [`map`] return [`PoolError::GaveUp`].
pub const MAX_ATTEMPTS: usize = 3;

/// Why [`map`] failed.
#[derive(Debug)]
pub enum PoolError {
    /// A worker process could not be started.
    Spawn(io::Error),
    /// The worker holding `inputs[index]` died before answering, `attempts` times in a row:
    /// the job itself kills its workers, and trying again would never end.
    GaveUp {
        /// The job's position in the inputs.
        index: usize,
        /// The job's input.
        input: u64,
        /// How many workers died holding it.
        attempts: usize,
    },
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::Spawn(err) => write!(f, "a worker process could not be started: {err}"),
            PoolError::GaveUp {
                index,
                input,
                attempts,
            } => write!(
                f,
                "job {index} (input {input}) was given up: {attempts} workers died holding it"
            ),
        }
    }
}

impl std::error::Error for PoolError {}

/// Runs every input through a worker process and returns the outputs, in the order of the
/// inputs: `result[i]` is the worker's answer to `inputs[i]`.
///
/// `worker()` builds the command of one worker process; `map` sets its stdin and stdout to
/// pipes and starts `workers` of them. Each job is one line on a worker's stdin, `"{id}
/// {input}\n"`; the worker answers with one line on its stdout, `"{id} {output}\n"`, and exits
/// when its stdin ends. A worker that dies holding a job (killed, crashed) is replaced, and the
/// job is given to a worker again: every job's answer is returned exactly once. A job whose
/// worker died [`MAX_ATTEMPTS`] times makes `map` return [`PoolError::GaveUp`]. When `map`
/// returns, every worker process has ended and has been waited for.
///
/// # Panics
///
/// If `workers` is 0.
pub fn map(
    worker: impl Fn() -> Command,
    workers: usize,
    inputs: &[u64],
) -> Result<Vec<u64>, PoolError> {
    // TODO: refuse 0 workers; start up to `workers` processes (stdin and stdout piped); give
    // each idle worker one job line; collect answer lines from all of them (a worker that is
    // busy must not keep you from hearing the others); when a worker's stdout ends, wait for
    // the process and give the job it held to a worker again (a new process if need be),
    // unless it already killed MAX_ATTEMPTS workers; at the end close every stdin and wait for
    // every process.
    let _ = (worker, workers, inputs);
    todo!("map the inputs over a pool of worker processes")
}
