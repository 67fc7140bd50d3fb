//! Running a check binary as a child process: `--list`, and `--run` of one check under a time
//! budget with resource limits and a temporary directory of its own, removed afterwards (each
//! started by [`Spawn`]); and what the run came to, with the causes its verdict would misname.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use harness::protocol::{
    CheckInfo, Report, RunConfig, CONFIG_ENV, INLINE_FLAG, PING_FLAG, REPORT_ENV, REPORT_LINE,
};
use harness::verdict::{classify, Exit, Verdict};

use crate::miri;
use crate::sandbox::Cell;
use crate::spawn::{Limits, Ran, Spawn, OUTPUT_CAP};

/// How long `--list` (or `--ping`) may take.
const LIST_BUDGET: Duration = Duration::from_secs(30);

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
        match (ran.exit(), reported) {
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
                describe_exit(ran.exit())
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

/// How a check binary is started.
#[derive(Clone, Debug)]
pub enum Launcher {
    /// The executable cargo built.
    Native(PathBuf),
    /// The check binary of a variant, interpreted by Miri: `exe`, the note Miri's build left of
    /// how to run it, started by Miri's runner as cargo would (`direct`), or else by cargo on
    /// the variant's manifest, in the environment it was built in.
    Miri {
        manifest: PathBuf,
        exe: PathBuf,
        direct: bool,
        env: Vec<(&'static str, OsString)>,
        flags: Vec<String>,
    },
}

impl Launcher {
    /// The command that starts the binary (in `cell`, when there is one: native only).
    fn command(&self, cell: Option<&Cell>) -> Command {
        match self {
            Launcher::Native(exe) => Command::new(cell.map_or(exe.as_path(), Cell::exe)),
            Launcher::Miri {
                manifest,
                exe,
                direct,
                env,
                flags,
            } => {
                let local_crate = manifest.parent().and_then(Path::file_name);
                let local_crate = local_crate.map(|name| name.to_string_lossy());
                let runner = local_crate
                    .filter(|_| *direct)
                    .and_then(|name| miri::runner_command(exe, &name, flags));
                let mut command = runner.unwrap_or_else(|| miri::launcher(manifest, flags));
                command.envs(env.iter().map(|(key, value)| (key, value)));
                command
            }
        }
    }

    /// `command` (made by [`Launcher::command`]) under `budget`, isolated: in `cell`, or with a
    /// minimal environment whose temporary directory is `temporary`. Miri's cargo keeps the
    /// caller's environment (rustup's and cargo's homes, Miri's cached standard library), with
    /// `temporary` as its temporary directory.
    fn spawn<'c>(
        &self,
        command: Command,
        budget: Duration,
        cell: Option<&'c Cell<'c>>,
        temporary: &Path,
    ) -> Spawn<'c> {
        let spawn = Spawn::new(command, budget);
        match self {
            Launcher::Native(_) => spawn.isolated(cell, temporary),
            Launcher::Miri { .. } => spawn.env("TMPDIR", temporary),
        }
    }

    /// The binary, for messages.
    fn path(&self) -> &Path {
        match self {
            Launcher::Native(path) => path,
            Launcher::Miri { manifest, .. } => manifest,
        }
    }
}

/// The checks a binary offers (`<exe> --list`), in its order; run in `cell` when there is one
/// (listing runs the learner's code too: whatever it does before `main`).
pub fn list(launcher: &Launcher, cell: Option<&Cell>) -> Result<Vec<CheckInfo>> {
    listed(launcher, cell, &["--list"])
}

/// The checks Miri runs, asked of `native`, the std build of the same file (`--list miri`): the
/// same list as Miri's own `--list`, without interpreting the serialisation of every name.
pub fn list_miri_checks(native: &Launcher) -> Result<Vec<CheckInfo>> {
    listed(native, None, &["--list", "miri"])
}

/// The JSON list of checks the binary prints when started with `args`.
fn listed(launcher: &Launcher, cell: Option<&Cell>, args: &[&str]) -> Result<Vec<CheckInfo>> {
    let listed = ask(launcher, cell, args)?;
    serde_json::from_str(&listed).with_context(|| {
        format!(
            "`{} {}` did not print a JSON list of checks",
            launcher.path().display(),
            args.join(" ")
        )
    })
}

/// Starts the binary only to see that it starts this way (`<exe> --ping` exits with status 0).
pub fn ping(launcher: &Launcher) -> Result<()> {
    ask(launcher, None, &[PING_FLAG]).map(drop)
}

/// What the binary prints when started with `args` (in `cell` when there is one); an error
/// unless it exits with status 0.
fn ask(launcher: &Launcher, cell: Option<&Cell>, args: &[&str]) -> Result<String> {
    let exe = launcher.path();
    let asked = args.join(" ");
    let mut command = launcher.command(cell);
    command.args(args);
    let ran = launcher
        .spawn(command, LIST_BUDGET, cell, &std::env::temp_dir())
        .run()
        .with_context(|| format!("cannot run {} {asked}", exe.display()))?;
    let (exit, stdout, stderr) = (ran.exit(), ran.stdout, ran.stderr);
    if exit != Exit::Code(0) {
        let last = stderr.lines().last().unwrap_or("no output");
        bail!("`{} {asked}` failed ({exit:?}): {last}", exe.display());
    }
    Ok(stdout)
}

