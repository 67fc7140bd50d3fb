//! Mutant: `with_processes` waits for each worker process before starting the next, so the processes run one after another.
//! Expect: wrong-result

use std::collections::VecDeque;
use std::ops::Range;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use harness::sync::{Arc, Mutex};
use harness::thread;

// ---------------------------------------------------------------------------------------------
// Provided: the workloads, the splitting helpers and the process plumbing. Keep them as they are.
// ---------------------------------------------------------------------------------------------

/// The tokio this crate runs on, for the checks and the benchmark (they build the runtimes).
pub use tokio;

/// How a chunk of a workload was run: on a thread that it blocks, or awaited inside async code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// [`Workload::run`]: the calling thread does (or waits out) the whole chunk.
    Blocking,
    /// [`Workload::run_async`]: waits are awaited, so the thread can run other tasks meanwhile.
    Async,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Primes,
    Requests { latency: Duration },
}

/// What is called at the start of every chunk of an observed workload.
type Probe = std::sync::Arc<dyn Fn(&Range<u64>, Form) + Send + Sync>;

/// A workload over the items `0..n`: each item has an answer, and a run's answer is the sum of
/// its items' answers. Cheap to clone; clones share their observer.
#[derive(Clone)]
pub struct Workload {
    kind: Kind,
    probe: Option<Probe>,
}

impl std::fmt::Debug for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.kind)
    }
}

impl Workload {
    /// CPU-bound: item `i` answers 1 if `i` is prime, else 0 (trial division).
    pub fn primes() -> Self {
        Workload {
            kind: Kind::Primes,
            probe: None,
        }
    }

    /// I/O-bound: item `i` is a request that waits `latency` (a slow server) and then answers
    /// [`response`]`(i)`.
    pub fn requests(latency: Duration) -> Self {
        Workload {
            kind: Kind::Requests { latency },
            probe: None,
        }
    }

    /// The same workload, calling `probe` at the start of every chunk, on the thread that runs
    /// it. The checks observe your code this way; you will not need it.
    pub fn observed(self, probe: impl Fn(&Range<u64>, Form) + Send + Sync + 'static) -> Self {
        Workload {
            kind: self.kind,
            probe: Some(std::sync::Arc::new(probe)),
        }
    }

    /// Does the items of `chunk` on this thread and returns the sum of their answers. Blocks
    /// the thread: computing, or sleeping through every request's latency.
    pub fn run(&self, chunk: Range<u64>) -> u64 {
        if let Some(probe) = &self.probe {
            probe(&chunk, Form::Blocking);
        }
        match self.kind {
            Kind::Primes => chunk.filter(|&i| is_prime(i)).count() as u64,
            Kind::Requests { latency } => chunk
                .map(|i| {
                    std::thread::sleep(latency);
                    response(i)
                })
                .sum(),
        }
    }

    /// The same as [`run`](Workload::run), for async code: the requests' waits are
    /// `tokio::time::sleep(..).await`, so the runtime runs other tasks meanwhile. (Prime
    /// counting has nothing to wait for: it computes, holding its thread like `run`.)
    pub async fn run_async(&self, chunk: Range<u64>) -> u64 {
        if let Some(probe) = &self.probe {
            probe(&chunk, Form::Async);
        }
        match self.kind {
            Kind::Primes => chunk.filter(|&i| is_prime(i)).count() as u64,
            Kind::Requests { latency } => {
                let mut sum = 0;
                for i in chunk {
                    tokio::time::sleep(latency).await;
                    sum += response(i);
                }
                sum
            }
        }
    }

    /// The workload as one word a worker process can read back.
    fn describe(&self) -> String {
        match self.kind {
            Kind::Primes => "primes".to_owned(),
            Kind::Requests { latency } => format!("requests-{}", latency.as_micros()),
        }
    }

    fn from_description(word: &str) -> Option<Self> {
        if word == "primes" {
            return Some(Workload::primes());
        }
        let micros = word.strip_prefix("requests-")?.parse().ok()?;
        Some(Workload::requests(Duration::from_micros(micros)))
    }
}

/// Whether `n` is prime, by trial division (slow on purpose: it is the CPU-bound work).
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n.is_multiple_of(2) {
        return n == 2;
    }
    let mut d = 3;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

/// What the server answers to request `i`.
pub fn response(i: u64) -> u64 {
    i % 10 + 1
}

/// `items` cut into `parts` contiguous slices whose lengths differ by at most one (some may be
/// empty when there are fewer items than parts).
///
/// # Panics
///
/// If `parts` is 0.
pub fn slices(items: Range<u64>, parts: usize) -> Vec<Range<u64>> {
    assert!(parts > 0, "cannot cut the items into 0 parts");
    let len = items.end.saturating_sub(items.start);
    let parts_u64 = parts as u64;
    (0..parts_u64)
        .map(|k| {
            let start = items.start + len * k / parts_u64;
            let end = items.start + len * (k + 1) / parts_u64;
            start..end
        })
        .collect()
}

/// `items` cut into consecutive chunks of `size` items (the last one may be shorter).
///
/// # Panics
///
/// If `size` is 0.
pub fn chunks(items: Range<u64>, size: u64) -> Vec<Range<u64>> {
    assert!(size > 0, "chunks of 0 items would never finish");
    let mut out = Vec::new();
    let mut start = items.start;
    while start < items.end {
        let end = items.end.min(start.saturating_add(size));
        out.push(start..end);
        start = end;
    }
    out
}

