//! Starting a child process the one way every check, listing, limited build and benchmark is
//! started: in a process group of its own that dies with xtask, under resource limits
//! ([`Limits`]) and a time budget, in a sandbox cell or with a minimal environment, its output
//! captured and capped. When it ends or its budget runs out, whatever is left of its group (and
//! of its cell) is killed, and its output is read for at most a grace period more.
//!
//! ```text
//! let ran = Spawn::new(Command::new(exe), Duration::from_secs(30))
//!     .limits(Limits { memory_bytes: Some(1 << 30), ..Limits::default() })
//!     .isolated(cell, &temporary)
//!     .run()?;
//! if ran.exit() == Exit::Code(0) {
//!     println!("{}", ran.stdout);
//! }
//! ```

use std::ffi::OsString;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use harness::verdict::Exit;
use wait_timeout::ChildExt;

use crate::sandbox::{self, Cell};

mod capture;
mod limits;

use capture::capture;
pub use limits::{can_cut_network, Limits};

/// How much of a child's stdout and of its stderr is kept, unless [`Spawn::cap`] says otherwise.
pub const OUTPUT_CAP: usize = 64 * 1024;

/// How long output is still read once the child is gone: a process that escaped the group and
/// holds the pipes open costs no more than this.
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

/// How often a child that may be called off ([`Spawn::called_off_by`]) is looked at.
const CALL_OFF_POLL: Duration = Duration::from_millis(20);

/// How long a spawn waits, in all, for a busy binary to be free (see [`spawn_when_not_busy`]).
const BUSY_PATIENCE: Duration = Duration::from_secs(2);

/// A child process to start: the command, and how it is bounded and isolated.
pub struct Spawn<'c> {
    command: Command,
    budget: Duration,
    limits: Limits,
    isolation: Isolation<'c>,
    variables: Vec<(&'static str, OsString)>,
    cap: usize,
    stderr_captured: bool,
    called_off: Option<&'c AtomicBool>,
}

/// Where a child runs, beside its process group and limits.
enum Isolation<'c> {
    /// With xtask's own environment (cargo needs it).
    None,
    /// With a minimal environment whose `HOME` and `TMPDIR` are this directory.
    Environment(PathBuf),
    /// Confined to a sandbox cell (Linux): its user, namespaces, Landlock and environment.
    Cell(&'c Cell<'c>),
}

/// How a child ended, and what it printed.
pub struct Ran {
    /// Its exit status, or `None` when it ran out of time (its group was killed then).
    pub status: Option<ExitStatus>,
    /// The start of its stdout (at most the cap).
    pub stdout: String,
    /// The start of its stderr (empty when it was passed through).
    pub stderr: String,
    /// All it printed on the captured streams, in bytes, kept or not.
    pub printed: usize,
}

impl Ran {
    /// How it ended, as the harness's verdicts name it.
    pub fn exit(&self) -> Exit {
        match self.status {
            None => Exit::TimedOut,
            Some(status) => match (status.code(), status.signal()) {
                (Some(code), _) => Exit::Code(code),
                (None, Some(signal)) => Exit::Signal(signal),
                (None, None) => Exit::Code(-1),
            },
        }
    }
}

impl<'c> Spawn<'c> {
    /// `command`, to run for at most `budget`; its stdin empty, its output captured (the first
    /// [`OUTPUT_CAP`] bytes of each stream), xtask's environment kept, no limits.
    pub fn new(command: Command, budget: Duration) -> Self {
        Spawn {
            command,
            budget,
            limits: Limits::default(),
            isolation: Isolation::None,
            variables: Vec::new(),
            cap: OUTPUT_CAP,
            stderr_captured: true,
            called_off: None,
        }
    }

    /// Kills the child (as if its budget had run out) once `flag` is set: its result is no
    /// longer wanted.
    pub fn called_off_by(mut self, flag: Option<&'c AtomicBool>) -> Self {
        self.called_off = flag;
        self
    }

    /// Binds the child by `limits`.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Runs the child in `cell` when there is one (the command must name the cell's copy of the
    /// binary, [`Cell::exe`]), else with a minimal environment whose `HOME` and `TMPDIR` are
    /// `temporary` ([`sandbox::minimal_environment`]).
    pub fn isolated(mut self, cell: Option<&'c Cell<'c>>, temporary: &Path) -> Self {
        self.isolation = match cell {
            Some(cell) => Isolation::Cell(cell),
            None => Isolation::Environment(temporary.to_path_buf()),
        };
        self
    }

    /// Gives the child the variable `key`, whatever its isolation.
    pub fn env(mut self, key: &'static str, value: impl Into<OsString>) -> Self {
        self.variables.push((key, value.into()));
        self
    }

    /// Keeps the first `cap` bytes of each captured stream.
    pub fn cap(mut self, cap: usize) -> Self {
        self.cap = cap;
        self
    }

    /// Passes the child's stderr through to xtask's (a benchmark's progress) instead of
    /// capturing it.
    pub fn stderr_to_terminal(mut self) -> Self {
        self.stderr_captured = false;
        self
    }

