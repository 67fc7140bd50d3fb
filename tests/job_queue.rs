//! Checks of the `job_queue` kata: the worker side of a reliable job queue on a real Redis
//! server, with workers in processes of their own.
//!
//! The promises: every job is taken by one worker at a time and its effect applied exactly once
//! (the account ends at the sum of the amounts, and every job's id is among the applied ones),
//! with one worker and with several; `take` waits for a job that comes while it waits, and
//! returns `None` after its timeout when none comes; a worker killed after taking a job, or
//! after applying it but before acknowledging it, costs nothing but time: once its heartbeat
//! expired the reaper puts the job back, another worker does it, and its effect is still
//! applied once; a live worker's jobs stay with it, however often the reaper runs; and at the
//! end no job is left waiting or in a processing list.
//!
//! Each check starts its own `redis-server` (`checks::redis_server`), listening on a Unix
//! socket in the check's temporary directory, and stops it at the end. The worker is a role of
//! this binary: it says on stdout each job it took, applied and acknowledged, and its plan tells
//! it where to stop (and be killed) or wait for the check.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use checks::redis_server::RedisServer;
use harness::check::Checks;
use harness::process::{self, Child};
use job_queue::{enqueue, reap, Job, Keys, Worker};
use redis::{Commands, Connection};

fn main() {
    Checks::new()
        .role("worker", worker_role)
        .sequential(
            "take waits for a job that comes while it waits, and returns None after its timeout \
             when none comes",
            take_waits,
        )
        .sequential(
            "one worker does 6 jobs: each taken once, applied once and acknowledged; the account \
             holds their sum",
            one_worker,
        )
        .sequential(
            "3 workers share 12 jobs: each job is taken by one worker and applied once",
            three_workers,
        )
        .sequential(
            "a worker killed after taking a job: once its heartbeat expired the reaper puts the \
             job back, and another worker does it",
            killed_after_take,
        )
        .sequential(
            "a worker killed after applying a job but before acknowledging it: the job is done \
             again, its effect applied once",
            killed_after_apply,
        )
        .sequential(
            "a live worker's job stays with it while the reaper runs, and is done once",
            live_worker_keeps_its_job,
        )
        .run();
}

/// The queue every check uses (each check has a server of its own).
const QUEUE: &str = "jobs";

/// How long a worker waits for a job before it decides the queue is done.
const IDLE: Duration = Duration::from_millis(300);

/// How long a check waits for a worker to reach a point or to end.
const PATIENCE: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// The worker process.

/// The child: `worker URL ID TTL_MS [PLAN]`. Connects as worker ID, then until a `take` of
/// [`IDLE`] comes back empty: heartbeat (TTL_MS), take, apply, acknowledge, saying each on
/// stdout (`took ID`, `applied ID true|false`, `acked ID`). PLAN: `die-after-take` (status
/// `holding`) or `die-after-apply` (status `applied`): stop there for good, to be killed;
/// `hold`: after taking, status `holding`, then wait for a line on stdin before going on. A
/// plan applies to the first job only.
fn worker_role() {
    let args = process::role_args();
    let (url, id, ttl) = (&args[0], &args[1], &args[2]);
    let ttl = Duration::from_millis(ttl.parse().expect("TTL_MS is a number"));
    let plan = args.get(3).map(String::as_str).unwrap_or("");
    let mut worker = Worker::connect(url, QUEUE, id).expect("the worker connects");
    let mut first = true;
    loop {
        worker.heartbeat(ttl).expect("the heartbeat is sent");
        let Some(job) = worker.take(IDLE).expect("take answers") else {
            return;
        };
        println!("took {}", job.id);
        if first && plan == "die-after-take" {
            stop_for_good("holding");
        }
        if first && plan == "hold" {
            process::status("holding");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .expect("the worker reads its go-ahead");
        }
        let applied = worker.apply(&job).expect("apply answers");
        println!("applied {} {applied}", job.id);
        if first && plan == "die-after-apply" {
            stop_for_good("applied");
        }
        worker.ack(&job).expect("ack answers");
        println!("acked {}", job.id);
        first = false;
    }
}

