//! What checking a variant came to: the kata's verdict, each check's result, and the one-sentence
//! summary.

use std::time::Duration;

use harness::protocol::{Failure, Mode, Outcome, Report};
use harness::verdict::Verdict;

/// The result of checking one variant of a kata.
pub struct KataRun {
    /// The kata's name.
    pub kata: String,
    /// The variant's file, relative to the repository when inside it.
    pub source: String,
    /// The kata's verdict: the first failing check's, else pass.
    pub verdict: Verdict,
    /// One plain sentence.
    pub summary: String,
    /// Wall time of building and running.
    pub duration: Duration,
    /// The checks that ran (or the build that failed), in mode order.
    pub checks: Vec<CheckResult>,
    /// Modes of the kata that were not run because the verdict was already decided.
    pub not_run: Vec<Mode>,
}

/// The result of one check.
pub struct CheckResult {
    /// The check's name.
    pub name: String,
    /// The mode it ran in.
    pub mode: Mode,
    /// Its verdict.
    pub verdict: Verdict,
    /// Why, in plain words (for a compile error: the compiler's errors).
    pub message: String,
    /// What to do about it, when the cause is known better than the verdict says; else the
    /// verdict's own advice holds.
    pub advice: Option<&'static str>,
    /// The child's report, paths made relative to the repository.
    pub report: Option<Report>,
    /// The command that replays the failing schedule, if the engine gave one.
    pub replay: Option<String>,
    /// The start of the child's own output.
    pub output: String,
    /// The verdict the model checker gave before it was set aside (see
    /// [`set_aside_model_budgets`]): the check counts as passed.
    pub set_aside: Option<Verdict>,
    /// How long its process ran (zero for a check that never started one).
    pub duration: Duration,
}

impl CheckResult {
    /// The failed check that stands for what stopped a variant before its checks in `mode` ran
    /// (the policy refused its code, or it does not compile): `verdict` and `message` say it all.
    ///
    /// ```text
    /// let result = CheckResult::stopped("the code compiles", mode, Verdict::CompileError, errors);
    /// ```
    pub fn stopped(name: &str, mode: Mode, verdict: Verdict, message: String) -> CheckResult {
        CheckResult {
            name: name.to_owned(),
            mode,
            verdict,
            message,
            advice: None,
            report: None,
            replay: None,
            output: String::new(),
            set_aside: None,
            duration: Duration::ZERO,
        }
    }

    /// The failure its report gives, if it failed with one.
    pub fn failure(&self) -> Option<&Failure> {
        self.report
            .as_ref()
            .and_then(|report| match &report.outcome {
                Outcome::Fail(failure) => Some(failure),
                Outcome::Pass => None,
            })
    }
}

/// Sets aside the model checker's `livelock` and `timeout` verdicts in `results`: loom gave up
/// (its branch budget, or the time budget) rather than proved a failure. loom lets a spinning
/// thread read an old value again and again, so correct spin-waiting and polling exhaust either
/// budget; the explore and stress modes that follow decide instead (a real livelock fails there
/// too). Such a result becomes a pass that remembers what loom said.
pub fn set_aside_model_budgets(results: &mut [CheckResult]) {
    for result in results.iter_mut() {
        let gave_up = result.mode == Mode::Model
            && matches!(result.verdict, Verdict::Livelock | Verdict::Timeout);
        if gave_up {
            result.set_aside = Some(result.verdict);
            result.message = format!(
                "not judged: the model checker gave up ({}: {}); spinning or polling code can \
                 exhaust its budgets without being wrong, so the explore and stress checks decide",
                result.verdict,
                result.message.lines().next().unwrap_or_default()
            );
            result.verdict = Verdict::Pass;
            result.report = None;
            result.replay = None;
        }
    }
}

