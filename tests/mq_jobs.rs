//! Checks of the `mq_jobs` kata: producers and consumers in separate processes over one POSIX
//! message queue.
//!
//! The promises: every job arrives as exactly the message that was sent (a 3-byte job and a
//! 500-byte job are two messages, never split or merged), and a job too long for the queue is
//! refused; an urgent job overtakes the normal ones already waiting, and jobs of one priority
//! come out in the order they went in; a producer on a full queue waits until a consumer takes
//! a job (it never drops one), with capacity 1 and more; a consumer waits on an empty queue; a
//! consumer killed after it took a job loses that job and no other, and every other job is
//! delivered exactly once; `create` refuses a name already in use; only the owner removes the
//! queue, when it is dropped and when its process panics.
//!
//! Every queue name comes from `process::queue_name`; the processes are this binary in roles
//! that open the queue by the name the parent gives them.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::time::Duration;

use harness::check::Checks;
use harness::detect;
use harness::process::{self, Child};
use mq_jobs::JobQueue;

fn main() {
    Checks::new()
        .role("producer", producer)
        .role("shapes", shapes)
        .role("mixed", mixed)
        .role("consumer", consumer)
        .role("victim", victim)
        .role("owner", owner)
        .sequential(
            "jobs of 3, 500, 1 and 512 bytes arrive as exactly those messages",
            jobs_arrive_whole,
        )
        .sequential(
            "an urgent job overtakes the normal jobs already waiting",
            urgent_overtakes,
        )
        .sequential(
            "a producer waits on a full queue of capacity 1 until a job is taken",
            producer_waits_capacity_1,
        )
        .sequential(
            "a producer waits on a full queue of capacity 3 until a job is taken",
            producer_waits_capacity_3,
        )
        .sequential(
            "a consumer waits on an empty queue until a job arrives",
            consumer_waits,
        )
        .sequential(
            "a consumer killed after it took a job loses that job only; every other job is \
             delivered exactly once",
            killed_consumer_loses_one_job,
        )
        .sequential(
            "create refuses a name in use, open a name not in use",
            create_is_exclusive,
        )
        .sequential(
            "only the owner removes the queue, when it is dropped",
            owner_removes_queue,
        )
        .sequential(
            "the queue is removed when the owner's process panics",
            owner_panics,
        )
        .concurrent(
            "3 producers and 3 consumers on a queue of capacity 2: every job delivered exactly \
             once",
            many_producers_and_consumers,
        )
        .run();
}

/// How long a child may take to do what it was asked.
const CHILD_BUDGET: Duration = Duration::from_secs(4);

/// How long a process that must be waiting is watched not going on (a process that does not
/// wait goes on within microseconds).
const STUCK: Duration = Duration::from_millis(400);

/// The job a consumer takes as the order to stop.
const STOP: &str = "stop";

fn create(name: &str, capacity: usize, max_job_len: usize) -> JobQueue {
    JobQueue::create(name, capacity, max_job_len).unwrap_or_else(|err| {
        panic!("JobQueue::create({name:?}, {capacity}, {max_job_len}) failed: {err}")
    })
}

fn open(name: &str) -> JobQueue {
    JobQueue::open(name).unwrap_or_else(|err| panic!("JobQueue::open({name:?}) failed: {err}"))
}

fn send(queue: &JobQueue, job: &[u8], urgent: bool) {
    queue
        .send(job, urgent)
        .unwrap_or_else(|err| panic!("send of the job {} failed: {err}", show(job)))
}

fn receive(queue: &JobQueue) -> Vec<u8> {
    queue
        .receive()
        .unwrap_or_else(|err| panic!("receive failed: {err}"))
}

fn pending(queue: &JobQueue) -> usize {
    queue
        .pending()
        .unwrap_or_else(|err| panic!("pending failed: {err}"))
}

/// A job for messages: its text if short, else its length and first bytes.
fn show(job: &[u8]) -> String {
    match std::str::from_utf8(job) {
        Ok(text) if job.len() <= 24 => format!("{text:?}"),
        _ => format!(
            "of {} bytes starting {:?}",
            job.len(),
            &job[..job.len().min(8)]
        ),
    }
}

/// Waits for `child` to end with success, or fails the check (a hang is `timeout`).
fn finish(child: &mut Child, what: &str) {
    if let Err(err) = child.finish(CHILD_BUDGET) {
        if matches!(child.try_wait(), Ok(None)) {
            process::hang(format!("{what}: {err}"));
        }
        panic!("{what}: {err}");
    }
}

