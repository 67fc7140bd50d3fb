//! The model checker (loom): every interleaving within the preemption bound.

use std::panic::{self, AssertUnwindSafe};

use super::execution::{self, ended};
use super::report::Ran;
use crate::context;
use crate::protocol::RunConfig;

/// Runs the check under loom. loom starves threads on purpose, so bypass counts are not judged.
/// A rerun explores in the same order, so the replay token needs no schedule.
pub(super) fn run(config: &RunConfig, index: usize, body: fn()) -> Ran {
    context::judge_bypass(false);
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
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        builder.check(move || execution::run(body))
    }));
    ended(result, Some(token))
}
