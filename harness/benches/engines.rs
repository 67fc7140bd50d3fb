//! What the facade costs the engines: executions per second of one small model (three threads
//! that each take a lock three times, two of them then adding to an atomic) checked through the
//! facade and its check process, the way `cargo xtask` runs a check, against the same model
//! written directly on loom or shuttle. Run with
//! `cargo bench -p harness --bench engines --features model` (loom) or `--features explore`
//! (shuttle); it prints executions per second and their ratio (the target is at least 0.8).

use harness::check::Checks;
use harness::protocol::CONFIG_ENV;

/// The check's name in the bench's own check process.
const CHECK: &str = "three threads count";

/// How many times each thread takes the lock.
const ROUNDS: usize = 3;

/// The model, on the types of `$engine`: the facade (`harness`), `loom` or `shuttle`.
macro_rules! the_model {
    ($engine:ident) => {
        || {
            use $engine::sync::atomic::{AtomicUsize, Ordering};
            use $engine::sync::{Arc, Mutex};
            use $engine::thread;

            let count = Arc::new(Mutex::new(0));
            let done = Arc::new(AtomicUsize::new(0));
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    let (count, done) = (Arc::clone(&count), Arc::clone(&done));
                    thread::spawn(move || {
                        for _ in 0..ROUNDS {
                            *count.lock().unwrap() += 1;
                        }
                        done.fetch_add(1, Ordering::Release);
                    })
                })
                .collect();
            for _ in 0..ROUNDS {
                *count.lock().unwrap() += 1;
            }
            for worker in workers {
                worker.join().unwrap();
            }
            assert_eq!(done.load(Ordering::Acquire), 2);
            assert_eq!(*count.lock().unwrap(), 3 * ROUNDS);
        }
    };
}

/// The model through the facade.
fn through_facade() {
    (the_model!(harness))()
}

/// The comparison itself, where an engine is built in.
#[cfg(any(feature = "model", feature = "explore"))]
mod comparison {
    use std::process::Command;
    use std::time::{Duration, Instant};

    use harness::check::Mode;
    use harness::protocol::{Report, RunConfig, CONFIG_ENV, REPORT_ENV};

    use super::{CHECK, ROUNDS};

    /// Schedules of each explore scheduler (random, then PCT), as in a kata's explore check.
    const SCHEDULES: usize = 1_000;

    /// How many times each side runs, the two sides taking turns; the fastest counts. A run
    /// takes a few tens of milliseconds, so a few runs would leave the ratio to chance.
    const RUNS: usize = 15;

    /// Measures both sides and prints the comparison.
    pub fn compare(mode: Mode) {
        let (mut direct_runs, mut facade_runs) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            direct_runs.push(direct(mode));
            facade_runs.push(facade(mode));
        }
        let (direct_executions, direct_rate) = fastest(&direct_runs);
        let (facade_executions, facade_rate) = fastest(&facade_runs);
        println!("{mode}: executions per second, the same model");
        println!("  directly on the engine  {direct_rate:>10.0}  ({direct_executions} executions)");
        println!(
            "  through the facade      {facade_rate:>10.0}  ({facade_executions} executions, a \
             check process included)"
        );
        println!(
            "  ratio                   {:>10.2}  (target: at least 0.80)",
            facade_rate / direct_rate
        );
    }

    /// Executions and the time they took, checked through the facade in a check process of its
    /// own (this binary again), with the default budgets.
    fn facade(mode: Mode) -> (u64, Duration) {
        let dir = std::env::temp_dir().join(format!("harness-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("the bench's directory");
        let config_path = dir.join("config.json");
        let report_path = dir.join("report.json");
        let mut config = RunConfig::new(CHECK, mode, 1);
        config.explore_iterations = SCHEDULES;
        std::fs::write(&config_path, serde_json::to_string(&config).unwrap()).unwrap();
        let started = Instant::now();
        let status = Command::new(std::env::current_exe().unwrap())
            .arg("--run")
            .env(CONFIG_ENV, &config_path)
            .env(REPORT_ENV, &report_path)
            .status()
            .expect("the check process starts");
        let took = started.elapsed();
        let report: Report = serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap())
            .unwrap_or_else(|err| panic!("no report ({status}): {err}"));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(status.success(), "the check failed: {report:?}");
        (report.iterations, took)
    }

    /// Executions and the time they took on the engine directly, as the facade's engine drives it.
    fn direct(mode: Mode) -> (u64, Duration) {
        use std::sync::atomic::{AtomicU64, Ordering};
        static EXECUTIONS: AtomicU64 = AtomicU64::new(0);
        EXECUTIONS.store(0, Ordering::SeqCst);
        let started = Instant::now();
        match mode {
            #[cfg(feature = "model")]
            Mode::Model => {
                let mut builder = loom::model::Builder::new();
                builder.preemption_bound = Some(RunConfig::new(CHECK, mode, 1).preemption_bound);
                let body = the_model!(loom);
                builder.check(move || {
                    EXECUTIONS.fetch_add(1, Ordering::Relaxed);
                    body()
                });
            }
            #[cfg(feature = "explore")]
            Mode::Explore => {
                let seed = RunConfig::new(CHECK, mode, 1).seed;
                let body = the_model!(shuttle);
                let counted = move || {
                    EXECUTIONS.fetch_add(1, Ordering::Relaxed);
                    body()
                };
                let random = shuttle::scheduler::RandomScheduler::new_from_seed(seed, SCHEDULES);
                shuttle::Runner::new(random, shuttle::Config::new()).run(counted);
                let pct = shuttle::scheduler::PctScheduler::new_from_seed(seed, 3, SCHEDULES);
                shuttle::Runner::new(pct, shuttle::Config::new()).run(counted);
            }
            _ => unreachable!("only the model and explore engines are measured"),
        }
        (EXECUTIONS.load(Ordering::SeqCst), started.elapsed())
    }

    /// The fastest of `runs` (executions, time), in executions per second.
    fn fastest(runs: &[(u64, Duration)]) -> (u64, f64) {
        runs.iter()
            .map(|&(executions, took)| (executions, executions as f64 / took.as_secs_f64()))
            .fold(
                (0, 0.0),
                |best, this| if this.1 > best.1 { this } else { best },
            )
    }
}

fn main() {
    if std::env::var_os(CONFIG_ENV).is_some() {
        Checks::new().concurrent(CHECK, through_facade).run();
    }
    #[cfg(feature = "model")]
    comparison::compare(harness::check::Mode::Model);
    #[cfg(feature = "explore")]
    comparison::compare(harness::check::Mode::Explore);
    #[cfg(not(any(feature = "model", feature = "explore")))]
    println!("build with `--features model` (loom) or `--features explore` (shuttle)");
}