/// One plain sentence about a kata run.
pub fn summary(checks: &[CheckResult], not_run: &[Mode]) -> String {
    let failed: Vec<&CheckResult> = checks
        .iter()
        .filter(|c| c.verdict != Verdict::Pass)
        .collect();
    let Some(first) = failed.first() else {
        let modes = mode_list(&distinct_modes(checks));
        let passed = match checks.len() {
            1 => format!("The check passed ({modes})."),
            n => format!("All {n} checks passed ({modes})."),
        };
        let set_aside = checks.iter().filter(|c| c.set_aside.is_some()).count();
        return match set_aside {
            0 => passed,
            n => format!(
                "{passed} The model checker gave up on {n} of them (spinning or polling code is \
                 slow to model); the explore and stress checks found nothing wrong."
            ),
        };
    };
    let mut sentence = if first.verdict == Verdict::CompileError {
        format!("The code does not compile for the {} checks", first.mode)
    } else if first.verdict == Verdict::Forbidden {
        let count = first.message.lines().count();
        let constructs = if count == 1 {
            "a construct"
        } else {
            "constructs"
        };
        return format!("The code uses {constructs} the kata does not allow: no check was run.");
    } else {
        format!(
            "`{}` failed in {} mode with verdict {}; {} of {} checks run failed",
            first.name,
            first.mode,
            first.verdict,
            failed.len(),
            checks.len()
        )
    };
    if !not_run.is_empty() {
        sentence.push_str(&format!(
            ", and the {} checks were not run",
            mode_list(not_run)
        ));
    }
    sentence.push('.');
    sentence
}

fn distinct_modes(checks: &[CheckResult]) -> Vec<Mode> {
    let mut modes: Vec<Mode> = checks.iter().map(|c| c.mode).collect();
    modes.dedup();
    modes
}

/// "model", "model and explore", "model, explore and stress".
fn mode_list(modes: &[Mode]) -> String {
    let words: Vec<&str> = modes.iter().map(|m| m.as_str()).collect();
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, mode: Mode, verdict: Verdict) -> CheckResult {
        CheckResult {
            name: name.into(),
            mode,
            verdict,
            message: String::new(),
            advice: None,
            report: None,
            replay: None,
            output: String::new(),
            set_aside: None,
            duration: Duration::ZERO,
        }
    }

    #[test]
    fn the_model_checkers_budgets_never_decide_alone() {
        let mut checks = [
            check("spins", Mode::Model, Verdict::Livelock),
            check("polls", Mode::Model, Verdict::Timeout),
            check("races", Mode::Model, Verdict::Race),
            check("spins", Mode::Explore, Verdict::Livelock),
        ];
        set_aside_model_budgets(&mut checks);
        let verdicts: Vec<Verdict> = checks.iter().map(|c| c.verdict).collect();
        assert_eq!(
            verdicts,
            [
                Verdict::Pass,
                Verdict::Pass,
                Verdict::Race,
                Verdict::Livelock
            ]
        );
        assert_eq!(checks[0].set_aside, Some(Verdict::Livelock));
        assert!(checks[1]
            .message
            .starts_with("not judged: the model checker gave up"));
        let summary = summary(&checks[..2], &[]);
        assert!(summary.contains("gave up on 2 of them"), "{summary}");
    }

    #[test]
    fn a_pass_names_the_modes() {
        let checks = [
            check("a", Mode::Sequential, Verdict::Pass),
            check("b", Mode::Model, Verdict::Pass),
            check("c", Mode::Model, Verdict::Pass),
        ];
        assert_eq!(
            summary(&checks, &[]),
            "All 3 checks passed (sequential and model)."
        );
    }

    #[test]
    fn a_failure_names_the_first_failing_check_and_what_was_not_run() {
        let checks = [
            check("a", Mode::Model, Verdict::Pass),
            check("no hit is lost", Mode::Model, Verdict::Race),
        ];
        assert_eq!(
            summary(&checks, &[Mode::Explore, Mode::Stress]),
            "`no hit is lost` failed in model mode with verdict race; 1 of 2 checks run failed, \
             and the explore and stress checks were not run."
        );
    }

    #[test]
    fn mode_lists_read_as_english() {
        assert_eq!(mode_list(&[Mode::Model]), "model");
        assert_eq!(
            mode_list(&[Mode::Model, Mode::Explore, Mode::Stress]),
            "model, explore and stress"
        );
    }
}
