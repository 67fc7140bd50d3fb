//! A grade in the formats CI systems read: JSON (ours), Gradescope's `results.json`, JUnit XML,
//! a GitHub Classroom result object and a Markdown table for a job summary.
//!
//! Every format carries the total and the maximum. Apart from timings, the same grade always
//! gives the same text. What the submission named (its folder, its files) and what its checks
//! printed is cleaned for each format ([`sanitize`]): a report shows it and is never driven by it.

use anyhow::{Context, Result};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use serde_json::{json, Value};

use crate::grading::{Grade, KataGrade, Outcome};
use crate::sanitize;

/// The longest text put in one Gradescope or Classroom test's output.
const OUTPUT_CAP: usize = 4000;

/// Our own JSON: total, max, and per kata the verdict, points, limits, seed and checks.
pub fn json(grade: &Grade) -> String {
    let katas: Vec<Value> = grade.katas.iter().map(kata_json).collect();
    let value = json!({
        "version": 1,
        "student": sanitize::one_line(&grade.student),
        "submission": sanitize::one_line(&grade.submission),
        "total": grade.total(),
        "max": grade.max(),
        "duration_ms": grade.duration.as_millis() as u64,
        "katas": katas,
        "ignored": names(&grade.ignored),
        "sandbox": grade.sandbox,
        "notes": grade.notes,
    });
    pretty(&value)
}

/// Names from a submission (files, folders), each on one line.
pub fn names(names: &[String]) -> Vec<String> {
    names.iter().map(|name| sanitize::one_line(name)).collect()
}

