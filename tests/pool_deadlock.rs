//! Checks of the `pool_deadlock` kata: a divide-and-conquer sum on a fixed-size pool.
//!
//! The promises of `parallel_sum(pool, data)`: it returns the sum of `data`, starts no thread
//! of its own, and never deadlocks, whatever the pool's size: pools of 1 and 2 workers get
//! slices long enough to split into more waiting jobs than the pool has workers. Any design
//! passes: helping while waiting, jobs that never wait, a caller that does all the waiting.
//! And the pool's own: a spawned job runs on a worker without anyone waiting for it; dropping
//! the pool runs the jobs still queued, then joins the workers.

use checks::threads::spawn_named;
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread;
use pool_deadlock::{parallel_sum, Pool};

fn main() {
    Checks::new()
        .sequential(
            "parallel_sum returns the sum, for every length from 0 to 16",
            sums_are_right,
        )
        .sequential(
            "a spawned job runs on a worker, and dropping the pool runs the queued jobs and \
             joins its workers",
            pool_runs_jobs_and_joins,
        )
        .concurrent("no deadlock on a pool of 1 worker", no_deadlock_one_worker)
        // Under the model checker a pool of 2 (or, for a pool that starts extra threads, more)
        // is too many interleavings; shuttle and real threads take it.
        .only(
            "no deadlock on a pool of 2 workers",
            &[Mode::Explore, Mode::Stress],
            no_deadlock_two_workers,
        )
        .only(
            "two threads sum at once on one pool",
            &[Mode::Explore, Mode::Stress],
            two_callers,
        )
        .run();
}

/// `len` numbers, not all alike, so that a half counted twice or lost changes the sum.
fn numbers(len: usize) -> Vec<u64> {
    (0..len as u64).map(|i| (i * 37 + 11) % 101).collect()
}

/// Sums `numbers(len)` on `pool` and fails the check if the sum is wrong or if `parallel_sum`
/// started threads of its own.
fn sum_and_check(pool: &Pool, len: usize) {
    let data = numbers(len);
    let expected: u64 = data.iter().sum();
    let before = thread::census();
    let got = parallel_sum(pool, &data);
    let started = thread::census().spawned - before.spawned;
    assert_eq!(
        got,
        expected,
        "parallel_sum on a pool of {} worker(s) of {len} numbers returned {got}, but their sum \
         is {expected}",
        pool.workers()
    );
    assert_eq!(
        started, 0,
        "parallel_sum started {started} thread(s) of its own: the work must run on the pool's \
         workers (and the calling thread)"
    );
}

fn sums_are_right() {
    // Enough workers that even jobs which block on their halves finish: this check is about
    // the results. The deadlocks are for the checks below.
    let pool = Pool::new(8);
    for len in 0..=16 {
        sum_and_check(&pool, len);
    }
}

fn no_deadlock_one_worker() {
    let lengths: &[usize] = match mode() {
        Mode::Model => &[8],
        Mode::Explore => &[7, 16],
        _ => &[64, 100],
    };
    let pool = Pool::new(1);
    for &len in lengths {
        sum_and_check(&pool, len);
    }
}

fn no_deadlock_two_workers() {
    let lengths: &[usize] = match mode() {
        Mode::Explore => &[12, 32],
        _ => &[200],
    };
    let pool = Pool::new(2);
    for &len in lengths {
        sum_and_check(&pool, len);
    }
}

fn two_callers() {
    let len = match mode() {
        Mode::Explore => 12,
        _ => 100,
    };
    let pool = Arc::new(Pool::new(2));
    let other = {
        let pool = Arc::clone(&pool);
        spawn_named("second caller", move || parallel_sum(&pool, &numbers(len)))
    };
    let expected: u64 = numbers(len).iter().sum();
    let mine = parallel_sum(&pool, &numbers(len));
    let theirs = other.join().unwrap();
    assert_eq!(
        (mine, theirs),
        (expected, expected),
        "two threads each summed the same {len} numbers on one pool of 2 workers; the sum is \
         {expected}, but they got {mine} and {theirs}"
    );
}

/// How long each job of [`pool_runs_jobs_and_joins`] takes: long enough that a drop which does
/// not wait for the queued jobs returns before they have run, in every run.
const JOB_TIME: std::time::Duration = std::time::Duration::from_millis(20);

fn pool_runs_jobs_and_joins() {
    let before = thread::census();
    let pool = Pool::new(1);
    let spawner = pool.spawner();
    let (ran, ran_rx) = std::sync::mpsc::channel();
    // The first job may find the worker still starting; after it, the worker falls asleep on
    // the empty queue, and the second must wake it.
    for job in ["first", "second"] {
        let ran = ran.clone();
        spawner.spawn(move || {
            let _ = ran.send(());
        });
        if ran_rx
            .recv_timeout(std::time::Duration::from_secs(5))
            .is_err()
        {
            harness::check::never_came(format!(
                "the {job} job spawned on an idle pool of 1 worker did not run within 5 s: the \
                 worker sleeping on the queue was never told of it"
            ));
        }
        std::thread::sleep(JOB_TIME);
    }
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..3 {
        let done = Arc::clone(&done);
        spawner.spawn(move || {
            std::thread::sleep(JOB_TIME);
            done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        });
    }
    drop(spawner);
    drop(pool);
    let done = done.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        done, 3,
        "dropping a pool with 3 jobs queued returned after {done} of them had run: drop runs \
         the jobs still queued"
    );
    let alive = thread::census().alive.saturating_sub(before.alive);
    assert_eq!(
        alive, 0,
        "dropping the pool left {alive} of its worker threads running: drop joins them"
    );
}
