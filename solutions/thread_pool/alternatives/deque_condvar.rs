//! Alternative: no channel. The queue is a `VecDeque` behind a `Mutex`, with a `shutting_down`
//! flag beside it; idle workers sleep on a `Condvar`. `execute` pushes and wakes one worker;
//! `Drop` raises the flag and wakes them all. A worker leaves only when the flag is up AND the
//! queue is empty, so the queued jobs still run.

use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};

use harness::sync::{Arc, Condvar, Mutex};
use harness::thread::{self, JoinHandle};

type Job = Box<dyn FnOnce() + Send + 'static>;

struct Queue {
    jobs: VecDeque<Job>,
    shutting_down: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    /// Signalled when a job is queued, and when the pool starts shutting down.
    work_or_shutdown: Condvar,
}

/// A fixed set of worker threads that run the jobs handed to [`ThreadPool::execute`].
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): `execute` takes
/// `&self`. Dropping the pool runs every job already queued, then joins every worker.
pub struct ThreadPool {
    shared: Arc<Shared>,
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
            "ThreadPool::new(0): a pool without workers runs no job"
        );
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                shutting_down: false,
            })
            .named("job queue"),
            work_or_shutdown: Condvar::new().named("work or shutdown"),
        });
        let workers = (0..workers)
            .map(|id| {
                let shared = Arc::clone(&shared);
                thread::Builder::new()
                    .name(format!("worker {id}"))
                    .spawn(move || work(&shared))
                    .expect("the pool could not start a worker thread")
            })
            .collect();
        ThreadPool { shared, workers }
    }

    /// Queues `job`; one of the workers runs it, once, as soon as one is free.
    pub fn execute<F: FnOnce() + Send + 'static>(&self, job: F) {
        self.shared
            .queue
            .lock()
            .unwrap()
            .jobs
            .push_back(Box::new(job));
        self.shared.work_or_shutdown.notify_one();
    }

    /// How many worker threads the pool has.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }
}

fn work(shared: &Shared) {
    loop {
        let job = {
            let mut queue = shared.queue.lock().unwrap();
            loop {
                if let Some(job) = queue.jobs.pop_front() {
                    break job;
                }
                if queue.shutting_down {
                    return;
                }
                queue = shared.work_or_shutdown.wait(queue).unwrap();
            }
        };
        let _ = panic::catch_unwind(AssertUnwindSafe(job));
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        self.shared.queue.lock().unwrap().shutting_down = true;
        self.shared.work_or_shutdown.notify_all();
        for worker in self.workers.drain(..) {
            worker
                .join()
                .expect("a worker thread panicked outside of a job");
        }
    }
}
