//! Running a check binary as a child process: `--list`, and `--run` of one check under a time
//! budget, in its own process group, with its output captured and capped.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use harness::protocol::{CheckInfo, Report, RunConfig, CONFIG_ENV, REPORT_ENV};
use harness::verdict::{classify, Exit, Verdict};
use wait_timeout::ChildExt;

/// How much of a child's stdout and of its stderr is kept.
const OUTPUT_CAP: usize = 64 * 1024;

/// How long `--list` may take.
const LIST_BUDGET: Duration = Duration::from_secs(30);

/// How one check run ended.
pub struct Finished {
    /// The verdict of the run.
    pub verdict: Verdict,
    /// Why, in plain words.
    pub message: String,
    /// The child's report, if it left one that belongs to this run.
    pub report: Option<Report>,
    /// The start of the child's stdout and stderr.
    pub output: String,
}

/// The checks a binary offers (`<exe> --list`), in its order.
pub fn list(exe: &Path) -> Result<Vec<CheckInfo>> {
    let mut command = Command::new(exe);
    command.arg("--list");
    let (exit, stdout, stderr) = spawn_and_wait(command, LIST_BUDGET)
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

/// Runs one check (`<exe> --run` with `config`), writing its report to `report_path`.
pub fn run_check(
    exe: &Path,
    config: &RunConfig,
    report_path: &Path,
    budget: Duration,
) -> Result<Finished> {
    match std::fs::remove_file(report_path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            return Err(err).with_context(|| format!("cannot remove {}", report_path.display()))
        }
        _ => {}
    }
    let mut command = Command::new(exe);
    command
        .arg("--run")
        .env(CONFIG_ENV, serde_json::to_string(config)?)
        .env(REPORT_ENV, report_path);
    let (exit, stdout, stderr) = spawn_and_wait(command, budget)
        .with_context(|| format!("cannot run {} --run", exe.display()))?;
    let report = read_report(report_path, config);
    // Best effort: a leftover report is ignored anyway (its nonce will not match).
    let _ = std::fs::remove_file(report_path);
    let (verdict, message) = classify(config.mode, report.as_ref(), exit);
    Ok(Finished {
        verdict,
        message,
        report,
        output: format!("{stdout}{stderr}"),
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
/// `budget`, then kills whatever is left of the group.
fn spawn_and_wait(mut command: Command, budget: Duration) -> Result<(Exit, String, String)> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    die_with_parent(&mut command);
    let mut child = command.spawn()?;
    let stdout = capture(child.stdout.take());
    let stderr = capture(child.stderr.take());
    let exit = match child.wait_timeout(budget)? {
        Some(status) => {
            kill_group(&child);
            exit_of(status)
        }
        None => {
            kill_group(&child);
            child.wait()?;
            Exit::TimedOut
        }
    };
    Ok((exit, join(stdout), join(stderr)))
}

/// Has the child killed if xtask dies first (Ctrl-C reaches xtask's process group, not the
/// child's), so a check stuck in a loop never outlives its runner.
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

/// Reads a pipe to its end on a thread, keeping the first [`OUTPUT_CAP`] bytes.
fn capture<R: Read + Send + 'static>(pipe: Option<R>) -> Option<JoinHandle<String>> {
    let mut pipe = pipe?;
    Some(std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buffer = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            let room = OUTPUT_CAP.saturating_sub(kept.len());
            kept.extend_from_slice(&buffer[..n.min(room)]);
        }
        String::from_utf8_lossy(&kept).into_owned()
    }))
}

fn join(handle: Option<JoinHandle<String>>) -> String {
    handle
        .and_then(|handle| handle.join().ok())
        .unwrap_or_default()
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
        let (exit, _, _) =
            spawn_and_wait(shell("sleep 30 & sleep 30"), Duration::from_millis(300)).unwrap();
        assert_eq!(exit, Exit::TimedOut);
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn strays_are_killed_when_the_child_exits() {
        let start = Instant::now();
        let (exit, stdout, _) =
            spawn_and_wait(shell("sleep 30 & echo done"), Duration::from_secs(20)).unwrap();
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
        let (exit, stdout, stderr) = spawn_and_wait(
            shell("head -c 300000 /dev/zero; echo oops >&2; kill -SEGV $$"),
            Duration::from_secs(20),
        )
        .unwrap();
        assert_eq!(exit, Exit::Signal(libc::SIGSEGV));
        assert_eq!(stdout.len(), OUTPUT_CAP);
        assert_eq!(stderr, "oops\n");
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
}
