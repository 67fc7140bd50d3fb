//! Running one check's body in the engine of its mode.

use std::panic;
#[cfg(any(feature = "model", feature = "explore"))]
use std::panic::AssertUnwindSafe;

use super::failure;
use super::report::Ran;
use crate::context;
use crate::protocol::{Failure, Outcome, RunConfig};
use crate::trace;

/// Runs `body` as one fresh execution: no panics yet, a new trace, a new census.
fn execution(body: fn()) {
    context::begin_execution();
    trace::begin_execution();
    crate::thread::begin_execution();
    body();
}

/// Runs the check in this binary's engine; `index` is its place in the binary's list, for
/// replay tokens.
pub(super) fn run(config: &RunConfig, index: usize, body: fn()) -> Ran {
    #[cfg(feature = "model")]
    let ran = {
        context::judge_bypass(false);
        model(config, index, body)
    };
    #[cfg(feature = "explore")]
    let ran = explore(config, index, body);
    #[cfg(not(any(feature = "model", feature = "explore")))]
    let ran = {
        let _replays_need_an_engine = index;
        context::judge_bypass(config.mode == crate::protocol::Mode::Sequential);
        real::run(config, body)
    };
    // Whatever child processes and scratch directories a check left, whatever its engine.
    crate::process::clean_up();
    ran
}

/// The result of an engine that unwound with `payload`, or passed.
fn ended(result: std::thread::Result<()>, replay: Option<String>) -> Ran {
    let outcome = match result {
        Ok(()) => Outcome::Pass,
        Err(payload) => Outcome::Fail(failure::current().unwrap_or_else(|| {
            let (kind, message) = failure::kind_and_message(&*payload);
            Failure::of_execution(kind, message)
        })),
    };
    let failed = outcome != Outcome::Pass;
    Ran {
        outcome,
        iterations: context::executions(),
        trace: if failed {
            trace::snapshot()
        } else {
            Vec::new()
        },
        replay: if failed { replay } else { None },
    }
}

/// loom: every interleaving within the preemption bound. A rerun explores in the same order, so
/// the replay token needs no schedule.
#[cfg(feature = "model")]
fn model(config: &RunConfig, index: usize, body: fn()) -> Ran {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(config.preemption_bound);
    builder.max_branches = config.model_max_branches;
    builder.location = true;
    let token = crate::protocol::ReplayToken {
        mode: config.mode,
        check: index,
        schedule: String::new(),
    }
    .to_string();
    context::set_replay(token.clone());
    let result = panic::catch_unwind(AssertUnwindSafe(|| builder.check(move || execution(body))));
    ended(result, Some(token))
}

/// shuttle: random schedules, then PCT schedules, from the run's seed; or one schedule replayed.
#[cfg(feature = "explore")]
fn explore(config: &RunConfig, index: usize, body: fn()) -> Ran {
    use shuttle::scheduler::{PctScheduler, RandomScheduler, ReplayScheduler};
    use shuttle::{FailurePersistence, MaxSteps, Runner};

    let schedules = std::env::temp_dir().join(format!("harness-schedules-{}", config.nonce));
    let mut engine = shuttle::Config::new();
    engine.max_steps = MaxSteps::FailAfter(config.explore_max_steps);
    engine.failure_persistence = FailurePersistence::File(Some(schedules.clone()));
    engine.silence_warnings = true;
    let _ = std::fs::create_dir_all(&schedules);

    let n = config.explore_iterations;
    let result = panic::catch_unwind(AssertUnwindSafe(|| match &config.replay {
        Some(schedule) => {
            let mut replay = ReplayScheduler::new_from_encoded(schedule);
            replay.set_allow_incomplete();
            Runner::new(replay, engine.clone()).run(move || execution(body));
        }
        None => {
            let random = RandomScheduler::new_from_seed(config.seed, n);
            Runner::new(random, engine.clone()).run(move || execution(body));
            // PCT runs the highest-priority thread it can: it starves the others on purpose, so
            // bypass counts under it say nothing about the code.
            context::judge_bypass(false);
            let pct = PctScheduler::new_from_seed(config.seed, 3, n);
            let pct = panic::catch_unwind(AssertUnwindSafe(|| {
                Runner::new(pct, engine.clone()).run(move || execution(body))
            }));
            match pct {
                // A check with a single thread leaves PCT nothing to reorder.
                Err(payload) if no_concurrency(&*payload) => {}
                Err(payload) => panic::resume_unwind(payload),
                Ok(_) => {}
            }
        }
    }));
    let schedule = std::fs::read_dir(&schedules)
        .ok()
        .and_then(|mut entries| entries.next())
        .and_then(|entry| std::fs::read_to_string(entry.ok()?.path()).ok());
    let _ = std::fs::remove_dir_all(&schedules);
    let token = schedule.map(|schedule| {
        crate::protocol::ReplayToken {
            mode: config.mode,
            check: index,
            schedule: schedule.split_whitespace().collect(),
        }
        .to_string()
    });
    ended(result, token)
}

/// Whether shuttle's PCT scheduler gave up because the check never ran two threads at once.
#[cfg(feature = "explore")]
fn no_concurrency(payload: &(dyn std::any::Any + Send)) -> bool {
    let (_, message) = failure::kind_and_message(payload);
    message.contains("did not exercise any concurrency")
}

/// Real threads: the sequential run (one round) and the stress run (many), under a watchdog that
/// turns a round that never ends into a verdict.
#[cfg(not(any(feature = "model", feature = "explore")))]
mod real {
    use std::sync::{Arc, Mutex};
    use std::thread;
    use std::time::{Duration, Instant};

