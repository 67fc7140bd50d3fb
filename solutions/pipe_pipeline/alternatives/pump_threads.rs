//! Alternative: the parent sits between every two stages: each stage gets its own piped stdin and stdout, and one pump thread per connection copies stage i's stdout into stage i+1's stdin (dropping the write end when the copy ends), plus a feeder thread for the input; the calling thread drains the last stage.

use std::io::{self, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use harness::thread::{self, JoinHandle};

/// Runs `stages` as one pipeline, like a shell's `stage1 | stage2 | ... | stageN`, and returns
/// everything the last stage wrote to its stdout.
pub fn run_pipeline(stages: Vec<Command>, input: &[u8]) -> io::Result<Vec<u8>> {
    if stages.is_empty() {
        return Ok(input.to_vec());
    }
    let mut children: Vec<Child> = Vec::new();
    for mut stage in stages {
        stage.stdin(Stdio::piped()).stdout(Stdio::piped());
        match stage.spawn() {
            Ok(child) => children.push(child),
            Err(err) => {
                for mut child in children {
                    drop(child.stdin.take());
                    let _ = child.kill();
                    let _ = child.wait();
                }
                return Err(err);
            }
        }
    }
    let mut stdins: Vec<ChildStdin> = Vec::new();
    let mut stdouts: Vec<ChildStdout> = Vec::new();
    for child in &mut children {
        stdins.push(child.stdin.take().expect("piped"));
        stdouts.push(child.stdout.take().expect("piped"));
    }
    let mut last = stdouts.pop().expect("at least one stage");
    let mut pumps: Vec<JoinHandle<io::Result<u64>>> = Vec::new();
    let mut stdins = stdins.into_iter();
    let first = stdins.next().expect("at least one stage");
    let input = input.to_vec();
    pumps.push(thread::spawn(move || {
        let mut first = first;
        first.write_all(&input)?;
        Ok(input.len() as u64)
    }));
    for (mut from, mut to) in stdouts.into_iter().zip(stdins) {
        // Each pump owns both ends: when the copy ends, `to` is dropped and the next stage
        // reads end of file.
        pumps.push(thread::spawn(move || io::copy(&mut from, &mut to)));
    }
    let mut collected = Vec::new();
    let read = last.read_to_end(&mut collected);
    drop(last);
    let pumped: Vec<io::Result<u64>> = pumps
        .into_iter()
        .map(|pump| pump.join().expect("a pump thread does not panic"))
        .collect();
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
    for result in pumped {
        match result {
            Err(err) if err.kind() != io::ErrorKind::BrokenPipe => return Err(err),
            _ => {}
        }
    }
    Ok(collected)
}
