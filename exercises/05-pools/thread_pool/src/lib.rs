//! A thread pool: a fixed number of worker threads, started once, that take jobs from a queue
//! and run them. Read `README.md` beside this folder's `src/` first.
//!
//! Build it from the facade: `harness::sync::{Arc, Mutex, Condvar}`, `harness::sync::mpsc`
//! (std's channel) and `harness::thread` (the same API as `std`).

/// A fixed set of worker threads that run the jobs handed to [`ThreadPool::execute`].
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): `execute` takes
/// `&self`. Dropping the pool runs every job already queued, then joins every worker.
///
/// ```no_run
/// use harness::sync::atomic::{AtomicUsize, Ordering};
/// use harness::sync::Arc;
/// use thread_pool::ThreadPool;
///
/// let pool = ThreadPool::new(4);
/// let done = Arc::new(AtomicUsize::new(0));
/// for _ in 0..10 {
///     let done = Arc::clone(&done);
///     pool.execute(move || {
///         done.fetch_add(1, Ordering::SeqCst);
///     });
/// }
/// drop(pool); // waits for the ten jobs
/// assert_eq!(done.load(Ordering::SeqCst), 10);
/// ```
pub struct ThreadPool {
    // TODO: the workers' join handles, and the sending end of the job queue (or the shared
    // queue itself, with whatever the workers need to sleep on it and to learn that the pool
    // is shutting down).
}

impl ThreadPool {
    /// Starts a pool of exactly `workers` threads, now. They wait for jobs.
    ///
    /// # Panics
    ///
    /// If `workers` is 0: no job could ever run.
    pub fn new(workers: usize) -> Self {
        // TODO: refuse 0 with a clear panic message, then start `workers` threads that each
        // take jobs from the queue and run them, until the pool shuts down.
        todo!("start a pool of {workers} worker threads")
    }

    /// Queues `job`; one of the workers runs it, once, as soon as one is free. Never waits for
    /// the job to run.
    ///
    /// A job that panics does not take its worker away: the worker goes on with the next job.
    pub fn execute<F: FnOnce() + Send + 'static>(&self, job: F) {
        // TODO: hand the job to the workers (boxed: `Box<dyn FnOnce() + Send + 'static>`).
        let _ = job;
        todo!("queue a job for the workers")
    }

    /// How many worker threads the pool has.
    pub fn workers(&self) -> usize {
        // TODO
        todo!("count the workers")
    }
}

impl Drop for ThreadPool {
    /// Runs every job already queued, then joins every worker.
    fn drop(&mut self) {
        // TODO: tell the workers that no more jobs will come, let them finish the queue, and
        // join them. In that order!
    }
}
