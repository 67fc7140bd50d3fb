//! The check process end to end: this binary re-runs itself in the child role for each case,
//! the way `cargo xtask` does, and asserts on the report each child leaves, under the engine of
//! the backend it was built for (`cargo test -p harness [--features model|explore]`).
//!
//! Each case is a small broken (or correct) program: the engines and detectors must each turn
//! it into the right failure kind, even when the engine aborts the process (loom's deadlocks).

use std::process::Command;

use harness::check::{Checks, Mode};
use harness::detect::Bypass;
use harness::protocol::{Backend, FailureKind, Outcome, Report, RunConfig, CONFIG_ENV, REPORT_ENV};
use harness::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use harness::sync::{Arc, Condvar, Mutex};
use harness::thread;

const CONCURRENT: [Mode; 3] = [Mode::Model, Mode::Explore, Mode::Stress];

fn passes() {
    let hits = Arc::new(AtomicUsize::new(0));
    let other = Arc::clone(&hits);
    let handle = thread::spawn(move || other.fetch_add(1, Ordering::SeqCst));
    hits.fetch_add(1, Ordering::SeqCst);
    handle.join().unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

fn unfinished() {
    todo!()
}

fn relocks() {
    let lock = Mutex::new(());
    let _held = lock.lock().unwrap();
    let _again = lock.lock().unwrap();
}

fn exits_early() {
    std::process::exit(0);
}

fn loses_an_update() {
    let hits = Arc::new(AtomicUsize::new(0));
    let other = Arc::clone(&hits);
    let hit = |hits: &AtomicUsize| {
        let seen = hits.load(Ordering::SeqCst);
        harness::thread::yield_now();
        hits.store(seen + 1, Ordering::SeqCst);
    };
    let handle = thread::spawn(move || hit(&other));
    hit(&hits);
    handle.join().unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2, "a hit was lost");
}

fn locks_in_a_cycle() {
    let a = Arc::new(Mutex::new(()));
    let b = Arc::new(Mutex::new(()));
    let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
    let other = thread::spawn(move || {
        let _b = b2.lock().unwrap();
        thread::yield_now();
        let _a = a2.lock().unwrap();
    });
    {
        let _a = a.lock().unwrap();
        thread::yield_now();
        let _b = b.lock().unwrap();
    }
    other.join().unwrap();
}

fn spins_forever() {
    let never = AtomicBool::new(false);
    while !never.load(Ordering::Acquire) {
        harness::hint::spin_loop();
    }
}

fn overtakes_a_waiter() {
    let watch = Bypass::with_bound("the resource", 2);
    let _waiting = watch.wait();
    for _ in 0..3 {
        drop(watch.wait().enter());
    }
}

/// A thread breaks a promise; the main thread then waits for ever for what it would have done.
/// The recorded failure is what the round reports, not its being stuck.
fn fails_while_others_wait() {
    let state = Arc::new((Mutex::new(false), Condvar::new()));
    let worker = Arc::clone(&state);
    let _worker = thread::spawn(move || {
        let promise_held = worker.0.lock().unwrap().eq(&true);
        assert!(promise_held, "the worker found its promise broken");
        worker.1.notify_all();
    });
    let mut done = state.0.lock().unwrap();
    while !*done {
        done = state.1.wait(done).unwrap();
    }
}

/// Puts more on the stack than loom gives a thread (32 KiB).
fn overflows_its_stack() {
    let page = std::hint::black_box([7u8; 64 * 1024]);
    assert_eq!(page[page.len() - 1], 7);
}

/// A case: the check, the modes it runs in, and the failure kind expected (None: a pass).
struct Case {
    name: &'static str,
    body: fn(),
    modes: &'static [Mode],
    expect: Option<FailureKind>,
}

