//! Checks of the `process_pool` kata: a pool of worker processes, fed over pipes, that survives
//! a worker killed in the middle of a job.
//!
//! The promises: `map` returns every input's answer exactly once, in input order; it starts at
//! most `workers` processes while none dies, and they really work at the same time; a worker
//! killed while it holds a job (before answering, or halfway through writing its answer) costs
//! nothing but time: the job is done by another worker and its answer counted once; a job that
//! kills every worker that takes it makes `map` return an error after `MAX_ATTEMPTS` attempts
//! instead of hanging or retrying forever; and when `map` returns, every worker process has
//! ended and been waited for (no zombie, none left running).
//!
//! The worker is a role of this binary: it answers `"{id} {input}"` with `"{id} {input²}"`, and
//! its arguments tell it which inputs kill it (it sends itself `SIGKILL`), once (a marker file
//! in the scratch directory remembers it) or every time.

use std::fs;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use checks::refusal::refusal_message;
use harness::check::{Checks, Mode};
use harness::process;
use process_pool::{map, PoolError, MAX_ATTEMPTS};

fn main() {
    Checks::new()
        .role("worker", worker_role)
        .sequential(
            "3 workers map 30 inputs to their squares, in input order, and are all reaped",
            squares_in_order,
        )
        .sequential("map of no inputs returns no outputs", no_inputs)
        .sequential(
            "map with 0 workers panics with a clear message",
            zero_workers,
        )
        .sequential(
            "2 workers work on 2 jobs at the same time",
            workers_work_at_once,
        )
        .sequential(
            "a worker killed while holding a job: another worker does the job, every answer \
             comes back once",
            killed_worker_job_is_redone,
        )
        .sequential(
            "a worker killed halfway through writing its answer: the half line is no answer",
            half_answer_is_ignored,
        )
        .sequential(
            "the only worker is killed while holding a job: a new one is started and the pool \
             finishes",
            only_worker_is_replaced,
        )
        .sequential(
            "a job that kills every worker that takes it: map returns GaveUp after MAX_ATTEMPTS \
             attempts",
            deadly_job_gives_up,
        )
        .only(
            "several workers killed at different jobs: every answer comes back once",
            &[Mode::Stress],
            several_killed,
        )
        .only(
            "2 workers work on 2 jobs at the same time, round after round",
            &[Mode::Stress],
            workers_work_at_once,
        )
        .run();
}

// ---------------------------------------------------------------------------------------------
// The worker process.

/// The child: `worker DIR PLAN...`. Writes `DIR/worker-PID`, then answers each line
/// `"{id} {input}"` of its stdin with `"{id} {input*input}"` on its stdout until end of file.
/// PLAN items: `die-once=X` (the first worker to get input X kills itself before answering),
/// `die-once-partial=X` (the same, after writing its answer line up to its last digit), `die-always=X` (every
/// worker that gets X kills itself), `meet` (each job waits until 2 workers are working at
/// once, at most 2 s; `DIR/lonely` records a job that waited in vain).
fn worker_role() {
    let args = process::role_args();
    let dir = PathBuf::from(&args[0]);
    let plan = &args[1..];
    let pid = std::process::id();
    fs::write(dir.join(format!("worker-{pid}")), "").expect("the worker writes its pid file");
    let stdin = io::stdin();
    let mut stdout = io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { return };
        let (id, input) = line
            .split_once(' ')
            .and_then(|(id, input)| Some((id.parse::<u64>().ok()?, input.parse::<u64>().ok()?)))
            .unwrap_or_else(|| panic!("the worker got a line that is not \"ID INPUT\": {line:?}"));
        let answer = format!("{id} {}\n", input * input);
        for item in plan {
            let (what, on) = item.split_once('=').unwrap_or((item, ""));
            let on_this = on.parse::<u64>().ok() == Some(input);
            match what {
                "die-always" if on_this => die(id, input, None),
                "die-once" | "die-once-partial" if on_this && first_to_get(&dir, input) => {
                    // The answer line cut before its last digit, without its newline: it
                    // still reads as "ID NUMBER".
                    let cut = answer.trim_end();
                    let half = (what == "die-once-partial").then(|| &cut[..cut.len() - 1]);
                    die(
                        id,
                        input,
                        half.map(|half| (half, &mut stdout as &mut dyn Write)),
                    )
                }
                "meet" => meet(&dir, pid),
                _ => {}
            }
        }
        if stdout
            .write_all(answer.as_bytes())
            .and_then(|()| stdout.flush())
            .is_err()
        {
            return;
        }
    }
}

