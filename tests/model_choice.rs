//! Checks of the `model_choice` kata: one workload run sequentially, with threads, with a pool,
//! with processes and with async tasks.
//!
//! The promises: every approach computes the sequential answer, and each is what its name says:
//! `with_threads` starts exactly one thread per slice and they all run at once; `with_pool`
//! starts exactly `workers` threads (no thread per chunk) that all work at once; `with_processes`
//! runs one worker process per slice, all at once, and waits for every one of them;
//! `with_async` awaits the workload's async form (no blocking call inside async), so the waits
//! of many requests overlap on the runtime's clock.
//!
//! The workloads are observed: a probe is called at the start of every chunk, on the thread
//! that runs it. Worker processes are observed by this very program, which is what they run.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc as StdArc, Condvar as StdCondvar, Mutex as StdMutex};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use harness::check::{Checks, Mode};
use harness::thread;
use model_choice::{with_async, with_pool, with_processes, with_threads};
use model_choice_support::{tokio, Form, Workload, WORKER_ENV};

/// Most checks run once, then again in many stress rounds.
const BOTH: &[Mode] = &[Mode::Sequential, Mode::Stress];

/// How long the threads (or processes) of one run may take to all be working at once: far
/// longer than starting them takes, even on a busy machine.
const MEET_WITHIN: Duration = Duration::from_secs(2);

/// Set (by a check, for the worker processes it starts) to a directory where each worker
/// records itself.
const CHECK_DIR_ENV: &str = "MODEL_CHOICE_CHECK_DIR";
/// How many worker processes the check expects to meet at once.
const CHECK_EXPECT_ENV: &str = "MODEL_CHOICE_CHECK_EXPECT";

fn main() {
    if std::env::var_os(WORKER_ENV).is_some() {
        // This process is a worker started by `with_processes`: record it, then work.
        observe_worker_process();
        model_choice_support::serve_as_worker_if_asked();
    }
    Checks::new()
        .only("with_threads counts the primes", BOTH, threads_count)
        .only(
            "with_threads runs one slice per thread, all threads at once",
            BOTH,
            threads_spread,
        )
        .only("with_pool counts the primes", BOTH, pool_counts)
        .only(
            "with_pool starts exactly its workers, not a thread per chunk",
            BOTH,
            pool_census,
        )
        .only("with_pool keeps every worker busy at once", BOTH, pool_busy)
        .only(
            "with_pool hands out each of many small chunks once",
            &[Mode::Stress],
            pool_small_chunks,
        )
        .sequential("with_processes counts the primes", processes_count)
        .sequential(
            "with_processes runs its workers at once and waits for every one",
            processes_spread,
        )
        .only(
            "with_async counts the primes on a multi-thread runtime",
            BOTH,
            async_counts,
        )
        .sequential(
            "with_async makes no blocking call inside async",
            async_never_blocks,
        )
        .sequential(
            "with_async overlaps the waits of 100 requests",
            async_overlaps,
        )
        .run();
}

// ------------------------------------------------------------------------------------------
// Observing the workload.
// ------------------------------------------------------------------------------------------

/// The primes below `n`, by a sieve: the answer every approach must find.
fn primes_below(n: u64) -> u64 {
    let n = n as usize;
    let mut composite = vec![false; n.max(2)];
    let mut count = 0;
    for i in 2..n {
        if !composite[i] {
            count += 1;
            let mut j = i * i;
            while j < n {
                composite[j] = true;
                j += i;
            }
        }
    }
    count
}

/// The sum of the answers of requests `items`.
fn responses(items: Range<u64>) -> u64 {
    items.map(|i| i % 10 + 1).sum()
}

/// A meeting point: the first chunk of every thread waits there until `want` threads have
/// arrived, so the run passes only if that many threads work at the same time.
struct Meeting {
    want: usize,
    state: StdMutex<(HashSet<ThreadId>, bool, bool)>, // (arrived, over, gave up)
    changed: StdCondvar,
}

