//! Running a check binary as a child process: `--list`, and `--run` of one check under a time
//! budget, in its own process group, with its output captured and capped, resource limits
//! ([`Limits`]) and a temporary directory of its own, removed afterwards.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use harness::protocol::{CheckInfo, Report, RunConfig, CONFIG_ENV, REPORT_ENV};
use harness::verdict::{classify, Exit, Verdict};
use wait_timeout::ChildExt;

use crate::sandbox::{self, Cell};

/// How much of a child's stdout and of its stderr is kept.
const OUTPUT_CAP: usize = 64 * 1024;

/// How long `--list` may take.
const LIST_BUDGET: Duration = Duration::from_secs(30);

/// How long output is still read once the child is gone: a process that escaped the group and
/// holds the pipes open costs no more than this.
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

/// How long a spawn waits, in all, for a busy binary to be free (see [`spawn_when_not_busy`]).
const BUSY_PATIENCE: Duration = Duration::from_secs(2);

/// What one check process may use besides its time budget, applied with `setrlimit` between
/// fork and exec so that they bind the child (and whatever it starts) but never the runner.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Address space in bytes (`RLIMIT_AS`): an allocation beyond it fails, which aborts.
    pub memory_bytes: Option<u64>,
    /// Processes and threads of the user (`RLIMIT_NPROC`). The kernel counts every process of
    /// the real user, not only the child's, and does not apply it to root (or to any process
    /// with `CAP_SYS_RESOURCE` or `CAP_SYS_ADMIN`): under root the time budget and the process
    /// group are what end a fork storm.
    pub processes: Option<u64>,
    /// Cut the child off the network: a network namespace of its own, with no interface up
    /// (Linux; needs root or unprivileged user namespaces, see [`can_cut_network`]).
    pub no_network: bool,
}

/// How one check run ended.
pub struct Finished {
    /// The verdict of the run.
    pub verdict: Verdict,
    /// Why, in plain words.
    pub message: String,
    /// The child's report, if it left one that belongs to this run.
    pub report: Option<Report>,
    /// What to do about it, when the cause is known better than the verdict says (the code ran
    /// out of memory, printed too much, ended its process).
    pub advice: Option<&'static str>,
    /// The start of the child's stdout and stderr.
    pub output: String,
}

/// How a process run by [`spawn_and_wait`] ended, and what it printed.
struct Ran {
    exit: Exit,
    /// The start of its stdout (at most [`OUTPUT_CAP`] bytes).
    stdout: String,
    /// The start of its stderr.
    stderr: String,
    /// All it printed, in bytes, kept or not.
    printed: usize,
}

/// A cause of a failed check that its verdict alone would misname.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    /// An allocation failed under the memory limit (Rust's handler aborts: "memory allocation
    /// of N bytes failed").
    OutOfMemory,
    /// It printed far more than is kept, and ran out of time doing so (the harness's watchdog
    /// may call that a livelock: steps, slowly).
    PrintedTooMuch,
    /// It ended its own process before the check reported (`std::process::exit`).
    EndedItsProcess,
}

/// Printing beyond this, in a check that ran out of time, is named as the cause.
const TOO_MUCH_OUTPUT: usize = 1 << 20;

impl Cause {
    /// The cause of the run `ran`, if it is one of those the verdict would misname.
    fn of(ran: &Ran, reported: bool, verdict: Verdict) -> Option<Cause> {
        let allocation_failed = ran.stderr.lines().any(|line| {
            line.starts_with("memory allocation of ") && line.ends_with(" bytes failed")
        });
        match (ran.exit, reported) {
            (Exit::Signal(_), false) if allocation_failed => Some(Cause::OutOfMemory),
            (Exit::Code(_), false) if !ran.stderr.contains("panicked at") => {
                Some(Cause::EndedItsProcess)
            }
            _ if matches!(verdict, Verdict::Timeout | Verdict::Livelock)
                && ran.printed > TOO_MUCH_OUTPUT =>
            {
                Some(Cause::PrintedTooMuch)
            }
            _ => None,
        }
    }

