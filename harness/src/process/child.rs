//! The parent's side: children in a role, watched (statuses, captured stderr, bounded waits,
//! kill injection) and killed and reaped when dropped.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::process::{ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{lock, ROLE_FLAG, STATUS_MARK};
use crate::protocol::FailureKind;

/// How much of a child's stderr is kept: the last 64 KiB.
pub const STDERR_CAP: usize = 64 * 1024;

/// The [`Command`] that starts this binary in `role` with `args`: the current executable with
/// `--role ROLE -- ARGS...`. Its stdin, stdout and stderr are inherited unless the caller sets
/// them. Hand it to code under test that starts processes itself; to watch a child (statuses,
/// captured stderr, kill injection, cleanup), use [`Child::spawn`] or [`Child::spawn_command`].
pub fn command(role: &str, args: &[&str]) -> Command {
    let exe = std::env::current_exe().expect("the check binary knows its own path");
    let mut command = Command::new(exe);
    command.arg(ROLE_FLAG).arg(role).arg("--").args(args);
    if let Some(cpu) = crate::noise::child_cpu() {
        command.env(crate::cpu::PIN_ENV, cpu.to_string());
    }
    match crate::noise::child_seed() {
        Some(seed) => command.env(crate::noise::NOISE_ENV, seed.to_string()),
        None => command.env_remove(crate::noise::NOISE_ENV),
    };
    command
}

/// What the stderr reader has seen of one child.
#[derive(Default)]
struct Seen {
    /// Every status the child reported, oldest first.
    statuses: Vec<String>,
    /// The last [`STDERR_CAP`] bytes of its other stderr output.
    tail: Vec<u8>,
    /// How many earlier bytes were dropped from `tail`.
    dropped: usize,
    /// Whether its stderr reached its end (it exited, or closed stderr).
    closed: bool,
}

impl Seen {
    fn keep(&mut self, bytes: &[u8]) {
        self.tail.extend_from_slice(bytes);
        if self.tail.len() > 2 * STDERR_CAP {
            let cut = self.tail.len() - STDERR_CAP;
            self.tail.drain(..cut);
            self.dropped += cut;
        }
    }

    fn tail(&self) -> &[u8] {
        &self.tail[self.tail.len().saturating_sub(STDERR_CAP)..]
    }

    fn line(&mut self, line: &[u8]) {
        match line.strip_prefix(STATUS_MARK.as_bytes()) {
            Some(text) => {
                let text = String::from_utf8_lossy(text);
                self.statuses
                    .push(text.trim_end_matches(['\n', '\r']).to_owned());
            }
            None => self.keep(line),
        }
    }
}

/// One child as the registry and its [`Child`] share it.
struct Entry {
    name: Mutex<String>,
    pid: u32,
    process: Mutex<std::process::Child>,
    seen: Mutex<Seen>,
    changed: Condvar,
}

impl Entry {
    /// Kills the child (if it still runs) and reaps it.
    fn kill_and_reap(&self) {
        let mut process = lock(&self.process);
        if matches!(process.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = process.kill();
        let _ = process.wait();
    }
}

/// Every [`Child`] not yet dropped, for [`kill_all`].
static CHILDREN: Mutex<Vec<Arc<Entry>>> = Mutex::new(Vec::new());

/// How many children of each role were started, for names like `worker 2`.
static NUMBERS: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);

fn next_name(role: &str) -> String {
    let mut numbers = lock(&NUMBERS);
    let n = numbers
        .get_or_insert_with(HashMap::new)
        .entry(role.to_owned())
        .or_insert(0);
    *n += 1;
    format!("{role} {n}")
}

/// A child process in a role, watched: its stdin and stdout piped (unless taken), its stderr
/// captured (the last 64 KiB) with the statuses it reports, a bounded [`wait`](Child::wait),
/// and killed and reaped when dropped, so no check leaves a process or a zombie behind.
pub struct Child {
    entry: Arc<Entry>,
    stdin: Option<ChildStdin>,
    stdout: Option<ChildStdout>,
    reader: Option<JoinHandle<()>>,
}

