//! What every engine shares: one fresh execution of a check's body, and how an engine's
//! executions end in a [`Ran`] for the report.

use super::failure;
use super::report::Ran;
use crate::context;
use crate::protocol::{Failure, Outcome};
use crate::trace;

/// Runs `body` as one fresh execution: no panics yet, a new trace, a new census.
pub(super) fn run(body: fn()) {
    context::begin_execution();
    trace::begin_execution();
    crate::thread::begin_execution();
    body();
}

/// The result of an engine that unwound with `payload`, or passed.
pub(super) fn ended(result: std::thread::Result<()>, replay: Option<String>) -> Ran {
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