    /// What happened, in plain words, with the figures.
    fn message(self, ran: &Ran, limits: Limits) -> String {
        match self {
            Cause::OutOfMemory => {
                format!(
                "the code ran out of memory: an allocation failed under the check's limit of {} \
                 ({})",
                limits.memory_bytes.map_or("the machine's memory".to_owned(), |bytes| format!(
                    "{} MiB",
                    bytes >> 20
                )),
                ran.stderr
                    .lines()
                    .find(|line| line.starts_with("memory allocation of "))
                    .unwrap_or_default()
            )
            }
            Cause::PrintedTooMuch => format!(
                "the check did not finish in time, and the code printed {:.1} MB meanwhile \
                 (the first {} KiB are kept)",
                ran.printed as f64 / 1e6,
                OUTPUT_CAP >> 10
            ),
            Cause::EndedItsProcess => format!(
                "the code ended the check's process ({}) before the check could report: does it \
                 call `std::process::exit`?",
                describe_exit(ran.exit)
            ),
        }
    }

    /// What to do about it.
    fn advice(self) -> &'static str {
        match self {
            Cause::OutOfMemory => {
                "Your code used more memory than a check may. Look for a collection that grows \
                 without bound (a queue nobody drains, a loop that keeps pushing, a cache that \
                 never forgets) or one allocation sized by a number far too large."
            }
            Cause::PrintedTooMuch => {
                "Your code prints so much that printing alone takes longer than the check may. \
                 Remove the printing from loops and hot paths (a few lines to follow what \
                 happens are fine), or print only when something goes wrong."
            }
            Cause::EndedItsProcess => {
                "Your code ended the process before the check was done: `std::process::exit` \
                 ends every thread at once, and a check that cannot finish cannot pass. Return \
                 from the function instead (or panic if something is truly wrong)."
            }
        }
    }
}

/// How an ended process is named in a message.
fn describe_exit(exit: Exit) -> String {
    match exit {
        Exit::Code(code) => format!("it exited with status {code}"),
        Exit::Signal(signal) => format!("it was ended by signal {signal}"),
        Exit::TimedOut => "it ran out of time".to_owned(),
    }
}

/// The checks a binary offers (`<exe> --list`), in its order; run in `cell` when there is one
/// (listing runs the learner's code too: whatever it does before `main`).
pub fn list(exe: &Path, cell: Option<&Cell>) -> Result<Vec<CheckInfo>> {
    let mut command = Command::new(cell.map_or(exe, Cell::exe));
    command.arg("--list");
    match cell {
        Some(cell) => cell.confine(&mut command, &[])?,
        None => sandbox::minimal_environment(&mut command, &std::env::temp_dir()),
    }
    let Ran {
        exit,
        stdout,
        stderr,
        ..
    } = spawn_and_wait(command, LIST_BUDGET, cell)
        .with_context(|| format!("cannot run {} --list", exe.display()))?;
    if exit != Exit::Code(0) {
        let last = stderr.lines().last().unwrap_or("no output");
        bail!("`{} --list` failed ({exit:?}): {last}", exe.display());
    }
    serde_json::from_str(&stdout).with_context(|| {
        format!(
            "`{} --list` did not print a JSON list of checks",
            exe.display()
        )
    })
}