/// Says `status`, then waits to be killed.
fn stop_for_good(status: &str) -> ! {
    process::status(status);
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Starts worker `id` with heartbeats of `ttl` and `plan`.
fn spawn_worker(server: &RedisServer, id: &str, ttl: Duration, plan: &str) -> Child {
    let ttl = ttl.as_millis().to_string();
    Child::spawn("worker", &[&server.url(), id, &ttl, plan]).named(format!("worker {id}"))
}

/// Waits for `worker` to end well, and returns what it said on stdout.
fn finish(mut worker: Child) -> Vec<String> {
    let stdout = worker.take_stdout().expect("the worker's stdout is piped");
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .collect();
    worker
        .finish(PATIENCE)
        .unwrap_or_else(|err| panic!("{err}"));
    lines
}

// ---------------------------------------------------------------------------------------------
// Helpers of the checks.

fn connect(server: &RedisServer) -> Connection {
    redis::Client::open(server.url())
        .and_then(|client| client.get_connection())
        .expect("the check connects to its Redis server")
}

/// Jobs `j1`..`jn`, of amounts 1, 2, 4, ... (any two subsets sum differently).
fn jobs(n: u32) -> Vec<Job> {
    (1..=n)
        .map(|i| Job {
            id: format!("j{i}"),
            amount: 1 << (i - 1),
        })
        .collect()
}

fn enqueue_all(connection: &mut Connection, jobs: &[Job]) {
    for job in jobs {
        enqueue(connection, QUEUE, job).expect("the check enqueues a job");
    }
}

/// How many times each job id appears after `verb` in the workers' lines.
fn count(lines: &[String], verb: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for line in lines {
        if let Some(id) = line
            .strip_prefix(verb)
            .and_then(|rest| rest.split(' ').nth(1))
        {
            *counts.entry(id.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

/// Fails unless every job was taken exactly `taken(job)` times in `lines`.
fn assert_taken(lines: &[String], jobs: &[Job], taken: impl Fn(&Job) -> usize, context: &str) {
    let counts = count(lines, "took");
    for job in jobs {
        let times = counts.get(&job.id).copied().unwrap_or(0);
        assert_eq!(
            times,
            taken(job),
            "{context}: job {} was taken {times} time(s), expected {} (a job is taken again \
             only after the worker that held it died and the reaper put it back)",
            job.id,
            taken(job)
        );
    }
}

/// Fails unless every effect was applied once and nothing is left waiting or held.
fn assert_all_done(connection: &mut Connection, jobs: &[Job], context: &str) {
    let keys = Keys::new(QUEUE);
    let sum: i64 = jobs.iter().map(|job| job.amount).sum();
    let account: Option<i64> = connection.get(keys.account()).expect("the account is read");
    let account = account.unwrap_or(0);
    let applied: Vec<String> = connection
        .smembers(keys.applied())
        .expect("the applied ids are read");
    let missing: Vec<&str> = jobs
        .iter()
        .filter(|job| !applied.contains(&job.id))
        .map(|job| job.id.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "{context}: the effect of job(s) {} was never applied (a job was lost)",
        missing.join(", ")
    );
    assert_eq!(
        account,
        sum,
        "{context}: the account holds {account}, but the jobs' amounts add up to {sum}: {}",
        if account > sum {
            "an effect was applied more than once"
        } else {
            "an effect was lost"
        }
    );
    let waiting: Vec<String> = connection
        .lrange(keys.waiting(), 0, -1)
        .expect("the queue is read");
    assert!(
        waiting.is_empty(),
        "{context}: jobs are still waiting at the end: {waiting:?}"
    );
}

/// Fails unless the processing list of `worker` is empty.
fn assert_nothing_held(connection: &mut Connection, worker: &str, context: &str) {
    let held: Vec<String> = connection
        .lrange(Keys::new(QUEUE).processing(worker), 0, -1)
        .expect("a processing list is read");
    assert!(
        held.is_empty(),
        "{context}: worker {worker}'s processing list still holds {held:?} (a job is \
         acknowledged, and leaves it, once done)"
    );
}

/// Waits until worker `id`'s heartbeat expired (its TTL was short).
fn until_heartbeat_expired(connection: &mut Connection, id: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let alive: bool = connection
            .exists(Keys::new(QUEUE).alive(id))
            .expect("the heartbeat is read");
        if !alive {
            return;
        }
        if Instant::now() > deadline {
            process::hang(format!(
                "worker {id}'s heartbeat never expired: a heartbeat lasts only the TTL it was \
                 given"
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Kills `worker` and waits for it to be gone.
fn kill(mut worker: Child) {
    worker.kill();
    worker
        .wait(PATIENCE)
        .unwrap_or_else(|err| process::hang(err));
}

// ---------------------------------------------------------------------------------------------
// The checks.

fn one_worker() {
    let server = RedisServer::start();
    let mut connection = connect(&server);
    let jobs = jobs(6);
    enqueue_all(&mut connection, &jobs);
    let lines = finish(spawn_worker(&server, "w1", PATIENCE, ""));
    let context = "one worker, 6 jobs";
    assert_taken(&lines, &jobs, |_| 1, context);
    let acked = count(&lines, "acked");
    assert_eq!(
        acked.len(),
        jobs.len(),
        "{context}: the worker acknowledged {} jobs",
        acked.len()
    );
    assert_all_done(&mut connection, &jobs, context);
    assert_nothing_held(&mut connection, "w1", context);
}

fn three_workers() {
    let server = RedisServer::start();
    let mut connection = connect(&server);
    let jobs = jobs(12);
    enqueue_all(&mut connection, &jobs);
    let workers: Vec<Child> = ["w1", "w2", "w3"]
        .iter()
        .map(|id| spawn_worker(&server, id, PATIENCE, ""))
        .collect();
    let lines: Vec<String> = workers.into_iter().flat_map(finish).collect();
    let context = "3 workers, 12 jobs";
    assert_taken(&lines, &jobs, |_| 1, context);
    assert_all_done(&mut connection, &jobs, context);
    for id in ["w1", "w2", "w3"] {
        assert_nothing_held(&mut connection, id, context);
    }
}

fn take_waits() {
    let server = RedisServer::start();
    let mut connection = connect(&server);
    let mut worker = Worker::connect(&server.url(), QUEUE, "w1").expect("the check connects");
    let started = Instant::now();
    let nothing = worker
        .take(Duration::from_millis(200))
        .expect("take answers");
    let waited = started.elapsed();
    assert_eq!(nothing, None, "take on an empty queue returned a job");
    assert!(
        waited >= Duration::from_millis(150) && waited < Duration::from_secs(5),
        "take with a timeout of 200 ms on an empty queue returned after {waited:?}"
    );
    // A job that comes while a worker waits in take.
    let job = Job {
        id: "late".into(),
        amount: 7,
    };
    let lines = std::thread::scope(|scope| {
        let waiter = scope.spawn(|| worker.take(Duration::from_secs(10)));
        std::thread::sleep(Duration::from_millis(200));
        enqueue(&mut connection, QUEUE, &job).expect("the check enqueues a job");
        waiter.join().expect("take does not panic")
    });
    let taken = lines.expect("take answers");
    assert_eq!(
        taken,
        Some(job.clone()),
        "take, waiting when the job came, returned {taken:?}"
    );
    let held: Vec<String> = connection
        .lrange(Keys::new(QUEUE).processing("w1"), 0, -1)
        .expect("a processing list is read");
    assert_eq!(
        held,
        vec![job.encode()],
        "a job taken and not acknowledged is in its worker's processing list"
    );
}

fn killed_after_take() {
    let server = RedisServer::start();
    let mut connection = connect(&server);
    let jobs = jobs(4);
    enqueue_all(&mut connection, &jobs);
    let doomed = spawn_worker(&server, "w1", Duration::from_millis(300), "die-after-take");
    doomed
        .wait_for_status("holding", PATIENCE)
        .unwrap_or_else(|err| process::hang(err));
    kill(doomed);
    until_heartbeat_expired(&mut connection, "w1");
    let put_back = reap(&mut connection, QUEUE).expect("reap answers");
    let context = "w1 killed after taking j1";
    assert_eq!(
        put_back, 1,
        "{context}: the reaper put {put_back} job(s) back, expected j1 (held by the dead w1)"
    );
    let again = reap(&mut connection, QUEUE).expect("reap answers");
    assert_eq!(
        again, 0,
        "{context}: a second reap put {again} more job(s) back"
    );
    let lines = finish(spawn_worker(&server, "w2", PATIENCE, ""));
    assert_taken(&lines, &jobs, |_| 1, &format!("{context}, then w2"));
    assert_all_done(&mut connection, &jobs, context);
    assert_nothing_held(&mut connection, "w1", context);
    assert_nothing_held(&mut connection, "w2", context);
}

fn killed_after_apply() {
    let server = RedisServer::start();
    let mut connection = connect(&server);
    let jobs = jobs(4);
    enqueue_all(&mut connection, &jobs);
    let doomed = spawn_worker(&server, "w1", Duration::from_millis(300), "die-after-apply");
    doomed
        .wait_for_status("applied", PATIENCE)
        .unwrap_or_else(|err| process::hang(err));
    kill(doomed);
    until_heartbeat_expired(&mut connection, "w1");
    let put_back = reap(&mut connection, QUEUE).expect("reap answers");
    let context = "w1 killed after applying j1, before acknowledging it";
    assert_eq!(
        put_back, 1,
        "{context}: the reaper put {put_back} job(s) back, expected j1 (held by the dead w1)"
    );
    let lines = finish(spawn_worker(&server, "w2", PATIENCE, ""));
    assert_taken(&lines, &jobs, |_| 1, &format!("{context}, then w2"));
    let reapplied = lines.iter().any(|line| line == "applied j1 true");
    assert!(
        !reapplied,
        "{context}: w2 applied j1's effect again (its idempotency key says it was applied)"
    );
    assert_all_done(&mut connection, &jobs, context);
    assert_nothing_held(&mut connection, "w1", context);
}

fn live_worker_keeps_its_job() {
    let server = RedisServer::start();
    let mut connection = connect(&server);
    let jobs = jobs(3);
    enqueue_all(&mut connection, &jobs);
    let mut holder = spawn_worker(&server, "w1", PATIENCE, "hold");
    holder
        .wait_for_status("holding", PATIENCE)
        .unwrap_or_else(|err| process::hang(err));
    let context = "w1 alive (heartbeat of 20 s) and holding j1";
    // Longer than any heartbeat a unit slip would give (20 ms for 20 s), far shorter than 20 s.
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(200));
        let put_back = reap(&mut connection, QUEUE).expect("reap answers");
        assert_eq!(
            put_back, 0,
            "{context}: the reaper put {put_back} job(s) of the live w1 back (a worker is dead \
             only once its heartbeat expired)"
        );
    }
    let held: Vec<String> = connection
        .lrange(Keys::new(QUEUE).processing("w1"), 0, -1)
        .expect("a processing list is read");
    assert_eq!(
        held,
        vec![jobs[0].encode()],
        "{context}: w1's processing list should hold j1"
    );
    use std::io::Write;
    let stdin = holder.stdin().expect("the worker's stdin is piped");
    writeln!(stdin, "go").expect("the check tells w1 to go on");
    let lines = finish(holder);
    assert_taken(&lines, &jobs, |_| 1, context);
    assert_all_done(&mut connection, &jobs, context);
    assert_nothing_held(&mut connection, "w1", context);
}
