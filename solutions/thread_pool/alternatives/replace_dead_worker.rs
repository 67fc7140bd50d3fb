//! Alternative: a pool that replaces a worker it loses. Jobs run without a `catch_unwind` of
//! their own; instead each worker's whole loop runs inside one. When a job panics, the loop
//! unwinds, and the dying worker starts a replacement before it ends, so the pool still has
//! `workers` threads. `Drop` closes the queue, then joins workers until none is left
//! (replacements included).

use std::panic::{self, AssertUnwindSafe};

use harness::sync::atomic::{AtomicUsize, Ordering};
use harness::sync::mpsc::{self, Receiver, Sender};
use harness::sync::{Arc, Mutex};
use harness::thread::{self, JoinHandle};

type Job = Box<dyn FnOnce() + Send + 'static>;

struct Shared {
    queue: Mutex<Receiver<Job>>,
    /// Every worker not joined yet, replacements included.
    handles: Mutex<Vec<JoinHandle<()>>>,
    /// Numbers the workers: `worker 0`, `worker 1`, ..., replacements after them.
    started: AtomicUsize,
}

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
    jobs: Option<Sender<Job>>,
    shared: Arc<Shared>,
    workers: usize,
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
            "ThreadPool::new(0): a pool needs at least one worker"
        );
        let (jobs, queue) = mpsc::channel::<Job>();
        let shared = Arc::new(Shared {
            queue: Mutex::new(queue).named("job queue"),
            handles: Mutex::new(Vec::new()).named("worker handles"),
            started: AtomicUsize::new(0).named("workers started"),
        });
        for _ in 0..workers {
            let handle = start_worker(&shared);
            shared.handles.lock().unwrap().push(handle);
        }
        ThreadPool {
            jobs: Some(jobs),
            shared,
            workers,
        }
    }

    /// Queues `job`; one of the workers runs it, once, as soon as one is free.
    pub fn execute<F: FnOnce() + Send + 'static>(&self, job: F) {
        self.jobs
            .as_ref()
            .expect("the pool is shutting down")
            .send(Box::new(job))
            .expect("the pool has no worker left");
    }

    /// How many worker threads the pool has.
    pub fn workers(&self) -> usize {
        self.workers
    }
}

/// Starts one worker; if a job panics, the worker starts its replacement, then ends.
fn start_worker(shared: &Arc<Shared>) -> JoinHandle<()> {
    let id = shared.started.fetch_add(1, Ordering::SeqCst);
    let shared = Arc::clone(shared);
    thread::Builder::new()
        .name(format!("worker {id}"))
        .spawn(move || {
            let lost = panic::catch_unwind(AssertUnwindSafe(|| run_jobs(&shared.queue))).is_err();
            if lost {
                // Pushed before this thread ends, so `Drop` (joining this one) will see it.
                let replacement = start_worker(&shared);
                shared.handles.lock().unwrap().push(replacement);
            }
        })
        .expect("the pool could not start a worker thread")
}

/// Runs jobs until the queue is closed and empty; a panicking job unwinds out of here.
fn run_jobs(queue: &Mutex<Receiver<Job>>) {
    loop {
        let next = queue.lock().unwrap().recv();
        let Ok(job) = next else {
            return;
        };
        job();
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        drop(self.jobs.take());
        loop {
            // Take one handle at a time: a dying worker may add its replacement meanwhile.
            let next = self.shared.handles.lock().unwrap().pop();
            let Some(worker) = next else {
                break;
            };
            worker
                .join()
                .expect("a worker panicked outside of its job loop");
        }
    }
}
