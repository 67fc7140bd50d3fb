//! Building a variant's check binary for one backend, or its benchmark in release mode, with
//! cargo.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use harness::protocol::Backend;
use serde_json::Value;

use crate::miri;
use crate::spawn::{self, Spawn};
use crate::variant::{Variant, BENCH_TARGET};

/// What a build produced.
pub enum Built {
    /// The check binary.
    Binary(PathBuf),
    /// The variant does not compile: the rendered errors, paths relative to the repository.
    CompileError(String),
}

/// Limits of a build of code that is not trusted (`grade`): a time limit for the whole build and
/// an address-space limit for each compiler process, so that `include_bytes!("/dev/zero")` or
/// endless constant evaluation end as a compile error instead of taking the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildLimits {
    /// The whole build, dependencies included.
    pub time: Duration,
    /// Address space of each process (cargo, rustc, the linker).
    pub memory_bytes: u64,
}

impl BuildLimits {
    /// Generous for any kata, cold dependency builds included.
    pub const GRADING: BuildLimits = BuildLimits {
        time: Duration::from_secs(900),
        memory_bytes: 4 << 30,
    };
}

/// Taken for the whole of a limited build.
static BUILD_TURN: Mutex<()> = Mutex::new(());

/// How much of cargo's output a limited build keeps (its JSON messages name the executable).
const BUILD_OUTPUT_CAP: usize = 32 << 20;

/// Builds the check binary of `variant` for `backend`, sharing the repository's `target/` with
/// the workspace (or the target directory named by `CARGO_TARGET_DIR`, when it is set); under
/// `limits` when there are some, where a build that runs out of time or memory is a compile
/// error.
pub fn build(
    variant: &Variant,
    backend: Backend,
    limits: Option<BuildLimits>,
    miri_flags: &[String],
) -> Result<Built> {
    let mut command = match backend {
        Backend::Miri => {
            let command = miri::cargo("test", miri_flags);
            with_variant(command, variant, &["--test", "checks"])
        }
        _ => cargo(variant, "test", &["--test", "checks"]),
    };
    if let Some(feature) = backend.feature() {
        command.args(["--features", feature]);
    }
    run_build(variant, command, "checks", limits)
}

/// Builds the benchmark of `variant` (its bench target, see [`Variant`]) with cargo's `bench`
/// profile (optimised, like `--release`) on the std backend, in the same target directory as
/// [`build`]. The variant's manifest must have the bench target (its kata has a benchmark).
pub fn build_bench(variant: &Variant) -> Result<Built> {
    let command = cargo(variant, "bench", &["--bench", BENCH_TARGET]);
    run_build(variant, command, BENCH_TARGET, None)
}

/// `cargo <subcommand> <args> --no-run` on the variant's manifest, in the shared target
/// directory.
fn cargo(variant: &Variant, subcommand: &str, args: &[&str]) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.arg(subcommand);
    with_variant(command, variant, args)
}

/// `command` (a cargo subcommand) on the variant's manifest with `args`, building without
/// running, in the shared target directory.
fn with_variant(mut command: Command, variant: &Variant, args: &[&str]) -> Command {
    command
        .arg("--manifest-path")
        .arg(variant.manifest_path())
        .args(args)
        .args(["--no-run", "--message-format=json"])
        .envs(build_env(variant))
        .stdin(Stdio::null());
    command
}

/// The environment of every cargo command on `variant`: one that differs would rebuild.
///
/// Variants are built by the dozen and never stepped through in a debugger: without debuginfo
/// and incremental caches they take a fraction of the disk. Explanations lose nothing: their
/// source lines come from `#[track_caller]` locations, not debuginfo. They share the
/// repository's target directory, unless `CARGO_TARGET_DIR` names another.
pub fn build_env(variant: &Variant) -> Vec<(&'static str, OsString)> {
    let mut env = vec![
        ("CARGO_PROFILE_DEV_DEBUG", OsString::from("false")),
        ("CARGO_INCREMENTAL", OsString::from("0")),
    ];
    if std::env::var_os("CARGO_TARGET_DIR").is_none() {
        env.push(("CARGO_TARGET_DIR", variant.root.join("target").into()));
    }
    env
}

