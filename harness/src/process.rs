//! Process mode: checks that start real child processes.
//!
//! A check must not `fork` inside a multithreaded test runner, so a child process is the check
//! binary itself, started again in a **role**: a plain `fn()` declared with
//! [`Checks::role`](crate::check::Checks::role) and run instead of any check when the binary is
//! started as `<exe> --role NAME -- ARGS...` (which [`command`] and [`Child::spawn`] do).
//!
//! - In a role (the child): [`role_args`] are the arguments the parent passed; [`status`] tells
//!   the parent what the child is doing (shown when it hangs or is killed, and waited for by
//!   [`Child::wait_for_status`] for kill injection). A role that returns exits with status 0; a
//!   role that panics exits with status 101, the panic message on its stderr.
//! - In a check (the parent): [`Child::spawn`] starts a child with its stdin and stdout piped and
//!   its stderr captured (the last 64 KiB kept, status lines collected); [`Child::wait`] waits at
//!   most a given time and, on a hang, explains: the child's name, pid, last status and the end
//!   of its stderr; [`Child::kill`] sends `SIGKILL`; dropping a [`Child`] kills and reaps it.
//!   [`command`] gives the plain [`std::process::Command`] of a role, for code under test that
//!   starts processes itself. [`scratch`] is a fresh directory for the check's files (shared
//!   mappings, sockets), inside the run's temporary directory.
//! - Cleanup: after each round of a check (pass, failure or watchdog verdict) the engine kills
//!   and reaps every [`Child`] still alive and removes every [`scratch`] directory; `cargo xtask`
//!   runs each check process in its own process group, killed when the check ends or runs out of
//!   time, with its own `TMPDIR`, removed afterwards. Processes started by the code under test
//!   from a [`command`] are its own to reap: [`assert_all_reaped`] fails the check (`leak`) when
//!   it left one behind.
//!
//! Process mode needs real processes: use it in `sequential` and `stress` checks (the model and
//! explore engines cannot schedule another process). Roles run with the std facade.
//!
//! ```no_run
//! use std::io::{BufRead, BufReader};
//! use std::time::Duration;
//!
//! use harness::check::Checks;
//! use harness::process::{self, Child};
//!
//! /// The child: greets whoever the parent names, then waits to be killed.
//! fn greeter() {
//!     println!("hello, {}", process::role_args()[0]);
//!     process::status("waiting to be killed");
//!     loop {
//!         std::thread::sleep(Duration::from_secs(1));
//!     }
//! }
//!
//! fn a_killed_child_is_reported() {
//!     let mut child = Child::spawn("greeter", &["world"]);
//!     let mut line = String::new();
//!     BufReader::new(child.take_stdout().unwrap()).read_line(&mut line).unwrap();
//!     assert_eq!(line, "hello, world\n");
//!     // Kill injection: SIGKILL once the child reached a chosen point.
//!     child.wait_for_status("waiting to be killed", Duration::from_secs(5))
//!         .unwrap_or_else(|err| panic!("{err}"));
//!     child.kill();
//!     let status = child.wait(Duration::from_secs(5)).unwrap_or_else(|err| process::hang(err));
//!     assert!(!status.success());
//! }
//!
//! fn main() {
//!     Checks::new()
//!         .role("greeter", greeter)
//!         .sequential("a killed child is reported", a_killed_child_is_reported)
//!         .run();
//! }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::protocol::FailureKind;

/// How much of a child's stderr is kept: the last 64 KiB.
pub const STDERR_CAP: usize = 64 * 1024;

/// The mark that starts a status line on a child's stderr.
const STATUS_MARK: &str = "@@harness-status@@ ";

/// The argument that starts a binary in a role.
pub(crate) const ROLE_FLAG: &str = "--role";

/// The arguments of the role this process runs (set once, before the role starts).
static ROLE_ARGS: OnceLock<Vec<String>> = OnceLock::new();

/// Locks `mutex`, whatever panicked while holding it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

// ---------------------------------------------------------------------------------------------
// The child side.

/// The arguments the parent passed to this child (empty outside a role).
pub fn role_args() -> Vec<String> {
    ROLE_ARGS.get().cloned().unwrap_or_default()
}

