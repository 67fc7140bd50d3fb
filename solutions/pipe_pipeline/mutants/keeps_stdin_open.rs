//! Mutant: the feeder writes the input through `child.stdin.as_mut()` and leaves the `ChildStdin` inside the first stage's `Child`, so the pipe's write end stays open: the first stage never reads end of file, the stages after it never finish, and the parent waits forever for the last stage's output.
//! Expect: timeout

use std::io::{self, Read, Write};
use std::process::{Child, ChildStdout, Command, Stdio};

use harness::thread;

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
    if stages.is_empty() {
        return Ok(input.to_vec());
    }
    let mut children: Vec<Child> = Vec::with_capacity(stages.len());
    // The read end of the previous stage's stdout: the next stage's stdin. Moving it into the
    // next `Command` (which is dropped right after `spawn`) leaves the parent no copy of it.
    let mut upstream: Option<ChildStdout> = None;
    for mut stage in stages {
        stage
            .stdin(upstream.take().map_or_else(Stdio::piped, Stdio::from))
            .stdout(Stdio::piped());
        let mut child = match stage.spawn() {
            Ok(child) => child,
            Err(err) => {
                reap(children);
                return Err(err);
            }
        };
        upstream = child.stdout.take();
        children.push(child);
    }
    let mut output = upstream.expect("the last stage's stdout is piped");
    // Feed the input on another thread while this one collects the output.
    let mut first = children.remove(0);
    let input = input.to_vec();
    let feeder = thread::spawn(move || {
        let written = first
            .stdin
            .as_mut()
            .expect("the first stage's stdin is piped")
            .write_all(&input);
        (first, written)
    });
    let mut collected = Vec::new();
    let read = output.read_to_end(&mut collected);
    drop(output);
    let (first, written) = feeder.join().expect("the feeder thread does not panic");
    children.insert(0, first);
    // Every child is reaped, whatever failed.
    let mut failure = None;
    for (i, mut child) in children.into_iter().enumerate() {
        let status = child.wait()?;
        if !status.success() && failure.is_none() {
            failure = Some(io::Error::other(format!("stage {i} failed: {status}")));
        }
    }
    if let Some(failure) = failure {
        return Err(failure);
    }
    read?;
    match written {
        // A stage may stop reading early (like `head`): that is its right, if it succeeded.
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(err),
        _ => Ok(collected),
    }
}

/// Waits for every started child (their stdin pipes are closed by dropping them first).
fn reap(children: Vec<Child>) {
    for mut child in children {
        drop(child.stdin.take());
        let _ = child.kill();
        let _ = child.wait();
    }
}