/// The lines a finished child printed on its stdout.
fn printed(child: &mut Child) -> Vec<String> {
    let mut out = String::new();
    child
        .take_stdout()
        .expect("piped stdout")
        .read_to_string(&mut out)
        .expect("the child's stdout reads");
    out.lines().map(str::to_owned).collect()
}

// --- Roles (child processes) -----------------------------------------------------------------

/// `producer NAME PREFIX COUNT [together]`: sends the normal jobs `PREFIX-0` ..
/// `PREFIX-(COUNT-1)`, reporting `sending I` before each and `sent all` at the end; with
/// `together`, it opens the queue and waits at the starting line before its first send.
fn producer() {
    let args = process::role_args();
    let queue = open(&args[0]);
    if args.get(3).is_some_and(|arg| arg == "together") {
        checks::starting_line::wait_for_start();
    }
    let count: usize = args[2].parse().expect("a count");
    for i in 0..count {
        process::status(&format!("sending {i}"));
        send(&queue, format!("{}-{i}", args[1]).as_bytes(), false);
    }
    process::status("sent all");
}

/// The jobs of [`shapes`]: 3, 500, 1 and 512 bytes, each with its own bytes.
fn shaped_jobs() -> Vec<Vec<u8>> {
    let pattern = |len: usize, seed: usize| -> Vec<u8> {
        (0..len).map(|i| ((i * 7 + seed) % 251) as u8).collect()
    };
    vec![
        b"abc".to_vec(),
        pattern(500, 1),
        b"z".to_vec(),
        pattern(512, 2),
    ]
}

/// `shapes NAME`: sends the jobs of [`shaped_jobs`], normal, in order.
fn shapes() {
    let queue = open(&process::role_args()[0]);
    for job in shaped_jobs() {
        send(&queue, &job, false);
    }
    process::status("sent all");
}

/// The jobs of [`mixed`], in the order sent, and whether each is urgent.
const MIXED: [(&str, bool); 7] = [
    ("normal-0", false),
    ("normal-1", false),
    ("normal-2", false),
    ("urgent-0", true),
    ("normal-3", false),
    ("urgent-1", true),
    ("normal-4", false),
];

/// `mixed NAME`: sends the jobs of [`MIXED`].
fn mixed() {
    let queue = open(&process::role_args()[0]);
    for (job, urgent) in MIXED {
        send(&queue, job.as_bytes(), urgent);
    }
    process::status("sent all");
}

/// `consumer NAME`: takes jobs and prints each on a line until it takes [`STOP`], reporting
/// `receiving` before each receive.
fn consumer() {
    let queue = open(&process::role_args()[0]);
    let mut stdout = std::io::stdout();
    loop {
        process::status("receiving");
        let job = receive(&queue);
        if job == STOP.as_bytes() {
            return;
        }
        writeln!(stdout, "{}", String::from_utf8_lossy(&job)).expect("stdout writes");
        stdout.flush().expect("stdout flushes");
    }
}

