//! Real threads: the sequential run (one round), the stress run (many) and the Miri run (a
//! few, interpreted), under a watchdog that turns a round that never ends into a verdict.

use std::panic;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::execution::{self, ended};
use super::failure;
use super::report::{self, Ran};
use crate::analysis;
use crate::context;
use crate::protocol::{Failure, FailureKind, Mode, Outcome, RunConfig};
use crate::trace;

/// How long the watchdog watches a stuck round for signs of life before judging it.
const LOOK: Duration = Duration::from_millis(300);

/// Runs the check on real threads: one round, or a stress run's many. Bypass counts are judged
/// only in the sequential run: real threads follow the operating system's whims.
pub(super) fn run(config: &RunConfig, body: fn()) -> Ran {
    context::judge_bypass(config.mode == Mode::Sequential);
    let rounds = match config.mode {
        Mode::Stress | Mode::Miri => config.stress_rounds.max(1),
        _ => 1,
    };
    let round_started = Arc::new(Mutex::new(Instant::now()));
    let hang = Duration::from_millis(config.stress_hang_ms);
    // The watchdog first: it stays free to run wherever the check is pinned. Not under Miri:
    // a thread that sleeps in real time would make Miri's schedule depend on the clock (and
    // Miri reports a deadlock itself; the runner's budget ends a round that never ends).
    if config.mode != Mode::Miri {
        watch(Arc::clone(&round_started), hang);
    }
    // Miri schedules its threads itself, from its own seed.
    match config.mode {
        Mode::Stress => crate::noise::enable(config.seed),
        Mode::Miri => {}
        _ => crate::cpu::pin_sequential_run(config.seed),
    }
    for round in 0..rounds {
        crate::noise::next_round(round as u64);
        *round_started.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        let result = panic::catch_unwind(|| execution::run(body));
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
                report::finish(Ran {
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
