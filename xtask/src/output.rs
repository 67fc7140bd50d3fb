//! Printing a kata run: the human report with its explanation, and the JSON object.

use anstyle::{AnsiColor, Style};
use harness::protocol::{Event, Failure, FailureKind, Mode};
use harness::verdict::{Verdict, DATA_RACE_ADVICE};
use serde::Serialize;

use crate::explain;
use crate::results::{CheckResult, KataRun};

/// What the human report includes beyond the essentials.
#[derive(Clone, Copy, Debug, Default)]
pub struct Detail {
    /// Show every step of the interleaving.
    pub full_trace: bool,
    /// Show the check processes' own output.
    pub verbose: bool,
    /// Leave out timings, so the same run always prints the same text (snapshots).
    pub stable: bool,
}

/// Longest reason shown on a check's line.
const LINE_WIDTH: usize = 100;

const GOOD: Style = AnsiColor::Green.on_default().bold();
const BAD: Style = AnsiColor::Red.on_default().bold();
const DIM: Style = Style::new().dimmed();
const HEADING: Style = Style::new().bold();

/// The human report of `run` (with ANSI styles; print through `anstream`).
pub fn human(run: &KataRun, detail: Detail) -> String {
    let mut out = String::new();
    let style = if run.verdict == Verdict::Pass {
        GOOD
    } else {
        BAD
    };
    let took = match detail.stable {
        true => String::new(),
        false => format!(", {:.1} s", run.duration.as_secs_f64()),
    };
    out.push_str(&format!(
        "{}: {style}{}{style:#}  {DIM}({}{took}){DIM:#}\n",
        run.kata, run.verdict, run.source
    ));
    for check in &run.checks {
        out.push_str(&check_line(check, detail.stable));
    }
    if !run.not_run.is_empty() {
        // A run that passed skipped only what is not installed.
        let why = match run.verdict {
            Verdict::Pass => "Miri is not installed: `cargo xtask setup-miri`",
            _ => "the kata's verdict is decided",
        };
        out.push_str(&format!(
            "  {DIM}· {}: not run ({why}){DIM:#}\n",
            run.not_run
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(failed) = run.checks.iter().find(|c| c.verdict != Verdict::Pass) {
        out.push_str(&explanation(failed, detail));
    }
    if detail.verbose {
        for check in run.checks.iter().filter(|c| !c.output.trim().is_empty()) {
            out.push_str(&format!(
                "\n{HEADING}Output of `{}` ({}){HEADING:#}\n{}\n",
                check.name,
                check.mode,
                indent(check.output.trim_end())
            ));
        }
    }
    out.push_str(&format!("\n{}\n", run.summary));
    out
}

/// "  ✓ sequential  a new counter reads zero", with the reason on a failure (and "?" for a check
/// the model checker gave up on: which of its budgets ran out first, branches or time, depends
/// on the machine's speed, so a `stable` line does not say).
fn check_line(check: &CheckResult, stable: bool) -> String {
    let mode = format!("{:<10}", check.mode.as_str());
    if let Some(gave_up) = check.set_aside {
        let budget = match stable {
            true => "out of budget".to_owned(),
            false => gave_up.to_string(),
        };
        return format!(
            "  {DIM}?{DIM:#} {mode}  {} {DIM}— not judged: the model checker gave up ({budget}); \
             the checks that follow decide{DIM:#}\n",
            check.name
        );
    }
    if check.verdict == Verdict::Pass {
        return format!("  {GOOD}✓{GOOD:#} {mode}  {}{}\n", check.name, tried(check));
    }
    let reason = one_line(check.message.lines().next().unwrap_or_default());
    format!(
        "  {BAD}✗{BAD:#} {mode}  {} — {BAD}{}{BAD:#}: {reason}\n",
        check.name, check.verdict
    )
}

/// "  (1234 interleavings)": how much a concurrent mode tried, dimmed.
fn tried(check: &CheckResult) -> String {
    let unit = match check.mode {
        Mode::Sequential => return String::new(),
        Mode::Model => "interleavings",
        Mode::Explore => "schedules",
        Mode::Stress | Mode::Miri => "rounds",
    };
    match &check.report {
        Some(report) if report.iterations > 1 => {
            format!("  {DIM}({} {unit}){DIM:#}", report.iterations)
        }
        _ => String::new(),
    }
}

/// The explanation block of the first failing check.
fn explanation(check: &CheckResult, detail: Detail) -> String {
    let mut out = format!("\n{HEADING}What happened{HEADING:#}\n");
    let failure = check.failure();
    out.push_str(&format!("  `{}` ({}):\n", check.name, check.mode));
    // A cause known better than the report's words (see `run::Cause`) has the last word.
    let message = match (check.advice, failure) {
        (None, Some(failure)) => &failure.message,
        _ => &check.message,
    };
    out.push_str(&indent(&indent(message.trim_end())));
    out.push('\n');
    if let Some(location) = failure.and_then(|failure| failure.location.as_ref()) {
        out.push_str(&format!("  at {location}\n"));
    }
    out.push_str(&format!(
        "  {BAD}{}{BAD:#}: {}\n",
        check.verdict,
        check.verdict.meaning()
    ));

    let trace: &[Event] = check.report.as_ref().map_or(&[], |r| &r.trace);
    if !trace.is_empty() {
        let limit = (!detail.full_trace).then_some(explain::DEFAULT_ROWS);
        let (shown, after) = match failure {
            Some(failure) if !detail.full_trace => explain::up_to_failure(trace, failure),
            _ => (trace, 0),
        };
        out.push_str(&format!("\n{HEADING}The interleaving{HEADING:#}\n"));
        out.push_str(&indent(explain::interleaving(shown, limit).trim_end()));
        out.push('\n');
        if after > 0 {
            out.push_str(&format!(
                "  {DIM}({after} later steps, after the failure, left out){DIM:#}\n"
            ));
        }
        for line in explain::resources(shown)
            .into_iter()
            .chain(explain::legend(shown))
        {
            out.push_str(&format!("  {DIM}{line}{DIM:#}\n"));
        }
    }
    if check.verdict == Verdict::Deadlock {
        let lines = explain::who_waits(trace);
        if !lines.is_empty() {
            out.push_str(&format!("\n{HEADING}Who waits for whom{HEADING:#}\n"));
            for line in lines {
                out.push_str(&format!("  {line}\n"));
            }
        }
    }
    out.push_str(&format!(
        "\n{HEADING}What this means{HEADING:#}\n{}\n",
        wrap(advice(check, failure), LINE_WIDTH)
    ));
    if let Some(replay) = &check.replay {
        out.push_str(&format!(
            "\n{HEADING}Replay{HEADING:#} (the same failure again)\n  {replay}\n"
        ));
    }
    out
}

/// The "What this means" paragraph of a failed check.
pub fn advice_of(check: &CheckResult) -> &'static str {
    advice(check, check.failure())
}

/// What the failure means and what to do: a cause known better than the verdict (out of memory,
/// too much output) first, then a data race's own words, else the verdict's.
fn advice(check: &CheckResult, failure: Option<&Failure>) -> &'static str {
    let data_race = failure.is_some_and(|failure| failure.kind == FailureKind::Causality);
    match (check.advice, data_race) {
        (Some(advice), _) => advice,
        (None, true) => DATA_RACE_ADVICE,
        (None, false) => check.verdict.advice(),
    }
}

/// `text` as indented lines of at most `width` characters, broken between words.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(format!("  {word}")),
        }
    }
    lines.join("\n")
}