/// Runs one check (`<exe> --run` with `config`), its report going to `report_path`, or in
/// `cell` when there is one (then the report, the configuration and the temporary directory
/// are the cell's).
///
/// The child gets `limits` and a temporary directory of its own (`TMPDIR`), removed when it
/// ends.
pub fn run_check(
    exe: &Path,
    config: &RunConfig,
    report_path: &Path,
    budget: Duration,
    limits: Limits,
    cell: Option<&Cell>,
) -> Result<Finished> {
    let (report_path, temporary) = match cell {
        Some(cell) => (cell.dir().join("report.json"), cell.dir().join("tmp")),
        None => (report_path.to_path_buf(), report_path.with_extension("tmp")),
    };
    match std::fs::remove_file(&report_path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            return Err(err).with_context(|| format!("cannot remove {}", report_path.display()))
        }
        _ => {}
    }
    if cell.is_none() {
        let _ = std::fs::remove_dir_all(&temporary);
        std::fs::create_dir_all(&temporary)
            .with_context(|| format!("cannot create {}", temporary.display()))?;
    }
    // The configuration (with its nonce) goes in a file the child deletes before kata code runs.
    let config_path = report_path.with_extension("config");
    std::fs::write(&config_path, serde_json::to_string(config)?)
        .with_context(|| format!("cannot write {}", config_path.display()))?;
    let mut command = Command::new(cell.map_or(exe, Cell::exe));
    command.arg("--run");
    limit(&mut command, limits);
    let harness_variables = [
        (CONFIG_ENV, config_path.clone().into_os_string()),
        (REPORT_ENV, report_path.clone().into_os_string()),
    ];
    match cell {
        Some(cell) => cell.confine(&mut command, &harness_variables)?,
        None => {
            sandbox::minimal_environment(&mut command, &temporary);
            command.envs(harness_variables);
        }
    }
    let ran = spawn_and_wait(command, budget, cell);
    // Best effort: what the child left behind (its group is dead by now).
    if cell.is_none() {
        let _ = std::fs::remove_dir_all(&temporary);
    }
    let _ = std::fs::remove_file(&config_path);
    let ran = ran.with_context(|| format!("cannot run {} --run", exe.display()))?;
    let report = read_report(&report_path, config);
    // Best effort: a leftover report is ignored anyway (its nonce will not match).
    let _ = std::fs::remove_file(&report_path);
    let (verdict, message) = classify(config.mode, report.as_ref(), ran.exit);
    let cause = Cause::of(&ran, report.is_some(), verdict);
    Ok(Finished {
        verdict,
        message: cause.map_or(message, |cause| cause.message(&ran, limits)),
        advice: cause.map(Cause::advice),
        report,
        output: format!("{}{}", ran.stdout, ran.stderr),
    })
}

/// The report at `path`, if there is one that answers `config`.
fn read_report(path: &Path, config: &RunConfig) -> Option<Report> {
    let text = std::fs::read_to_string(path).ok()?;
    let report: Report = serde_json::from_str(&text).ok()?;
    let answers =
        report.nonce == config.nonce && report.check == config.check && report.mode == config.mode;
    answers.then_some(report)
}

/// Spawns `command` in its own process group with null stdin and captured output, waits at most
/// `budget`, then kills whatever is left of the group (and of `cell`, where there is one).
fn spawn_and_wait(mut command: Command, budget: Duration, cell: Option<&Cell>) -> Result<Ran> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    die_with_parent(&mut command);
    let mut child = spawn_when_not_busy(&mut command)?;
    let stdout = capture(child.stdout.take(), OUTPUT_CAP);
    let stderr = capture(child.stderr.take(), OUTPUT_CAP);
    let status = child.wait_timeout(budget)?;
    kill_group(&child);
    if let Some(cell) = cell {
        cell.kill_all();
    }
    let exit = match status {
        Some(status) => exit_of(status),
        None => {
            child.wait()?;
            Exit::TimedOut
        }
    };
    let deadline = Instant::now() + OUTPUT_GRACE;
    let counters = [Arc::clone(&stdout.read), Arc::clone(&stderr.read)];
    let (stdout, stderr) = (stdout.join(deadline), stderr.join(deadline));
    Ok(Ran {
        exit,
        stdout,
        stderr,
        printed: counters
            .iter()
            .map(|read| read.load(Ordering::Relaxed))
            .sum(),
    })
}

/// Spawns `command`, again after a pause while its binary is "busy" (`ETXTBSY`): a process that
/// another thread forked while a sandbox's copy of the binary was being written still holds the
/// copy open for a moment, until it execs.
fn spawn_when_not_busy(command: &mut Command) -> std::io::Result<Child> {
    let mut pause = Duration::from_millis(5);
    loop {
        match command.spawn() {
            Err(err) if err.raw_os_error() == Some(libc::ETXTBSY) && pause < BUSY_PATIENCE => {
                std::thread::sleep(pause);
                pause *= 2;
            }
            spawned => return spawned,
        }
    }
}