/// How long a build runs before [`SlowBuildNotice`] says what is happening: longer than a
/// kata's build takes once the dependencies are built (a few seconds).
const SLOW_BUILD: Duration = Duration::from_secs(20);

/// Whether this process has said that a build is slow.
static SLOW_BUILD_SAID: AtomicBool = AtomicBool::new(false);

/// While alive, watches a build: once it has run for [`SLOW_BUILD`], says on stderr what is
/// happening and how long it takes, once per process (the first build compiles the
/// dependencies, which would otherwise pass in silence).
struct SlowBuildNotice {
    done: Option<mpsc::Sender<()>>,
    watcher: Option<JoinHandle<()>>,
}

impl SlowBuildNotice {
    fn start() -> SlowBuildNotice {
        let (done, finished) = mpsc::channel::<()>();
        let watcher = std::thread::spawn(move || {
            let still_building = finished
                .recv_timeout(SLOW_BUILD)
                .is_err_and(|err| matches!(err, mpsc::RecvTimeoutError::Timeout));
            if still_building && !SLOW_BUILD_SAID.swap(true, Ordering::Relaxed) {
                eprintln!(
                    "Still building: the first build compiles the dependencies, once, in about a \
                     minute (a few on a busy machine); later builds take seconds."
                );
            }
        });
        SlowBuildNotice {
            done: Some(done),
            watcher: Some(watcher),
        }
    }
}

impl Drop for SlowBuildNotice {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
    }
}

/// Runs the build `command` (under `limits`, if any) and finds the executable of `target`.
fn run_build(
    variant: &Variant,
    mut command: Command,
    target: &str,
    limits: Option<BuildLimits>,
) -> Result<Built> {
    let (status, stdout, stderr) = match limits {
        None => {
            let _notice = SlowBuildNotice::start();
            let output = command.output().context("cannot run cargo")?;
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            (output.status, stdout, stderr)
        }
        Some(limits) => {
            let memory = spawn::Limits {
                memory_bytes: Some(limits.memory_bytes),
                ..spawn::Limits::default()
            };
            // One limited build at a time in this process: cargo holds the target directory's
            // lock for a whole build, and time spent waiting for it must not count against a
            // kata (a build that never ends would make every other kata's build time out).
            let _turn = BUILD_TURN.lock().unwrap_or_else(|e| e.into_inner());
            let ran = Spawn::new(command, limits.time)
                .limits(memory)
                .cap(BUILD_OUTPUT_CAP)
                .run()
                .context("cannot run cargo")?;
            match ran.status {
                Some(status) => (status, ran.stdout, ran.stderr),
                None => {
                    return Ok(Built::CompileError(format!(
                        "error: the build did not finish within {} s",
                        limits.time.as_secs()
                    )))
                }
            }
        }
    };
    let manifest = variant.manifest_path();
    // cargo names manifests by their canonical path.
    let manifest = std::fs::canonicalize(&manifest).unwrap_or(manifest);
    let messages = parse_messages(&stdout, &manifest, target);
    if let Some((package, error)) = messages.foreign_errors.first() {
        let first_line = error.lines().next().unwrap_or_default();
        bail!("{package} does not compile, so no kata can be checked: {first_line}");
    }
    if status.success() {
        return match messages.executable {
            Some(exe) => Ok(Built::Binary(exe)),
            None => bail!(
                "cargo built {} but named no `{target}` executable",
                variant.dir.display()
            ),
        };
    }
    if !messages.errors.is_empty() {
        let root_prefix = format!("{}/", variant.root.display());
        let text = messages.errors.join("\n").replace(&root_prefix, "");
        return Ok(Built::CompileError(text.trim_end().to_owned()));
    }
    let reason = stderr
        .lines()
        .rfind(|line| line.trim_start().starts_with("error"))
        .or_else(|| stderr.lines().next_back())
        .unwrap_or("no output");
    if limits.is_some() {
        // Under limits, a build that dies without the compiler's word (rustc out of memory,
        // say) is the variant's doing: untrusted code is the only thing that differs.
        return Ok(Built::CompileError(format!(
            "error: the build failed: {}",
            reason.trim()
        )));
    }
    // The cause is outside the variant (the disk, the toolchain, a killed compiler): cargo's
    // last lines say which.
    let lines: Vec<&str> = stderr.lines().collect();
    let tail = lines[lines.len().saturating_sub(STDERR_TAIL)..].join("\n");
    bail!(
        "cargo failed to build {}: {}\ncargo's last words:\n{tail}",
        manifest.display(),
        reason.trim()
    )
}