    /// Starts the child (again after a pause while its binary is busy), waits for it at most the
    /// budget, then kills whatever is left of its group and of its cell.
    pub fn run(self) -> Result<Ran> {
        let Spawn {
            mut command,
            budget,
            limits,
            isolation,
            variables,
            cap,
            stderr_captured,
            called_off,
        } = self;
        // Order matters: the limits may need privileges the cell gives up, and the cell's change
        // of user clears the parent-death signal.
        limits::apply(&mut command, limits);
        let cell = match isolation {
            Isolation::None => {
                command.envs(variables);
                None
            }
            Isolation::Environment(temporary) => {
                sandbox::minimal_environment(&mut command, &temporary);
                command.envs(variables);
                None
            }
            Isolation::Cell(cell) => {
                cell.confine(&mut command, &variables)?;
                Some(cell)
            }
        };
        die_with_parent(&mut command);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(match stderr_captured {
                true => Stdio::piped(),
                false => Stdio::inherit(),
            })
            .process_group(0);
        let mut child = spawn_when_not_busy(&mut command)?;
        let stdout = capture(child.stdout.take(), cap);
        let stderr = capture(child.stderr.take(), cap);
        let status = match called_off {
            None => child.wait_timeout(budget)?,
            Some(flag) => wait_unless_called_off(&mut child, budget, flag)?,
        };
        kill_group(&child);
        if let Some(cell) = cell {
            cell.kill_all();
        }
        if status.is_none() {
            child.wait()?;
        }
        let deadline = Instant::now() + OUTPUT_GRACE;
        let counters = [Arc::clone(&stdout.read), Arc::clone(&stderr.read)];
        let (stdout, stderr) = (stdout.join(deadline), stderr.join(deadline));
        let printed = counters
            .iter()
            .map(|read| read.load(Ordering::Relaxed))
            .sum();
        Ok(Ran {
            status,
            stdout,
            stderr,
            printed,
        })
    }
}

/// Waits for `child` at most `budget`, and not once `called_off` is set: `None` then, as when
/// the budget runs out.
fn wait_unless_called_off(
    child: &mut Child,
    budget: Duration,
    called_off: &AtomicBool,
) -> std::io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + budget;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || called_off.load(Ordering::SeqCst) {
            return Ok(None);
        }
        if let Some(status) = child.wait_timeout(left.min(CALL_OFF_POLL))? {
            return Ok(Some(status));
        }
    }
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

/// Elsewhere the budget alone bounds a child.
#[cfg(not(target_os = "linux"))]
fn die_with_parent(_: &mut Command) {}

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

#[cfg(test)]
mod tests {
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
        let ran = Spawn::new(shell("sleep 30 & sleep 30"), Duration::from_millis(300))
            .run()
            .unwrap();
        assert_eq!(ran.exit(), Exit::TimedOut);
        assert!(ran.status.is_none());
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn a_child_called_off_is_killed_before_its_budget_runs_out() {
        let start = Instant::now();
        let called_off = AtomicBool::new(false);
        let ran = std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(Duration::from_millis(200));
                called_off.store(true, Ordering::SeqCst);
            });
            Spawn::new(shell("sleep 30"), Duration::from_secs(60))
                .called_off_by(Some(&called_off))
                .run()
                .unwrap()
        });
        assert_eq!(ran.exit(), Exit::TimedOut);
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
        let finished = Spawn::new(shell("echo done"), Duration::from_secs(20))
            .called_off_by(Some(&AtomicBool::new(false)))
            .run()
            .unwrap();
        assert_eq!(finished.exit(), Exit::Code(0));
    }

    #[test]
    fn strays_are_killed_when_the_child_exits() {
        let start = Instant::now();
        let ran = Spawn::new(shell("sleep 30 & echo done"), Duration::from_secs(20))
            .run()
            .unwrap();
        assert_eq!(ran.exit(), Exit::Code(0));
        assert_eq!(ran.stdout, "done\n");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn output_is_capped_and_signals_are_seen() {
        let ran = Spawn::new(
            shell("head -c 300000 /dev/zero; echo oops >&2; kill -SEGV $$"),
            Duration::from_secs(20),
        )
        .run()
        .unwrap();
        assert_eq!(ran.exit(), Exit::Signal(libc::SIGSEGV));
        assert_eq!(ran.stdout.len(), OUTPUT_CAP);
        assert_eq!(ran.stderr, "oops\n");
        assert_eq!(ran.printed, 300_000 + "oops\n".len());
    }

    #[test]
    fn stderr_may_pass_through_and_the_cap_may_change() {
        let ran = Spawn::new(
            shell("echo row; echo progress >&2"),
            Duration::from_secs(20),
        )
        .stderr_to_terminal()
        .cap(2)
        .run()
        .unwrap();
        assert!(ran.status.is_some_and(|status| status.success()));
        assert_eq!((ran.stdout.as_str(), ran.stderr.as_str()), ("ro", ""));
    }

    #[test]
    fn limits_bind_the_child_only() {
        let limits = Limits {
            memory_bytes: Some(512 << 20),
            ..Limits::default()
        };
        let ran = Spawn::new(shell("ulimit -v"), Duration::from_secs(20))
            .limits(limits)
            .run()
            .unwrap();
        assert_eq!(ran.exit(), Exit::Code(0));
        assert_eq!(ran.stdout.trim(), (512 * 1024).to_string());
        let unlimited = Spawn::new(shell("ulimit -v"), Duration::from_secs(20))
            .run()
            .unwrap();
        assert_ne!(unlimited.stdout.trim(), (512 * 1024).to_string());
    }

    #[test]
    fn an_isolated_child_sees_only_the_minimal_environment_and_its_variables() {
        let temporary = std::env::temp_dir();
        let ran = Spawn::new(shell("env | sort"), Duration::from_secs(20))
            .isolated(None, &temporary)
            .env("XTASK_SPAWN_TEST", "yes")
            .run()
            .unwrap();
        let names: Vec<&str> = ran
            .stdout
            .lines()
            .filter_map(|line| line.split_once('=').map(|(name, _)| name))
            .filter(|name| !["PWD", "SHLVL", "_", "OLDPWD"].contains(name))
            .collect();
        assert_eq!(
            names,
            ["HOME", "LANG", "PATH", "TMPDIR", "XTASK_SPAWN_TEST"]
        );
    }
}
