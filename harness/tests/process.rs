//! Process mode end to end: this binary is its own child. Started with `--role`, it runs a
//! role; started with a check configuration, it runs one check (as `cargo xtask` would);
//! otherwise it is the test: it spawns roles directly (hang, crash, kill injection, capped
//! output, argument round trip) and runs checks in child check processes to see that the engine
//! leaves nothing behind (no process, no zombie, no scratch file, no message queue), whether the
//! check passes, fails or hangs.
//!
//! Real processes exist only on the std backend: under `--features model|explore` this test
//! only builds.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use harness::check::{Checks, Mode};
use harness::process::{self, Child};
use harness::protocol::{Backend, FailureKind, Outcome, Report, RunConfig, CONFIG_ENV, REPORT_ENV};
use nix::mqueue::{mq_close, mq_open, MQ_OFlag, MqAttr};
use nix::sys::stat::Mode as FileMode;

/// Where a check process writes the pids of the children it started (set by the test).
const PIDS_ENV: &str = "HARNESS_PROCESS_TEST_PIDS";

// ---------------------------------------------------------------------------------------------
// Roles.

fn echo_args() {
    println!(
        "{}",
        serde_json::to_string(&process::role_args()).expect("strings serialize")
    );
}

fn sleep_forever() -> ! {
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn hang() {
    process::status("sleeping forever");
    sleep_forever()
}

fn crash() {
    process::status("about to crash");
    eprintln!("some context before the crash");
    panic!("the child crashed on purpose");
}

fn abort() {
    process::status("aborting");
    std::process::abort();
}

fn worker() {
    process::status("starting");
    process::status("holding the lock");
    sleep_forever()
}

fn noisy() {
    let line = format!("{}\n", "x".repeat(1023));
    let mut stderr = std::io::stderr().lock();
    for _ in 0..1024 {
        stderr.write_all(line.as_bytes()).unwrap();
    }
    drop(stderr);
    process::status("done with the noise");
    eprintln!("the end of the noise");
}

fn quiet_exit() {}

fn cat() {
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input).unwrap();
    std::io::stdout().write_all(&input).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Checks run in child check processes.

fn record_pid(pid: u32) {
    let path = std::env::var(PIDS_ENV).expect("the test names the pid file");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    writeln!(file, "{pid}").unwrap();
}

fn scratch_with_a_file() {
    let dir = process::scratch();
    std::fs::write(dir.join("shared"), [0u8; 4096]).unwrap();
    // And a message queue the code under test would have to remove.
    let name = process::queue_name("left");
    let attr = MqAttr::new(0, 1, 16, 0);
    let queue = mq_open(
        name.as_str(),
        MQ_OFlag::O_CREAT | MQ_OFlag::O_RDWR,
        FileMode::S_IRUSR | FileMode::S_IWUSR,
        Some(&attr),
    )
    .unwrap();
    mq_close(queue).unwrap();
    assert_eq!(process::queues_left(), vec![name]);
}

fn leaves_a_child_running() {
    scratch_with_a_file();
    let child = Child::spawn("hang", &[]);
    record_pid(child.id());
    child
        .wait_for_status("sleeping forever", Duration::from_secs(10))
        .unwrap();
    // Neither killed nor dropped: the engine must kill and reap it.
    std::mem::forget(child);
}

fn fails_with_a_child_running() {
    scratch_with_a_file();
    let child = Child::spawn("hang", &[]);
    record_pid(child.id());
    // Held by a thread that never ends: unwinding the check does not drop it.
    std::thread::spawn(move || {
        let _held = child;
        sleep_forever()
    });
    panic!("the check fails while a child runs");
}

fn hangs_waiting_for_a_child() {
    scratch_with_a_file();
    let mut child = Child::spawn("worker", &[]);
    record_pid(child.id());
    child
        .wait_for_status("holding the lock", Duration::from_secs(10))
        .unwrap();
    let _ = child.wait(Duration::from_secs(3600));
}

fn a_hung_wait_is_a_timeout() {
    let mut child = Child::spawn("worker", &[]).named("the lock holder");
    record_pid(child.id());
    child
        .wait_for_status("holding the lock", Duration::from_secs(10))
        .unwrap();
    let _ = child
        .wait(Duration::from_millis(200))
        .unwrap_or_else(|err| process::hang(err));
}

fn leaves_a_zombie() {
    let child = process::command("quiet_exit", &[]).spawn().unwrap();
    record_pid(child.id());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !process::children().iter().any(|c| c.is_zombie()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    // Dropping a std Child does not wait for it.
    drop(child);
    process::assert_all_reaped("after the child exited");
}

fn checks() -> Checks {
    Checks::new()
        .role("echo_args", echo_args)
        .role("hang", hang)
        .role("crash", crash)
        .role("abort", abort)
        .role("worker", worker)
        .role("noisy", noisy)
        .role("quiet_exit", quiet_exit)
        .role("cat", cat)
        .sequential("leaves a child running", leaves_a_child_running)
        .sequential("fails with a child running", fails_with_a_child_running)
        .sequential("hangs waiting for a child", hangs_waiting_for_a_child)
        .only(
            "a hung wait is a timeout",
            &[Mode::Sequential, Mode::Stress],
            a_hung_wait_is_a_timeout,
        )
        .sequential("leaves a zombie", leaves_a_zombie)
}

// ---------------------------------------------------------------------------------------------
// The test.

fn main() {
    let first = std::env::args().nth(1);
    if first.as_deref() == Some("--role") || std::env::var_os(CONFIG_ENV).is_some() {
        checks().run();
    }
    if Backend::current() != Backend::Std {
        println!("test result: ok. 0 passed; 0 failed (process mode needs the std backend)");
        return;
    }
    let tests: [(&str, Test); 11] = [
        ("role arguments round-trip", role_args_round_trip),
        ("stdin and stdout are piped", pipes_round_trip),
        ("a hung child times out, named", hung_child_times_out),
        ("a crashing child is reported", crashing_child_is_reported),
        ("an aborting child is reported", aborting_child_is_reported),
        ("kill injection after a status", kill_injection),
        ("stderr is captured and capped", stderr_is_capped),
        ("waiting for a status never given", status_never_given),
        ("the engine cleans up after a check", engine_cleans_up),
        ("a hung child becomes a timeout verdict", hung_child_verdict),
        ("a zombie is a leak", zombie_is_a_leak),
    ];
    let mut failed = 0;
    for (name, test) in tests {
        let started = Instant::now();
        let result = test();
        let took = started.elapsed().as_secs_f64();
        match result {
            Ok(()) => println!("test {name} ... ok ({took:.2} s)"),
            Err(problem) => {
                failed += 1;
                println!("test {name} ... FAILED ({took:.2} s)\n    {problem}");
            }
        }
    }
    if !process::children().is_empty() {
        failed += 1;
        println!(
            "FAILED: the test left child processes: {:?}",
            process::children()
        );
    }
    println!(
        "test result: {}. {} passed; {failed} failed",
        if failed == 0 { "ok" } else { "FAILED" },
        tests.len() - failed.min(tests.len())
    );
    std::process::exit(i32::from(failed > 0));
}

/// One test: `Err` says what went wrong.
type Test = fn() -> Result<(), String>;

fn ensure(condition: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(what())
    }
}

/// Whether process `pid` is gone, polling briefly: a process left to init is reaped by it a
/// moment after it ends.
fn is_gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Path::new(&format!("/proc/{pid}")).exists() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

fn role_args_round_trip() -> Result<(), String> {
    let sent = ["plain", "", "two words", "ünïcödé ✓", "--", "--role", "-x"];
    let mut child = Child::spawn("echo_args", &sent);
    let mut out = String::new();
    child
        .take_stdout()
        .unwrap()
        .read_to_string(&mut out)
        .map_err(|e| e.to_string())?;
    child.finish(Duration::from_secs(10))?;
    let got: Vec<String> = serde_json::from_str(out.trim()).map_err(|e| format!("{e}: {out}"))?;
    ensure(got == sent, || {
        format!("sent {sent:?}, the role got {got:?}")
    })
}

fn pipes_round_trip() -> Result<(), String> {
    // More than a pipe buffer each way, written from a thread while this one reads.
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let mut child = Child::spawn("cat", &[]);
    let mut stdin = child.take_stdin().unwrap();
    let sent = data.clone();
    let writer = std::thread::spawn(move || stdin.write_all(&sent));
    let mut out = Vec::new();
    child
        .stdout()
        .unwrap()
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    writer.join().unwrap().map_err(|e| e.to_string())?;
    child.finish(Duration::from_secs(10))?;
    ensure(out == data, || {
        format!("sent {} bytes, got {}", data.len(), out.len())
    })
}

fn hung_child_times_out() -> Result<(), String> {
    let mut child = Child::spawn("hang", &[]);
    let pid = child.id();
    let name = child.name();
    child.wait_for_status("sleeping forever", Duration::from_secs(10))?;
    let started = Instant::now();
    let err = match child.wait(Duration::from_millis(300)) {
        Ok(status) => return Err(format!("a hanging child ended: {status}")),
        Err(err) => err,
    };
    ensure(started.elapsed() < Duration::from_secs(3), || {
        format!("wait(300 ms) took {:?}", started.elapsed())
    })?;
    for part in [
        format!("`{name}`"),
        format!("pid {pid}"),
        "sleeping forever".to_owned(),
        "did not exit within 0.3 s".to_owned(),
    ] {
        ensure(err.contains(&part), || {
            format!("the error lacks {part:?}: {err}")
        })?;
    }
    ensure(name.starts_with("hang "), || format!("named {name:?}"))?;
    drop(child);
    ensure(!Path::new(&format!("/proc/{pid}")).exists(), || {
        format!("after drop, /proc/{pid} still exists")
    })
}

fn crashing_child_is_reported() -> Result<(), String> {
    let mut child = Child::spawn("crash", &[]);
    let status = child.wait(Duration::from_secs(10))?;
    ensure(status.code() == Some(101), || format!("status {status}"))?;
    let err = child
        .finish(Duration::from_secs(1))
        .err()
        .ok_or("finish() of a crashed child is Ok")?;
    for part in [
        "status 101",
        "about to crash",
        "the child crashed on purpose",
        "some context",
    ] {
        ensure(err.contains(part), || {
            format!("the error lacks {part:?}: {err}")
        })?;
    }
    ensure(!child.stderr().contains("@@harness-status@@"), || {
        "status lines leaked into the stderr text".into()
    })
}

fn aborting_child_is_reported() -> Result<(), String> {
    let mut child = Child::spawn("abort", &[]).named("the aborter");
    let err = child
        .finish(Duration::from_secs(10))
        .err()
        .ok_or("an aborting child finished well")?;
    for part in ["`the aborter`", "SIGABRT", "aborting"] {
        ensure(err.contains(part), || {
            format!("the error lacks {part:?}: {err}")
        })?;
    }
    Ok(())
}

fn kill_injection() -> Result<(), String> {
    use std::os::unix::process::ExitStatusExt;
    let mut child = Child::spawn("worker", &[]);
    let pid = child.id();
    child.wait_for_status("holding the lock", Duration::from_secs(10))?;
    ensure(child.statuses() == ["starting", "holding the lock"], || {
        format!("statuses {:?}", child.statuses())
    })?;
    child.kill();
    let status = child.wait(Duration::from_secs(10))?;
    ensure(status.signal() == Some(9), || format!("status {status}"))?;
    let err = child.finish(Duration::from_secs(1)).unwrap_err();
    ensure(
        err.contains("SIGKILL") && err.contains("holding the lock"),
        || err.clone(),
    )?;
    drop(child);
    ensure(is_gone(pid), || format!("{pid} remains"))
}

fn stderr_is_capped() -> Result<(), String> {
    let mut child = Child::spawn("noisy", &[]);
    child.finish(Duration::from_secs(20))?;
    let stderr = child.stderr();
    ensure(stderr.len() <= process::STDERR_CAP, || {
        format!("kept {} bytes of stderr", stderr.len())
    })?;
    ensure(stderr.len() > process::STDERR_CAP / 2, || {
        format!("kept only {} bytes", stderr.len())
    })?;
    ensure(stderr.ends_with("the end of the noise\n"), || {
        format!("the tail is lost: ...{}", &stderr[stderr.len() - 100..])
    })?;
    ensure(
        child.last_status().as_deref() == Some("done with the noise"),
        || format!("last status {:?}", child.last_status()),
    )
}

fn status_never_given() -> Result<(), String> {
    let child = Child::spawn("quiet_exit", &[]);
    let started = Instant::now();
    let err = child
        .wait_for_status("ready", Duration::from_secs(30))
        .err()
        .ok_or("a status never given was seen")?;
    ensure(started.elapsed() < Duration::from_secs(10), || {
        format!("took {:?} to see the child end", started.elapsed())
    })?;
    ensure(
        err.contains("without reporting the status \"ready\""),
        || err,
    )
}

/// Runs the check `name` in a child check process, in `mode`, with a fresh TMPDIR; returns its
/// report and the pids it recorded, after checking that the TMPDIR was left empty.
fn run_check(name: &str, mode: Mode, hang_ms: u64) -> Result<(Report, Vec<u32>), String> {
    let base: PathBuf =
        std::env::temp_dir().join(format!("harness-process-{}", std::process::id()));
    let tmp = base.join(name.replace(' ', "-"));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let mut config = RunConfig::new(name, mode, 0x5eed);
    config.stress_hang_ms = hang_ms;
    config.stress_rounds = 3;
    let report_path = base.join(format!("{}.json", name.replace(' ', "-")));
    let config_path = report_path.with_extension("config");
    let pids_path = report_path.with_extension("pids");
    let _ = std::fs::remove_file(&report_path);
    let _ = std::fs::remove_file(&pids_path);
    std::fs::write(&config_path, serde_json::to_string(&config).unwrap())
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let output = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .arg("--run")
        .env(CONFIG_ENV, &config_path)
        .env(REPORT_ENV, &report_path)
        .env(PIDS_ENV, &pids_path)
        .env("TMPDIR", &tmp)
        .output()
        .map_err(|e| e.to_string())?;
    ensure(started.elapsed() < Duration::from_secs(20), || {
        format!("the check process took {:?}", started.elapsed())
    })?;
    let report = std::fs::read_to_string(&report_path)
        .ok()
        .and_then(|text| serde_json::from_str::<Report>(&text).ok())
        .ok_or_else(|| {
            format!(
                "no report ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    let pids: Vec<u32> = std::fs::read_to_string(&pids_path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.parse().ok())
        .collect();
    // The list of queue names stays for `cargo xtask`; every queue named there must be gone.
    let queues = std::fs::read_to_string(tmp.join(process::QUEUE_LIST)).unwrap_or_default();
    for name in queues.lines() {
        ensure(!process::queue_exists(name), || {
            format!("{name}: the message queue {name} outlived its round")
        })?;
    }
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .map_err(|e| e.to_string())?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| !path.ends_with(process::QUEUE_LIST))
        .collect();
    let _ = std::fs::remove_dir_all(&base);
    ensure(left.is_empty(), || {
        format!("{name}: left in TMPDIR: {left:?}")
    })?;
    for &pid in &pids {
        ensure(is_gone(pid), || {
            format!("{name}: the child {pid} outlived its check process")
        })?;
    }
    ensure(!pids.is_empty(), || format!("{name}: recorded no child"))?;
    Ok((report, pids))
}

fn failure_of(report: &Report) -> Result<(FailureKind, String), String> {
    match &report.outcome {
        Outcome::Pass => Err("the check passed".into()),
        Outcome::Fail(failure) => Ok((failure.kind, failure.message.clone())),
    }
}

fn engine_cleans_up() -> Result<(), String> {
    let (report, _) = run_check("leaves a child running", Mode::Sequential, 5_000)?;
    ensure(report.outcome == Outcome::Pass, || {
        format!("{:?}", report.outcome)
    })?;
    let (report, _) = run_check("fails with a child running", Mode::Sequential, 5_000)?;
    let (kind, message) = failure_of(&report)?;
    ensure(
        kind == FailureKind::Panic && message.contains("fails while a child runs"),
        || format!("{kind:?}: {message}"),
    )?;
    let started = Instant::now();
    let (report, _) = run_check("hangs waiting for a child", Mode::Sequential, 500)?;
    let (kind, message) = failure_of(&report)?;
    ensure(kind == FailureKind::Hang, || format!("{kind:?}: {message}"))?;
    for part in ["`worker 1`", "holding the lock", "0.5 s"] {
        ensure(message.contains(part), || {
            format!("the verdict lacks {part:?}: {message}")
        })?;
    }
    ensure(started.elapsed() < Duration::from_secs(5), || {
        format!("a 0.5 s hang took {:?} to judge", started.elapsed())
    })
}

fn hung_child_verdict() -> Result<(), String> {
    for mode in [Mode::Sequential, Mode::Stress] {
        let (report, _) = run_check("a hung wait is a timeout", mode, 5_000)?;
        let (kind, message) = failure_of(&report)?;
        ensure(kind == FailureKind::Hang, || format!("{kind:?}: {message}"))?;
        for part in ["`the lock holder`", "holding the lock", "did not exit"] {
            ensure(message.contains(part), || {
                format!("the verdict lacks {part:?}: {message}")
            })?;
        }
    }
    Ok(())
}

fn zombie_is_a_leak() -> Result<(), String> {
    let (report, pids) = run_check("leaves a zombie", Mode::Sequential, 5_000)?;
    let (kind, message) = failure_of(&report)?;
    ensure(kind == FailureKind::Leak, || format!("{kind:?}: {message}"))?;
    ensure(
        message.contains(&format!("pid {}", pids[0])) && message.contains("zombie"),
        || message,
    )
}
