//! End-to-end tests of the learner's loop: progress in the state file, `next`, `reset`,
//! `solution` and `watch`.
//!
//! Each test works in a scratch copy of the repository (`XTASK_ROOT`) with two katas,
//! `hit_counter` (track 1) and `bank` (track 2), so the real katas and the real state file are
//! never touched. The copy links to the real `harness/` and `tests/`, and builds go to the real
//! target directory (`CARGO_TARGET_DIR`), so a check reuses the dependencies built there.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::{repository, starting_code};

mod support;

/// The katas copied into a sandbox, with their exercise directories.
const KATAS: [(&str, &str); 2] = [
    ("hit_counter", "exercises/01-races/hit_counter"),
    ("bank", "exercises/02-locks/bank"),
];

/// A scratch copy of the repository, removed when dropped.
struct Sandbox {
    root: PathBuf,
    /// Held while the sandbox exists, so that two runs of the same test take turns.
    _lock: std::fs::File,
}

impl Sandbox {
    /// The sandbox of `test`. Its path is the same on every run, so that the builds of its
    /// katas' files in the shared target directory are reused by the next run.
    fn new(test: &str) -> Sandbox {
        let root = std::env::temp_dir().join(format!("xtask-learner-{test}"));
        let lock = std::fs::File::create(root.with_extension("lock")).unwrap();
        // SAFETY: a valid descriptor; the lock goes with the file.
        let locked = unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) };
        assert_eq!(locked, 0, "cannot lock {}", root.display());
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let real = repository();
        for file in ["Cargo.toml", "Cargo.lock"] {
            std::fs::copy(real.join(file), root.join(file)).unwrap();
        }
        for dir in ["harness", "tests"] {
            std::os::unix::fs::symlink(real.join(dir), root.join(dir)).unwrap();
        }
        for (kata, dir) in KATAS {
            for file in ["Cargo.toml", "kata.toml", "README.md"] {
                copy(&real.join(dir).join(file), &root.join(dir).join(file));
            }
            // The starting code as committed: on a learner's checkout the working file may be
            // solved already.
            let lib = root.join(dir).join("src/lib.rs");
            std::fs::create_dir_all(lib.parent().unwrap()).unwrap();
            std::fs::write(&lib, starting_code(&format!("{dir}/src/lib.rs"))).unwrap();
            let solution = format!("solutions/{kata}/lib.rs");
            copy(&real.join(&solution), &root.join(&solution));
        }
        Sandbox { root, _lock: lock }
    }

    fn xtask(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("the xtask binary runs")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
        command
            .args(args)
            .current_dir(&self.root)
            .env("XTASK_ROOT", &self.root)
            .env("CARGO_TARGET_DIR", repository().join("target"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        command
    }

    /// The learner's file of `kata`.
    fn learner(&self, kata: &str) -> PathBuf {
        let (_, dir) = KATAS.iter().find(|(name, _)| *name == kata).unwrap();
        self.root.join(dir).join("src/lib.rs")
    }

    fn state_file(&self) -> PathBuf {
        self.root.join("target/xtask/state.json")
    }

    /// Records in the state file that `kata` passed on its file as it is now, as `check` does.
    fn record_pass(&self, kata: &str) {
        let content = std::fs::read(self.learner(kata)).unwrap();
        let mut state: serde_json::Value = std::fs::read_to_string(self.state_file())
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_else(|| serde_json::json!({}));
        state[kata] = serde_json::json!({
            "verdict": "pass",
            "source_hash": format!("{:016x}", fnv1a(&content)),
            "hints_shown": 0,
        });
        std::fs::create_dir_all(self.state_file().parent().unwrap()).unwrap();
        std::fs::write(self.state_file(), state.to_string()).unwrap();
    }

    /// Makes `tests/` a copy of the real one instead of a link to it, so that a command may add
    /// checks without touching the real ones.
    fn own_tests_folder(&self) {
        let tests = self.root.join("tests");
        std::fs::remove_file(&tests).unwrap();
        let status = Command::new("cp")
            .arg("-R")
            .arg(repository().join("tests"))
            .arg(&tests)
            .status()
            .expect("cp runs");
        assert!(status.success(), "cannot copy tests/");
        // Variants name the harness by its real path (the sandbox's is a link to it): so must
        // the copied checks crate, or cargo sees two harness packages.
        let manifest = tests.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        let real = format!("harness = {{ path = {:?} }}", repository().join("harness"));
        std::fs::write(&manifest, text.replace("harness.workspace = true", &real)).unwrap();
    }

    /// Commits the sandbox's files to a fresh git repository.
    fn commit(&self) {
        let git = |args: &[&str]| {
            let status = Command::new("git")
                .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
                .args(args)
                .current_dir(&self.root)
                .stdout(Stdio::null())
                .status()
                .expect("git runs");
            assert!(status.success(), "git {args:?}");
        };
        git(&["init", "-q"]);
        git(&["add", "exercises"]);
        git(&["commit", "-q", "-m", "starting code"]);
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap_or_else(|err| panic!("copy {}: {err}", from.display()));
}

/// The hash of the state file (64-bit FNV-1a).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn next_and_list_follow_the_state_file() {
    let sandbox = Sandbox::new("next");
    let output = sandbox.xtask(&["next"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("Next: hit_counter"), "{text}");
    assert!(text.contains("cargo xtask watch hit_counter"), "{text}");
    let list = stdout(&sandbox.xtask(&["list"]));
    assert!(list.contains("Track 1: races  [-] 0/1"), "{list}");
    assert!(list.contains("All tracks  [--] 0/2"), "{list}");

    sandbox.record_pass("hit_counter");
    let text = stdout(&sandbox.xtask(&["next"]));
    assert!(text.starts_with("Next: bank"), "{text}");
    let list = stdout(&sandbox.xtask(&["list"]));
    assert!(list.contains("Track 1: races  [#] 1/1"), "{list}");
    assert!(list.contains("Track 2: locks  [-] 0/1"), "{list}");
    assert!(list.contains("All tracks  [#-] 1/2"), "{list}");

    // A pass counts only for the file it was given on.
    let file = sandbox.learner("hit_counter");
    let mut content = std::fs::read_to_string(&file).unwrap();
    content.push_str("\n// edited\n");
    std::fs::write(&file, content).unwrap();
    let text = stdout(&sandbox.xtask(&["next"]));
    assert!(text.starts_with("Next: hit_counter"), "{text}");

    sandbox.record_pass("hit_counter");
    sandbox.record_pass("bank");
    let text = stdout(&sandbox.xtask(&["next"]));
    assert!(text.starts_with("Every kata passes (2 of 2)"), "{text}");
}

#[test]
fn reset_restores_the_starting_code_and_keeps_a_backup() {
    let sandbox = Sandbox::new("reset");
    sandbox.commit();
    let file = sandbox.learner("hit_counter");
    let starting = std::fs::read_to_string(&file).unwrap();
    let mine = "// my attempt\n";
    std::fs::write(&file, mine).unwrap();

    let output = sandbox.xtask(&["reset", "hit_counter"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), starting);
    let text = stdout(&output);
    let backup = text
        .lines()
        .find_map(|line| line.strip_prefix("Your version is kept in "))
        .unwrap_or_else(|| panic!("no backup path in: {text}"));
    assert!(
        backup.starts_with("target/xtask/backups/hit_counter-") && backup.ends_with(".rs"),
        "{backup}"
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.root.join(backup)).unwrap(),
        mine
    );

    // Resetting again has nothing to keep.
    let again = stdout(&sandbox.xtask(&["reset", "hit_counter"]));
    assert!(again.contains("already the starting code"), "{again}");

    let typo = sandbox.xtask(&["reset", "hit_countr"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr(&typo).contains("did you mean `hit_counter`?"));
}

#[test]
fn verify_takes_the_starting_code_as_committed_not_the_learners_file() {
    let sandbox = Sandbox::new("verify-starting-code");
    sandbox.commit();
    let file = sandbox.learner("hit_counter");
    let solved = std::fs::read(sandbox.root.join("solutions/hit_counter/lib.rs")).unwrap();
    std::fs::write(&file, &solved).unwrap();

    let output = sandbox.xtask(&["verify", "hit_counter"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    let row = text
        .lines()
        .find(|line| line.contains("starting code"))
        .unwrap_or_else(|| panic!("no starting code row in: {text}"));
    let got = row.split_whitespace().nth(5);
    assert!(got.is_some_and(|verdict| verdict != "pass"), "{row}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        solved,
        "the learner's file changed"
    );
}

#[test]
fn reset_without_git_says_so() {
    let sandbox = Sandbox::new("reset-no-git");
    let file = sandbox.learner("bank");
    std::fs::write(&file, "// mine\n").unwrap();
    let output = sandbox.xtask(&["reset", "bank"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("no committed version"), "{message}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "// mine\n");
}

#[test]
fn the_solution_unlocks_once_the_file_passes() {
    let sandbox = Sandbox::new("solution");
    let reference =
        std::fs::read_to_string(repository().join("solutions/hit_counter/lib.rs")).unwrap();

    let locked = sandbox.xtask(&["solution", "hit_counter"]);
    assert_eq!(locked.status.code(), Some(1));
    let text = stdout(&locked);
    assert!(text.contains("unlocks once your file passes"), "{text}");
    assert!(
        text.contains("cargo xtask solution hit_counter --force"),
        "{text}"
    );

    let forced = sandbox.xtask(&["solution", "hit_counter", "--force"]);
    assert_eq!(forced.status.code(), Some(0));
    assert_eq!(stdout(&forced), reference);

    sandbox.record_pass("hit_counter");
    let unlocked = sandbox.xtask(&["solution", "hit_counter"]);
    assert_eq!(unlocked.status.code(), Some(0), "{}", stderr(&unlocked));
    assert_eq!(stdout(&unlocked), reference);

    // Editing the file after the pass locks it again.
    std::fs::write(sandbox.learner("hit_counter"), "// changed\n").unwrap();
    let relocked = sandbox.xtask(&["solution", "hit_counter"]);
    assert_eq!(relocked.status.code(), Some(1));
    assert!(stdout(&relocked).contains("changed since"));

    let typo = sandbox.xtask(&["solution", "bnak"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr(&typo).contains("did you mean `bank`?"));
}

#[test]
fn a_failed_check_leads_to_the_hint_for_its_verdict() {
    let sandbox = Sandbox::new("verdict-hint");
    let checked = sandbox.xtask(&["check", "hit_counter"]);
    assert_eq!(checked.status.code(), Some(1), "{}", stderr(&checked));
    let report = stdout(&checked);
    assert!(
        report.contains("Stuck? `cargo xtask hint hit_counter` has a hint for `race`."),
        "{report}"
    );

    let hinted = sandbox.xtask(&["hint", "hit_counter"]);
    assert_eq!(hinted.status.code(), Some(0), "{}", stderr(&hinted));
    let text = stdout(&hinted);
    let (for_the_verdict, general) = text
        .split_once("\n\n")
        .unwrap_or_else(|| panic!("no verdict hint before the general one: {text}"));
    assert!(
        for_the_verdict.starts_with("Your last check of hit_counter ended in `race`: "),
        "{text}"
    );
    assert!(general.starts_with("Hint 1 of "), "{text}");

    // A file checked with --source is not the learner's, and `hint` follows the learner's
    // last check: no pointer under another file's failure.
    let mutants = repository().join("solutions/hit_counter/mutants");
    let mutant = std::fs::read_dir(mutants)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let elsewhere = sandbox.xtask(&["check", "hit_counter", "--source", mutant.to_str().unwrap()]);
    assert_eq!(elsewhere.status.code(), Some(1), "{}", stderr(&elsewhere));
    assert!(!stdout(&elsewhere).contains("Stuck?"));
}

#[test]
fn a_new_kata_verifies_and_its_mutants_are_killed_as_written() {
    let sandbox = Sandbox::new("new-kata");
    sandbox.own_tests_folder();
    let created = sandbox.xtask(&["new", "demo_kata", "--track", "1"]);
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    assert!(stdout(&created).contains("tests/demo_kata.rs"));
    let manifest = std::fs::read_to_string(sandbox.root.join("tests/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"demo_kata\""), "{manifest}");

    let verified = sandbox.xtask(&["verify", "demo_kata", "--bless"]);
    let text = stdout(&verified);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{text}{}",
        stderr(&verified)
    );
    assert!(
        text.lines()
            .any(|row| row.contains("mutants/load_then_store.rs") && row.ends_with("ok")),
        "{text}"
    );
    let mutated = sandbox.xtask(&["mutate", "demo_kata"]);
    assert_eq!(mutated.status.code(), Some(0), "{}", stderr(&mutated));

    let again = sandbox.xtask(&["new", "demo_kata", "--track", "1"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("exists already"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn lesson_prints_the_readme() {
    let sandbox = Sandbox::new("lesson");
    let output = sandbox.xtask(&["lesson", "bank"]);
    assert_eq!(output.status.code(), Some(0));
    let readme =
        std::fs::read_to_string(repository().join("exercises/02-locks/bank/README.md")).unwrap();
    assert!(stdout(&output).starts_with(readme.trim_end()));
}

/// A running `watch`, killed when dropped; its stdout arrives line by line.
struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Watch {
    fn start(sandbox: &Sandbox, args: &[&str]) -> Watch {
        let mut child = sandbox
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("xtask watch starts");
        let (send, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        // Drained so that the child never blocks on a full pipe.
        let mut stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = stderr.read_to_end(&mut sink);
        });
        Watch {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line starting with `prefix` and returns it.
    fn wait_for(&mut self, prefix: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.starts_with(prefix) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line starting with `{prefix}` within {timeout:?}; watch printed:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_rechecks_on_save_and_offers_the_next_kata() {
    let sandbox = Sandbox::new("watch");
    let timeout = Duration::from_secs(240);
    let mut watch = Watch::start(&sandbox, &["watch"]);
    let first = watch.wait_for("[watch] checked ", timeout);
    assert!(
        first.starts_with("[watch] checked hit_counter: "),
        "{first}"
    );
    assert_ne!(first, "[watch] checked hit_counter: pass");

    let solution = std::fs::read(repository().join("solutions/hit_counter/lib.rs")).unwrap();
    std::fs::write(sandbox.learner("hit_counter"), solution).unwrap();
    let saved = Instant::now();
    let second = watch.wait_for("[watch] checked ", timeout);
    assert_eq!(
        second,
        "[watch] checked hit_counter: pass",
        "{}",
        watch.seen.join("\n")
    );
    let text = watch.seen.join("\n");
    assert!(text.contains("hit_counter passes"), "{text}");
    assert!(text.contains("cargo xtask solution hit_counter"), "{text}");
    assert!(text.contains("next: bank"), "{text}");
    eprintln!("re-checked {:?} after the save", saved.elapsed());
    drop(watch);

    let next = stdout(&sandbox.xtask(&["next"]));
    assert!(next.starts_with("Next: bank"), "{next}");
    let solution = sandbox.xtask(&["solution", "hit_counter"]);
    assert_eq!(solution.status.code(), Some(0));
}