impl Meeting {
    fn arrive(&self) {
        let me = std::thread::current().id();
        let mut state = self.state.lock().unwrap();
        if state.1 {
            return;
        }
        state.0.insert(me);
        if state.0.len() >= self.want {
            state.1 = true;
            self.changed.notify_all();
            return;
        }
        let deadline = Instant::now() + MEET_WITHIN;
        while !state.1 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                state.1 = true;
                state.2 = true;
                self.changed.notify_all();
                break;
            }
            state = self.changed.wait_timeout(state, left).unwrap().0;
        }
    }

    fn gave_up(&self) -> bool {
        self.state.lock().unwrap().2
    }
}

/// What the probe saw: every chunk, how it ran, and on which thread.
#[derive(Default)]
struct Seen {
    chunks: StdMutex<Vec<(Range<u64>, Form, ThreadId)>>,
    meeting: Option<Meeting>,
}

impl Seen {
    fn meeting(want: usize) -> StdArc<Seen> {
        StdArc::new(Seen {
            chunks: StdMutex::default(),
            meeting: Some(Meeting {
                want,
                state: StdMutex::default(),
                changed: StdCondvar::new(),
            }),
        })
    }

    fn chunks(&self) -> Vec<(Range<u64>, Form, ThreadId)> {
        self.chunks.lock().unwrap().clone()
    }

    fn threads(&self) -> usize {
        let ids: HashSet<ThreadId> = self.chunks().into_iter().map(|(_, _, id)| id).collect();
        ids.len()
    }
}

/// `work`, observed by `seen`.
fn observed(work: Workload, seen: &StdArc<Seen>) -> Workload {
    let seen = StdArc::clone(seen);
    work.observed(move |chunk, form| {
        seen.chunks
            .lock()
            .unwrap()
            .push((chunk.clone(), form, std::thread::current().id()));
        if let Some(meeting) = &seen.meeting {
            meeting.arrive();
        }
    })
}

/// Fails unless the non-empty `chunks` cover `items` exactly once, none longer than `longest`.
fn assert_cover(what: &str, items: &Range<u64>, mut chunks: Vec<Range<u64>>, longest: u64) {
    chunks.retain(|chunk| !chunk.is_empty());
    chunks.sort_by_key(|chunk| chunk.start);
    let mut next = items.start;
    for chunk in &chunks {
        assert!(
            chunk.start >= next,
            "{what} ran item {} twice: every item must be done exactly once",
            chunk.start
        );
        assert!(
            chunk.start == next,
            "{what} never ran items {next}..{}: every item must be done exactly once",
            chunk.start
        );
        assert!(
            chunk.end - chunk.start <= longest,
            "{what} ran a chunk of {} items, but its chunks have at most {longest}",
            chunk.end - chunk.start
        );
        next = chunk.end;
    }
    assert!(
        next == items.end,
        "{what} never ran items {next}..{}: every item must be done exactly once",
        items.end
    );
}

// ------------------------------------------------------------------------------------------
// Threads.
// ------------------------------------------------------------------------------------------

fn threads_count() {
    for (n, threads) in [(20_000, 1), (30_000, 3), (5, 4)] {
        let got = with_threads(0..n, threads, &Workload::primes());
        assert_eq!(
            got,
            primes_below(n),
            "there are {} primes below {n}, but with_threads(0..{n}, {threads}, primes) found {got}",
            primes_below(n)
        );
    }
    let got = with_threads(0..12, 3, &Workload::requests(Duration::from_micros(100)));
    assert_eq!(
        got,
        responses(0..12),
        "with_threads(0..12, 3, requests) added up the responses to {got}, not {}",
        responses(0..12)
    );
}