/// Runs `command` like [`Command::output`], but in its own process group under `limits`, for at
/// most `budget`: `None` when it ran out of time (the whole group is killed then). Each stream
/// keeps its first `cap` bytes.
pub fn output_within(
    mut command: Command,
    budget: Duration,
    limits: Limits,
    cap: usize,
) -> Result<Option<(ExitStatus, String, String)>> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    die_with_parent(&mut command);
    limit(&mut command, limits);
    let mut child = command.spawn()?;
    let stdout = capture(child.stdout.take(), cap);
    let stderr = capture(child.stderr.take(), cap);
    let status = child.wait_timeout(budget)?;
    kill_group(&child);
    if status.is_none() {
        child.wait()?;
    }
    let deadline = Instant::now() + OUTPUT_GRACE;
    let (stdout, stderr) = (stdout.join(deadline), stderr.join(deadline));
    Ok(status.map(|status| (status, stdout, stderr)))
}

/// Runs `command` in its own process group for at most `budget`, its stderr passed through to
/// ours (a benchmark's progress) and its stdout captured (the first `cap` bytes): `None` when it
/// ran out of time. Whatever is left of the group is killed when it ends.
pub fn stdout_within(
    mut command: Command,
    budget: Duration,
    cap: usize,
) -> Result<Option<(ExitStatus, String)>> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .process_group(0);
    die_with_parent(&mut command);
    let mut child = command.spawn()?;
    let stdout = capture(child.stdout.take(), cap);
    let status = child.wait_timeout(budget)?;
    kill_group(&child);
    if status.is_none() {
        child.wait()?;
    }
    let stdout = stdout.join(Instant::now() + OUTPUT_GRACE);
    Ok(status.map(|status| (status, stdout)))
}

/// Has the child killed if xtask dies first (Ctrl-C reaches xtask's process group, not the
/// child's), so a check stuck in a loop never outlives its runner. Registered after the cell's
/// steps: a change of user between fork and exec clears the setting.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    // SAFETY: the closure runs between fork and exec and only calls async-signal-safe prctl.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}

/// Elsewhere the budget alone bounds a check.
#[cfg(not(target_os = "linux"))]
fn die_with_parent(_: &mut Command) {}

/// Applies `limits` to the child between fork and exec.
fn limit(command: &mut Command, limits: Limits) {
    if limits == Limits::default() {
        return;
    }
    // SAFETY: the closure runs between fork and exec and only makes system calls (getrlimit,
    // setrlimit, unshare), which are async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            if let Some(bytes) = limits.memory_bytes {
                set_limit(libc::RLIMIT_AS, bytes)?;
            }
            if let Some(count) = limits.processes {
                set_limit(libc::RLIMIT_NPROC, count)?;
            }
            if limits.no_network {
                cut_network()?;
            }
            Ok(())
        });
    }
}

/// Whether this machine lets a child be cut off the network (probed once with `true`).
pub fn can_cut_network() -> bool {
    // SAFETY: `cut_network` makes only system calls (unshare).
    unsafe { sandbox::step_succeeds(cut_network) }
}

/// Moves the calling process into a new, empty network namespace: directly as root, else inside
/// a new user namespace.
#[cfg(target_os = "linux")]
fn cut_network() -> std::io::Result<()> {
    // SAFETY: unshare only changes the calling (single-threaded, just forked) process.
    unsafe {
        if libc::unshare(libc::CLONE_NEWNET) == 0
            || libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) == 0
        {
            return Ok(());
        }
    }
    Err(std::io::Error::last_os_error())
}

#[cfg(not(target_os = "linux"))]
fn cut_network() -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The type `setrlimit` names a resource with.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
type Resource = libc::__rlimit_resource_t;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
type Resource = libc::c_int;