/// The environment variable that makes a program a worker process (see
/// [`serve_as_worker_if_asked`]).
pub const WORKER_ENV: &str = "MODEL_CHOICE_WORKER";

/// Starts a worker process that runs `work` over `slice` and prints its answer on its standard
/// output (piped). The worker is this very program, started again with [`WORKER_ENV`] set: its
/// `main` must call [`serve_as_worker_if_asked`] first (the checks and the benchmark do).
///
/// # Panics
///
/// If the process cannot be started.
pub fn spawn_worker(work: &Workload, slice: Range<u64>) -> Child {
    let me = std::env::current_exe().expect("cannot find this program to start it again");
    Command::new(me)
        .env(
            WORKER_ENV,
            format!("{} {} {}", work.describe(), slice.start, slice.end),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("cannot start a worker process")
}

/// The answer a finished worker printed; `output` comes from `Child::wait_with_output`.
///
/// # Panics
///
/// If the worker failed or printed something else than a number.
pub fn answer_of(output: Output) -> u64 {
    assert!(
        output.status.success(),
        "a worker process failed: {}",
        output.status
    );
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("a worker process printed `{}`, not a number", text.trim()))
}

/// If this process was started by [`spawn_worker`], does the worker's job, prints the answer
/// and exits; otherwise returns at once. Call it first thing in `main`.
pub fn serve_as_worker_if_asked() {
    let Ok(job) = std::env::var(WORKER_ENV) else {
        return;
    };
    let fields: Vec<&str> = job.split_whitespace().collect();
    let parsed = match fields.as_slice() {
        [word, start, end] => Workload::from_description(word)
            .zip(start.parse::<u64>().ok())
            .zip(end.parse::<u64>().ok()),
        _ => None,
    };
    let Some(((work, start), end)) = parsed else {
        eprintln!("{WORKER_ENV}=`{job}` is not a job");
        std::process::exit(2);
    };
    println!("{}", work.run(start..end));
    std::process::exit(0);
}

// ---------------------------------------------------------------------------------------------
// The approaches.
// ---------------------------------------------------------------------------------------------

/// The baseline: the whole workload on the calling thread.
pub fn sequential(items: Range<u64>, work: &Workload) -> u64 {
    work.run(items)
}

/// Cuts `items` into `threads` slices and runs each on a thread of its own, all at once; the
/// answer is the sum of theirs. Starts exactly `threads` threads.
///
/// # Panics
///
/// If `threads` is 0.
pub fn with_threads(items: Range<u64>, threads: usize, work: &Workload) -> u64 {
    assert!(threads > 0, "with_threads needs at least one thread");
    let handles: Vec<_> = slices(items, threads)
        .into_iter()
        .enumerate()
        .map(|(k, slice)| {
            let work = work.clone();
            thread::Builder::new()
                .name(format!("slice {k}"))
                .spawn(move || work.run(slice))
                .expect("cannot start a thread")
        })
        .collect();
    // Every thread is started before the first join: they all run at once.
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}

/// A pool: starts exactly `workers` threads, which take chunks of `chunk` items from one shared
/// queue until it is empty (a free worker takes the next chunk), and sums their answers.
///
/// # Panics
///
/// If `workers` or `chunk` is 0.
pub fn with_pool(items: Range<u64>, workers: usize, chunk: u64, work: &Workload) -> u64 {
    assert!(workers > 0, "a pool needs at least one worker");
    let queue: VecDeque<Range<u64>> = chunks(items, chunk).into();
    let queue = Arc::new(Mutex::new(queue).named("chunk queue"));
    let handles: Vec<_> = (0..workers)
        .map(|k| {
            let queue = Arc::clone(&queue);
            let work = work.clone();
            thread::Builder::new()
                .name(format!("worker {k}"))
                .spawn(move || {
                    let mut sum = 0;
                    loop {
                        // The guard is a temporary: the lock is released before the work.
                        let next = queue.lock().unwrap().pop_front();
                        let Some(chunk) = next else { break };
                        sum += work.run(chunk);
                    }
                    sum
                })
                .expect("cannot start a worker")
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}

/// Cuts `items` into `processes` slices and runs each in a worker process of its own (see
/// [`spawn_worker`]), all at once; waits for every one of them and sums their answers.
///
/// # Panics
///
/// If `processes` is 0, or a worker fails.
pub fn with_processes(items: Range<u64>, processes: usize, work: &Workload) -> u64 {
    assert!(processes > 0, "with_processes needs at least one process");
    slices(items, processes)
        .into_iter()
        .map(|slice| {
            let child: Child = spawn_worker(work, slice);
            answer_of(child.wait_with_output().expect("cannot wait for a worker"))
        })
        .sum()
}

/// Cuts `items` into chunks of `chunk` items and runs every chunk as a task of its own
/// (`tokio::spawn`), all at once, each awaiting [`Workload::run_async`]; sums their answers.
/// Runs on the caller's runtime.
///
/// # Panics
///
/// If `chunk` is 0.
pub async fn with_async(items: Range<u64>, chunk: u64, work: &Workload) -> u64 {
    let tasks: Vec<_> = chunks(items, chunk)
        .into_iter()
        .map(|chunk| {
            let work = work.clone();
            tokio::spawn(async move { work.run_async(chunk).await })
        })
        .collect();
    let mut sum = 0;
    for task in tasks {
        sum += task.await.expect("a task failed");
    }
    sum
}
