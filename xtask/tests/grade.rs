//! End-to-end tests of `cargo xtask grade`: hostile submissions, each graded correctly with
//! everything else untouched, and the formats CI systems read.
//!
//! Each submission is built in a directory of its own under the system's temporary directory,
//! holding only the files a test wants to show (a submission needs no more than
//! `exercises/01-races/hit_counter/src/lib.rs`). Its path is the same on every run, so the
//! builds of its files in the shared target directory are reused. Most tests grade
//! `hit_counter` only, with `--time-limit` lowering the budget of code that never ends.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{repository as root, starting_code};

mod support;

const HIT_COUNTER: &str = "exercises/01-races/hit_counter/src/lib.rs";
const BANK: &str = "exercises/02-locks/bank/src/lib.rs";
const SHARED_COUNTER: &str = "exercises/06-processes/shared_counter/src/lib.rs";
const PROCESS_POOL: &str = "exercises/06-processes/process_pool/src/lib.rs";
const MQ_JOBS: &str = "exercises/06-processes/mq_jobs/src/lib.rs";
const MQ_PUBSUB: &str = "exercises/06-processes/mq_pubsub/src/lib.rs";

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative)).unwrap()
}

/// A correct hit counter with `new_extra` at the start of `new` and `hit_extra` at the start of
/// `hit`.
fn counter(new_extra: &str, hit_extra: &str) -> String {
    format!(
        r#"use harness::sync::atomic::{{AtomicU64, Ordering}};

pub struct HitCounter {{
    hits: AtomicU64,
}}

impl HitCounter {{
    #[allow(unreachable_code, clippy::empty_loop)]
    pub fn new() -> Self {{
        {new_extra}
        HitCounter {{ hits: AtomicU64::new(0) }}
    }}

    #[allow(unreachable_code, clippy::empty_loop)]
    pub fn hit(&self) {{
        {hit_extra}
        self.hits.fetch_add(1, Ordering::Relaxed);
    }}

    pub fn total(&self) -> u64 {{
        self.hits.load(Ordering::Relaxed)
    }}
}}

impl Default for HitCounter {{
    fn default() -> Self {{
        Self::new()
    }}
}}
"#
    )
}

/// The temporary directory of this repository's grading tests: its name tells repositories
/// apart, so that the tests of two checkouts on one machine never meet.
fn scratch_root() -> PathBuf {
    let hash = env!("CARGO_MANIFEST_DIR")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    std::env::temp_dir().join(format!("xtask-grade-{hash:016x}"))
}

/// A submission directory, locked while the test that made it runs (two runs of one test take
/// turns).
struct Submitted {
    dir: PathBuf,
    _lock: std::fs::File,
}

impl std::ops::Deref for Submitted {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.dir
    }
}

/// A fresh submission directory `<test>/<student>` holding `files` (relative path, content).
/// Its path is the same on every run, so that its builds are reused.
fn submission(test: &str, student: &str, files: &[(&str, &str)]) -> Submitted {
    let dir = scratch_root().join(test).join(student);
    std::fs::create_dir_all(&dir).unwrap();
    let lock = std::fs::File::create(dir.with_extension("lock")).unwrap();
    // SAFETY: a valid descriptor; the lock goes with the file.
    let locked = unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) };
    assert_eq!(locked, 0, "cannot lock {}", dir.display());
    if std::fs::remove_dir_all(&dir).is_err() {
        // A tree deeper than the open-file limit (see `a_tree_too_deep_is_refused_with_a_reason`).
        let removed = Command::new("rm").arg("-rf").arg(&dir).status().unwrap();
        assert!(removed.success(), "cannot remove {}", dir.display());
    }
    std::fs::create_dir_all(&dir).unwrap();
    for (relative, content) in files {
        let path = dir.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    Submitted { dir, _lock: lock }
}

fn xtask(args: &[&str], envs: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (key, value) in envs {
        command.env(key, value);
    }
    command.output().expect("the xtask binary runs")
}

