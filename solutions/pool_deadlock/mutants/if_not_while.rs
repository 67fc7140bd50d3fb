//! Mutant: `wait_helping` checks for the half's sum with `if` instead of `while` before it blocks, so when that wait ends while the half is still running (a spurious wakeup), the job goes on with no sum and panics in the `expect`.
//! Expect: race

use std::collections::VecDeque;
use std::ops::Range;

use harness::sync::{Arc, Condvar, Mutex};
use harness::thread::{self, JoinHandle};

/// Slices of at most this many numbers are summed directly; longer ones are split in two halves.
pub const LEAF: usize = 2;

/// A job, as the pool queues it.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// The pool's queue, shared by the workers and every [`Spawner`].
struct Shared {
    queue: Mutex<Queue>,
    /// Signalled when a job is queued, and when the pool closes.
    job_queued: Condvar,
}

struct Queue {
    jobs: VecDeque<Job>,
    closed: bool,
}

impl Shared {
    /// The next job, waiting for one; `None` once the pool is closed and the queue is empty.
    fn next_job(&self) -> Option<Job> {
        let mut queue = self.queue.lock().unwrap();
        loop {
            if let Some(job) = queue.jobs.pop_front() {
                return Some(job);
            }
            if queue.closed {
                return None;
            }
            queue = self.job_queued.wait(queue).unwrap();
        }
    }
}

/// A fixed-size thread pool (given, complete): `workers` threads take jobs from one FIFO queue.
///
/// Dropping the pool runs the jobs still queued, then joins the workers.
pub struct Pool {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

/// A handle that queues jobs on a [`Pool`] and can run queued jobs on the calling thread.
/// Cheap to clone; jobs can carry one to queue more jobs.
#[derive(Clone)]
pub struct Spawner {
    shared: Arc<Shared>,
}

impl Pool {
    /// Starts a pool of `workers` threads, named `worker 0`, `worker 1`, ...
    ///
    /// # Panics
    ///
    /// If `workers` is 0.
    pub fn new(workers: usize) -> Pool {
        assert!(workers > 0, "a pool needs at least 1 worker");
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                closed: false,
            })
            .named("job queue"),
            job_queued: Condvar::new().named("job queued"),
        });
        let workers = (0..workers)
            .map(|id| {
                let shared = Arc::clone(&shared);
                thread::Builder::new()
                    .name(format!("worker {id}"))
                    .spawn(move || {
                        while let Some(job) = shared.next_job() {
                            job();
                        }
                    })
                    .expect("the pool could not start a worker")
            })
            .collect();
        Pool { shared, workers }
    }

    /// How many worker threads the pool has.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }

    /// A handle to queue jobs on this pool, also from inside jobs.
    pub fn spawner(&self) -> Spawner {
        Spawner {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl Spawner {
    /// Queues `job` at the back of the pool's queue; a worker runs it when it gets to it.
    pub fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        self.shared
            .queue
            .lock()
            .unwrap()
            .jobs
            .push_back(Box::new(job));
        self.shared.job_queued.notify_one();
    }

    /// Takes the job at the front of the queue, if there is one, and runs it on the calling
    /// thread. Returns whether it ran a job. Never waits.
    pub fn run_pending(&self) -> bool {
        // The guard is dropped at the end of this statement, before the job runs.
        let job = self.shared.queue.lock().unwrap().jobs.pop_front();
        match job {
            Some(job) => {
                job();
                true
            }
            None => false,
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.queue.lock().unwrap().closed = true;
        self.shared.job_queued.notify_all();
        for worker in self.workers.drain(..) {
            worker.join().expect("a worker thread panicked");
        }
    }
}

/// Sums `data` on `pool`, divide and conquer: a slice longer than [`LEAF`] is split in two
/// halves, and each half is summed by a job on the pool (which splits it again, and so on); a
/// slice of at most `LEAF` numbers is summed directly.
///
/// Never deadlocks, whatever the size of the pool and of `data`, and starts no thread of its
/// own: all the work runs on the pool's workers and on the calling thread.
///
/// ```
/// use pool_deadlock::{parallel_sum, Pool};
///
/// let pool = Pool::new(1);
/// let data: Vec<u64> = (1..=100).collect();
/// assert_eq!(parallel_sum(&pool, &data), 5050);
/// ```
pub fn parallel_sum(pool: &Pool, data: &[u64]) -> u64 {
    let data = Arc::new(data.to_vec());
    sum_range(&pool.spawner(), &data, 0..data.len())
}

/// The sum of one half, filled in by the job that computes it.
struct Half {
    sum: Mutex<Option<u64>>,
    done: Condvar,
}

fn sum_range(spawner: &Spawner, data: &Arc<Vec<u64>>, range: Range<usize>) -> u64 {
    if range.len() <= LEAF {
        return data[range].iter().sum();
    }
    let middle = range.start + range.len() / 2;
    let left = spawn_half(spawner, data, range.start..middle);
    let right = spawn_half(spawner, data, middle..range.end);
    wait_helping(spawner, &left) + wait_helping(spawner, &right)
}

/// Queues a job that sums `range` into a new [`Half`].
fn spawn_half(spawner: &Spawner, data: &Arc<Vec<u64>>, range: Range<usize>) -> Arc<Half> {
    let half = Arc::new(Half {
        sum: Mutex::new(None).named(format!("sum of {range:?}")),
        done: Condvar::new().named(format!("sum of {range:?} done")),
    });
    let job = {
        let (half, spawner, data) = (Arc::clone(&half), spawner.clone(), Arc::clone(data));
        move || {
            let sum = sum_range(&spawner, &data, range);
            *half.sum.lock().unwrap() = Some(sum);
            half.done.notify_all();
        }
    };
    spawner.spawn(job);
    half
}

/// Waits for `half`, running queued jobs meanwhile instead of blocking a thread the pool needs.
fn wait_helping(spawner: &Spawner, half: &Half) -> u64 {
    loop {
        if let Some(sum) = *half.sum.lock().unwrap() {
            return sum;
        }
        // Not done yet. Blocking here could hold the last free worker while the half waits in
        // the queue behind us: run a queued job instead (maybe the half itself).
        if spawner.run_pending() {
            continue;
        }
        // Nothing is queued, so the half has been taken and runs on another thread: waiting
        // for it is safe. Check again under the lock: it may have finished already.
        let mut sum = half.sum.lock().unwrap();
        if sum.is_none() {
            sum = half.done.wait(sum).unwrap();
        }
        return sum.expect("the loop ends once the sum is there");
    }
}
