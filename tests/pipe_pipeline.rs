//! Checks of the `pipe_pipeline` kata: a line pipeline across child processes over pipes.
//!
//! The stages are this binary started in a role (`harness::process::command`): `upper`
//! uppercases each line, `number` puts the line's number in front, `reverse` reverses each line,
//! `crash_after N` passes N lines on and then panics. The promises: the output is every line
//! through every stage, in order, for a few bytes and for 16 times a pipe buffer; every child is
//! reaped before `run_pipeline` returns; a stage that crashes or cannot start is an `Err`, never a
//! hang. A pipeline that does not return within its budget fails as a hang (`timeout`), naming
//! the stages still running.

use std::io::{self, BufRead, BufWriter, Write};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::process::Command;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use harness::check::{Checks, Mode};
use harness::process;
use pipe_pipeline::run_pipeline;

fn main() {
    Checks::new()
        .role("upper", upper)
        .role("number", number)
        .role("reverse", reverse)
        .role("crash_after", crash_after)
        .sequential("one stage: every line comes out uppercased", one_stage)
        .sequential("three stages run in order", three_stages)
        .sequential("no stages: the input comes back unchanged", no_stages)
        .sequential("empty input: empty output", empty_input)
        .sequential(
            "1 MiB through two stages (16 times a pipe buffer)",
            a_mebibyte,
        )
        .sequential(
            "a stage that crashes halfway is an Err, not a hang",
            crashing_stage,
        )
        .sequential("a stage that cannot start is an Err", stage_cannot_start)
        .only(
            "1 MiB through three stages, again and again",
            &[Mode::Stress],
            a_mebibyte_three_stages,
        )
        .only(
            "a crashing stage, again and again",
            &[Mode::Stress],
            crashing_stage,
        )
        .run();
}

// ---------------------------------------------------------------------------------------------
// The stages (child processes).

/// A stage: reads lines on stdin, writes `transform(line number, line)` on stdout, streaming
/// (its output buffer is flushed every few KiB, as any filter's).
fn stage(name: &str, transform: impl Fn(usize, &str) -> String) {
    let stdin = io::stdin().lock();
    let mut out = BufWriter::new(io::stdout().lock());
    for (n, line) in stdin.lines().enumerate() {
        let line = line.unwrap_or_else(|err| panic!("{name}: cannot read stdin: {err}"));
        if writeln!(out, "{}", transform(n, &line)).is_err() {
            next_stage_gone(name);
        }
    }
    if out.flush().is_err() {
        next_stage_gone(name);
    }
}

/// The reader of this stage's stdout is gone (it crashed): give up, as `SIGPIPE` would.
fn next_stage_gone(name: &str) -> ! {
    eprintln!("{name}: the next stage closed its end of the pipe");
    std::process::exit(1)
}

fn upper() {
    stage("upper", |_, line| line.to_uppercase());
}

fn number() {
    stage("number", |n, line| format!("{}: {line}", n + 1));
}

fn reverse() {
    stage("reverse", |_, line| line.chars().rev().collect());
}