/// Lowers the soft and hard limit of `resource` to `value` (never raises either).
fn set_limit(resource: Resource, value: u64) -> std::io::Result<()> {
    let mut current = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(resource, &mut current) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let value = libc::rlim_t::try_from(value).unwrap_or(libc::RLIM_INFINITY);
        let wanted = libc::rlimit {
            rlim_cur: value.min(current.rlim_cur),
            rlim_max: value.min(current.rlim_max),
        };
        if libc::setrlimit(resource, &wanted) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Kills every process left in the child's group (stray grandchildren, or all on a timeout).
fn kill_group(child: &Child) {
    let Ok(group) = libc::pid_t::try_from(child.id()) else {
        return;
    };
    // SAFETY: killpg only sends a signal; a group that is already gone gives ESRCH, ignored.
    unsafe {
        libc::killpg(group, libc::SIGKILL);
    }
}

fn exit_of(status: ExitStatus) -> Exit {
    match (status.code(), status.signal()) {
        (Some(code), _) => Exit::Code(code),
        (None, Some(signal)) => Exit::Signal(signal),
        (None, None) => Exit::Code(-1),
    }
}

/// A pipe read to its end on a thread of its own.
struct Captured {
    /// The first bytes read.
    kept: Arc<Mutex<Vec<u8>>>,
    /// How many bytes were read, kept or not.
    read: Arc<AtomicUsize>,
    /// Says when the pipe reached its end.
    done: Option<Receiver<()>>,
}

/// Reads a pipe to its end on a thread, keeping the first `cap` bytes.
fn capture<R: Read + Send + 'static>(pipe: Option<R>, cap: usize) -> Captured {
    let kept = Arc::new(Mutex::new(Vec::new()));
    let read = Arc::new(AtomicUsize::new(0));
    let Some(mut pipe) = pipe else {
        return Captured {
            kept,
            read,
            done: None,
        };
    };
    let (finished, done) = mpsc::channel();
    let sink = Arc::clone(&kept);
    let counter = Arc::clone(&read);
    std::thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            counter.fetch_add(n, Ordering::Relaxed);
            let mut kept = sink.lock().unwrap_or_else(|e| e.into_inner());
            let room = cap.saturating_sub(kept.len());
            kept.extend_from_slice(&buffer[..n.min(room)]);
        }
        let _ = finished.send(());
    });
    Captured {
        kept,
        read,
        done: Some(done),
    }
}

impl Captured {
    /// What was read, once the pipe ended or `deadline` passed (a process outside the child's
    /// group may hold the pipe open: the reading thread is then left to end with it).
    fn join(self, deadline: Instant) -> String {
        if let Some(done) = &self.done {
            let _ = done.recv_timeout(deadline.saturating_duration_since(Instant::now()));
        }
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&kept).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    fn shell(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        command
    }