/// Whether this worker is the first to get `input` (and so the one to die on it).
fn first_to_get(dir: &Path, input: u64) -> bool {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dir.join(format!("died-on-{input}")))
        .is_ok()
}

/// Kills this worker with `SIGKILL` while it holds job `id`, after writing `half` an answer.
fn die(id: u64, input: u64, half: Option<(&str, &mut dyn Write)>) -> ! {
    if let Some((half, stdout)) = half {
        let _ = stdout.write_all(half.as_bytes());
        let _ = stdout.flush();
    }
    process::status(&format!(
        "killing itself (SIGKILL) while holding job {id} (input {input})"
    ));
    // No helper process (a `kill` command would be orphaned by this very kill).
    let _ = rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::KILL);
    // The signal is on its way; if it never comes, die anyway.
    std::thread::sleep(Duration::from_secs(5));
    std::process::exit(137)
}

/// Waits (at most 2 s) until 2 workers are inside a job at once.
fn meet(dir: &Path, pid: u32) {
    let me = dir.join(format!("inside-{pid}"));
    fs::write(&me, "").expect("the worker writes its marker");
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let inside = fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|entry| entry.file_name().to_string_lossy().starts_with("inside-"))
                    .count()
            })
            .unwrap_or(0);
        if inside >= 2 {
            break;
        }
        if Instant::now() > deadline {
            let _ = fs::write(dir.join("lonely"), "");
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    // Stay a moment, so the other worker sees this one too.
    std::thread::sleep(Duration::from_millis(50));
    let _ = fs::remove_file(&me);
}

// ---------------------------------------------------------------------------------------------
// Helpers of the checks.

/// A fresh directory for the workers' files, and the command factory for `map`.
fn workers_with(plan: &[&str]) -> (PathBuf, impl Fn() -> Command) {
    let dir = process::scratch();
    let mut args: Vec<String> = vec![dir.to_string_lossy().into_owned()];
    args.extend(plan.iter().map(|item| item.to_string()));
    let command = move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        process::command("worker", &args)
    };
    (dir, command)
}

/// How many worker processes were started (each wrote `worker-PID`).
fn started(dir: &Path) -> usize {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.file_name().to_string_lossy().starts_with("worker-"))
                .count()
        })
        .unwrap_or(0)
}

/// Fails unless `outputs` are the squares of `inputs`, one each, in order.
fn assert_squares(inputs: &[u64], outputs: &[u64], context: &str) {
    assert_eq!(
        outputs.len(),
        inputs.len(),
        "{context}: map returned {} answers for {} inputs (each input must be answered exactly \
         once)",
        outputs.len(),
        inputs.len()
    );
    for (i, (&input, &output)) in inputs.iter().zip(outputs).enumerate() {
        assert_eq!(
            output,
            input * input,
            "{context}: answer {i} should be {input}² = {}, but it was {output}",
            input * input
        );
    }
}

/// `map`'s outputs, or the check fails with its error.
fn mapped(result: Result<Vec<u64>, PoolError>, context: &str) -> Vec<u64> {
    result.unwrap_or_else(|err| panic!("{context}: map returned an error: {err}"))
}

fn inputs(n: u64) -> Vec<u64> {
    (0..n).map(|i| i + 10).collect()
}

// ---------------------------------------------------------------------------------------------
// The checks.

fn squares_in_order() {
    let (dir, worker) = workers_with(&[]);
    let inputs = inputs(30);
    let context = "with 3 workers and no worker killed";
    let outputs = mapped(map(worker, 3, &inputs), context);
    assert_squares(&inputs, &outputs, context);
    let started = started(&dir);
    assert!(
        started <= 3,
        "{context}, map started {started} worker processes for 30 jobs: a pool starts its \
         workers once and gives each many jobs"
    );
    process::assert_all_reaped("after map with 3 workers returned");
}

fn no_inputs() {
    let (_dir, worker) = workers_with(&[]);
    let outputs = mapped(map(worker, 2, &[]), "with no inputs");
    assert!(outputs.is_empty(), "map of no inputs returned {outputs:?}");
    process::assert_all_reaped("after map of no inputs returned");
}