/// Tells the parent what this child is doing now, e.g. `status("holding the lock")`: one marked
/// line on stderr, which a [`Child`] collects (its last status names what a hung or killed child
/// was doing) and [`Child::wait_for_status`] waits for. Outside a child it is a plain stderr line.
pub fn status(text: &str) {
    let line = format!("{STATUS_MARK}{}\n", text.replace(['\n', '\r'], " "));
    // One write: stderr is unbuffered, so the line arrives whole even from several threads.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Runs `role` as this whole process (the binary was started with `--role`), then exits: 0 when
/// it returns, 101 when it panics (the panic message is on stderr), 2 for an unknown role.
pub(crate) fn serve_role(roles: &[(&'static str, fn())], args: &[String]) -> ! {
    let name = args.first().map(String::as_str).unwrap_or("");
    let rest = match args.get(1).map(String::as_str) {
        Some("--") => &args[2..],
        _ => &args[1.min(args.len())..],
    };
    let Some(&(_, body)) = roles.iter().find(|(role, _)| *role == name) else {
        let known: Vec<&str> = roles.iter().map(|(role, _)| *role).collect();
        eprintln!("this check binary has no role `{name}` (its roles: {known:?})");
        std::process::exit(2)
    };
    let _ = ROLE_ARGS.set(rest.to_vec());
    let ran = std::panic::catch_unwind(body);
    // Whatever the role printed must reach the parent before the process ends.
    let _ = std::io::stdout().flush();
    std::process::exit(if ran.is_ok() { 0 } else { 101 })
}

// ---------------------------------------------------------------------------------------------
// The parent side.

/// The [`Command`] that starts this binary in `role` with `args`: the current executable with
/// `--role ROLE -- ARGS...`. Its stdin, stdout and stderr are inherited unless the caller sets
/// them. Hand it to code under test that starts processes itself; to watch a child (statuses,
/// captured stderr, kill injection, cleanup), use [`Child::spawn`] or [`Child::spawn_command`].
pub fn command(role: &str, args: &[&str]) -> Command {
    let exe = std::env::current_exe().expect("the check binary knows its own path");
    let mut command = Command::new(exe);
    command.arg(ROLE_FLAG).arg(role).arg("--").args(args);
    command
}

/// Scratch directories created by this process, removed by [`clean_up`].
static SCRATCH: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A fresh, empty directory for this check's files (a shared mapping's file, a socket): inside
/// the run's temporary directory (`TMPDIR`, which `cargo xtask` gives each check process and
/// removes afterwards), removed by the engine when the round ends. Never put such files in
/// `/dev/shm` directly.
pub fn scratch() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("scratch-{}-{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => {
                lock(&SCRATCH).push(dir.clone());
                return dir;
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => panic!("cannot create a scratch directory {}: {err}", dir.display()),
        }
    }
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

/// Every [`Child`] not yet dropped, for [`clean_up`].
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
        let mut process = command
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start the child process `{name}`: {err}"));
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

    /// The last status the child reported with [`status`], if any.
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

    /// Waits until the child has reported `text` with [`status`] (now or earlier), at most
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

    /// `child \`name\` (pid N) <what>; its last status: "..."; the end of its stderr: ...`.
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
    crate::check::failure::raise(FailureKind::Hang, message.to_string())
}

// ---------------------------------------------------------------------------------------------
// Child processes seen through /proc.

/// A child process of this process that was not reaped yet, as `/proc` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildProcess {
    /// Its process id.
    pub pid: u32,
    /// Its state letter (`R` running, `S` sleeping, `D` disk, `T` stopped, `Z` zombie).
    pub state: char,
    /// Its role, if it is this binary started in a role.
    pub role: Option<String>,
}

impl ChildProcess {
    /// Whether it ended but nobody waited for it.
    pub fn is_zombie(&self) -> bool {
        self.state == 'Z'
    }
}

impl fmt::Display for ChildProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pid {}", self.pid)?;
        if let Some(role) = &self.role {
            write!(f, " (role `{role}`)")?;
        }
        match self.state {
            'Z' => write!(f, ", a zombie: it ended and nobody waited for it"),
            'T' | 't' => write!(f, ", stopped"),
            _ => write!(f, ", still running"),
        }
    }
}

/// Every child process of this process not yet reaped (running, stopped or zombie), read from
/// `/proc` (empty where there is none).
pub fn children() -> Vec<ChildProcess> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found: Vec<ChildProcess> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `pid (comm) S ppid ...`: the command name may hold spaces and parentheses.
            let after = &stat[stat.rfind(')')? + 1..];
            let mut fields = after.split_whitespace();
            let state = fields.next()?.chars().next()?;
            let ppid: u32 = fields.next()?.parse().ok()?;
            (ppid == me).then(|| ChildProcess {
                pid,
                state,
                role: role_of(pid),
            })
        })
        .collect();
    found.sort_by_key(|child| child.pid);
    found
}

/// The role of process `pid`, from its command line.
fn role_of(pid: u32) -> Option<String> {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let mut args = cmdline.split(|&b| b == 0);
    args.position(|arg| arg == ROLE_FLAG.as_bytes())?;
    args.next()
        .map(|role| String::from_utf8_lossy(role).into_owned())
}

/// Fails the check with a `leak` verdict if this process has a child process not yet reaped
/// (still running, or a zombie nobody waited for). `after` says when, e.g. "after
/// run_pipeline returned". Call it when the check itself holds no [`Child`].
#[track_caller]
pub fn assert_all_reaped(after: &str) {
    let left = children();
    if left.is_empty() {
        return;
    }
    let listed: Vec<String> = left.iter().map(ToString::to_string).collect();
    let zombies = left.iter().filter(|child| child.is_zombie()).count();
    let advice = if zombies > 0 {
        "every child process must be waited for (`Child::wait`), or it stays a zombie in the \
         process table until its parent exits"
    } else {
        "every child process started must have ended and been waited for (`Child::wait`)"
    };
    crate::check::failure::raise(
        FailureKind::Leak,
        format!(
            "{after}, {} child process(es) had not been reaped: {}; {advice}",
            left.len(),
            listed.join("; ")
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// For the engine.

/// What the children still alive are doing, for a hung round's message (empty if none).
#[cfg(not(any(feature = "model", feature = "explore")))]
pub(crate) fn describe_running() -> String {
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
    for child in children() {
        if !pids.contains(&child.pid) {
            lines.push(format!("child process {child}"));
        }
    }
    lines.join("\n")
}

/// Kills and reaps every [`Child`] still alive and removes every [`scratch`] directory: the
/// engine calls it when a round ends, however it ends.
pub(crate) fn clean_up() {
    let watched: Vec<Arc<Entry>> = std::mem::take(&mut *lock(&CHILDREN));
    for entry in watched {
        entry.kill_and_reap();
    }
    let dirs: Vec<PathBuf> = std::mem::take(&mut *lock(&SCRATCH));
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}
