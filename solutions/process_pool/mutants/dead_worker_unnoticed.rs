//! Mutant: a reader thread whose worker's stdout ends just returns without telling the dispatcher: a worker killed while holding a job is never noticed, its job is never given to anyone else, and the dispatcher waits forever for an answer that cannot come.
//! Expect: timeout

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

use harness::sync::mpsc::{self, Receiver, Sender};
use harness::thread::{self, JoinHandle};

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

/// What a reader thread tells the dispatcher about its worker (`slot`, `generation`: which
/// process of which slot).
enum Event {
    /// A complete reply line: job `id` gave `output`.
    Reply {
        slot: usize,
        generation: usize,
        id: usize,
        output: u64,
    },
    /// The worker's stdout ended: it exited or was killed.
    Ended { slot: usize, generation: usize },
}

/// A running worker process as the dispatcher sees it.
struct Worker {
    process: Child,
    stdin: ChildStdin,
    reader: JoinHandle<()>,
    generation: usize,
    /// The job it holds, if any.
    job: Option<usize>,
}

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
    let (events_tx, events) = mpsc::channel();
    let mut pool = Pool {
        worker: &worker,
        slots: (0..workers).map(|_| None).collect(),
        generations: vec![0; workers],
        events_tx,
        events,
    };
    let result = pool.run(inputs);
    pool.shut_down();
    result
}

struct Pool<'a, F: Fn() -> Command> {
    worker: &'a F,
    slots: Vec<Option<Worker>>,
    /// How many processes each slot has started so far.
    generations: Vec<usize>,
    events_tx: Sender<Event>,
    events: Receiver<Event>,
}

impl<F: Fn() -> Command> Pool<'_, F> {
    fn run(&mut self, inputs: &[u64]) -> Result<Vec<u64>, PoolError> {
        let mut queue: VecDeque<usize> = (0..inputs.len()).collect();
        let mut attempts = vec![0; inputs.len()];
        let mut results: Vec<Option<u64>> = vec![None; inputs.len()];
        let mut answered = 0;
        while answered < inputs.len() {
            // Hand out jobs: to idle workers, starting a worker in any empty slot.
            for slot in 0..self.slots.len() {
                if queue.is_empty() {
                    break;
                }
                if self.slots[slot].is_none() {
                    self.start(slot)?;
                }
                let worker = self.slots[slot].as_mut().expect("started above");
                if worker.job.is_some() {
                    continue;
                }
                let id = queue.pop_front().expect("not empty");
                attempts[id] += 1;
                worker.job = Some(id);
                // A worker that died already cannot take it: the write fails, or succeeds into
                // a pipe nobody reads. Either way its reader reports the end of its stdout, and
                // the job comes back then.
                let _ = writeln!(worker.stdin, "{id} {}", inputs[id]);
                let _ = worker.stdin.flush();
            }
            match self.events.recv().expect("the pool keeps a sender") {
                Event::Reply {
                    slot,
                    generation,
                    id,
                    output,
                } => {
                    let Some(worker) = self.current(slot, generation) else {
                        continue;
                    };
                    if worker.job != Some(id) {
                        // Not the job it holds: not an answer we are waiting for.
                        continue;
                    }
                    worker.job = None;
                    results[id] = Some(output);
                    answered += 1;
                }
                Event::Ended { slot, generation } => {
                    if self.current(slot, generation).is_none() {
                        continue;
                    }
                    let worker = self.slots[slot].take().expect("current");
                    let held = worker.job;
                    reap(worker);
                    if let Some(id) = held {
                        if attempts[id] >= MAX_ATTEMPTS {
                            return Err(PoolError::GaveUp {
                                index: id,
                                input: inputs[id],
                                attempts: attempts[id],
                            });
                        }
                        // First in line again: it has waited longest.
                        queue.push_front(id);
                    }
                }
            }
        }
        Ok(results
            .into_iter()
            .map(|output| output.expect("every job was answered"))
            .collect())
    }

    /// The worker in `slot` if it is still the process `generation`.
    fn current(&mut self, slot: usize, generation: usize) -> Option<&mut Worker> {
        self.slots[slot]
            .as_mut()
            .filter(|worker| worker.generation == generation)
    }

    /// Starts a worker process in `slot`, with a reader thread for its stdout.
    fn start(&mut self, slot: usize) -> Result<(), PoolError> {
        let mut command = (self.worker)();
        command.stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut process = command.spawn().map_err(PoolError::Spawn)?;
        let stdin = process.stdin.take().expect("piped");
        let stdout = process.stdout.take().expect("piped");
        self.generations[slot] += 1;
        let generation = self.generations[slot];
        let events = self.events_tx.clone();
        let reader = thread::Builder::new()
            .name(format!("reader of worker {slot}.{generation}"))
            .spawn(move || read_replies(stdout, slot, generation, &events))
            .expect("the pool could not start a reader thread");
        self.slots[slot] = Some(Worker {
            process,
            stdin,
            reader,
            generation,
            job: None,
        });
        Ok(())
    }

    /// Closes every worker's stdin (a worker exits at end of file), then waits for every
    /// process and joins every reader.
    fn shut_down(&mut self) {
        for worker in self.slots.iter_mut().filter_map(Option::take) {
            reap(worker);
        }
    }
}

/// Ends a worker for good: closes its stdin, waits for the process (no zombie) and joins its
/// reader (which ends with the process's stdout).
fn reap(worker: Worker) {
    let Worker {
        mut process,
        stdin,
        reader,
        job,
        ..
    } = worker;
    drop(stdin);
    if job.is_some() {
        // It may still be working on a job nobody needs any more (map gave up): stop it.
        let _ = process.kill();
    }
    let _ = process.wait();
    let _ = reader.join();
}

/// One reader thread: every complete line of the worker's stdout is a reply; the end of the
/// pipe is the worker's end.
fn read_replies(
    stdout: std::process::ChildStdout,
    slot: usize,
    generation: usize,
    events: &Sender<Event>,
) {
    let mut stdout = BufReader::new(stdout);
    let mut line = String::new();
    loop {
        line.clear();
        match stdout.read_line(&mut line) {
            // Half a line at the end: the worker died while writing it. Not a reply.
            Ok(_) if line.ends_with('\n') => {
                if let Some((id, output)) = parse_reply(&line) {
                    let reply = Event::Reply {
                        slot,
                        generation,
                        id,
                        output,
                    };
                    if events.send(reply).is_err() {
                        return;
                    }
                }
            }
            // End of the pipe: this worker is done.
            _ => return,
        }
    }
}

/// `"{id} {output}\n"`.
fn parse_reply(line: &str) -> Option<(usize, u64)> {
    let (id, output) = line.trim_end().split_once(' ')?;
    Some((id.parse().ok()?, output.parse().ok()?))
}