/// Runs one check (`<exe> --run` with `config`), its report going to `report_path`, or in
/// `cell` when there is one (then the report, the configuration and the temporary directory
/// are the cell's).
///
/// The child gets `limits` and a temporary directory of its own (`TMPDIR`), removed when it
/// ends; it is killed once `called_off` is set (its result no longer wanted), and then ends as
/// if its budget had run out.
pub fn run_check(
    launcher: &Launcher,
    config: &RunConfig,
    report_path: &Path,
    budget: Duration,
    limits: Limits,
    cell: Option<&Cell>,
    called_off: Option<&AtomicBool>,
) -> Result<Finished> {
    let (report_path, temporary) = match cell {
        Some(cell) => (cell.dir().join("report.json"), cell.dir().join("tmp")),
        None => (report_path.to_path_buf(), fresh_temporary()),
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
    let json = serde_json::to_string(config)?;
    let config_path = report_path.with_extension("config");
    let exe = launcher.path();
    let mut command = launcher.command(cell);
    command.arg("--run");
    let spawn = match launcher {
        // The configuration (with its nonce) goes in a file the child deletes before kata code
        // runs, and the report comes back in another.
        Launcher::Native(_) => {
            std::fs::write(&config_path, json)
                .with_context(|| format!("cannot write {}", config_path.display()))?;
            launcher
                .spawn(command, budget, cell, &temporary)
                .env(CONFIG_ENV, config_path.clone())
                .env(REPORT_ENV, report_path.clone())
        }
        // Miri keeps the program from files: the configuration is an argument, the report a
        // printed line.
        Launcher::Miri { .. } => {
            command.arg(INLINE_FLAG).arg(json);
            launcher.spawn(command, budget, cell, &temporary)
        }
    };
    let ran = spawn.limits(limits).called_off_by(called_off).run();
    // The message queues it named, even if it was killed before its own clean-up (its group is
    // dead by now): one that cannot be removed is an error, never left behind in silence.
    let queues_left = harness::process::remove_listed_queues(&temporary);
    // Best effort: what the child left behind.
    if cell.is_none() {
        let _ = std::fs::remove_dir_all(&temporary);
    }
    let _ = std::fs::remove_file(&config_path);
    if !queues_left.is_empty() {
        bail!(
            "cannot remove the message queues {} left by {}",
            queues_left.join(", "),
            exe.display()
        );
    }
    let mut ran = ran.with_context(|| format!("cannot run {} --run", exe.display()))?;
    let report = match launcher {
        Launcher::Native(_) => read_report(&report_path, config),
        Launcher::Miri { .. } => take_printed_report(&mut ran.stdout, config),
    };
    // Best effort: a leftover report is ignored anyway (its nonce will not match).
    let _ = std::fs::remove_file(&report_path);
    let (verdict, message) = classify(config.mode, report.as_ref(), ran.exit());
    let cause = Cause::of(&ran, report.is_some(), verdict);
    Ok(Finished {
        verdict,
        message: cause.map_or(message, |cause| cause.message(&ran, limits)),
        advice: cause.map(Cause::advice),
        report,
        output: format!("{}{}", ran.stdout, ran.stderr),
    })
}

/// A fresh temporary directory name for one check: in the system's temporary directory, unique
/// to this process and this run, so that paths inside it stay short (a Unix socket's path
/// holds at most 107 bytes).
fn fresh_temporary() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("xtask-check-{}-{n}", std::process::id()))
}

/// The last report printed on `stdout` (see [`INLINE_FLAG`]), if it answers `config`; the
/// report lines are taken out of `stdout`, which keeps what the check itself printed.
fn take_printed_report(stdout: &mut String, config: &RunConfig) -> Option<Report> {
    let mut report = None;
    let mut rest = String::with_capacity(stdout.len());
    for line in stdout.lines() {
        match line.strip_prefix(REPORT_LINE) {
            Some(json) => report = serde_json::from_str::<Report>(json).ok(),
            None => {
                rest.push_str(line);
                rest.push('\n');
            }
        }
    }
    *stdout = rest;
    report.filter(|report| answers(report, config))
}

/// Whether `report` is the one the run of `config` wrote (its nonce, check and mode).
fn answers(report: &Report, config: &RunConfig) -> bool {
    report.nonce == config.nonce && report.check == config.check && report.mode == config.mode
}

/// The report at `path`, if there is one that answers `config`.
fn read_report(path: &Path, config: &RunConfig) -> Option<Report> {
    let text = std::fs::read_to_string(path).ok()?;
    let report: Report = serde_json::from_str(&text).ok()?;
    answers(&report, config).then_some(report)
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;

    use super::*;

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
        let status = match exit {
            Exit::Code(code) => Some(ExitStatus::from_raw(code << 8)),
            Exit::Signal(signal) => Some(ExitStatus::from_raw(signal)),
            Exit::TimedOut => None,
        };
        Ran {
            status,
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