impl Child {
    /// Starts this binary in `role` with `args`, stdin and stdout piped, stderr captured; named
    /// `"{role} {n}"` (`worker 1`, `worker 2`, ...) unless [`named`](Child::named).
    ///
    /// Panics if the process cannot be started.
    pub fn spawn(role: &str, args: &[&str]) -> Child {
        let mut command = command(role, args);
        command.stdin(Stdio::piped()).stdout(Stdio::piped());
        Child::spawn_command(&next_name(role), command)
    }

    /// Starts `command` as a watched child called `name`: stderr is captured (whatever the
    /// command said about it), stdin and stdout are as the command sets them.
    ///
    /// Panics if the process cannot be started.
    pub fn spawn_command(name: &str, mut command: Command) -> Child {
        command.stderr(Stdio::piped());
        let mut process = command.spawn().unwrap_or_else(|err| match err.kind() {
            // EAGAIN and ENOMEM: too many processes for this user, or no memory for one.
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::OutOfMemory => {
                crate::detect::exhausted(format!(
                    "could not start the child process `{name}`: {err}"
                ))
            }
            _ => panic!("cannot start the child process `{name}`: {err}"),
        });
        let stdin = process.stdin.take();
        let stdout = process.stdout.take();
        let stderr = process.stderr.take();
        let entry = Arc::new(Entry {
            name: Mutex::new(name.to_owned()),
            pid: process.id(),
            process: Mutex::new(process),
            seen: Mutex::new(Seen::default()),
            changed: Condvar::new(),
        });
        lock(&CHILDREN).push(Arc::clone(&entry));
        let reader = stderr.map(|stderr| {
            let entry = Arc::clone(&entry);
            std::thread::Builder::new()
                .name(format!("stderr of {name}"))
                .spawn(move || read_stderr(stderr, &entry))
                .expect("the stderr reader thread starts")
        });
        Child {
            entry,
            stdin,
            stdout,
            reader,
        }
    }

    /// Renames the child, for messages: `Child::spawn("stage", &[]).named("uppercase stage")`.
    pub fn named(self, name: impl Into<String>) -> Child {
        *lock(&self.entry.name) = name.into();
        self
    }

