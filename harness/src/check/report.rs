//! Writing the [`Report`] of the one check this process runs.

use std::sync::OnceLock;

use super::engine::Ran;
use crate::protocol::{Failure, Outcome, Report, RunConfig};
use crate::trace;

struct Destination {
    path: String,
    config: &'static RunConfig,
}

static DESTINATION: OnceLock<Destination> = OnceLock::new();

/// The replay token to put in a provisional report, where the engine knows it in advance.
static REPLAY: OnceLock<String> = OnceLock::new();

/// Where reports of this run go.
pub(super) fn open(path: String, config: &'static RunConfig) {
    let _ = DESTINATION.set(Destination { path, config });
}

/// Sets the replay token of a provisional report (loom's, which a rerun needs nothing else for).
#[cfg(feature = "model")]
pub(super) fn replay_with(token: String) {
    let _ = REPLAY.set(token);
}

/// Leaves a failure report behind at once: the engine may abort the process before the run ends.
pub(super) fn provisional(failure: &Failure) {
    write(
        Outcome::Fail(failure.clone()),
        super::engine::executions(),
        trace::try_snapshot(),
        REPLAY.get().cloned(),
    );
}

/// Writes the final report and ends the process: status 0 on a pass, 1 on a failure.
pub(super) fn finish(ran: Ran) -> ! {
    // The watchdog and the round may both end the run: the first to get here decides.
    static FINISHING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if FINISHING.swap(true, std::sync::atomic::Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
    let passed = ran.outcome == Outcome::Pass;
    write(ran.outcome, ran.iterations, ran.trace, ran.replay);
    // No child process outlives the verdict (nor stays a zombie), nor does a scratch directory.
    crate::process::clean_up();
    std::process::exit(if passed { 0 } else { 1 })
}

fn write(
    outcome: Outcome,
    iterations: u64,
    trace: Vec<crate::protocol::Event>,
    replay: Option<String>,
) {
    let Some(destination) = DESTINATION.get() else {
        return;
    };
    let report = Report {
        nonce: destination.config.nonce,
        check: destination.config.check.clone(),
        mode: destination.config.mode,
        outcome,
        iterations,
        trace,
        replay,
    };
    let json = serde_json::to_string(&report).expect("reports serialize");
    // Written whole to a side file, then renamed: a reader never sees half a report.
    let partial = format!("{}.partial", destination.path);
    if std::fs::write(&partial, json).is_ok() {
        let _ = std::fs::rename(&partial, &destination.path);
    }
}
