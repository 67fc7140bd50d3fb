//! Mutant: not a pool at all: `new` starts no thread and `execute` spawns a fresh thread for every job (joined on drop). Every job runs, but the pool promised exactly `workers` threads started by `new`, and a thread per job is what a pool exists to avoid.
//! Expect: wrong-result

use std::panic::{self, AssertUnwindSafe};

use harness::sync::Mutex;
use harness::thread::{self, JoinHandle};

/// A fixed set of worker threads that run the jobs handed to [`ThreadPool::execute`].
pub struct ThreadPool {
    workers: usize,
    /// One thread per job executed so far.
    running: Mutex<Vec<JoinHandle<()>>>,
}

impl ThreadPool {
    /// Starts a pool of exactly `workers` threads, now. They wait for jobs.
    ///
    /// # Panics
    ///
    /// If `workers` is 0: no job could ever run.
    pub fn new(workers: usize) -> Self {
        assert!(
            workers > 0,
            "a thread pool needs at least 1 worker: with 0 workers no job would ever run"
        );
        ThreadPool {
            workers,
            running: Mutex::new(Vec::new()).named("job threads"),
        }
    }

    /// Runs `job` on a thread of its own.
    pub fn execute<F: FnOnce() + Send + 'static>(&self, job: F) {
        let mut running = self.running.lock().unwrap();
        let name = format!("job {}", running.len());
        let handle = thread::Builder::new()
            .name(name)
            .spawn(move || {
                let _ = panic::catch_unwind(AssertUnwindSafe(job));
            })
            .expect("could not start a thread for the job");
        running.push(handle);
    }

    /// How many worker threads the pool has.
    pub fn workers(&self) -> usize {
        self.workers
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        let running = std::mem::take(&mut *self.running.lock().unwrap());
        for handle in running {
            let _ = handle.join();
        }
    }
}
