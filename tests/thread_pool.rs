//! Checks of the `thread_pool` kata: a fixed set of workers that run queued jobs.
//!
//! The promises: `new(n)` starts exactly `n` threads (and refuses 0), every job runs exactly
//! once, `n` workers really run `n` jobs at once, a job handed to idle workers is run (no lost
//! wakeup), dropping the pool runs every queued job and then joins every worker, and a job that
//! panics does not take its worker away. Threads are counted with `harness::thread::census()`,
//! so any design passes: a channel, a queue with a condvar, a pool that replaces dead workers.

use std::panic::{catch_unwind, AssertUnwindSafe};

use checks::refusal::{message_of, refusal_message};
use checks::threads::spawn_named;
use harness::check::{deliberate_panic, mode, Checks, Mode};
use harness::sync::atomic::{AtomicUsize, Ordering};
use harness::sync::mpsc;
use harness::sync::{Arc, Condvar, Mutex};
use harness::thread;
use thread_pool::ThreadPool;

fn main() {
    Checks::new()
        .sequential(
            "new(n) starts exactly n worker threads, and dropping the pool joins them",
            starts_exactly_n_workers,
        )
        .sequential("new(0) panics with a clear message", zero_workers_panics)
        .sequential("every job runs exactly once", every_job_runs_once)
        .sequential(
            "dropping the pool runs every queued job, then joins the workers",
            drop_runs_queued_jobs,
        )
        .sequential(
            "a job that panics does not take its worker away",
            panicking_job_keeps_worker,
        )
        .concurrent(
            "2 workers run 2 jobs at the same time",
            workers_run_jobs_at_once,
        )
        .concurrent(
            "a job handed to idle workers runs (no lost wakeup)",
            idle_workers_wake_up,
        )
        .concurrent(
            "jobs handed in from two threads each run once",
            two_submitters,
        )
        .concurrent(
            "dropping the pool with jobs still queued runs them all",
            drop_with_jobs_queued,
        )
        // Real threads only: a worker that lets a job's panic end its thread and starts a
        // replacement (as the `threadpool` crate's does) is correct, but loom and shuttle fail
        // a whole execution when any thread panics out of its body.
        .only(
            "after jobs panic, the workers still run jobs at the same time",
            &[Mode::Stress],
            workers_survive_panics,
        )
        .run();
}

/// One counter per job, to tell a job run twice from a job never run.
struct Tally {
    runs: Vec<AtomicUsize>,
}

impl Tally {
    fn new(jobs: usize) -> Arc<Tally> {
        Arc::new(Tally {
            runs: (0..jobs)
                .map(|id| AtomicUsize::new(0).named(format!("runs of job {id}")))
                .collect(),
        })
    }

    /// Fails the check unless every job ran exactly once; `when` says at what point.
    fn assert_each_ran_once(&self, when: &str) {
        let runs: Vec<usize> = self
            .runs
            .iter()
            .map(|runs| runs.load(Ordering::SeqCst))
            .collect();
        let never: Vec<usize> = (0..runs.len()).filter(|&id| runs[id] == 0).collect();
        let twice: Vec<usize> = (0..runs.len()).filter(|&id| runs[id] > 1).collect();
        assert!(
            never.is_empty(),
            "{} jobs were executed, but {when} job(s) {never:?} had never run",
            runs.len()
        );
        assert!(
            twice.is_empty(),
            "{} jobs were executed once each, but {when} job(s) {twice:?} had run more than once",
            runs.len()
        );
    }
}

/// A job that counts one run of job `id`.
fn counting_job(tally: &Arc<Tally>, id: usize) -> impl FnOnce() + Send + 'static {
    let tally = Arc::clone(tally);
    move || {
        tally.runs[id].fetch_add(1, Ordering::SeqCst);
    }
}

/// `parties` jobs that each wait until all of them have arrived: they finish only if that many
/// of them run at the same time.
struct Rendezvous {
    arrived: Mutex<usize>,
    everyone_here: Condvar,
    parties: usize,
}

