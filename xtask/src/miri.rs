//! Miri, the interpreter that finds undefined behaviour: whether it is installed, the cargo
//! command that builds and runs a variant's checks under it, and what its error means in a
//! learner's words.
//!
//! Miri needs a nightly toolchain with the `miri` component; `cargo xtask setup-miri` installs
//! both with rustup. Its checks run the kata's check binary interpreted (built by `cargo miri
//! test`, then started by Miri's runner as cargo would, without cargo's check of the build),
//! isolated: the program gets its configuration as an argument and prints its report, and its
//! randomness, clock and schedule come from Miri's seed, which is the run's (`--seed`), so a run
//! is the same every time.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};
use harness::verdict::Verdict;

/// The toolchain Miri runs on.
const TOOLCHAIN: &str = "nightly";

/// What to run when Miri is missing.
pub const SETUP_HINT: &str =
    "Miri is not installed: `cargo xtask setup-miri` installs it (a nightly toolchain with the \
     `miri` component, through rustup)";

/// `cargo miri <subcommand>` on the nightly toolchain, through rustup, with Miri's flags and
/// `extra` ones (a kata's `miri_flags`).
pub fn cargo(subcommand: &str, extra: &[String]) -> Command {
    let mut command = Command::new("rustup");
    command
        .args(["run", TOOLCHAIN, "cargo", "miri", subcommand])
        .env("MIRIFLAGS", flags(extra));
    command
}

/// `MIRIFLAGS`: Miri's flags and `extra` ones.
fn flags(extra: &[String]) -> String {
    let mut flags = vec![PREEMPTION.to_owned()];
    flags.extend(extra.iter().cloned());
    flags.join(" ")
}

/// The flag that seeds Miri's randomness and schedule with `seed`.
pub fn seed_flag(seed: u64) -> String {
    format!("-Zmiri-seed={seed}")
}

/// How often Miri switches threads: ten times its default, so that the threads of a short
/// check interleave inside the operations they race on, not only between them.
const PREEMPTION: &str = "-Zmiri-preemption-rate=0.1";

/// The command that runs the check binary of the variant whose manifest is `manifest` under
/// Miri with `extra` flags; the binary's own arguments follow.
pub fn launcher(manifest: &Path, extra: &[String]) -> Command {
    let mut command = cargo("test", extra);
    command
        .args(["--quiet", "--test", "checks", "--manifest-path"])
        .arg(manifest)
        .arg("--");
    command
}

/// How cargo starts a binary it built for Miri (`cargo-miri runner`, with the sysroot and the
/// local crate it names): the same, started without cargo, which would first check the whole
/// build again (about a third of a second per check). Found once per process; `None` where
/// rustup cannot say where they are.
struct Runner {
    program: PathBuf,
    sysroot: OsString,
}

fn runner() -> Option<&'static Runner> {
    static RUNNER: OnceLock<Option<Runner>> = OnceLock::new();
    RUNNER
        .get_or_init(|| {
            let asked = |command: &mut Command| {
                let output = command.stderr(Stdio::null()).output().ok()?;
                let text = String::from_utf8(output.stdout).ok()?;
                output.status.success().then(|| text.trim().to_owned())
            };
            let program = asked(Command::new("rustup").args([
                "which",
                "--toolchain",
                TOOLCHAIN,
                "cargo-miri",
            ]))?;
            let sysroot = asked(cargo("setup", &[]).arg("--print-sysroot"))?;
            Some(Runner {
                program: program.into(),
                sysroot: sysroot.into(),
            })
        })
        .as_ref()
}

/// The command that runs `exe`, the check binary Miri's build of a variant made (its crate
/// named `local_crate`, underscores for dashes), as cargo would, without cargo; with Miri's
/// flags and `extra` ones. `None` where the runner is not found: then [`launcher`].
pub fn runner_command(exe: &Path, local_crate: &str, extra: &[String]) -> Option<Command> {
    let runner = runner()?;
    let mut command = Command::new(&runner.program);
    command
        .arg("runner")
        .arg(exe)
        .env("MIRIFLAGS", flags(extra))
        .env("MIRI_SYSROOT", &runner.sysroot)
        .env("MIRI_LOCAL_CRATES", local_crate.replace('-', "_"));
    Some(command)
}

/// Whether `cargo miri` runs here (asked once per process).
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        cargo("--version", &[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    })
}

/// `cargo xtask setup-miri`: installs the nightly toolchain with Miri, and Miri's standard
/// library.
pub fn setup() -> Result<()> {
    let steps: [(&str, &[&str]); 2] = [
        (
            "rustup",
            &[
                "toolchain",
                "install",
                TOOLCHAIN,
                "--profile",
                "minimal",
                "--component",
                "miri,rust-src",
            ],
        ),
        ("rustup", &["run", TOOLCHAIN, "cargo", "miri", "setup"]),
    ];
    for (program, args) in steps {
        eprintln!("running {program} {}", args.join(" "));
        let status = Command::new(program)
            .args(args)
            .status()
            .with_context(|| format!("cannot run {program}: is rustup installed?"))?;
        if !status.success() {
            bail!("`{program} {}` failed ({status})", args.join(" "));
        }
    }
    eprintln!("Miri is ready: `cargo xtask check <kata> --miri`");
    Ok(())
}