    #[test]
    fn a_timeout_kills_the_whole_process_group() {
        let start = Instant::now();
        // The background sleep keeps the output pipe open: only killing the group ends it.
        let Ran { exit, .. } = spawn_and_wait(
            shell("sleep 30 & sleep 30"),
            Duration::from_millis(300),
            None,
        )
        .unwrap();
        assert_eq!(exit, Exit::TimedOut);
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn stdout_is_kept_and_a_timeout_is_none() {
        let (status, stdout) = stdout_within(
            shell("echo row; echo progress >&2"),
            Duration::from_secs(20),
            64,
        )
        .unwrap()
        .unwrap();
        assert!(status.success());
        assert_eq!(stdout, "row\n");
        let start = Instant::now();
        let ran = stdout_within(shell("sleep 30"), Duration::from_millis(300), 64).unwrap();
        assert!(ran.is_none());
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn strays_are_killed_when_the_child_exits() {
        let start = Instant::now();
        let Ran { exit, stdout, .. } =
            spawn_and_wait(shell("sleep 30 & echo done"), Duration::from_secs(20), None).unwrap();
        assert_eq!(exit, Exit::Code(0));
        assert_eq!(stdout, "done\n");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn output_is_capped_and_signals_are_seen() {
        let Ran {
            exit,
            stdout,
            stderr,
            printed,
        } = spawn_and_wait(
            shell("head -c 300000 /dev/zero; echo oops >&2; kill -SEGV $$"),
            Duration::from_secs(20),
            None,
        )
        .unwrap();
        assert_eq!(exit, Exit::Signal(libc::SIGSEGV));
        assert_eq!(stdout.len(), OUTPUT_CAP);
        assert_eq!(stderr, "oops\n");
        assert_eq!(printed, 300_000 + "oops\n".len());
    }

    #[test]
    fn limits_bind_the_child_only() {
        let mut command = shell("ulimit -v");
        limit(
            &mut command,
            Limits {
                memory_bytes: Some(512 << 20),
                ..Limits::default()
            },
        );
        let Ran { exit, stdout, .. } =
            spawn_and_wait(command, Duration::from_secs(20), None).unwrap();
        assert_eq!(exit, Exit::Code(0));
        assert_eq!(stdout.trim(), (512 * 1024).to_string());
        let Ran {
            stdout: unlimited, ..
        } = spawn_and_wait(shell("ulimit -v"), Duration::from_secs(20), None).unwrap();
        assert_ne!(unlimited.trim(), (512 * 1024).to_string());
    }

    #[test]
    fn a_report_counts_only_for_its_own_run() {
        let path = std::env::temp_dir().join(format!("xtask-report-{}.json", std::process::id()));
        let config = RunConfig::new("c", harness::protocol::Mode::Model, 42);
        let report = Report {
            nonce: 42,
            check: "c".into(),
            mode: harness::protocol::Mode::Model,
            outcome: harness::protocol::Outcome::Pass,
            iterations: 1,
            trace: Vec::new(),
            replay: None,
        };
        std::fs::write(&path, serde_json::to_string(&report).unwrap()).unwrap();
        assert_eq!(read_report(&path, &config), Some(report));
        let other = RunConfig::new("c", harness::protocol::Mode::Model, 43);
        assert_eq!(read_report(&path, &other), None);
        std::fs::remove_file(&path).unwrap();
    }

    fn ran(exit: Exit, stderr: &str, printed: usize) -> Ran {
        Ran {
            exit,
            stdout: String::new(),
            stderr: stderr.to_owned(),
            printed,
        }
    }

    #[test]
    fn causes_the_verdict_would_misname_are_named() {
        let allocation = "memory allocation of 68719476736 bytes failed\n";
        let out_of_memory = ran(Exit::Signal(libc::SIGABRT), allocation, 46);
        let cause = Cause::of(&out_of_memory, false, Verdict::Panic);
        assert_eq!(cause, Some(Cause::OutOfMemory));
        let limits = Limits {
            memory_bytes: Some(256 << 20),
            ..Limits::default()
        };
        let message = Cause::OutOfMemory.message(&out_of_memory, limits);
        assert!(message.contains("limit of 256 MiB"), "{message}");
        assert!(message.contains("68719476736 bytes"), "{message}");

        let exited = ran(Exit::Code(0), "", 0);
        assert_eq!(
            Cause::of(&exited, false, Verdict::Panic),
            Some(Cause::EndedItsProcess)
        );
        let message = Cause::EndedItsProcess.message(&exited, limits);
        assert!(message.contains("exited with status 0"), "{message}");

        let flood = ran(Exit::TimedOut, "", 100 << 20);
        for verdict in [Verdict::Timeout, Verdict::Livelock] {
            assert_eq!(
                Cause::of(&flood, true, verdict),
                Some(Cause::PrintedTooMuch)
            );
        }
        let message = Cause::PrintedTooMuch.message(&flood, limits);
        assert!(message.contains("printed 104.9 MB"), "{message}");

        // A panic, a quiet timeout, a report that came: the verdict says it all.
        let panicked = ran(
            Exit::Code(101),
            "thread 'main' panicked at src/lib.rs:3:5",
            40,
        );
        assert_eq!(Cause::of(&panicked, true, Verdict::Panic), None);
        assert_eq!(Cause::of(&panicked, false, Verdict::Panic), None);
        assert_eq!(
            Cause::of(&ran(Exit::TimedOut, "", 10), false, Verdict::Timeout),
            None
        );
        let aborted = ran(Exit::Signal(libc::SIGABRT), "", 0);
        assert_eq!(Cause::of(&aborted, false, Verdict::Panic), None);
    }
}
