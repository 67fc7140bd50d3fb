//! The provided part of the `model_choice` kata: the two workloads, the helpers that cut their
//! items into slices and chunks, and the plumbing of worker processes. The learner's
//! `model_choice` (its `src/lib.rs`) runs them with threads, a pool, processes and async tasks.
//!
//! ```
//! use model_choice_support::{chunks, slices, Workload};
//!
//! assert_eq!(slices(0..10, 3), [0..3, 3..6, 6..10]);
//! assert_eq!(chunks(0..5, 2), [0..2, 2..4, 4..5]);
//! assert_eq!(Workload::primes().run(0..10), 4); // 2, 3, 5 and 7
//! ```

use std::ops::Range;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// The tokio the workloads run on, for the checks and the benchmark (they build the runtimes).
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
