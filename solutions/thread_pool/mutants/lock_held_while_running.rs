//! Mutant: the worker loops `while let Ok(job) = queue.lock().unwrap().recv() { job() }` (the Rust book's trap): the lock guard, a temporary of the `while let` condition, lives through the loop body, so a worker holds the queue's lock while its job runs and the other workers cannot take a job: the pool runs one job at a time, and two jobs that wait for each other never finish.
//! Expect: deadlock

use std::panic::{self, AssertUnwindSafe};

use harness::sync::mpsc::{self, Receiver, Sender};
use harness::sync::{Arc, Mutex};
use harness::thread::{self, JoinHandle};

/// A job as the workers receive it.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// A fixed set of worker threads that run the jobs handed to [`ThreadPool::execute`].
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): `execute` takes
/// `&self`. Dropping the pool runs every job already queued, then joins every worker.
///
/// ```
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
    /// The sending end of the job queue; `None` once the pool shuts down.
    jobs: Option<Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
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
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue).named("job queue"));
        let workers = (0..workers)
            .map(|id| {
                let queue = Arc::clone(&queue);
                thread::Builder::new()
                    .name(format!("worker {id}"))
                    .spawn(move || work(&queue))
                    .expect("the pool could not start a worker thread")
            })
            .collect();
        ThreadPool {
            jobs: Some(jobs),
            workers,
        }
    }

    /// Queues `job`; one of the workers runs it, once, as soon as one is free. Never waits for
    /// the job to run.
    ///
    /// A job that panics does not take its worker away: the worker goes on with the next job.
    pub fn execute<F: FnOnce() + Send + 'static>(&self, job: F) {
        self.jobs
            .as_ref()
            .expect("the pool is shutting down")
            .send(Box::new(job))
            .expect("every worker of the pool has stopped");
    }

    /// How many worker threads the pool has.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }
}

/// One worker: receive a job, run it, repeat, until the queue is closed and empty.
fn work(queue: &Mutex<Receiver<Job>>) {
    // The guard of `queue.lock()` is a temporary of the `while let` condition, and such a
    // temporary lives until the end of the loop body: the worker holds the queue's lock while
    // the job runs.
    while let Ok(job) = queue.lock().unwrap().recv() {
        let _ = panic::catch_unwind(AssertUnwindSafe(job));
    }
}

impl Drop for ThreadPool {
    /// Runs every job already queued, then joins every worker.
    fn drop(&mut self) {
        // Close the queue first: the workers finish what is queued, then see it closed.
        drop(self.jobs.take());
        // Only then wait for them. Joining first would wait for workers that wait for jobs.
        for worker in self.workers.drain(..) {
            worker
                .join()
                .expect("a worker thread panicked outside of a job");
        }
    }
}