const CASES: &[Case] = &[
    Case {
        name: "passes",
        body: passes,
        modes: &[Mode::Sequential, Mode::Model, Mode::Explore, Mode::Stress],
        expect: None,
    },
    Case {
        name: "unfinished",
        body: unfinished,
        modes: &[Mode::Sequential],
        expect: Some(FailureKind::NotImplemented),
    },
    Case {
        name: "relocks",
        body: relocks,
        modes: &[Mode::Sequential],
        expect: Some(FailureKind::Deadlock),
    },
    Case {
        name: "exits early",
        body: exits_early,
        modes: &[Mode::Sequential],
        expect: Some(FailureKind::Panic), // no report at all: see `judge`
    },
    Case {
        name: "loses an update",
        body: loses_an_update,
        modes: &[Mode::Model, Mode::Explore],
        expect: Some(FailureKind::Panic),
    },
    Case {
        name: "locks in a cycle",
        body: locks_in_a_cycle,
        modes: &[Mode::Model, Mode::Explore],
        expect: Some(FailureKind::Deadlock),
    },
    Case {
        name: "spins forever",
        body: spins_forever,
        modes: &CONCURRENT,
        expect: Some(FailureKind::Livelock),
    },
    Case {
        name: "fails while the others wait",
        body: fails_while_others_wait,
        modes: &[Mode::Sequential, Mode::Stress],
        expect: Some(FailureKind::Panic),
    },
    Case {
        name: "overflows its stack",
        body: overflows_its_stack,
        modes: &[Mode::Model],
        expect: Some(FailureKind::Hang),
    },
    Case {
        name: "overtakes a waiter",
        body: overtakes_a_waiter,
        modes: &[Mode::Explore],
        expect: Some(FailureKind::Starvation),
    },
];

fn main() {
    if std::env::var_os(CONFIG_ENV).is_some() {
        let checks = CASES.iter().fold(Checks::new(), |checks, case| {
            checks.only(case.name, case.modes, case.body)
        });
        checks.run();
    }
    let backend = Backend::current();
    let mut failed = 0;
    let mut passed = 0;
    for case in CASES {
        for &mode in case.modes.iter().filter(|mode| mode.backend() == backend) {
            match judge(case, mode) {
                Ok(()) => passed += 1,
                Err(problem) => {
                    failed += 1;
                    eprintln!("FAILED {} ({mode}): {problem}", case.name);
                }
            }
        }
    }
    // The reports' directory, left empty by the cases: nothing of the run stays behind.
    let _ = std::fs::remove_dir_all(reports_dir());
    println!(
        "test result: {}. {passed} passed; {failed} failed",
        if failed == 0 { "ok" } else { "FAILED" }
    );
    std::process::exit(i32::from(failed > 0));
}

/// Where the cases' configurations and reports go, one directory per test run.
fn reports_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("harness-engines-{}", std::process::id()))
}

/// Runs one case in a child process and checks the report it leaves.
fn judge(case: &Case, mode: Mode) -> Result<(), String> {
    let nonce = 0x0dd_ba11 + mode as u64;
    let mut config = RunConfig::new(case.name, mode, nonce);
    config.stress_hang_ms = 500;
    config.stress_rounds = 5;
    config.explore_iterations = 50;
    config.explore_max_steps = 2_000;
    config.model_max_branches = 500;
    let dir = reports_dir();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let report_path = dir.join(format!("{}-{mode}.json", case.name.replace(' ', "-")));
    let _ = std::fs::remove_file(&report_path);
    let config_path = report_path.with_extension("config");
    std::fs::write(&config_path, serde_json::to_string(&config).unwrap())
        .map_err(|e| e.to_string())?;
    let status = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .arg("--run")
        .env(CONFIG_ENV, &config_path)
        .env(REPORT_ENV, &report_path)
        .output()
        .map_err(|e| e.to_string())?
        .status;
    let report = std::fs::read_to_string(&report_path)
        .ok()
        .and_then(|text| serde_json::from_str::<Report>(&text).ok());
    let _ = std::fs::remove_file(&report_path);
    if config_path.exists() {
        return Err("the child did not delete its configuration".into());
    }
    match (report, case.expect) {
        (None, _) if case.name == "exits early" => Ok(()),
        (None, _) => Err(format!("no report (the child {status})")),
        (Some(report), _) if report.nonce != nonce => Err("the report has another nonce".into()),
        (Some(report), None) if report.outcome == Outcome::Pass => Ok(()),
        (Some(report), Some(kind)) => match report.outcome {
            Outcome::Fail(failure) if failure.kind == kind => Ok(()),
            other => Err(format!("expected {kind:?}, got {other:?}")),
        },
        (Some(report), None) => Err(format!("expected a pass, got {:?}", report.outcome)),
    }
}