/// The text of a panic's payload ("" if it has none).
fn zero_workers() {
    let (_dir, worker) = workers_with(&[]);
    let message = refusal_message(
        || map(worker, 0, &[1, 2, 3]),
        "map with 0 workers returned instead of panicking: no job can ever run",
    );
    assert!(
        !message.trim().is_empty(),
        "map with 0 workers panicked, but without a message saying why"
    );
    process::assert_all_reaped("after map with 0 workers panicked");
}

fn workers_work_at_once() {
    let (dir, worker) = workers_with(&["meet"]);
    let inputs = [3, 4];
    let context = "with 2 workers and 2 jobs that each wait for the other";
    let outputs = mapped(map(worker, 2, &inputs), context);
    assert_squares(&inputs, &outputs, context);
    assert!(
        !dir.join("lonely").exists(),
        "{context}: a job waited 2 s for a second worker to be working at the same time, in \
         vain: give each idle worker a job before waiting for answers"
    );
    process::assert_all_reaped("after map with 2 workers returned");
}

fn killed_worker_job_is_redone() {
    let (dir, worker) = workers_with(&["die-once=22"]);
    let inputs = inputs(30);
    let context = "with 3 workers, the one that took input 22 killed before answering";
    let outputs = mapped(map(worker, 3, &inputs), context);
    assert_squares(&inputs, &outputs, context);
    let started = started(&dir);
    assert!(
        started <= 4,
        "{context}, map started {started} worker processes: one replacement is enough"
    );
    process::assert_all_reaped("after map returned (one worker had been killed)");
}

fn half_answer_is_ignored() {
    let (_dir, worker) = workers_with(&["die-once-partial=22"]);
    let inputs = inputs(30);
    let context = "with 3 workers, the one that took input 22 killed while writing its answer \
                   (it wrote the line up to its last digit, \"ID 48\" of \"ID 484\", and no \
                   newline)";
    let outputs = mapped(map(worker, 3, &inputs), context);
    assert_squares(&inputs, &outputs, context);
    process::assert_all_reaped("after map returned (one worker had been killed)");
}

fn only_worker_is_replaced() {
    let (dir, worker) = workers_with(&["die-once=15"]);
    let inputs = inputs(10);
    let context = "with 1 worker, killed when it took input 15";
    let outputs = mapped(map(worker, 1, &inputs), context);
    assert_squares(&inputs, &outputs, context);
    let started = started(&dir);
    assert_eq!(
        started, 2,
        "{context}, map started {started} worker processes: the first, and one replacement"
    );
    process::assert_all_reaped("after map returned (its only worker had been killed)");
}

fn deadly_job_gives_up() {
    let (dir, worker) = workers_with(&["die-always=17"]);
    let inputs = inputs(10);
    let context = "with 2 workers, where every worker that takes input 17 (job 7) is killed";
    match map(worker, 2, &inputs) {
        Ok(outputs) => panic!(
            "{context}, map returned Ok with {} answers; it should give up on job 7 with \
             Err(PoolError::GaveUp {{ index: 7, input: 17, attempts: {MAX_ATTEMPTS} }})",
            outputs.len()
        ),
        Err(PoolError::GaveUp {
            index,
            input,
            attempts,
        }) => {
            assert_eq!(
                (index, input, attempts),
                (7, 17, MAX_ATTEMPTS),
                "{context}, map should give up on job 7 (input 17) after {MAX_ATTEMPTS} \
                 attempts, but it returned GaveUp {{ index: {index}, input: {input}, attempts: \
                 {attempts} }}"
            );
        }
        Err(other) => panic!(
            "{context}, map should give up on job 7 with PoolError::GaveUp, but returned: \
             {other}"
        ),
    }
    let started = started(&dir);
    assert!(
        started <= 2 + MAX_ATTEMPTS,
        "{context}, map started {started} worker processes: job 7 should be tried \
         {MAX_ATTEMPTS} times, and each death replaced once"
    );
    process::assert_all_reaped("after map gave up on a job");
}

fn several_killed() {
    let (_dir, worker) = workers_with(&["die-once=15", "die-once-partial=33", "die-once=51"]);
    let inputs = inputs(60);
    let context = "with 4 workers, those that took inputs 15, 33 (halfway through its answer) \
                   and 51 killed";
    let outputs = mapped(map(worker, 4, &inputs), context);
    assert_squares(&inputs, &outputs, context);
    process::assert_all_reaped("after map returned (three workers had been killed)");
}