/// One kata in our JSON.
pub fn kata_json(kata: &KataGrade) -> Value {
    let (checks, not_run): (Vec<Value>, Vec<&str>) = match &kata.outcome {
        Outcome::Graded(run) => (
            run.checks
                .iter()
                .map(|check| {
                    json!({
                        "name": sanitize::one_line(&check.name),
                        "mode": check.mode,
                        "verdict": check.verdict,
                        "message": sanitize::multi_line(&check.message),
                    })
                })
                .collect(),
            run.not_run.iter().map(|mode| mode.as_str()).collect(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    json!({
        "kata": kata.kata,
        "title": kata.title,
        "verdict": kata.verdict(),
        "points": kata.points,
        "max": kata.max,
        "summary": sanitize::one_line(&kata.summary()),
        "source": kata.source.as_deref().map(sanitize::one_line),
        "seed": kata.seed,
        "limits": {
            "time_secs": kata.time_limit_secs,
            "memory_mb": kata.memory_mb,
            "processes": kata.processes,
            "network": kata.network,
        },
        "duration_ms": kata.duration.as_millis() as u64,
        "checks": checks,
        "not_run": not_run,
    })
}

/// Gradescope's `results.json`: one test per kata, all visible.
pub fn gradescope(grade: &Grade) -> String {
    let tests: Vec<Value> = grade
        .katas
        .iter()
        .enumerate()
        .map(|(i, kata)| {
            json!({
                "name": format!("{} ({})", kata.title, kata.kata),
                "number": (i + 1).to_string(),
                "score": kata.points,
                "max_score": kata.max,
                "output": cap(&sanitize::multi_line(&kata_text(kata))),
                "visibility": "visible",
                "tags": [kata.kata],
            })
        })
        .collect();
    let value = json!({
        "score": grade.total(),
        "max_score": grade.max(),
        "execution_time": grade.duration.as_secs(),
        "output": overview(grade),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    });
    pretty(&value)
}

/// A GitHub Classroom result object (`version`, `status`, `max_score`, `tests`).
pub fn classroom(grade: &Grade) -> String {
    let status = |kata: &KataGrade| match &kata.outcome {
        Outcome::Error(_) => "error",
        _ if kata.passed() => "pass",
        _ => "fail",
    };
    let tests: Vec<Value> = grade
        .katas
        .iter()
        .map(|kata| {
            json!({
                "name": kata.kata,
                "status": status(kata),
                "score": kata.points,
                "message": cap(&sanitize::multi_line(&kata_text(kata))),
                "test_code": format!("cargo xtask grade --submission . --kata {}", kata.kata),
                "filename": sanitize::one_line(kata.source.as_deref().unwrap_or_default()),
                "line_no": 0,
                "duration": kata.duration.as_millis() as u64,
            })
        })
        .collect();
    let overall = if grade.has_errors() {
        "error"
    } else if grade.total() == grade.max() {
        "pass"
    } else {
        "fail"
    };
    let value = json!({
        "version": 1,
        "status": overall,
        "max_score": grade.max(),
        "score": grade.total(),
        "tests": tests,
    });
    pretty(&value)
}

/// JUnit XML: one test suite per kata, one test case per check (a kata that was not checked has
/// one failing case saying why; modes not run are skipped cases).
pub fn junit(grade: &Grade) -> Result<String> {
    let mut report = Report::new(format!(
        "cargo xtask grade {}",
        sanitize::one_line(&grade.student)
    ));
    report.set_time(grade.duration);
    for kata in &grade.katas {
        let mut suite = TestSuite::new(kata.kata.as_str());
        suite.add_property(Property::new("points", kata.points.to_string()));
        suite.add_property(Property::new("max", kata.max.to_string()));
        suite.add_property(Property::new("verdict", kata.verdict()));
        suite.add_property(Property::new("seed", kata.seed.to_string()));
        suite.set_time(kata.duration);
        match &kata.outcome {
            Outcome::Graded(run) => {
                for check in &run.checks {
                    let status = if check.verdict == harness::verdict::Verdict::Pass {
                        TestCaseStatus::success()
                    } else {
                        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        status
                            .set_message(check.verdict.to_string())
                            .set_type(check.verdict.to_string())
                            .set_description(sanitize::multi_line(&check.message));
                        status
                    };
                    let name = format!("{}: {}", check.mode, sanitize::one_line(&check.name));
                    let mut case = TestCase::new(name, status);
                    case.set_classname(kata.kata.as_str());
                    suite.add_test_case(case);
                }
                for mode in &run.not_run {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message("not run: the kata's verdict was already decided");
                    let mut case = TestCase::new(format!("{mode} checks"), status);
                    case.set_classname(kata.kata.as_str());
                    suite.add_test_case(case);
                }
            }
            Outcome::Missing(why) | Outcome::Error(why) => {
                let kind = match kata.outcome {
                    Outcome::Error(_) => NonSuccessKind::Error,
                    _ => NonSuccessKind::Failure,
                };
                let mut status = TestCaseStatus::non_success(kind);
                status
                    .set_message(kata.verdict())
                    .set_description(sanitize::multi_line(why));
                let mut case = TestCase::new("submitted", status);
                case.set_classname(kata.kata.as_str());
                suite.add_test_case(case);
            }
        }
        report.add_test_suite(suite);
    }
    report.to_string().context("cannot write the JUnit XML")
}

/// A Markdown table for a CI job summary, with the total and the ignored files.
pub fn markdown(grade: &Grade) -> String {
    let mut out = format!(
        "### Grade of {}: {} / {}\n\n| kata | verdict | points | summary |\n| --- | --- | ---: | --- |\n",
        sanitize::markdown(&grade.student),
        grade.total(),
        grade.max()
    );
    for kata in &grade.katas {
        let mark = if kata.passed() { "✅" } else { "❌" };
        out.push_str(&format!(
            "| `{}` | {mark} {} | {} / {} | {} |\n",
            kata.kata,
            kata.verdict(),
            kata.points,
            kata.max,
            sanitize::markdown(&kata.summary())
        ));
    }
    out.push_str(&format!(
        "| **total** | | **{} / {}** | |\n",
        grade.total(),
        grade.max()
    ));
    if !grade.ignored.is_empty() {
        out.push_str(
            "\nChanged outside the learner's files, so ignored (graded against pristine copies):\n",
        );
        for file in &grade.ignored {
            out.push_str(&format!("- {}\n", sanitize::markdown(file)));
        }
    }
    for note in &grade.notes {
        out.push_str(&format!("\n> {note}\n"));
    }
    out
}

/// The text of one kata for a test's output: verdict, points, summary, first failure.
fn kata_text(kata: &KataGrade) -> String {
    let mut text = format!(
        "{}: {} ({} / {} points)\n{}",
        kata.kata,
        kata.verdict(),
        kata.points,
        kata.max,
        kata.summary()
    );
    if let Some(failure) = kata.failure().filter(|_| !kata.passed()) {
        if failure != kata.summary() {
            text.push_str("\n\n");
            text.push_str(&failure);
        }
    }
    text
}

/// The overall output: total, and what was ignored.
fn overview(grade: &Grade) -> String {
    let mut text = format!("Total: {} / {} points.", grade.total(), grade.max());
    if !grade.ignored.is_empty() {
        text.push_str(&format!(
            "\nChanged outside the learner's files, so ignored: {}",
            names(&grade.ignored).join(", ")
        ));
    }
    for note in &grade.notes {
        text.push_str(&format!("\nNote: {note}"));
    }
    cap(&text)
}

/// `text` cut to [`OUTPUT_CAP`] characters.
fn cap(text: &str) -> String {
    if text.chars().count() <= OUTPUT_CAP {
        return text.to_owned();
    }
    let kept: String = text.chars().take(OUTPUT_CAP - 1).collect();
    format!("{kept}…")
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("a JSON value always serializes")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use harness::protocol::Mode;
    use harness::verdict::Verdict;

    use super::*;
    use crate::results::{CheckResult, KataRun};

    /// A name that would forge a heading and clear a terminal, were it not cleaned.
    const HOSTILE: &str = "x.rs\n### Grade of `ada`: 515 / 515\x1b[2J<img src=x>";

    fn kata(outcome: Outcome) -> KataGrade {
        KataGrade {
            kata: "hit_counter".into(),
            title: "Hit counter".into(),
            points: 0,
            max: 10,
            seed: 1,
            time_limit_secs: 60,
            memory_mb: 2048,
            processes: None,
            network: false,
            source: Some(HOSTILE.into()),
            outcome,
            duration: Duration::ZERO,
        }
    }

    fn graded(message: &str) -> Outcome {
        let check = CheckResult {
            name: "counts\nall".into(),
            mode: Mode::Sequential,
            verdict: Verdict::WrongResult,
            message: message.into(),
            advice: None,
            report: None,
            replay: None,
            output: String::new(),
            set_aside: None,
            duration: Duration::ZERO,
        };
        Outcome::Graded(KataRun {
            kata: "hit_counter".into(),
            source: String::new(),
            verdict: Verdict::WrongResult,
            summary: "`counts_all` failed".into(),
            duration: Duration::ZERO,
            checks: vec![check],
            not_run: Vec::new(),
        })
    }

    fn grade(outcome: Outcome) -> Grade {
        Grade {
            student: "ada\x1b]0;owned\x07".into(),
            submission: "/class/ada".into(),
            katas: vec![kata(outcome)],
            ignored: vec![HOSTILE.into(), "tests/hit_counter.rs".into()],
            sandbox: Vec::new(),
            notes: Vec::new(),
            duration: Duration::ZERO,
        }
    }

    /// Whether `text` has a control character other than a newline or a tab.
    fn has_controls(text: &str) -> bool {
        text.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    }

    #[test]
    fn markdown_cannot_be_forged_by_a_file_name() {
        let text = markdown(&grade(Outcome::Missing(format!("no {HOSTILE}"))));
        let headings = text.lines().filter(|line| line.starts_with('#')).count();
        assert_eq!(headings, 1, "{text}");
        assert!(!has_controls(&text), "{text}");
        assert!(!text.replace("\\<img", "").contains("<img"), "{text}");
        assert!(
            text.contains("- x.rs\\\\n\\#\\#\\# Grade of \\`ada\\`: 515 / 515"),
            "{text}"
        );
        assert!(text.contains("- tests/hit\\_counter.rs\n"), "{text}");
        assert!(text.contains("| no x.rs\\\\n\\#\\#\\# Grade"), "{text}");
    }

    #[test]
    fn json_names_and_messages_carry_no_control_characters() {
        let value: Value =
            serde_json::from_str(&json(&grade(graded("left\x1b[2J\nright\r")))).unwrap();
        assert_eq!(value["student"], "ada\\u{1b}]0;owned\\u{7}");
        assert_eq!(value["ignored"][0], one_line_hostile());
        let kata = &value["katas"][0];
        assert_eq!(kata["source"], one_line_hostile());
        assert_eq!(kata["checks"][0]["name"], "counts\\nall");
        assert_eq!(kata["checks"][0]["message"], "left\\u{1b}[2J\nright\\r");
    }

    #[test]
    fn test_outputs_keep_their_lines_but_not_their_escapes() {
        let grade = grade(graded("error: \x1b[31mred\x1b[0m\n  --> src/lib.rs:1:1"));
        for text in [gradescope(&grade), classroom(&grade)] {
            let value: Value = serde_json::from_str(&text).unwrap();
            let test = &value["tests"][0];
            let output = test["output"]
                .as_str()
                .or(test["message"].as_str())
                .unwrap();
            assert!(!has_controls(output), "{output}");
            assert!(output.contains("\\u{1b}[31mred\\u{1b}[0m\n  --> src/lib.rs"));
        }
        let value: Value = serde_json::from_str(&gradescope(&grade)).unwrap();
        let output = value["output"].as_str().unwrap();
        assert!(!has_controls(output), "{output}");
    }

    #[test]
    fn junit_carries_no_control_characters() {
        let xml = junit(&grade(graded("boom\x1b[2J\x07"))).unwrap();
        assert!(!has_controls(&xml), "{xml}");
        assert!(xml.contains("boom\\u{1b}[2J\\u{7}"), "{xml}");
    }

    fn one_line_hostile() -> String {
        sanitize::one_line(HOSTILE)
    }
}
