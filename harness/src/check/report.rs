//! Writing the [`Report`] of the one check this process runs, from how its run ended.

use crate::context::{self, ReportTo};
use crate::protocol::{Event, Failure, Outcome, Report, REPORT_LINE};
use crate::trace;

/// How a check run ended: what its engine hands over to be reported.
pub(super) struct Ran {
    pub(super) outcome: Outcome,
    pub(super) iterations: u64,
    pub(super) trace: Vec<Event>,
    pub(super) replay: Option<String>,
}

/// Leaves a failure report behind at once: the engine may abort the process before the run ends.
pub(super) fn provisional(failure: &Failure) {
    write(
        Outcome::Fail(failure.clone()),
        context::executions(),
        trace::try_snapshot(),
        context::replay(),
    );
}

/// Writes the final report and ends the process: status 0 on a pass, 1 on a failure.
pub(super) fn finish(ran: Ran) -> ! {
    // The watchdog and the round may both end the run: the first to get here decides.
    if !context::claim_finish() {
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

fn write(outcome: Outcome, iterations: u64, trace: Vec<Event>, replay: Option<String>) {
    let (Some(config), Some(destination)) = (context::config(), context::report_to()) else {
        return;
    };
    let report = Report {
        nonce: config.nonce,
        check: config.check.clone(),
        mode: config.mode,
        outcome,
        iterations,
        trace,
        replay,
    };
    let json = serde_json::to_string(&report).expect("reports serialize");
    match destination {
        ReportTo::File(path) => {
            // Written whole to a side file, then renamed: a reader never sees half a report.
            let partial = format!("{path}.partial");
            if std::fs::write(&partial, json).is_ok() {
                let _ = std::fs::rename(&partial, path);
            }
        }
        ReportTo::Stdout => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "\n{REPORT_LINE}{json}");
            let _ = stdout.flush();
        }
    }
}