impl Rendezvous {
    fn new(parties: usize) -> Arc<Rendezvous> {
        Arc::new(Rendezvous {
            arrived: Mutex::new(0).named("rendezvous"),
            everyone_here: Condvar::new().named("everyone at the rendezvous"),
            parties,
        })
    }

    fn meet(&self) {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        if *arrived == self.parties {
            self.everyone_here.notify_all();
        }
        while *arrived < self.parties {
            arrived = self.everyone_here.wait(arrived).unwrap();
        }
    }
}

fn starts_exactly_n_workers() {
    for workers in [1, 2, 4] {
        let before = thread::census();
        let pool = ThreadPool::new(workers);
        let started = thread::census();
        assert_eq!(
            started.spawned - before.spawned,
            workers,
            "ThreadPool::new({workers}) should start exactly {workers} worker thread(s) right \
             away, but it started {}",
            started.spawned - before.spawned
        );
        assert_eq!(
            pool.workers(),
            workers,
            "ThreadPool::new({workers}).workers() returned {}",
            pool.workers()
        );
        drop(pool);
        let after = thread::census();
        assert_eq!(
            after.alive,
            before.alive,
            "after dropping a pool of {workers} workers, {} of its threads were still running: \
             drop should join every worker",
            after.alive - before.alive
        );
    }
}

/// The text of a panic's payload ("" if it has none).
fn zero_workers_panics() {
    let message = refusal_message(
        || ThreadPool::new(0),
        "ThreadPool::new(0) returned a pool that can never run a job; it should panic",
    );
    assert!(
        !message.trim().is_empty(),
        "ThreadPool::new(0) panicked, but without a message saying why"
    );
}

fn every_job_runs_once() {
    let (workers, jobs) = (3, 100);
    let before = thread::census();
    let pool = ThreadPool::new(workers);
    let tally = Tally::new(jobs);
    for id in 0..jobs {
        pool.execute(counting_job(&tally, id));
    }
    drop(pool);
    tally.assert_each_ran_once("after dropping the pool,");
    let spawned = thread::census().spawned - before.spawned;
    assert!(
        spawned <= workers,
        "a pool of {workers} workers ran {jobs} jobs on {spawned} threads: the workers should \
         run every job, not a thread per job"
    );
}

fn drop_runs_queued_jobs() {
    let jobs = 20;
    let before = thread::census();
    let pool = ThreadPool::new(1);
    let tally = Tally::new(jobs);
    let slow_first = counting_job(&tally, 0);
    pool.execute(move || {
        // Keep the only worker busy, so that the other jobs are still queued when the pool is
        // dropped.
        if mode() == Mode::Sequential {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        slow_first();
    });
    for id in 1..jobs {
        pool.execute(counting_job(&tally, id));
    }
    drop(pool);
    tally.assert_each_ran_once("when drop(pool) returned,");
    let after = thread::census();
    assert_eq!(
        after.alive,
        before.alive,
        "drop(pool) returned while {} of its worker threads were still running: it should \
         join every worker",
        after.alive - before.alive
    );
}

fn panicking_job_keeps_worker() {
    for (workers, failing) in [(1, 1), (2, 3)] {
        let jobs = 10;
        let before = thread::census();
        let pool = ThreadPool::new(workers);
        let tally = Tally::new(jobs);
        for n in 0..failing {
            pool.execute(move || deliberate_panic(&format!("failing job {n} of {failing}")));
        }
        // The pool itself must not panic now; catch it if it does, to say so plainly.
        let mut trouble = None;
        for id in 0..jobs {
            let job = counting_job(&tally, id);
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| pool.execute(job))) {
                trouble = Some(format!("execute() panicked: {}", message_of(&*payload)));
                break;
            }
        }
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(pool))) {
            trouble.get_or_insert(format!(
                "dropping the pool panicked: {}",
                message_of(&*payload)
            ));
        }
        if let Some(trouble) = trouble {
            panic!(
                "in a pool of {workers} worker(s), {failing} job(s) panicked, and then {trouble}. \
                 A job's panic must end the job, not its worker: run each job inside \
                 `std::panic::catch_unwind`"
            );
        }
        tally.assert_each_ran_once(&format!(
            "in a pool of {workers} worker(s) where {failing} earlier job(s) panicked, after \
             dropping the pool,"
        ));
        let after = thread::census();
        let spawned = after.spawned - before.spawned;
        // A pool may replace a worker that died, but must not start a thread per job.
        assert!(
            spawned <= workers + failing,
            "a pool of {workers} worker(s) ran {jobs} jobs ({failing} of them panicking) on \
             {spawned} threads: the workers should run the jobs, not a thread per job"
        );
        assert_eq!(
            after.alive,
            before.alive,
            "after dropping the pool, {} of its threads were still running",
            after.alive - before.alive
        );
    }
}