/// How many of cargo's last stderr lines a build that failed for no compiler error shows.
const STDERR_TAIL: usize = 20;

/// What cargo's JSON messages say: the executable of the target built, the compiler's errors in
/// the variant (its source, its checks or its benchmark), and errors in other packages (the
/// harness), by package.
#[derive(Default, Debug, PartialEq)]
struct Messages {
    executable: Option<PathBuf>,
    errors: Vec<String>,
    foreign_errors: Vec<(String, String)>,
}

fn parse_messages(stdout: &str, manifest: &Path, target: &str) -> Messages {
    let mut messages = Messages::default();
    for value in stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
    {
        match value["reason"].as_str() {
            Some("compiler-artifact") if value["target"]["name"] == target => {
                if let Some(exe) = value["executable"].as_str() {
                    messages.executable = Some(PathBuf::from(exe));
                }
            }
            Some("compiler-message") if value["message"]["level"] == "error" => {
                let rendered = value["message"]["rendered"].as_str().unwrap_or_default();
                if rendered.starts_with("error: aborting due to") {
                    continue;
                }
                if value["manifest_path"].as_str().map(Path::new) == Some(manifest) {
                    messages.errors.push(rendered.to_owned());
                } else {
                    let package = value["target"]["name"].as_str().unwrap_or("a dependency");
                    messages
                        .foreign_errors
                        .push((format!("`{package}`"), rendered.to_owned()));
                }
            }
            _ => {}
        }
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_executable_and_the_errors() {
        let stdout = r#"{"reason":"compiler-artifact","target":{"name":"harness"},"executable":null}
{"reason":"compiler-message","manifest_path":"/v/Cargo.toml","message":{"level":"warning","rendered":"warning: unused"}}
{"reason":"compiler-message","manifest_path":"/v/Cargo.toml","message":{"level":"error","rendered":"error[E0425]: x\n"}}
{"reason":"compiler-message","manifest_path":"/v/Cargo.toml","message":{"level":"error","rendered":"error: aborting due to 1 previous error\n"}}
{"reason":"compiler-artifact","target":{"name":"checks"},"executable":"/t/checks-1"}
not json
"#;
        let messages = parse_messages(stdout, Path::new("/v/Cargo.toml"), "checks");
        assert_eq!(messages.executable, Some(PathBuf::from("/t/checks-1")));
        assert_eq!(messages.errors, vec!["error[E0425]: x\n".to_owned()]);
        assert!(messages.foreign_errors.is_empty());
    }

    #[test]
    fn finds_the_executable_of_the_target_asked_for() {
        let stdout = r#"{"reason":"compiler-artifact","target":{"name":"checks"},"executable":"/t/checks-1"}
{"reason":"compiler-artifact","target":{"name":"bench"},"executable":"/t/release/deps/bench-2"}
"#;
        let messages = parse_messages(stdout, Path::new("/v/Cargo.toml"), "bench");
        assert_eq!(
            messages.executable,
            Some(PathBuf::from("/t/release/deps/bench-2"))
        );
    }

    #[test]
    fn errors_in_other_packages_are_not_the_variants() {
        let stdout = r#"{"reason":"compiler-message","manifest_path":"/r/harness/Cargo.toml","target":{"name":"harness"},"message":{"level":"error","rendered":"error[E0425]: y\n"}}"#;
        let messages = parse_messages(stdout, Path::new("/v/Cargo.toml"), "checks");
        assert!(messages.errors.is_empty());
        assert_eq!(
            messages.foreign_errors,
            vec![("`harness`".to_owned(), "error[E0425]: y\n".to_owned())]
        );
    }
}