/// `text` cut to [`LINE_WIDTH`] characters: the explanation below has it in full.
fn one_line(text: &str) -> String {
    if text.chars().count() <= LINE_WIDTH {
        return text.to_owned();
    }
    let kept: String = text.chars().take(LINE_WIDTH - 1).collect();
    format!("{kept}…")
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("  {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The JSON object of a kata run.
#[derive(Serialize)]
struct JsonRun<'a> {
    kata: &'a str,
    source: &'a str,
    verdict: Verdict,
    summary: &'a str,
    duration_ms: u128,
    checks: Vec<JsonCheck<'a>>,
    /// The report page of the failure, when one was written.
    report_html: Option<&'a str>,
}

/// One check in the JSON object.
#[derive(Serialize)]
struct JsonCheck<'a> {
    name: &'a str,
    mode: Mode,
    verdict: Verdict,
    message: &'a str,
    trace: &'a [Event],
    replay: Option<&'a str>,
    /// Schedules, executions or rounds tried (on a failure, up to the one that failed).
    tries: Option<u64>,
    /// How long the check's process ran.
    duration_ms: u128,
}

/// The JSON object of `run`, on one line, naming the report page of its failure.
pub fn json(run: &KataRun, report_html: Option<&str>) -> String {
    let object = JsonRun {
        kata: &run.kata,
        source: &run.source,
        verdict: run.verdict,
        summary: &run.summary,
        duration_ms: run.duration.as_millis(),
        checks: run
            .checks
            .iter()
            .map(|check| JsonCheck {
                name: &check.name,
                mode: check.mode,
                verdict: check.verdict,
                message: &check.message,
                trace: check.report.as_ref().map_or(&[], |r| &r.trace),
                replay: check.replay.as_deref(),
                tries: check.report.as_ref().map(|report| report.iterations),
                duration_ms: check.duration.as_millis(),
            })
            .collect(),
        report_html,
    };
    serde_json::to_string(&object).expect("a kata run always serializes")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use harness::protocol::{Failure, FailureKind, Op, Origin, Outcome, Report};

    use super::*;

    #[test]
    fn wrapping_breaks_between_words_and_indents() {
        assert_eq!(wrap("one two three four", 12), "  one two\n  three four");
        assert_eq!(wrap("", 10), "");
    }

    fn plain(text: &str) -> String {
        anstream::adapter::strip_str(text).to_string()
    }

    fn passing(name: &str, mode: Mode) -> CheckResult {
        CheckResult {
            name: name.into(),
            mode,
            verdict: Verdict::Pass,
            message: "every promise held".into(),
            advice: None,
            report: None,
            replay: None,
            output: String::new(),
            set_aside: None,
            duration: Duration::ZERO,
        }
    }

    fn racy() -> KataRun {
        let event = |thread: &str| Event {
            thread: thread.into(),
            op: Op::Load,
            resource: Some("hits".into()),
            detail: Some("= 0".into()),
            location: Some("exercises/01-races/hit_counter/src/lib.rs:40".into()),
            saw: Some("0".into()),
            left: None,
        };
        let report = Report {
            nonce: 1,
            check: "no hit is lost".into(),
            mode: Mode::Model,
            outcome: Outcome::Fail(Failure {
                kind: FailureKind::Panic,
                message: "2 threads each hit once, but total() is 1".into(),
                location: Some("tests/hit_counter.rs:20".into()),
                origin: Origin::Check,
                thread: Some("main".into()),
            }),
            iterations: 3,
            trace: vec![event("thread 1"), event("thread 2")],
            replay: Some("model.1".into()),
        };
        KataRun {
            kata: "hit_counter".into(),
            source: "exercises/01-races/hit_counter/src/lib.rs".into(),
            verdict: Verdict::Race,
            summary: "`no hit is lost` failed.".into(),
            duration: Duration::from_millis(1500),
            checks: vec![
                passing("a new counter reads zero", Mode::Sequential),
                CheckResult {
                    name: "no hit is lost".into(),
                    mode: Mode::Model,
                    verdict: Verdict::Race,
                    message:
                        "2 threads each hit once, but total() is 1 (at tests/hit_counter.rs:20)"
                            .into(),
                    report: Some(report),
                    advice: None,
                    replay: Some("cargo xtask replay hit_counter model.1".into()),
                    output: String::new(),
                    set_aside: None,
                    duration: Duration::ZERO,
                },
            ],
            not_run: vec![Mode::Explore, Mode::Stress],
        }
    }

    #[test]
    fn the_human_report_lists_checks_and_explains_the_failure() {
        let text = plain(&human(&racy(), Detail::default()));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "hit_counter: race  (exercises/01-races/hit_counter/src/lib.rs, 1.5 s)"
        );
        assert_eq!(lines[1], "  ✓ sequential  a new counter reads zero");
        assert_eq!(
            lines[2],
            "  ✗ model       no hit is lost — race: 2 threads each hit once, but total() is 1 \
             (at tests/hit_counter.rs:20)"
        );
        assert_eq!(
            lines[3],
            "  · explore, stress: not run (the kata's verdict is decided)"
        );
        assert!(text
            .contains("What happened\n  `no hit is lost` (model):\n    2 threads each hit once"));
        assert!(text.contains("  at tests/hit_counter.rs:20\n  race: a promise breaks"));
        assert!(text.contains("The interleaving\n  step  thread 1       thread 2"));
        assert!(text.contains(
            "Replay (the same failure again)\n  cargo xtask replay hit_counter model.1\n"
        ));
        assert!(text.ends_with("\n`no hit is lost` failed.\n"));
        assert!(!text.contains("Who waits"));
    }

    #[test]
    fn a_data_race_is_explained_as_a_missing_order() {
        let mut run = racy();
        let lost_update = plain(&human(&run, Detail::default()));
        let meaning = lost_update.split("What this means\n").nth(1).unwrap();
        assert!(
            meaning.starts_with("  Some steps that must happen together"),
            "{meaning}"
        );

        let report = run.checks[1].report.as_mut().unwrap();
        let Outcome::Fail(failure) = &mut report.outcome else {
            unreachable!()
        };
        failure.kind = FailureKind::Causality;
        let data_race = plain(&human(&run, Detail::default()));
        let meaning = data_race.split("What this means\n").nth(1).unwrap();
        assert!(
            meaning.starts_with("  Two threads touched the same memory"),
            "{meaning}"
        );
        assert!(!meaning.contains("indivisible action"), "{meaning}");
    }

    #[test]
    fn passing_concurrent_checks_say_how_much_they_tried() {
        let mut run = racy();
        let mut explored = passing("no hit is lost", Mode::Explore);
        let mut report = run.checks[1].report.clone().unwrap();
        report.outcome = Outcome::Pass;
        report.iterations = 600;
        explored.report = Some(report);
        run.checks.push(explored);
        let text = plain(&human(&run, Detail::default()));
        assert!(
            text.contains("  ✓ explore     no hit is lost  (600 schedules)\n"),
            "{text}"
        );
    }

    #[test]
    fn the_json_object_has_every_field() {
        let value: serde_json::Value = serde_json::from_str(&json(&racy(), None)).unwrap();
        assert_eq!(value["kata"], "hit_counter");
        assert_eq!(value["verdict"], "race");
        assert_eq!(value["duration_ms"], 1500);
        let checks = value["checks"].as_array().unwrap();
        assert_eq!(checks.len(), 2);
        assert_eq!(checks[0]["verdict"], "pass");
        assert_eq!(checks[0]["trace"], serde_json::json!([]));
        assert_eq!(checks[0]["replay"], serde_json::Value::Null);
        assert_eq!(checks[1]["mode"], "model");
        assert_eq!(checks[1]["trace"][1]["thread"], "thread 2");
        assert_eq!(checks[1]["trace"][1]["op"], "load");
        assert_eq!(
            checks[1]["replay"],
            "cargo xtask replay hit_counter model.1"
        );
    }
}