fn workers_run_jobs_at_once() {
    let workers = 2;
    let pool = ThreadPool::new(workers);
    let rendezvous = Rendezvous::new(workers);
    let tally = Tally::new(workers);
    for id in 0..workers {
        let rendezvous = Arc::clone(&rendezvous);
        let done = counting_job(&tally, id);
        pool.execute(move || {
            // Both jobs wait here until both have arrived: a pool that runs one job at a time
            // never lets the second one start.
            rendezvous.meet();
            done();
        });
    }
    drop(pool);
    tally.assert_each_ran_once("after dropping the pool,");
}

fn idle_workers_wake_up() {
    let rounds = match mode() {
        Mode::Model => 1,
        _ => 3,
    };
    let pool = ThreadPool::new(2);
    let (done, finished) = mpsc::channel();
    for round in 0..rounds {
        let done = done.clone();
        pool.execute(move || done.send(round).unwrap());
        // Wait for the job while the pool is alive: only `execute` may wake the workers.
        let got = finished.recv().unwrap();
        assert_eq!(got, round, "job {round} was run, but job {got} answered");
    }
    drop(pool);
}

fn two_submitters() {
    let per_thread = match mode() {
        Mode::Model => 1,
        _ => 4,
    };
    let pool = Arc::new(ThreadPool::new(2));
    let tally = Tally::new(2 * per_thread);
    let other = {
        let pool = Arc::clone(&pool);
        let tally = Arc::clone(&tally);
        spawn_named("submitter", move || {
            for id in per_thread..2 * per_thread {
                pool.execute(counting_job(&tally, id));
            }
        })
    };
    for id in 0..per_thread {
        pool.execute(counting_job(&tally, id));
    }
    other.join().unwrap();
    // The last handle: this drops the pool.
    drop(pool);
    tally.assert_each_ran_once("after dropping the pool,");
}

fn drop_with_jobs_queued() {
    let jobs = match mode() {
        Mode::Model => 3,
        _ => 8,
    };
    let before = thread::census();
    let pool = ThreadPool::new(2);
    let tally = Tally::new(jobs);
    for id in 0..jobs {
        pool.execute(counting_job(&tally, id));
    }
    drop(pool);
    tally.assert_each_ran_once("when drop(pool) returned,");
    let after = thread::census();
    assert_eq!(
        after.alive,
        before.alive,
        "drop(pool) returned while {} of its worker threads were still running",
        after.alive - before.alive
    );
}

fn workers_survive_panics() {
    let workers = 2;
    let pool = ThreadPool::new(workers);
    for n in 0..workers {
        pool.execute(move || deliberate_panic(&format!("failing job {n}")));
    }
    let rendezvous = Rendezvous::new(workers);
    let tally = Tally::new(workers);
    for id in 0..workers {
        let rendezvous = Arc::clone(&rendezvous);
        let done = counting_job(&tally, id);
        pool.execute(move || {
            rendezvous.meet();
            done();
        });
    }
    drop(pool);
    tally.assert_each_ran_once(&format!(
        "after {workers} jobs panicked and 2 jobs that wait for each other were executed,"
    ));
}
