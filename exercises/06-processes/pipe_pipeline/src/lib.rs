//! A pipeline of processes: `stage 1 | stage 2 | ... | stage n`, built by hand.
//!
//! Each stage is a [`Command`] for a child process that reads lines on its stdin and writes
//! lines on its stdout. [`run_pipeline`] starts every stage, connects them with pipes, feeds the
//! input to the first stage and collects what the last stage writes, however much data flows.

use std::io;
use std::process::Command;

/// Runs `stages` as one pipeline, like a shell's `stage1 | stage2 | ... | stageN`, and returns
/// everything the last stage wrote to its stdout.
///
/// - Stage `i`'s stdout is connected to stage `i + 1`'s stdin; `input` is written to the first
///   stage's stdin, which is then closed (the stage reads end of file); the last stage's stdout
///   is read to its end. Each stage's stderr is left as the `Command` says (inherited).
/// - The input and the output may be far bigger than a pipe's buffer (64 KiB on Linux): feeding
///   and collecting must go on at the same time.
/// - Every child is waited for (reaped) before `run_pipeline` returns, whatever happens.
/// - `Err` if a stage cannot be started, or ends with a failure status (non-zero, or killed by a
///   signal): a stage that crashes is an error, never a hang.
/// - No stages: the pipeline is the identity, `Ok(input.to_vec())`.
pub fn run_pipeline(stages: Vec<Command>, input: &[u8]) -> io::Result<Vec<u8>> {
    // TODO: start every stage with the right stdin and stdout, feed `input` to the first stage
    // while reading the last stage's output, then wait for every child and report failures.
    let _ = (stages, input);
    todo!()
}