    /// The child's name, as messages call it.
    pub fn name(&self) -> String {
        lock(&self.entry.name).clone()
    }

    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.entry.pid
    }

    /// The write end of the child's stdin, if it is piped and not taken.
    pub fn stdin(&mut self) -> Option<&mut ChildStdin> {
        self.stdin.as_mut()
    }

    /// The read end of the child's stdout, if it is piped and not taken.
    pub fn stdout(&mut self) -> Option<&mut ChildStdout> {
        self.stdout.as_mut()
    }

    /// Takes the child's stdin (drop it to close the pipe: the child then reads end of file).
    pub fn take_stdin(&mut self) -> Option<ChildStdin> {
        self.stdin.take()
    }

    /// Takes the child's stdout.
    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.stdout.take()
    }

    /// The last status the child reported with [`status`](super::status), if any.
    pub fn last_status(&self) -> Option<String> {
        lock(&self.entry.seen).statuses.last().cloned()
    }

    /// Every status the child reported so far, oldest first.
    pub fn statuses(&self) -> Vec<String> {
        lock(&self.entry.seen).statuses.clone()
    }

    /// The child's stderr so far, status lines left out: at most its last 64 KiB.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(lock(&self.entry.seen).tail()).into_owned()
    }

    /// Waits until the child has reported `text` with [`status`](super::status) (now or earlier), at most
    /// `timeout`: the point where a check injects a kill. `Err` explains if the child exited
    /// (closed its stderr) first, or the time ran out.
    pub fn wait_for_status(&self, text: &str, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut seen = lock(&self.entry.seen);
        loop {
            if seen.statuses.iter().any(|status| status == text) {
                return Ok(());
            }
            if seen.closed {
                drop(seen);
                return Err(self.explain(&format!(
                    "ended (closed its stderr) without reporting the status \"{text}\""
                )));
            }
            let now = Instant::now();
            if now >= deadline {
                drop(seen);
                return Err(self.explain(&format!(
                    "did not report the status \"{text}\" within {:.1} s",
                    timeout.as_secs_f64()
                )));
            }
            seen = self
                .entry
                .changed
                .wait_timeout(seen, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Sends `SIGKILL` to the child (nothing if it already ended). Reap it with
    /// [`wait`](Child::wait) (or drop it).
    pub fn kill(&mut self) {
        let mut process = lock(&self.entry.process);
        if !matches!(process.try_wait(), Ok(Some(_))) {
            let _ = process.kill();
        }
    }

    /// Its exit status, if it has ended (and reaps it then); never blocks.
    pub fn try_wait(&mut self) -> Result<Option<ExitStatus>, String> {
        lock(&self.entry.process)
            .try_wait()
            .map_err(|err| self.explain(&format!("cannot be waited for: {err}")))
    }

    /// Waits at most `timeout` for the child to end, and reaps it. `Err` explains a hang: the
    /// child's name, pid, last status and the end of its stderr (the child keeps running; kill
    /// it or drop it). A check that cannot go on turns it into a verdict with [`hang`].
    pub fn wait(&mut self, timeout: Duration) -> Result<ExitStatus, String> {
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(1);
        loop {
            if let Some(status) = self.try_wait()? {
                self.settle();
                return Ok(status);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(self.explain(&format!(
                    "did not exit within {:.1} s",
                    timeout.as_secs_f64()
                )));
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    /// Waits at most `timeout` for the child to end and expects success: `Err` explains a hang,
    /// a non-zero exit or a signal, with the child's last status and the end of its stderr.
    pub fn finish(&mut self, timeout: Duration) -> Result<(), String> {
        let status = self.wait(timeout)?;
        if status.success() {
            Ok(())
        } else {
            Err(self.explain(&describe_exit(status)))
        }
    }

    /// Lets the stderr reader catch up with a child that has ended (briefly: a grandchild may
    /// still hold the pipe open).
    fn settle(&mut self) {
        let deadline = Instant::now() + Duration::from_millis(500);
        let mut seen = lock(&self.entry.seen);
        while !seen.closed && Instant::now() < deadline {
            seen = self
                .entry
                .changed
                .wait_timeout(seen, Duration::from_millis(20))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// This child in words, after `what` it did: "child `worker 1` (pid N) `what`; its last
    /// status: ...; the end of its stderr: ...", as the errors of [`Child::wait`] say it.
    pub fn explain(&self, what: &str) -> String {
        explain(&self.entry, what)
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("name", &*lock(&self.entry.name))
            .field("pid", &self.entry.pid)
            .finish_non_exhaustive()
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        // Close our pipe ends first: a child blocked writing to us must not stay blocked.
        self.stdin.take();
        self.stdout.take();
        self.entry.kill_and_reap();
        lock(&CHILDREN).retain(|entry| !Arc::ptr_eq(entry, &self.entry));
        if let Some(reader) = self.reader.take() {
            // The pipe closes when the process ends (unless a grandchild holds it open).
            if lock(&self.entry.seen).closed || reader.is_finished() {
                let _ = reader.join();
            }
        }
    }
}

/// Reads a child's stderr to its end: status lines are collected, the rest kept (capped).
fn read_stderr(mut stderr: std::process::ChildStderr, entry: &Arc<Entry>) {
    let mut buffer = [0u8; 8192];
    let mut partial: Vec<u8> = Vec::new();
    loop {
        let n = match stderr.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        partial.extend_from_slice(&buffer[..n]);
        let mut seen = lock(&entry.seen);
        let mut start = 0;
        while let Some(end) = partial[start..].iter().position(|&b| b == b'\n') {
            seen.line(&partial[start..=start + end]);
            start += end + 1;
        }
        partial.drain(..start);
        if partial.len() > STDERR_CAP {
            // A line longer than the cap is no status line: keep it as output.
            seen.keep(&partial);
            partial.clear();
        }
        drop(seen);
        entry.changed.notify_all();
    }
    let mut seen = lock(&entry.seen);
    if !partial.is_empty() {
        seen.line(&partial);
    }
    seen.closed = true;
    drop(seen);
    entry.changed.notify_all();
}

fn explain(entry: &Entry, what: &str) -> String {
    let seen = lock(&entry.seen);
    let status = match seen.statuses.last() {
        Some(last) => format!("its last status: \"{last}\""),
        None => "it reported no status".to_owned(),
    };
    let tail = String::from_utf8_lossy(seen.tail()).into_owned();
    let tail = tail.trim_end();
    let stderr = if tail.is_empty() {
        "its stderr is empty".to_owned()
    } else {
        // The last lines are what tells a crash apart; a whole 64 KiB is too much to show.
        let mut start = tail.len().saturating_sub(1500);
        while !tail.is_char_boundary(start) {
            start += 1;
        }
        let cut = if start > 0 || seen.dropped > 0 {
            "..."
        } else {
            ""
        };
        format!("the end of its stderr:\n{cut}{}", &tail[start..])
    };
    format!(
        "child `{}` (pid {}) {what}; {status}; {stderr}",
        lock(&entry.name),
        entry.pid
    )
}

/// An exit status in words: `exited with status 101`, `was killed (SIGKILL)`, ...
pub fn describe_exit(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(0), _) => "exited with status 0 (success)".to_owned(),
        (Some(101), _) => "exited with status 101 (a panic)".to_owned(),
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(9)) => "was killed (SIGKILL)".to_owned(),
        (None, Some(6)) => "aborted (SIGABRT)".to_owned(),
        (None, Some(11)) => "crashed with a segmentation fault (SIGSEGV)".to_owned(),
        (None, Some(13)) => "was ended by SIGPIPE (it wrote to a pipe nobody reads)".to_owned(),
        (None, Some(15)) => "was terminated (SIGTERM)".to_owned(),
        (None, Some(signal)) => format!("was ended by signal {signal}"),
        (None, None) => "ended in an unknown way".to_owned(),
    }
}

/// Fails the check as a hang (verdict `timeout`) with `message`, e.g. the `Err` of
/// [`Child::wait`]: `child.wait(budget).unwrap_or_else(|err| process::hang(err))`.
#[track_caller]
pub fn hang(message: impl fmt::Display) -> ! {
    crate::detect::raise(FailureKind::Hang, message.to_string())
}

/// Each watched child still registered, in words, and their pids (for a hung round's message).
#[cfg(not(any(feature = "model", feature = "explore")))]
pub(super) fn describe_watched() -> (Vec<String>, Vec<u32>) {
    let watched: Vec<Arc<Entry>> = lock(&CHILDREN).clone();
    let mut lines = Vec::new();
    let mut pids = Vec::new();
    for entry in &watched {
        let ended = lock(&entry.process).try_wait().ok().flatten();
        pids.push(entry.pid);
        let what = match ended {
            Some(status) => describe_exit(status),
            None => "was still running".to_owned(),
        };
        lines.push(explain(entry, &what));
    }
    (lines, pids)
}

/// Kills and reaps every [`Child`] still registered.
pub(super) fn kill_all() {
    let watched: Vec<Arc<Entry>> = std::mem::take(&mut *lock(&CHILDREN));
    for entry in watched {
        entry.kill_and_reap();
    }
}
