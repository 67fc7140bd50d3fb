//! The explorer (shuttle): random, then PCT schedules from the run's seed, or one replayed.

use std::panic::{self, AssertUnwindSafe};

use super::execution::{self, ended};
use super::failure;
use super::report::Ran;
use crate::context;
use crate::protocol::RunConfig;

/// Runs the check under shuttle: random schedules, then PCT schedules, from the run's seed; or
/// the one schedule a replay names.
pub(super) fn run(config: &RunConfig, index: usize, body: fn()) -> Ran {
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
            Runner::new(replay, engine.clone()).run(move || execution::run(body));
        }
        None => {
            let random = RandomScheduler::new_from_seed(config.seed, n);
            Runner::new(random, engine.clone()).run(move || execution::run(body));
            // PCT runs the highest-priority thread it can: it starves the others on purpose, so
            // bypass counts under it say nothing about the code.
            context::judge_bypass(false);
            let pct = PctScheduler::new_from_seed(config.seed, 3, n);
            let pct = panic::catch_unwind(AssertUnwindSafe(|| {
                Runner::new(pct, engine.clone()).run(move || execution::run(body))
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
fn no_concurrency(payload: &(dyn std::any::Any + Send)) -> bool {
    let (_, message) = failure::kind_and_message(payload);
    message.contains("did not exercise any concurrency")
}
