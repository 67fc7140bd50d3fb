//! Mutant: when a slot's worker dies holding a job, the slot starts a new worker and goes on with the NEXT job: the job in hand is lost, and `map` returns the answers it has, one short.
//! Expect: wrong-result

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use harness::sync::mpsc::{self, Sender};
use harness::sync::{Arc, Mutex};
use harness::thread;

/// How many times one job is handed to a worker before the pool gives up on it: a job whose
/// worker died this many times makes [`map`] return [`PoolError::GaveUp`].
pub const MAX_ATTEMPTS: usize = 3;

/// Why [`map`] failed.
#[derive(Debug)]
pub enum PoolError {
    /// A worker process could not be started.
    Spawn(io::Error),
    /// The worker holding `inputs[index]` died before answering, `attempts` times in a row:
    /// the job itself kills its workers, and trying again would never end.
    GaveUp {
        /// The job's position in the inputs.
        index: usize,
        /// The job's input.
        input: u64,
        /// How many workers died holding it.
        attempts: usize,
    },
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::Spawn(err) => write!(f, "a worker process could not be started: {err}"),
            PoolError::GaveUp {
                index,
                input,
                attempts,
            } => write!(
                f,
                "job {index} (input {input}) was given up: {attempts} workers died holding it"
            ),
        }
    }
}

impl std::error::Error for PoolError {}

/// What the slot threads share.
struct Shared {
    inputs: Vec<u64>,
    /// Jobs not handed out yet.
    queue: Mutex<VecDeque<usize>>,
    results: Mutex<Vec<Option<u64>>>,
    /// The first error; once set, no thread takes another job.
    failure: Mutex<Option<PoolError>>,
}

impl Shared {
    fn fail(&self, error: PoolError) {
        self.failure.lock().unwrap().get_or_insert(error);
    }

    fn next_job(&self) -> Option<usize> {
        if self.failure.lock().unwrap().is_some() {
            return None;
        }
        self.queue.lock().unwrap().pop_front()
    }
}

/// A request for a new worker's command: the caller's thread answers on the enclosed sender.
type Ask = Sender<Sender<Command>>;

/// Runs every input through a worker process and returns the outputs, in the order of the
/// inputs: `result[i]` is the worker's answer to `inputs[i]`.
///
/// `worker()` builds the command of one worker process; `map` sets its stdin and stdout to
/// pipes and starts `workers` of them. Each job is one line on a worker's stdin, `"{id}
/// {input}\n"`; the worker answers with one line on its stdout, `"{id} {output}\n"`, and exits
/// when its stdin ends. A worker that dies holding a job (killed, crashed) is replaced, and the
/// job is given to a worker again: every job's answer is returned exactly once. A job whose
/// worker died [`MAX_ATTEMPTS`] times makes `map` return [`PoolError::GaveUp`]. When `map`
/// returns, every worker process has ended and has been waited for.
///
/// # Panics
///
/// If `workers` is 0.
pub fn map(
    worker: impl Fn() -> Command,
    workers: usize,
    inputs: &[u64],
) -> Result<Vec<u64>, PoolError> {
    assert!(
        workers > 0,
        "a process pool needs at least 1 worker: with 0 workers no job would ever run"
    );
    let shared = Arc::new(Shared {
        inputs: inputs.to_vec(),
        queue: Mutex::new((0..inputs.len()).collect()).named("job queue"),
        results: Mutex::new(vec![None; inputs.len()]).named("results"),
        failure: Mutex::new(None).named("failure"),
    });
    let (ask, asked) = mpsc::channel::<Sender<Command>>();
    let slots: Vec<_> = (0..workers)
        .map(|slot| {
            let shared = Arc::clone(&shared);
            let ask = ask.clone();
            thread::Builder::new()
                .name(format!("worker slot {slot}"))
                .spawn(move || serve(&shared, &ask))
                .expect("the pool could not start a thread")
        })
        .collect();
    drop(ask);
    // Build each new worker's command here, where the factory lives, until every slot thread
    // has finished (then every `Ask` is dropped and `recv` fails).
    while let Ok(reply) = asked.recv() {
        let _ = reply.send(worker());
    }
    for slot in slots {
        slot.join().expect("a worker slot thread panicked");
    }
    if let Some(error) = shared.failure.lock().unwrap().take() {
        return Err(error);
    }
    let results = std::mem::take(&mut *shared.results.lock().unwrap());
    Ok(results.into_iter().flatten().collect())
}

/// One running worker process and its pipes.
struct Conversation {
    process: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Conversation {
    fn start(ask: &Ask) -> Result<Conversation, PoolError> {
        let (reply, command) = mpsc::channel();
        ask.send(reply)
            .expect("the caller's thread answers until every slot is done");
        let mut command = command
            .recv()
            .expect("the caller's thread answers every request");
        command.stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut process = command.spawn().map_err(PoolError::Spawn)?;
        let stdin = process.stdin.take().expect("piped");
        let stdout = BufReader::new(process.stdout.take().expect("piped"));
        Ok(Conversation {
            process,
            stdin,
            stdout,
        })
    }

    /// Job `id` with `input`: the worker's answer, or `None` if its pipes ended first (it
    /// died), or it answered something else.
    fn ask(&mut self, id: usize, input: u64) -> Option<u64> {
        writeln!(self.stdin, "{id} {input}").ok()?;
        self.stdin.flush().ok()?;
        let mut line = String::new();
        self.stdout.read_line(&mut line).ok()?;
        // Half a line (no newline) is what a worker killed while writing leaves.
        let line = line.strip_suffix('\n')?;
        let (answered, output) = line.split_once(' ')?;
        (answered.parse::<usize>().ok()? == id).then_some(())?;
        output.parse().ok()
    }

    /// Closes its stdin (it exits at end of file) and waits for it; kills it first if it may
    /// be in the middle of something.
    fn end(mut self, kill: bool) {
        drop(self.stdin);
        if kill {
            let _ = self.process.kill();
        }
        let _ = self.process.wait();
    }
}

/// One slot: take jobs until there are none (or the pool failed), each on this slot's worker
/// process, replacing the process when it dies.
fn serve(shared: &Shared, ask: &Ask) {
    let mut current: Option<Conversation> = None;
    'jobs: while let Some(id) = shared.next_job() {
        let input = shared.inputs[id];
        let worker = match current.as_mut() {
            Some(worker) => worker,
            None => match Conversation::start(ask) {
                Ok(started) => current.insert(started),
                Err(error) => {
                    shared.fail(error);
                    break 'jobs;
                }
            },
        };
        match worker.ask(id, input) {
            Some(output) => shared.results.lock().unwrap()[id] = Some(output),
            // Its pipe ended (or it made no sense): reap it; a new one takes the next job.
            None => current.take().expect("asked above").end(true),
        }
    }
    if let Some(worker) = current {
        worker.end(false);
    }
}