fn threads_spread() {
    let (items, threads) = (0..30_000, 3);
    let seen = Seen::meeting(threads);
    let work = observed(Workload::primes(), &seen);
    let before = thread::census();
    let got = with_threads(items.clone(), threads, &work);
    let after = thread::census();
    let started = after.spawned - before.spawned;
    assert_eq!(
        started, threads,
        "with_threads(0..30000, {threads}, ..) started {started} threads, not {threads}"
    );
    assert_eq!(
        after.alive, before.alive,
        "with_threads returned while some of its threads were still running: join them all"
    );
    assert_eq!(
        got,
        primes_below(30_000),
        "with_threads(0..30000, {threads}, primes) found {got} primes"
    );
    let chunks = seen.chunks();
    assert_cover(
        "with_threads",
        &items,
        chunks.iter().map(|(c, _, _)| c.clone()).collect(),
        u64::MAX,
    );
    assert_eq!(
        chunks.len(),
        threads,
        "with_threads(.., {threads}, ..) ran {} slices: one slice per thread",
        chunks.len()
    );
    assert_eq!(
        seen.threads(),
        threads,
        "with_threads(.., {threads}, ..) ran its slices on {} threads: one thread per slice",
        seen.threads()
    );
    assert!(
        !seen.meeting.as_ref().unwrap().gave_up(),
        "the {threads} threads of with_threads never all ran at the same time (waited {} s): \
         start every thread before joining the first",
        MEET_WITHIN.as_secs()
    );
}

// ------------------------------------------------------------------------------------------
// The pool.
// ------------------------------------------------------------------------------------------

fn pool_counts() {
    for (n, workers, chunk) in [
        (20_000, 1, 1_000),
        (30_000, 3, 1_000),
        (30_001, 2, 7_000),
        (3, 4, 1),
    ] {
        let got = with_pool(0..n, workers, chunk, &Workload::primes());
        assert_eq!(
            got,
            primes_below(n),
            "there are {} primes below {n}, but with_pool(0..{n}, {workers} workers, chunks of \
             {chunk}, primes) found {got}",
            primes_below(n)
        );
    }
    let got = with_pool(0..12, 3, 2, &Workload::requests(Duration::from_micros(100)));
    assert_eq!(
        got,
        responses(0..12),
        "with_pool(0..12, 3 workers, chunks of 2, requests) added up the responses to {got}, not {}",
        responses(0..12)
    );
}

fn pool_census() {
    let (items, workers, chunk) = (0..40_000, 3, 1_000);
    let seen = StdArc::new(Seen::default());
    let work = observed(Workload::primes(), &seen);
    let before = thread::census();
    let got = with_pool(items.clone(), workers, chunk, &work);
    let after = thread::census();
    let started = after.spawned - before.spawned;
    assert_eq!(
        started, workers,
        "with_pool(0..40000, {workers} workers, chunks of {chunk}, ..) started {started} threads: \
         a pool starts its {workers} workers once and hands every chunk to one of them"
    );
    assert_eq!(
        after.alive, before.alive,
        "with_pool returned while some of its workers were still running: join them all"
    );
    assert_eq!(
        got,
        primes_below(40_000),
        "with_pool(0..40000, ..) found {got} primes"
    );
    let chunks = seen.chunks();
    assert_cover(
        "with_pool",
        &items,
        chunks.iter().map(|(c, _, _)| c.clone()).collect(),
        chunk,
    );
}

fn pool_busy() {
    let (items, workers, chunk) = (0..30_000, 3, 1_000);
    let seen = Seen::meeting(workers);
    let work = observed(Workload::primes(), &seen);
    let got = with_pool(items, workers, chunk, &work);
    assert_eq!(
        got,
        primes_below(30_000),
        "with_pool(0..30000, ..) found {got} primes"
    );
    assert!(
        !seen.meeting.as_ref().unwrap().gave_up(),
        "the {workers} workers of with_pool never all ran a chunk at the same time (waited {} s) \
         although there were 30 chunks: do not hold the queue's lock while running a chunk",
        MEET_WITHIN.as_secs()
    );
    assert_eq!(
        seen.threads(),
        workers,
        "with_pool ran its chunks on {} threads, not on its {workers} workers",
        seen.threads()
    );
}