/// What Miri's error in `stderr` means: the verdict and a plain sentence naming the first place
/// in `source` (the kata's file, relative to the repository) where it happened, if Miri stopped
/// on an error.
pub fn diagnose(stderr: &str, source: &str) -> Option<(Verdict, String)> {
    let error = stderr
        .lines()
        .find_map(|line| line.strip_prefix("error: "))
        .filter(|error| !error.starts_with("test failed"))?;
    let (verdict, what) = if let Some(rest) = error.strip_prefix("Undefined Behavior: ") {
        if rest.starts_with("Data race detected") {
            (Verdict::Race, data_race(rest))
        } else {
            (Verdict::UndefinedBehavior, undefined(rest))
        }
    } else if error.starts_with("memory leaked") {
        (
            Verdict::Leak,
            "memory was allocated and never freed (a leak): something kept a count too high, or \
             a value was never dropped"
                .to_owned(),
        )
    } else if error.starts_with("the evaluated program deadlocked") {
        (
            Verdict::Deadlock,
            "every thread waits and none can go on".to_owned(),
        )
    } else {
        return None;
    };
    let place = first_place_in(stderr, source)
        .map(|place| format!(", at {place}"))
        .unwrap_or_default();
    Some((verdict, format!("Miri: {what}{place}")))
}

/// A data race in plain words: "(1) non-atomic write on thread `a` and (2) non-atomic read on
/// thread `b`" becomes who did what.
fn data_race(detail: &str) -> String {
    let between = detail
        .split_once(" between ")
        .map_or(detail, |(_, between)| between);
    let between = between.split(" at alloc").next().unwrap_or(between);
    format!(
        "a data race: {} touch the same memory with nothing ordering them (a Release/Acquire \
         pair, a fence, a lock or a join)",
        between.replace("(1) ", "").replace("(2) ", "")
    )
}

/// Undefined behaviour other than a data race, in plain words.
fn undefined(detail: &str) -> String {
    let freed = ["has been freed", "use-after-free", "dangling"];
    if freed.iter().any(|sign| detail.contains(sign)) {
        "memory was used after it was freed (a use after free): something freed it while \
         another part of the code could still reach it"
            .to_owned()
    } else if detail.contains("uninitialized") {
        "memory was read before anything was written to it".to_owned()
    } else if detail.contains("borrow stack") || detail.contains("Tree Borrows") {
        format!(
            "a reference was used against Rust's borrowing rules (an aliasing violation): {}",
            detail.lines().next().unwrap_or(detail)
        )
    } else {
        format!("undefined behaviour: {detail}")
    }
}

/// The first `file:line` of `source` in Miri's report (its spans and its backtrace).
fn first_place_in(stderr: &str, source: &str) -> Option<String> {
    stderr.lines().find_map(|line| {
        let line = line.trim_start();
        let place = line
            .strip_prefix("--> ")
            .or_else(|| line.strip_prefix("at "))?;
        let at = place.find(source)?;
        let place = &place[at..];
        let mut parts = place.splitn(3, ':');
        let (file, number) = (parts.next()?, parts.next()?);
        Some(format!("{file}:{number}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RACE: &str = "error: Undefined Behavior: Data race detected between (1) non-atomic write on thread `thread 1` and (2) retag write of type `Option<u32>` on thread `main` at alloc11443+0x50\n    --> /rust/library/core/src/option.rs:1896:23\n...\n             1: publish::Receiver::<u32>::take::{closure#0}\n                 at /work/repo/solutions/publish/mutants/relaxed_store.rs:100:51: 100:65\n";

    #[test]
    fn a_data_race_names_both_accesses_and_the_learners_line() {
        let (verdict, message) =
            diagnose(RACE, "solutions/publish/mutants/relaxed_store.rs").unwrap();
        assert_eq!(verdict, Verdict::Race);
        assert!(message.contains("non-atomic write on thread `thread 1` and retag write"));
        assert!(message.ends_with("at solutions/publish/mutants/relaxed_store.rs:100"));
    }

    #[test]
    fn a_use_after_free_and_a_leak_get_their_verdicts() {
        let freed = "error: Undefined Behavior: memory access failed: alloc7 has been freed, so this pointer is dangling\n";
        let (verdict, message) = diagnose(freed, "src/lib.rs").unwrap();
        assert_eq!(verdict, Verdict::UndefinedBehavior);
        assert!(message.contains("used after it was freed"), "{message}");
        let leaked =
            "error: memory leaked: alloc1 (Rust heap, size: 16, align: 8), allocated here:\n";
        assert_eq!(diagnose(leaked, "src/lib.rs").unwrap().0, Verdict::Leak);
    }

    #[test]
    fn a_plain_panic_is_left_to_the_report() {
        let panicked = "thread 'main' panicked at src/lib.rs:3:5:\nboom\nerror: test failed, to rerun pass `--test checks`\n";
        assert_eq!(diagnose(panicked, "src/lib.rs"), None);
    }
}