fn crash_after() {
    let lines: usize = process::role_args()[0].parse().expect("a line count");
    let stdin = io::stdin().lock();
    let mut out = io::stdout().lock();
    for (n, line) in stdin.lines().enumerate() {
        if n == lines {
            process::status(&format!("crashing after {lines} lines"));
            panic!("this stage crashes on purpose after {lines} lines");
        }
        let line = line.expect("stdin is readable");
        if writeln!(out, "{line}").is_err() {
            next_stage_gone("crash_after");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// How long one pipeline may take (a correct one takes well under a second).
const BUDGET: Duration = Duration::from_secs(3);

/// The `Command`s of `specs` (`"crash_after 100"`: a role and its arguments).
fn commands(specs: &[&str]) -> Vec<Command> {
    specs
        .iter()
        .map(|spec| {
            let mut words = spec.split(' ');
            let role = words.next().expect("a role");
            let args: Vec<&str> = words.collect();
            process::command(role, &args)
        })
        .collect()
}

/// Runs `run_pipeline(stages, input)` for at most [`BUDGET`], then checks that every child was
/// reaped. A pipeline that does not return in time fails the check as a hang.
fn run(what: &str, stages: Vec<Command>, input: Vec<u8>) -> io::Result<Vec<u8>> {
    let (done, result) = mpsc::channel();
    let bytes = input.len();
    std::thread::Builder::new()
        .name("run_pipeline".into())
        .spawn(move || {
            let _ = done.send(catch_unwind(AssertUnwindSafe(|| {
                run_pipeline(stages, &input)
            })));
        })
        .expect("a thread starts");
    let result = match result.recv_timeout(BUDGET) {
        Ok(Ok(result)) => result,
        // The panic was recorded where it happened; let it end the check as it is.
        Ok(Err(panic)) => resume_unwind(panic),
        Err(RecvTimeoutError::Disconnected) => panic!("run_pipeline's thread vanished"),
        Err(RecvTimeoutError::Timeout) => {
            let alive: Vec<String> = process::children()
                .iter()
                .map(ToString::to_string)
                .collect();
            process::hang(format!(
                "run_pipeline({what}) with {bytes} bytes of input did not return within {} s. \
                 Child processes at that moment: {}. A pipeline hangs when the parent writes \
                 all the input before reading any output (the pipes fill up and every process \
                 waits for the next one: a deadlock through the kernel), or when a pipe's write \
                 end stays open somewhere so a stage never reads end of file.",
                BUDGET.as_secs(),
                if alive.is_empty() {
                    "none".to_owned()
                } else {
                    alive.join("; ")
                }
            ))
        }
    };
    process::assert_all_reaped(&format!("after run_pipeline({what}) returned"));
    result
}

/// `lines` numbered lines of about 40 bytes.
fn text(lines: usize) -> String {
    (0..lines)
        .map(|i| format!("line {i} of the input, in lower case\n"))
        .collect()
}

/// What `specs` (without crashes) do to `input`.
fn expected(specs: &[&str], input: &str) -> String {
    let mut lines: Vec<String> = input.lines().map(str::to_owned).collect();
    for spec in specs {
        lines = lines
            .iter()
            .enumerate()
            .map(|(n, line)| match *spec {
                "upper" => line.to_uppercase(),
                "number" => format!("{}: {line}", n + 1),
                "reverse" => line.chars().rev().collect(),
                other => unreachable!("no model of stage {other}"),
            })
            .collect();
    }
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// Runs `specs` over `input` and compares with the expected output, line by line.
fn assert_pipeline(specs: &[&str], input: &str) {
    let what = specs.join(" | ");
    let output = match run(&what, commands(specs), input.as_bytes().to_vec()) {
        Ok(output) => output,
        Err(err) => panic!(
            "run_pipeline({what}) with {} bytes of input failed, but every stage works: {err}",
            input.len()
        ),
    };
    let want = expected(specs, input);
    let got = String::from_utf8_lossy(&output);
    if got == want {
        return;
    }
    let first_difference = got
        .lines()
        .zip(want.lines())
        .position(|(got, want)| got != want);
    let detail = match first_difference {
        Some(n) => format!(
            "line {} is {:?}, expected {:?}",
            n + 1,
            got.lines().nth(n).unwrap_or(""),
            want.lines().nth(n).unwrap_or("")
        ),
        None => format!(
            "{} lines came out, expected {}",
            got.lines().count(),
            want.lines().count()
        ),
    };
    panic!(
        "run_pipeline({what}) with {} bytes of input returned {} bytes, expected {}: {detail}",
        input.len(),
        output.len(),
        want.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Checks.

fn one_stage() {
    assert_pipeline(&["upper"], "hello\nworld\n");
}

fn three_stages() {
    assert_pipeline(&["upper", "number", "reverse"], &text(20));
}

fn no_stages() {
    let input = b"left as it is\n".to_vec();
    let output = run("no stages", Vec::new(), input.clone());
    assert!(
        matches!(&output, Ok(output) if *output == input),
        "run_pipeline(no stages) should give the input back unchanged, but returned {output:?}"
    );
}

fn empty_input() {
    assert_pipeline(&["upper", "number"], "");
}

fn a_mebibyte() {
    // 1 MiB is 16 times a pipe buffer: the pipes fill up many times over.
    assert_pipeline(&["upper", "number"], &text(28_000));
}

fn a_mebibyte_three_stages() {
    assert_pipeline(&["upper", "number", "reverse"], &text(28_000));
}

fn crashing_stage() {
    let input = text(28_000);
    let what = "upper | crash_after 100 | number";
    let output = run(
        what,
        commands(&["upper", "crash_after 100", "number"]),
        input.into_bytes(),
    );
    assert!(
        output.is_err(),
        "the middle stage of run_pipeline({what}) crashed after 100 lines, so the pipeline \
         failed, but run_pipeline returned Ok with {} bytes: a stage's exit status must be checked",
        output.map_or(0, |output| output.len())
    );
}

fn stage_cannot_start() {
    let mut stages = commands(&["upper"]);
    stages.push(Command::new("/nonexistent/pipe_pipeline/stage"));
    stages.extend(commands(&["number"]));
    let what = "upper | /nonexistent/pipe_pipeline/stage | number";
    let output = run(what, stages, text(100).into_bytes());
    assert!(
        output.is_err(),
        "run_pipeline({what}): the second stage cannot start, yet run_pipeline returned Ok with \
         {} bytes",
        output.map_or(0, |output| output.len())
    );
}