/// Chunks of one item, thousands of them, taken by four workers at once: the workers reach the
/// queue again and again at the same moment, so two of them that both find the same chunk next
/// (a queue whose "take the next chunk" is not one indivisible step) run it twice. Every chunk
/// run is recorded: each item must be run exactly once, and the sum counted once.
fn pool_small_chunks() {
    let (items, workers, chunk) = (0..20_000, 4, 1);
    let seen = StdArc::new(Seen::default());
    let work = observed(Workload::primes(), &seen);
    let got = with_pool(items.clone(), workers, chunk, &work);
    let chunks = seen.chunks();
    assert_cover(
        "with_pool(0..20000, 4 workers, chunks of 1, primes)",
        &items,
        chunks.iter().map(|(c, _, _)| c.clone()).collect(),
        chunk,
    );
    assert_eq!(
        got,
        primes_below(20_000),
        "with_pool(0..20000, 4 workers, chunks of 1, primes) found {got} primes"
    );
}

// ------------------------------------------------------------------------------------------
// Processes.
// ------------------------------------------------------------------------------------------

fn processes_count() {
    for (n, processes) in [(20_000, 1), (30_000, 2)] {
        let got = with_processes(0..n, processes, &Workload::primes());
        assert_eq!(
            got,
            primes_below(n),
            "there are {} primes below {n}, but with_processes(0..{n}, {processes}, primes) found \
             {got}",
            primes_below(n)
        );
    }
    let got = with_processes(0..12, 3, &Workload::requests(Duration::from_micros(100)));
    assert_eq!(
        got,
        responses(0..12),
        "with_processes(0..12, 3, requests) added up the responses to {got}, not {}",
        responses(0..12)
    );
}