/// Grades `dir` with `args` in the JSON format; the exit status and the grade.
fn grade(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["grade", "--submission", dir.to_str().unwrap()];
    all.extend(args);
    let output = xtask(&all, &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value = serde_json::from_str(&stdout).unwrap_or_else(|err| {
        panic!(
            "not one JSON object ({err}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), value)
}

/// The grade of kata `name` in a JSON grade.
fn kata<'a>(grade: &'a Value, name: &str) -> &'a Value {
    grade["katas"]
        .as_array()
        .and_then(|katas| katas.iter().find(|k| k["kata"] == name))
        .unwrap_or_else(|| panic!("no kata `{name}` in {grade}"))
}

/// Asserts that `hit_counter` earned nothing, with `verdict`, and that the grade says so.
fn assert_zero(code: Option<i32>, grade: &Value, verdict: &str) {
    let hits = kata(grade, "hit_counter");
    assert_eq!(hits["verdict"], verdict, "{hits:#}");
    assert_eq!(hits["points"], 0, "{hits:#}");
    assert_eq!(hits["max"], 10, "{hits:#}");
    assert_eq!(grade["total"], 0, "{grade:#}");
    assert_eq!(code, Some(1), "{grade:#}");
}

#[test]
fn the_reference_solutions_get_full_marks() {
    let dir = submission(
        "solutions",
        "ada",
        &[
            (HIT_COUNTER, &read("solutions/hit_counter/lib.rs")),
            (BANK, &read("solutions/bank/lib.rs")),
        ],
    );
    let results = dir.with_extension("results.json");
    let output = xtask(
        &[
            "grade",
            "--submission",
            dir.to_str().unwrap(),
            "--kata",
            "hit_counter",
            "--kata",
            "bank",
            "--format",
            "gradescope",
            "--output",
            results.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let value: Value = serde_json::from_str(&std::fs::read_to_string(&results).unwrap()).unwrap();
    assert_eq!(value["score"], 30, "{value:#}");
    assert_eq!(value["max_score"], 30, "{value:#}");
    assert!(value["execution_time"].is_u64());
    assert!(value["output"].is_string());
    let tests = value["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 2);
    for test in tests {
        for field in ["name", "score", "max_score", "output", "visibility"] {
            assert!(test.get(field).is_some(), "no `{field}` in {test}");
        }
        assert_eq!(test["score"], test["max_score"], "{test}");
        assert_eq!(test["visibility"], "visible");
    }
}

/// The sandbox confines the file system with Landlock, and POSIX message queues are files of
/// the `mqueue` file system: each check gets queues of its own, which it may use.
#[test]
fn the_message_queue_katas_get_full_marks_in_the_sandbox() {
    let dir = submission(
        "queues",
        "grace",
        &[
            (MQ_JOBS, &read("solutions/mq_jobs/lib.rs")),
            (MQ_PUBSUB, &read("solutions/mq_pubsub/lib.rs")),
        ],
    );
    let (code, grade) = grade(
        &dir,
        &[
            "--kata",
            "mq_jobs",
            "--kata",
            "mq_pubsub",
            "--format",
            "json",
        ],
    );
    for name in ["mq_jobs", "mq_pubsub"] {
        let queues = kata(&grade, name);
        assert_eq!(queues["verdict"], "pass", "{queues:#}");
        assert_eq!(queues["points"], queues["max"], "{queues:#}");
    }
    assert_eq!(code, Some(0), "{grade:#}");
}

#[test]
fn the_starting_code_gets_zero_and_the_same_grade_every_time() {
    let dir = submission(
        "starting",
        "bob",
        &[(HIT_COUNTER, &starting_code(HIT_COUNTER))],
    );
    let (code, first) = grade(&dir, &["--kata", "hit_counter"]);
    assert_zero(code, &first, "race");
    let hits = kata(&first, "hit_counter");
    assert!(hits["seed"].is_u64(), "{hits}");
    assert_eq!(hits["source"], HIT_COUNTER);
    assert!(hits["checks"].as_array().is_some_and(|c| !c.is_empty()));
    assert_eq!(first["ignored"], serde_json::json!([]));

    let (_, second) = grade(&dir, &["--kata", "hit_counter"]);
    assert_eq!(without_timings(first), without_timings(second));
}

/// A JSON grade without its `duration_ms` fields.
fn without_timings(mut value: Value) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.remove("duration_ms");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut value);
    value
}

#[test]
fn an_infinite_loop_costs_only_its_kata() {
    let dir = submission(
        "loop",
        "carl",
        &[
            (HIT_COUNTER, &counter("", "loop {}")),
            (BANK, &read("solutions/bank/lib.rs")),
        ],
    );
    let summary = dir.with_extension("summary.md");
    let _ = std::fs::remove_file(&summary);
    let start = Instant::now();
    let output = xtask(
        &[
            "grade",
            "--submission",
            dir.to_str().unwrap(),
            "--kata",
            "hit_counter",
            "--kata",
            "bank",
            "--time-limit",
            "5",
            "--format",
            "markdown",
        ],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    // Three checks of 5 s at most, two at a time, besides the builds (generous for a cold CI).
    assert!(
        start.elapsed() < Duration::from_secs(300),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("### Grade of carl: 20 / 30"), "{stdout}");
    assert!(
        stdout.contains("| `hit_counter` | ❌ timeout | 0 / 10 |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| `bank` | ✅ pass | 20 / 20 |"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&summary).expect("the job summary is written");
    assert!(
        written.contains("| `bank` | ✅ pass | 20 / 20 |"),
        "{written}"
    );
}

#[test]
fn a_large_allocation_hits_the_memory_limit() {
    // Bounded (at most 4 GiB) in case the limit does not hold; 256 MiB stops it at the fourth
    // block.
    let allocate = "let mut blocks: Vec<Vec<u8>> = Vec::new();
        for _ in 0..64 { blocks.push(vec![1u8; 64 << 20]); }
        std::hint::black_box(&blocks);";
    let dir = submission("memory", "dora", &[(HIT_COUNTER, &counter(allocate, ""))]);
    let (code, value) = grade(
        &dir,
        &[
            "--kata",
            "hit_counter",
            "--memory-limit",
            "256",
            "--time-limit",
            "20",
        ],
    );
    assert_zero(code, &value, "panic");
    let hits = kata(&value, "hit_counter");
    assert_eq!(hits["limits"]["memory_mb"], 256);
    let message = hits["checks"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("ran out of memory") && message.contains("limit of 256 MiB"),
        "{message}"
    );
}

#[test]
fn an_output_flood_is_capped() {
    let flood = r#"loop { println!("test result: ok. 9 passed; 0 failed {}", "x".repeat(4096)); }"#;
    let dir = submission("flood", "emil", &[(HIT_COUNTER, &counter("", flood))]);
    let output = xtask(
        &[
            "grade",
            "--submission",
            dir.to_str().unwrap(),
            "--kata",
            "hit_counter",
            "--time-limit",
            "3",
        ],
        &[],
    );
    assert!(output.stdout.len() < 64 * 1024, "{}", output.stdout.len());
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_zero(output.status.code(), &value, "timeout");
}

#[test]
fn passing_looking_output_earns_nothing() {
    let starting = starting_code(HIT_COUNTER).replace(
        "pub fn new() -> Self {",
        "pub fn new() -> Self {
        println!(\"test result: ok. 9 passed; 0 failed; 0 ignored\");
        eprintln!(\"hit_counter: pass\");",
    );
    let dir = submission("fake", "gina", &[(HIT_COUNTER, &starting)]);
    let (code, value) = grade(&dir, &["--kata", "hit_counter"]);
    assert_zero(code, &value, "race");
}

#[test]
fn constructs_the_kata_does_not_allow_earn_nothing_and_are_named() {
    // The forged pass of the first attack: a constructor that runs before `main`.
    let constructor = r#"
#[used]
#[link_section = ".init_array"]
static FORGE: extern "C" fn() = forge;
extern "C" fn forge() {}
"#;
    let reference = "#[path = \"../../../../../../solutions/hit_counter/lib.rs\"]\nmod reference;\npub use reference::HitCounter;\n";
    let cases = [
        ("constructor", format!("{}{constructor}", counter("", ""))),
        ("reference", reference.to_owned()),
        (
            "passwd",
            counter("compile_error!(include_str!(\"/etc/passwd\"));", ""),
        ),
        ("exit", counter("", "std::process::exit(0);")),
        ("environment", counter("let _ = std::env::vars();", "")),
        (
            "network",
            counter("let _ = std::net::TcpStream::connect(\"127.0.0.1:9\");", ""),
        ),
        (
            "libc",
            counter("unsafe { libc::kill(libc::getppid(), 9) };", ""),
        ),
    ];
    for (student, code) in cases {
        let dir = submission("policy", student, &[(HIT_COUNTER, &code)]);
        let (code, value) = grade(&dir, &["--kata", "hit_counter"]);
        assert_zero(code, &value, "forbidden");
        let message = kata(&value, "hit_counter")["checks"][0]["message"].to_string();
        assert!(message.contains("src/lib.rs:"), "{student}: {message}");
        assert!(
            !message.contains("root:"),
            "{student} leaked a file: {message}"
        );
    }
}

/// A correct shared counter whose `create` first attacks the grader with what the kata allows
/// (the file system): reading the reference solution and the grader's environment, writing
/// into the grader's checks, its home and the system's temporary directory. Each attempt that
/// succeeds makes the counter count wrong, so it earns full marks only if every attempt fails.
fn shared_counter_attacking(marker: &Path) -> String {
    let root = root();
    let attack = format!(
        r#"let escaped = [
            std::fs::read_to_string({solution:?}).is_ok(),
            std::fs::read_to_string("/proc/1/environ").is_ok(),
            std::fs::read_to_string("/etc/passwd").is_ok(),
            std::fs::OpenOptions::new().append(true).open({checks:?}).is_ok(),
            std::fs::write({marker:?}, "escaped").is_ok(),
            std::fs::write("/root/xtask-hostile-marker", "escaped").is_ok(),
        ];
        let escaped = escaped.iter().filter(|&&e| e).count() as u64;"#,
        solution = root.join("solutions/shared_counter/lib.rs"),
        checks = root.join("tests/shared_counter.rs"),
    );
    read("solutions/shared_counter/lib.rs")
        .replace(
            "    pub fn create(path: &Path) -> io::Result<SharedCounter> {",
            &format!("    pub fn create(path: &Path) -> io::Result<SharedCounter> {{\n        {attack}"),
        )
        .replace("file.set_len(SIZE)?;", "file.set_len(SIZE)?;\n        let _ = escaped;")
        .replace(
            "        SharedCounter::map(&file)\n    }\n\n    /// Maps the counter's existing",
            "        let counter = SharedCounter::map(&file)?;\n        counter.cell().store(escaped, Ordering::SeqCst);\n        Ok(counter)\n    }\n\n    /// Maps the counter's existing",
        )
}

#[test]
fn a_check_reads_and_writes_nothing_of_the_grader() {
    let marker = scratch_root().join("escaped-marker");
    let _ = std::fs::remove_file(&marker);
    let checks = read("tests/shared_counter.rs");
    let code = shared_counter_attacking(&marker);
    assert!(
        code.contains("store(escaped"),
        "the attack was not inserted"
    );
    let dir = submission("sandbox", "oscar", &[(SHARED_COUNTER, &code)]);
    let (code, value) = grade(&dir, &["--kata", "shared_counter"]);
    let sandbox = value["sandbox"].to_string();
    if !sandbox.contains("Landlock") {
        eprintln!("no Landlock here: the file-system layer is not tested ({sandbox})");
        return;
    }
    assert_eq!(
        kata(&value, "shared_counter")["verdict"],
        "pass",
        "{value:#}"
    );
    assert_eq!(code, Some(0), "{value:#}");
    assert!(!marker.exists(), "the check wrote outside its cell");
    assert!(!Path::new("/root/xtask-hostile-marker").exists());
    assert_eq!(read("tests/shared_counter.rs"), checks);
}

/// A process pool whose `map` starts processes that escapes the check's process group
/// (a new group of its own), holding the output pipes, then loops.
#[test]
fn a_process_that_escapes_the_group_neither_outlives_nor_stalls_the_grade() {
    let escape = r#"
        for _ in 0..8 {
            let _ = std::process::Command::new("setsid")
                .args(["sleep", "987.5"])
                .spawn();
        }
        #[allow(clippy::empty_loop)]
        loop {}"#;
    let (value, ended_all) = grade_hostile_pool("escape", "paul", escape, "987.5");
    if ended_all {
        let process_pool = kata(&value, "process_pool");
        assert_eq!(process_pool["verdict"], "timeout", "{process_pool:#}");
    } else {
        let notes = value["notes"].to_string();
        assert!(notes.contains("could outlive the check"), "{value:#}");
    }
}

/// A process pool whose `map` starts processes as fast as it can, each in a session of its
/// own, until the system refuses, then loops: the grade ends them all, within its budget.
#[test]
fn a_storm_of_processes_neither_outlives_nor_stalls_the_grade() {
    let storm = r#"
        while std::process::Command::new("setsid")
            .args(["sleep", "986.25"])
            .spawn()
            .is_ok()
        {}
        #[allow(clippy::empty_loop)]
        loop {}"#;
    grade_hostile_pool("storm", "rosa", storm, "986.25");
}

/// Grades, with a 5 s time limit, the submission of `student` (test `test`): a process pool
/// whose `map` begins with `prelude`, which starts processes running `sleep SLEEP`. It must earn
/// nothing and end within the grade's budget; where a layer of the sandbox ends every process
/// of the check (a user of its own, as root, or a PID namespace), no such process may be left.
/// Returns the grade's report and whether such a layer held.
fn grade_hostile_pool(test: &str, student: &str, prelude: &str, sleep: &str) -> (Value, bool) {
    let code = process_pool_whose_map_begins_with(prelude);
    let dir = submission(test, student, &[(PROCESS_POOL, &code)]);
    let start = Instant::now();
    let (_, value) = grade(&dir, &["--kata", "process_pool", "--time-limit", "5"]);
    let process_pool = kata(&value, "process_pool");
    assert_eq!(process_pool["points"], 0, "{process_pool:#}");
    let sandbox = value["sandbox"].to_string();
    let ended_all = sandbox.contains("user of its own") || sandbox.contains("PID namespace");
    if ended_all {
        let left = processes_with(sleep);
        assert_eq!(left, 0, "processes of the check survived it");
    }
    let spent = start.elapsed();
    assert!(spent < Duration::from_secs(240), "{spent:?}");
    (value, ended_all)
}

/// The reference process pool with `extra` at the start of `map`, the rest left unreachable.
fn process_pool_whose_map_begins_with(extra: &str) -> String {
    let code = read("solutions/process_pool/lib.rs").replacen(
        "pub fn map(",
        "#[allow(unreachable_code)]\npub fn map(",
        1,
    );
    insert_at_body_start(&code, "pub fn map(", extra)
}

/// `code` with `extra` put at the start of the body of the function whose signature starts with
/// `signature`.
fn insert_at_body_start(code: &str, signature: &str, extra: &str) -> String {
    let at = code.find(signature).expect("the function exists");
    let body = at + code[at..].find('{').expect("the function has a body") + 1;
    format!("{}{extra}{}", &code[..body], &code[body..])
}

/// How many processes have `needle` in their command line.
fn processes_with(needle: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| std::fs::read(entry.ok()?.path().join("cmdline")).ok())
        .filter(|cmdline| String::from_utf8_lossy(cmdline).contains(needle))
        .count()
}

#[test]
fn edited_checks_are_ignored_and_listed() {
    let dir = submission(
        "edited",
        "ines",
        &[
            (HIT_COUNTER, &starting_code(HIT_COUNTER)),
            (
                "tests/hit_counter.rs",
                "fn main() { println!(\"test result: ok\"); }\n",
            ),
            (
                "exercises/01-races/hit_counter/kata.toml",
                &read("exercises/01-races/hit_counter/kata.toml")
                    .replace("points = 10", "points = 1000"),
            ),
            ("harness/src/lib.rs", "// nothing to see\n"),
            ("solutions/hit_counter/lib.rs", &starting_code(HIT_COUNTER)),
            // Unchanged: not listed.
            (
                "exercises/01-races/hit_counter/Cargo.toml",
                &read("exercises/01-races/hit_counter/Cargo.toml"),
            ),
        ],
    );
    let (code, value) = grade(&dir, &["--kata", "hit_counter"]);
    assert_zero(code, &value, "race");
    assert_eq!(
        value["ignored"],
        serde_json::json!([
            "exercises/01-races/hit_counter/kata.toml",
            "harness/src/lib.rs",
            "solutions/hit_counter/lib.rs",
            "tests/hit_counter.rs",
        ])
    );
    assert_eq!(value["max"], 10);
}

#[test]
fn borrowed_work_through_a_symbolic_link_earns_nothing() {
    let elsewhere = submission(
        "borrowed",
        "elsewhere",
        &[(HIT_COUNTER, &read("solutions/hit_counter/lib.rs"))],
    );
    let linked_file = submission("borrowed", "file", &[]);
    let lib = linked_file.join(HIT_COUNTER);
    std::fs::create_dir_all(lib.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(root().join("solutions/hit_counter/lib.rs"), &lib).unwrap();
    let (code, value) = grade(&linked_file, &["--kata", "hit_counter"]);
    assert_zero(code, &value, "missing");
    let reason = kata(&value, "hit_counter")["summary"].to_string();
    assert!(reason.contains("symbolic link"), "{value:#}");

    let linked_dir = submission("borrowed", "directory", &[]);
    std::os::unix::fs::symlink(elsewhere.join("exercises"), linked_dir.join("exercises")).unwrap();
    let (code, value) = grade(&linked_dir, &["--kata", "hit_counter"]);
    assert_zero(code, &value, "missing");
    let reason = kata(&value, "hit_counter")["summary"].to_string();
    assert!(reason.contains("symbolic link"), "{value:#}");
}

#[test]
fn a_tree_too_deep_is_refused_with_a_reason() {
    let dir = submission("deep", "ada", &[(HIT_COUNTER, &starting_code(HIT_COUNTER))]);
    // 2,000 levels, made relative to `src/`: the full path is longer than one system call takes.
    let status = Command::new("mkdir")
        .arg("-p")
        .arg("d/".repeat(2_000))
        .current_dir(dir.join(Path::new(HIT_COUNTER).parent().unwrap()))
        .status()
        .unwrap();
    assert!(status.success());
    let (code, value) = grade(&dir, &["--kata", "hit_counter"]);
    assert_zero(code, &value, "missing");
    let reason = kata(&value, "hit_counter")["summary"].to_string();
    assert!(reason.contains("levels"), "{value:#}");
}

#[test]
fn a_file_name_cannot_write_the_report() {
    let forged = "x\n### Grade: 515 of 515\n.rs";
    let dir = submission(
        "injection",
        "ada",
        &[
            (HIT_COUNTER, &starting_code(HIT_COUNTER)),
            (&format!("exercises/01-races/{forged}"), ""),
        ],
    );
    let output = xtask(
        &[
            "grade",
            "--submission",
            dir.to_str().unwrap(),
            "--kata",
            "hit_counter",
            "--format",
            "markdown",
        ],
        &[],
    );
    let markdown = String::from_utf8_lossy(&output.stdout);
    assert!(markdown.contains("515"), "the name is listed: {markdown}");
    assert!(
        !markdown
            .lines()
            .any(|line| line.starts_with("### Grade: 515")),
        "{markdown}"
    );
}

#[test]
fn code_that_does_not_compile_costs_only_its_kata() {
    let dir = submission(
        "compile",
        "jana",
        &[
            (HIT_COUNTER, &counter("let x: u32 = \"not a number\";", "")),
            (BANK, &read("solutions/bank/lib.rs")),
        ],
    );
    let (code, value) = grade(&dir, &["--kata", "hit_counter", "--kata", "bank"]);
    let hits = kata(&value, "hit_counter");
    assert_eq!(hits["verdict"], "compile-error", "{hits:#}");
    assert_eq!(hits["points"], 0);
    assert!(hits["checks"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("mismatched types")));
    assert_eq!(kata(&value, "bank")["points"], 20);
    assert_eq!((code, value["total"].clone()), (Some(1), 20.into()));
}

#[test]
fn a_build_that_never_ends_is_a_compile_error() {
    // Constant evaluation that would take 2^64 steps, with rustc's guard against it turned off.
    let source = format!(
        "#![allow(long_running_const_eval)]\n{}\npub const SPIN: u64 = {{
            let mut i = 0u64;
            loop {{ i = i.wrapping_add(1); if i == 0 {{ break; }} }}
            i
        }};\npub fn spin() -> u64 {{ SPIN }}\n",
        counter("", "")
    );
    let dir = submission("const-loop", "olga", &[(HIT_COUNTER, &source)]);
    let start = Instant::now();
    let (code, value) = grade(&dir, &["--kata", "hit_counter", "--build-time-limit", "15"]);
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    assert_zero(code, &value, "compile-error");
    let message = kata(&value, "hit_counter")["checks"][0]["message"].to_string();
    assert!(message.contains("did not finish within 15 s"), "{message}");
}

#[test]
fn a_missing_kata_scores_zero_with_a_reason() {
    let dir = submission("missing", "karl", &[("README.md", "I did nothing.\n")]);
    let output = xtask(
        &[
            "grade",
            "--submission",
            dir.to_str().unwrap(),
            "--kata",
            "hit_counter",
            "--format",
            "junit",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    let xml = String::from_utf8_lossy(&output.stdout);
    assert!(xml.contains("<testsuite name=\"hit_counter\""), "{xml}");
    assert!(xml.contains("<failure message=\"missing\">"), "{xml}");
    assert!(xml.contains("was not submitted"), "{xml}");

    let (code, value) = grade(&dir, &["--kata", "hit_counter"]);
    assert_zero(code, &value, "missing");
    assert_eq!(value["ignored"], serde_json::json!(["README.md"]));
}

#[test]
fn a_class_gets_a_gradebook() {
    let ada = submission(
        "class",
        "ada",
        &[(HIT_COUNTER, &read("solutions/hit_counter/lib.rs"))],
    );
    let _bob = submission(
        "class",
        "bob",
        &[(HIT_COUNTER, &starting_code(HIT_COUNTER))],
    );
    // A plain name that a spreadsheet would take for a formula.
    let _formula = submission(
        "class",
        "+1+1",
        &[(HIT_COUNTER, &starting_code(HIT_COUNTER))],
    );
    let class = ada.parent().unwrap().to_path_buf();
    // Entries that are not students: links (to a classmate, the class's parent, the grader's
    // repository), a hidden folder and a spreadsheet formula. Each is listed, none is graded.
    for (link, target) in [("copycat", Path::new("ada")), ("parent", Path::new(".."))] {
        let _ = std::fs::remove_file(class.join(link));
        std::os::unix::fs::symlink(target, class.join(link)).unwrap();
    }
    let _ = std::fs::remove_file(class.join("grader"));
    std::os::unix::fs::symlink(root(), class.join("grader")).unwrap();
    for hostile in [".hidden", "=1+1"] {
        std::fs::create_dir_all(
            class
                .join(hostile)
                .join(Path::new(HIT_COUNTER).parent().unwrap()),
        )
        .unwrap();
        std::fs::write(
            class.join(hostile).join(HIT_COUNTER),
            read("solutions/hit_counter/lib.rs"),
        )
        .unwrap();
    }
    let out = class.with_extension("out");
    let _ = std::fs::remove_dir_all(&out);
    let output = xtask(
        &[
            "grade",
            "--class",
            class.to_str().unwrap(),
            "--kata",
            "hit_counter",
            "--jobs",
            "2",
            "--output",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let csv = std::fs::read_to_string(out.join("gradebook.csv")).unwrap();
    assert_eq!(
        csv,
        "student,total,max,hit_counter,ignored\n\"'+1+1\",0,10,0,\nada,10,10,10,\nbob,0,10,0,\n"
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), csv);
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("gradebook.json")).unwrap())
            .unwrap();
    assert_eq!(json["students"][1]["student"], "ada");
    assert_eq!(json["students"][1]["katas"][0]["verdict"], "pass");
    assert_eq!(json["students"][2]["katas"][0]["verdict"], "race");
    let skipped: Vec<&str> = json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["name"].as_str().unwrap())
        .collect();
    // The lock files are the tests' own (see `submission`).
    assert_eq!(
        skipped,
        [
            "+1+1.lock",
            ".hidden",
            "=1+1",
            "ada.lock",
            "bob.lock",
            "copycat",
            "grader",
            "parent"
        ]
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("[3/3]"), "{stderr}");
}

#[test]
fn the_classroom_result_has_its_fields() {
    let dir = submission(
        "classroom",
        "mia",
        &[(HIT_COUNTER, &starting_code(HIT_COUNTER))],
    );
    let output = xtask(
        &[
            "grade",
            "--submission",
            dir.to_str().unwrap(),
            "--kata",
            "hit_counter",
            "--format",
            "classroom",
        ],
        &[],
    );
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["version"], 1);
    assert_eq!(value["status"], "fail");
    assert_eq!(value["max_score"], 10);
    let test = &value["tests"][0];
    for field in [
        "name",
        "status",
        "score",
        "message",
        "test_code",
        "filename",
        "line_no",
        "duration",
    ] {
        assert!(test.get(field).is_some(), "no `{field}` in {test}");
    }
    assert_eq!(test["status"], "fail");
}

#[test]
fn grading_this_repository_itself_is_refused() {
    let output = xtask(
        &["grade", "--submission", ".", "--kata", "hit_counter"],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("this repository itself"), "{stderr}");
}