/// `victim NAME`: takes one job, reports `took JOB` and `working`, and works until it is
/// killed (it waits for its stdin to end).
fn victim() {
    let queue = open(&process::role_args()[0]);
    let job = receive(&queue);
    process::status(&format!("took {}", String::from_utf8_lossy(&job)));
    process::status("working");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

/// `owner NAME`: creates the queue (capacity 4), sends `owned-0` and `owned-1`, reports
/// `created`, waits for a byte on stdin, then panics, as a bug in the owner would.
fn owner() {
    let queue = create(&process::role_args()[0], 4, 64);
    send(&queue, b"owned-0", false);
    send(&queue, b"owned-1", false);
    process::status("created");
    let _ = std::io::stdin().read(&mut [0u8; 1]);
    panic!("the owner fails in the middle of its work (a deliberate panic of this check)");
}

// --- Sequential checks -----------------------------------------------------------------------

fn jobs_arrive_whole() {
    let name = process::queue_name("shapes");
    let queue = create(&name, 4, 512);
    let mut producer = Child::spawn("shapes", &[&name]);
    for (i, expected) in shaped_jobs().iter().enumerate() {
        let job = receive(&queue);
        assert!(
            job == *expected,
            "a producer sent the jobs of 3, 500, 1 and 512 bytes; receive number {} should \
             return job {} {}, but it returned the job {}: a message queue keeps each job \
             whole, one message per send",
            i + 1,
            i + 1,
            show(expected),
            show(&job)
        );
    }
    finish(&mut producer, "the producer of the 4 jobs did not finish");
    let left = pending(&queue);
    assert_eq!(
        left, 0,
        "4 jobs were sent and 4 received, but pending() says {left} jobs still wait"
    );
    let too_long = vec![b'x'; 513];
    assert!(
        queue.send(&too_long, false).is_err(),
        "send of a job of 513 bytes on a queue of max_job_len 512 should fail"
    );
    let left = pending(&queue);
    assert_eq!(
        left, 0,
        "send of a job too long failed, yet pending() says {left} jobs wait: a refused job \
         sends nothing"
    );
}

fn urgent_overtakes() {
    let name = process::queue_name("mixed");
    let queue = create(&name, 8, 64);
    let mut producer = Child::spawn("mixed", &[&name]);
    finish(
        &mut producer,
        "the producer of 7 jobs on a queue of capacity 8 did not finish",
    );
    let sent: Vec<String> = MIXED
        .iter()
        .map(|(job, urgent)| format!("{job}{}", if *urgent { " (urgent)" } else { "" }))
        .collect();
    let waiting = pending(&queue);
    assert_eq!(
        waiting, 7,
        "a producer sent 7 jobs and no one took any, but pending() says {waiting}"
    );
    let mut expected = vec!["urgent-0", "urgent-1", "normal-0"];
    let mut got: Vec<String> = (0..3)
        .map(|_| String::from_utf8_lossy(&receive(&queue)).into_owned())
        .collect();
    // An urgent job sent now overtakes the normal ones that waited all along.
    send(&queue, b"urgent-2", true);
    expected.extend(["urgent-2", "normal-1", "normal-2", "normal-3", "normal-4"]);
    got.extend((0..5).map(|_| String::from_utf8_lossy(&receive(&queue)).into_owned()));
    assert_eq!(
        got, expected,
        "a producer sent {sent:?} while no one received; 3 jobs were taken, then this process \
         sent urgent-2; the jobs should come out urgent first, in the order sent within a \
         priority"
    );
}

/// A producer sends `capacity + 2` jobs to a queue of `capacity` that no one empties: it must
/// wait at the send after `capacity`, go on when a job is taken, and wait again.
fn producer_waits(capacity: usize) {
    let name = process::queue_name("full");
    let queue = create(&name, capacity, 64);
    let count = capacity + 2;
    let mut producer = Child::spawn("producer", &[&name, "job", &count.to_string()]);
    for round in 0..2 {
        let blocked = capacity + round;
        producer
            .wait_for_status(&format!("sending {blocked}"), CHILD_BUDGET)
            .unwrap_or_else(|err| panic!("{err}"));
        let went_on = producer.wait_for_status(&format!("sending {}", blocked + 1), STUCK);
        assert!(
            went_on.is_err(),
            "the queue of capacity {capacity} was full, yet the producer's send of job-{blocked} \
             returned (it went on to send job-{}) although no job was taken for {:.1} s: a \
             send on a full queue must wait until a consumer takes a job, never drop it",
            blocked + 1,
            STUCK.as_secs_f64()
        );
        let waiting = pending(&queue);
        assert_eq!(
            waiting, capacity,
            "the producer waits on a full queue of capacity {capacity}, but pending() says \
             {waiting}"
        );
        let job = receive(&queue);
        assert_eq!(
            String::from_utf8_lossy(&job),
            format!("job-{round}"),
            "the first job taken from the full queue should be the oldest"
        );
    }
    for i in 2..count {
        let job = receive(&queue);
        assert_eq!(
            String::from_utf8_lossy(&job),
            format!("job-{i}"),
            "jobs of one priority should come out in the order they were sent"
        );
    }
    finish(
        &mut producer,
        &format!(
            "every job was taken from the queue of capacity {capacity}, but the producer did \
             not finish"
        ),
    );
    let left = pending(&queue);
    assert_eq!(left, 0, "every job was taken, but pending() says {left}");
}

fn producer_waits_capacity_1() {
    producer_waits(1);
}

fn producer_waits_capacity_3() {
    producer_waits(3);
}

fn consumer_waits() {
    let name = process::queue_name("empty");
    let queue = create(&name, 2, 64);
    let mut consumer = Child::spawn("consumer", &[&name]);
    consumer
        .wait_for_status("receiving", CHILD_BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
    std::thread::sleep(STUCK);
    assert!(
        consumer.try_wait().ok().flatten().is_none(),
        "a consumer on an empty queue should wait in receive, but it ended: {}",
        consumer.explain("ended")
    );
    send(&queue, b"late-job", false);
    send(&queue, STOP.as_bytes(), false);
    finish(
        &mut consumer,
        "a consumer was sent a job and `stop`, but did not finish",
    );
    let took = printed(&mut consumer);
    assert_eq!(
        took,
        vec!["late-job"],
        "a consumer waited on an empty queue, then one job arrived: it should have taken \
         exactly that job"
    );
}

fn killed_consumer_loses_one_job() {
    let name = process::queue_name("killed");
    // Room for every job at once (3 left of the first 4, then 2 × 3): no send ever finds the
    // queue full here, so what this check sees does not depend on how fast consumers are (full
    // queues have checks of their own).
    let queue = create(&name, 10, 64);
    let first: Vec<String> = (0..4).map(|i| format!("early-{i}")).collect();
    for job in &first {
        send(&queue, job.as_bytes(), false);
    }
    let mut victim = Child::spawn("victim", &[&name]);
    victim
        .wait_for_status("working", CHILD_BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
    let lost = victim
        .statuses()
        .iter()
        .find_map(|status| status.strip_prefix("took ").map(str::to_owned))
        .expect("the victim reported the job it took");
    victim.kill();
    let _ = victim.wait(CHILD_BUDGET);
    let mut consumers: Vec<Child> = (0..2).map(|_| Child::spawn("consumer", &[&name])).collect();
    // Every process opens the queue before any of them sends, so the order in which they
    // open, send and end never decides what this check sees.
    for consumer in &consumers {
        consumer
            .wait_for_status("receiving", CHILD_BUDGET)
            .unwrap_or_else(|err| panic!("{err}"));
    }
    let mut producers: Vec<Child> = ["a", "b"]
        .iter()
        .map(|prefix| Child::spawn("producer", &[&name, prefix, "3", "together"]))
        .collect();
    checks::starting_line::start_together(&mut producers, CHILD_BUDGET);
    for producer in &mut producers {
        finish(producer, "a producer of 3 jobs did not finish");
    }
    // The orders to stop go through a descriptor of the check's own, which waits for room.
    let own = nix::mqueue::mq_open(
        name.as_str(),
        nix::mqueue::MQ_OFlag::O_WRONLY,
        nix::sys::stat::Mode::empty(),
        None,
    )
    .expect("this check opens the queue");
    for _ in &consumers {
        nix::mqueue::mq_send(&own, STOP.as_bytes(), 0).expect("this check sends `stop`");
    }
    let _ = nix::mqueue::mq_close(own);
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    for consumer in &mut consumers {
        finish(consumer, "a consumer was sent `stop` but did not finish");
        for job in printed(consumer) {
            *taken.entry(job).or_default() += 1;
        }
    }
    assert!(
        !taken.contains_key(&lost),
        "a consumer took {lost:?} and was killed; the job was delivered again, but a message \
         queue delivers each message at most once (the lesson's consumers do not redeliver)"
    );
    let mut expected: Vec<String> = first.into_iter().filter(|job| *job != lost).collect();
    for prefix in ["a", "b"] {
        expected.extend((0..3).map(|i| format!("{prefix}-{i}")));
    }
    check_each_once(
        &taken,
        &expected,
        &format!("a consumer took {lost:?} and was killed"),
    );
}

/// Fails unless `taken` (each job and how often it was taken) holds every job of `expected`
/// exactly once and nothing else.
fn check_each_once(taken: &BTreeMap<String, usize>, expected: &[String], setting: &str) {
    let missing: Vec<&String> = expected
        .iter()
        .filter(|job| !taken.contains_key(*job))
        .collect();
    let twice: Vec<(&String, &usize)> = taken.iter().filter(|(_, n)| **n > 1).collect();
    let unknown: Vec<&String> = taken.keys().filter(|job| !expected.contains(job)).collect();
    assert!(
        missing.is_empty() && twice.is_empty() && unknown.is_empty(),
        "{setting}; every other one of the {} jobs should be taken exactly once, but jobs \
         never taken: {missing:?}, taken more than once (and how often): {twice:?}, taken \
         though never sent: {unknown:?}",
        expected.len()
    );
}

fn create_is_exclusive() {
    let name = process::queue_name("taken");
    assert!(
        JobQueue::open(&name).is_err(),
        "JobQueue::open of a name no queue has should fail"
    );
    // A queue left by someone else (a crashed earlier run), with a job in it.
    let attr = nix::mqueue::MqAttr::new(0, 4, 64, 0);
    let stale = nix::mqueue::mq_open(
        name.as_str(),
        nix::mqueue::MQ_OFlag::O_CREAT | nix::mqueue::MQ_OFlag::O_RDWR,
        nix::sys::stat::Mode::S_IRUSR | nix::sys::stat::Mode::S_IWUSR,
        Some(&attr),
    )
    .expect("this check creates a queue");
    nix::mqueue::mq_send(&stale, b"stale-job", 0).expect("this check sends a job");
    let _ = nix::mqueue::mq_close(stale);
    match JobQueue::create(&name, 4, 64) {
        Ok(_) => panic!(
            "a queue of that name already existed (with a job of someone else in it), but \
             JobQueue::create(name, 4, 64) returned Ok: create must refuse a name in use \
             (O_EXCL), never take over another's queue"
        ),
        Err(err) => assert_eq!(
            err.kind(),
            std::io::ErrorKind::AlreadyExists,
            "create on a name in use should fail with AlreadyExists, not {err:?}"
        ),
    }
}

fn owner_removes_queue() {
    let name = process::queue_name("owned");
    let queue = create(&name, 2, 64);
    for round in 0..2 {
        let mut producer = Child::spawn("producer", &[&name, &format!("child{round}"), "1"]);
        finish(&mut producer, "a producer of one job did not finish");
        assert!(
            process::queue_exists(&name),
            "a producer opened the queue, sent a job and ended: its handle removed the queue, \
             but only the owner may"
        );
        let job = receive(&queue);
        assert_eq!(
            String::from_utf8_lossy(&job),
            format!("child{round}-0"),
            "a producer sent one job and ended; the owner should receive it"
        );
    }
    let other = open(&name);
    drop(other);
    assert!(
        process::queue_exists(&name),
        "a handle from JobQueue::open was dropped and the queue was removed: only the owner \
         may remove it"
    );
    send(&queue, b"left-behind", false);
    drop(queue);
    let left = process::queues_left();
    if !left.is_empty() {
        detect::leaked(format!(
            "the owner of the queue {name:?} was dropped (a job still waiting in it), but the \
             queue still exists: {left:?}. Closing a descriptor does not remove a queue; it \
             stays until mq_unlink (or a reboot)"
        ));
    }
}

fn owner_panics() {
    let name = process::queue_name("panics");
    let mut owner = Child::spawn("owner", &[&name]);
    owner
        .wait_for_status("created", CHILD_BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
    let consumer = open(&name);
    let job = receive(&consumer);
    assert_eq!(
        String::from_utf8_lossy(&job),
        "owned-0",
        "the owner sent owned-0 and owned-1; the first job received should be owned-0"
    );
    drop(consumer);
    owner
        .stdin()
        .expect("piped stdin")
        .write_all(b"x")
        .expect("the owner's stdin is written");
    let status = owner.wait(CHILD_BUDGET).unwrap_or_else(|err| {
        process::hang(format!("the owner was told to go on and panic, but: {err}"))
    });
    assert!(
        !status.success(),
        "the owner's process was to panic, but it ended with success"
    );
    let left = process::queues_left();
    if !left.is_empty() {
        detect::leaked(format!(
            "the owner's process panicked while a job still waited in its queue; the panic \
             unwound the owner's stack (so its handle was dropped), but the queue still \
             exists: {left:?}"
        ));
    }
}

// --- Concurrent (stress) check ---------------------------------------------------------------

fn many_producers_and_consumers() {
    let name = process::queue_name("busy");
    let queue = create(&name, 2, 64);
    let prefixes = ["p", "q", "r"];
    let jobs = 20;
    let mut consumers: Vec<Child> = (0..3).map(|_| Child::spawn("consumer", &[&name])).collect();
    let mut producers: Vec<Child> = prefixes
        .iter()
        .map(|prefix| Child::spawn("producer", &[&name, prefix, &jobs.to_string()]))
        .collect();
    for producer in &mut producers {
        finish(producer, "a producer of 20 jobs did not finish");
    }
    for _ in &consumers {
        send(&queue, STOP.as_bytes(), false);
    }
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    for consumer in &mut consumers {
        finish(consumer, "a consumer was sent `stop` but did not finish");
        for job in printed(consumer) {
            *taken.entry(job).or_default() += 1;
        }
    }
    let expected: Vec<String> = prefixes
        .iter()
        .flat_map(|prefix| (0..jobs).map(move |i| format!("{prefix}-{i}")))
        .collect();
    check_each_once(
        &taken,
        &expected,
        "3 producers sent 20 jobs each through a queue of capacity 2 to 3 consumers",
    );
    drop(queue);
    let left = process::queues_left();
    if !left.is_empty() {
        detect::leaked(format!("the owner was dropped, but {left:?} still exist"));
    }
}