/// In a worker process the check started: records this worker in the check's directory, then
/// waits until every expected worker has started (or the meeting is given up).
fn observe_worker_process() {
    let (Some(dir), Some(expect)) = (
        std::env::var_os(CHECK_DIR_ENV),
        std::env::var(CHECK_EXPECT_ENV)
            .ok()
            .and_then(|n| n.parse::<usize>().ok()),
    ) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let job = std::env::var(WORKER_ENV).unwrap_or_default();
    let pid = std::process::id();
    let scratch = dir.join(format!("writing-{pid}"));
    if std::fs::write(&scratch, job).is_err()
        || std::fs::rename(&scratch, dir.join(format!("started-{pid}"))).is_err()
    {
        return;
    }
    let gave_up = dir.join("gave-up");
    let deadline = Instant::now() + MEET_WITHIN;
    while started_workers(&dir).len() < expect && !gave_up.exists() {
        if Instant::now() > deadline {
            let _ = std::fs::write(&gave_up, "");
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The workers recorded in `dir`: pid and job.
fn started_workers(dir: &Path) -> Vec<(u32, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let name = entry.file_name().into_string().ok()?;
            let pid = name.strip_prefix("started-")?.parse().ok()?;
            Some((pid, std::fs::read_to_string(entry.path()).ok()?))
        })
        .collect()
}

/// Whether `pid` is a child of this process that was never waited for (running, or a zombie).
fn unwaited_child(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // After the command name (in parentheses): state, then the parent's pid.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    after_name.split_whitespace().nth(1) == Some(&std::process::id().to_string())
}

fn processes_spread() {
    let (n, processes) = (30_000, 3);
    let dir = std::env::temp_dir().join(format!("model-choice-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the check can create its scratch directory");
    std::env::set_var(CHECK_DIR_ENV, &dir);
    std::env::set_var(CHECK_EXPECT_ENV, processes.to_string());
    let got = with_processes(0..n, processes, &Workload::primes());
    std::env::remove_var(CHECK_DIR_ENV);
    std::env::remove_var(CHECK_EXPECT_ENV);
    let workers = started_workers(&dir);
    let gave_up = dir.join("gave-up").exists();
    let _ = std::fs::remove_dir_all(&dir);

    assert_eq!(
        workers.len(),
        processes,
        "with_processes(0..{n}, {processes}, ..) started {} worker processes, not {processes}",
        workers.len()
    );
    assert!(
        !gave_up,
        "the {processes} worker processes of with_processes never all ran at the same time \
         (waited {} s): start every worker before waiting for the first",
        MEET_WITHIN.as_secs()
    );
    assert_eq!(
        got,
        primes_below(n),
        "with_processes(0..{n}, ..) found {got} primes"
    );
    let slices = workers
        .iter()
        .filter_map(|(_, job)| {
            let fields: Vec<u64> = job
                .split_whitespace()
                .skip(1)
                .filter_map(|f| f.parse().ok())
                .collect();
            match fields.as_slice() {
                [start, end] => Some(*start..*end),
                _ => None,
            }
        })
        .collect();
    assert_cover("with_processes", &(0..n), slices, u64::MAX);
    assert!(
        !workers.iter().any(|&(pid, _)| unwaited_child(pid)),
        "with_processes returned, but a worker process it started was never waited for: it \
         stays behind as a zombie (or still runs). Wait for every child (`wait_with_output`)"
    );
}

// ------------------------------------------------------------------------------------------
// Async.
// ------------------------------------------------------------------------------------------

/// A current-thread runtime whose clock is paused: it jumps ahead whenever every task waits on
/// a timer, so waits take no real time and the elapsed runtime time is exact.
fn paused_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("the check can build a runtime")
}

fn assert_all_async(seen: &Seen) {
    assert!(
        seen.chunks()
            .iter()
            .all(|(_, form, _)| *form == Form::Async),
        "with_async ran a chunk with the blocking `Workload::run` inside the runtime: a blocking \
         call holds the runtime's thread and no other task runs meanwhile. Await \
         `run_async(..)` in every task"
    );
}

fn async_counts() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("the check can build a runtime");
    let items = 0..30_000;
    let seen = StdArc::new(Seen::default());
    let work = observed(Workload::primes(), &seen);
    let got = runtime.block_on(with_async(items.clone(), 1_000, &work));
    assert_eq!(
        got,
        primes_below(30_000),
        "there are {} primes below 30000, but with_async(0..30000, chunks of 1000, primes) found {got}",
        primes_below(30_000)
    );
    let chunks = seen.chunks();
    assert_cover(
        "with_async",
        &items,
        chunks.iter().map(|(c, _, _)| c.clone()).collect(),
        1_000,
    );
    assert_all_async(&seen);
}

fn async_never_blocks() {
    let items = 0..20;
    let seen = StdArc::new(Seen::default());
    let work = observed(Workload::requests(Duration::from_millis(5)), &seen);
    let got = paused_runtime().block_on(with_async(items.clone(), 1, &work));
    assert_all_async(&seen);
    assert_eq!(
        got,
        responses(items),
        "with_async(0..20, chunks of 1, requests) added up the responses to {got}"
    );
}

fn async_overlaps() {
    let latency = Duration::from_millis(10);
    for chunk in [1, 4] {
        let items = 0..100;
        let work = Workload::requests(latency);
        let (got, took) = paused_runtime().block_on(async {
            let start = tokio::time::Instant::now();
            let got = with_async(items.clone(), chunk, &work).await;
            (got, start.elapsed())
        });
        assert_eq!(
            got,
            responses(items.clone()),
            "with_async(0..100, chunks of {chunk}, requests) added up the responses to {got}"
        );
        let one_task = latency * chunk as u32;
        assert!(
            took >= one_task,
            "with_async(0..100, chunks of {chunk}) finished before one chunk's waits could pass \
             on the runtime's clock: the waits were not awaited on the runtime"
        );
        assert!(
            took <= one_task * 3,
            "with_async(0..100, chunks of {chunk}) of requests that wait 10 ms each took far \
             longer than one chunk ({} ms) on the runtime's clock: the tasks did not wait at the \
             same time. Spawn every task before awaiting the first",
            one_task.as_millis()
        );
    }
}
