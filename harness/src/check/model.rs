//! The model checker (loom): every interleaving within the preemption bound.

use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

use super::execution::{self, ended};
use super::report::Ran;
use crate::context;
use crate::protocol::{Failure, FailureKind, Outcome, RunConfig};

/// How many executions loom runs between two looks at its time budget.
const LOOK_AT_THE_TIME_EVERY: usize = 100;

/// Runs the check under loom. loom starves threads on purpose, so bypass counts are not judged.
/// A rerun explores in the same order, so the replay token needs no schedule. loom stops
/// quietly when its time is up; a run stopped so is no pass, but a model checker that gave up
/// ([`FailureKind::Hang`], which later modes set aside).
pub(super) fn run(config: &RunConfig, index: usize, body: fn()) -> Ran {
    context::judge_bypass(false);
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(config.preemption_bound);
    builder.max_branches = config.model_max_branches;
    builder.location = true;
    let allowed = Duration::from_secs(config.model_max_secs);
    builder.max_duration = Some(allowed);
    // loom looks at the time only every `checkpoint_interval` executions (20 000 by default): a
    // model whose executions are long (threads polling in loops) ran on for seconds past its
    // budget.
    builder.checkpoint_interval = LOOK_AT_THE_TIME_EVERY;
    // crossbeam-epoch keeps one participant per system thread, and loom runs every thread of
    // every execution as a coroutine on this one: every 128th pin, its collector would run on
    // whichever model thread pinned, on loom's small stack, and free there what an earlier
    // execution deferred. Pinned here for the rest of the process, it never runs in the model;
    // the frees a kata defers wait for the process to end (loom cannot see a free anyway).
    std::mem::forget(crossbeam_epoch::pin());
    let started = Instant::now();
    let token = crate::protocol::ReplayToken {
        mode: config.mode,
        check: index,
        schedule: String::new(),
    }
    .to_string();
    context::set_replay(token.clone());
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        builder.check(move || execution::run(body))
    }));
    let mut ran = ended(result, Some(token));
    if ran.outcome == Outcome::Pass && started.elapsed() >= allowed {
        ran.outcome = Outcome::Fail(Failure::of_execution(
            FailureKind::Hang,
            format!(
                "the model checker ran out of time: {} interleavings in {} s, not all of them",
                ran.iterations, config.model_max_secs
            ),
        ));
        ran.replay = None;
    }
    ran
}
