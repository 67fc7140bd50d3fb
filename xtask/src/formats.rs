//! A grade in the formats CI systems read: JSON (ours), Gradescope's `results.json`, JUnit XML,
//! a GitHub Classroom result object and a Markdown table for a job summary.
//!
//! Every format carries the total and the maximum. Apart from timings, the same grade always
//! gives the same text.

use anyhow::{Context, Result};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use serde_json::{json, Value};

use crate::grading::{Grade, KataGrade, Outcome};

/// The longest text put in one Gradescope or Classroom test's output.
const OUTPUT_CAP: usize = 4000;

/// Our own JSON: total, max, and per kata the verdict, points, limits, seed and checks.
pub fn json(grade: &Grade) -> String {
    let katas: Vec<Value> = grade.katas.iter().map(kata_json).collect();
    let value = json!({
        "version": 1,
        "student": grade.student,
        "submission": grade.submission,
        "total": grade.total(),
        "max": grade.max(),
        "duration_ms": grade.duration.as_millis() as u64,
        "katas": katas,
        "ignored": grade.ignored,
        "notes": grade.notes,
    });
    pretty(&value)
}

/// One kata in our JSON.
pub fn kata_json(kata: &KataGrade) -> Value {
    let (checks, not_run): (Vec<Value>, Vec<&str>) = match &kata.outcome {
        Outcome::Graded(run) => (
            run.checks
                .iter()
                .map(|check| {
                    json!({
                        "name": check.name,
                        "mode": check.mode,
                        "verdict": check.verdict,
                        "message": check.message,
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
        "summary": kata.summary(),
        "source": kata.source,
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
                "output": cap(&kata_text(kata)),
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
                "message": cap(&kata_text(kata)),
                "test_code": format!("cargo xtask grade --submission . --kata {}", kata.kata),
                "filename": kata.source.clone().unwrap_or_default(),
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
    let mut report = Report::new(format!("cargo xtask grade {}", grade.student));
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
                            .set_description(check.message.as_str());
                        status
                    };
                    let mut case = TestCase::new(format!("{}: {}", check.mode, check.name), status);
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
                    .set_description(why.as_str());
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
        "### Grade of `{}`: {} / {}\n\n| kata | verdict | points | summary |\n| --- | --- | ---: | --- |\n",
        grade.student,
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
            cell(&kata.summary())
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
            out.push_str(&format!("- `{file}`\n"));
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
            grade.ignored.join(", ")
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

/// One Markdown table cell: on one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("a JSON value always serializes")
}