    use super::*;
    use crate::analysis;
    use crate::protocol::{FailureKind, Mode};

    /// How long the watchdog watches a stuck round for signs of life before judging it.
    const LOOK: Duration = Duration::from_millis(300);

    pub(super) fn run(config: &RunConfig, body: fn()) -> Ran {
        let rounds = match config.mode {
            Mode::Stress => config.stress_rounds.max(1),
            _ => 1,
        };
        let round_started = Arc::new(Mutex::new(Instant::now()));
        let hang = Duration::from_millis(config.stress_hang_ms);
        // The watchdog first: it stays free to run wherever the check is pinned.
        watch(Arc::clone(&round_started), hang);
        match config.mode {
            Mode::Stress => crate::noise::enable(config.seed),
            _ => crate::cpu::pin_sequential_run(config.seed),
        }
        for round in 0..rounds {
            crate::noise::next_round(round as u64);
            *round_started.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
            let result = panic::catch_unwind(|| execution(body));
            // Every child process still alive is killed and reaped, every scratch dir removed.
            crate::process::clean_up();
            if result.is_err() {
                return ended(result, None);
            }
        }
        ended(Ok(()), None)
    }

    /// How often the watchdog looks.
    const TICK: Duration = Duration::from_millis(100);

    /// How long every thread must have been blocked, with no step taken, before the watchdog
    /// calls it a deadlock without waiting for the round's whole budget.
    const QUIET: Duration = Duration::from_secs(1);

    /// Starts the watchdog: if every thread of a round is blocked on the facade and nothing moves
    /// for [`QUIET`], or a round runs longer than `hang`, it judges the round and ends the
    /// process with a report.
    fn watch(round_started: Arc<Mutex<Instant>>, hang: Duration) {
        thread::Builder::new()
            .name("harness watchdog".into())
            .spawn(move || {
                let mut still = Stillness::default();
                loop {
                    thread::sleep(TICK);
                    let started = *round_started.lock().unwrap_or_else(|p| p.into_inner());
                    let stuck = if started.elapsed() > hang {
                        judge_stuck_round(hang)
                    } else if let Some(deadlock) = still.deadlock(started) {
                        deadlock
                    } else {
                        continue;
                    };
                    // A failure already recorded explains the round better than its being
                    // stuck: the other threads are most often waiting for the one that failed.
                    let failure = failure::current().unwrap_or(stuck);
                    super::super::report::finish(Ran {
                        outcome: Outcome::Fail(failure),
                        iterations: context::executions(),
                        trace: trace::snapshot(),
                        replay: None,
                    });
                }
            })
            .expect("the watchdog thread starts");
    }

    /// Since when the round has taken no step.
    #[derive(Default)]
    struct Stillness {
        last: Option<(Instant, usize)>,
        since: Option<Instant>,
    }

    impl Stillness {
        /// A deadlock, if the round has taken no step for [`QUIET`] and every thread in it is
        /// blocked on the facade: the main thread and every facade thread still alive (a thread
        /// busy in code the facade does not see is not blocked, however quiet it is).
        fn deadlock(&mut self, round: Instant) -> Option<Failure> {
            let now = (round, trace::steps());
            if self.last != Some(now) {
                self.last = Some(now);
                self.since = Some(Instant::now());
                return None;
            }
            if self.since?.elapsed() < QUIET {
                return None;
            }
            let threads = analysis::threads(&trace::snapshot());
            let blocked_spawned = threads
                .iter()
                .filter(|state| state.thread != "main" && state.waits.is_some())
                .count();
            let everyone_blocked = analysis::all_blocked(&threads)
                && threads.iter().any(|state| state.thread == "main")
                && blocked_spawned == crate::thread::census().alive;
            everyone_blocked.then(|| {
                Failure::of_execution(FailureKind::Deadlock, analysis::describe_blocked(&threads))
            })
        }
    }

    fn judge_stuck_round(hang: Duration) -> Failure {
        let before = trace::steps();
        thread::sleep(LOOK);
        let after = trace::steps();
        let events = trace::snapshot();
        let seconds = hang.as_secs_f64();
        // What the child processes were doing, if the round started any.
        let children = crate::process::describe_running();
        let (kind, message) = if after > before {
            (
                FailureKind::Livelock,
                format!(
                    "a round did not finish within {seconds:.1} s, yet threads took {} more steps \
                     in {} ms: they keep running without finishing",
                    after - before,
                    LOOK.as_millis()
                ),
            )
        } else {
            let threads = analysis::threads(&events);
            if analysis::all_blocked(&threads) {
                (FailureKind::Deadlock, analysis::describe_blocked(&threads))
            } else if !children.is_empty() {
                (
                    FailureKind::Hang,
                    format!(
                        "a round did not finish within {seconds:.1} s while child processes \
                         were alive (a parent waiting for a child that waits for it?):\n\
                         {children}"
                    ),
                )
            } else {
                (
                    FailureKind::Hang,
                    format!(
                        "a round did not finish within {seconds:.1} s and no thread took a step: \
                         a thread is stuck in a loop or a call the harness does not see"
                    ),
                )
            }
        };
        let message = match kind {
            FailureKind::Hang => message,
            _ if children.is_empty() => message,
            _ => format!("{message}\nchild processes still alive:\n{children}"),
        };
        Failure::of_execution(kind, message)
    }
}
