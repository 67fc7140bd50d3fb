//! The report pages, each one self-contained HTML file (styles, script and data inside, nothing
//! fetched). The page of a failing check, under `target/xtask/report/`, written by `check` and
//! `replay` whenever a check fails: one lane per thread and a row per step, the locks' holding as
//! bars beside the lanes, the state after each step in a side panel (stepped through with the
//! arrow keys), an arrow from each notify to the wait it ended, for a deadlock the wait-for
//! graph with its cycle in red, for results no order explains the calls as intervals
//! ([`history`]). And the class report, `report.html` beside a class's gradebook: per kata the
//! share passing and the verdicts as stacked bars, per learner a row of cells, the slowest
//! katas; every chart also a table.
//!
//! ```text
//! if let Some(path) = report_page::write(&run, &catalog.root)? {
//!     println!("report: {}", path.display());
//! }
//! ```

mod history;
mod model;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::results::KataRun;

/// The page of a failing check, its data spliced in by [`render`].
const TEMPLATE: &str = include_str!("page.html");

/// The class report, its data (the gradebook) spliced in by [`write_class`].
const CLASS_TEMPLATE: &str = include_str!("class.html");

/// The directory of the report pages, under the repository's `target/`.
pub fn dir(root: &Path) -> PathBuf {
    root.join("target").join("xtask").join("report")
}

/// Writes the page of `run`'s first failing check, `<kata>-<file stem>.html`; `None` when no
/// check failed with a trace to show (a pass, a compile error, a build that failed).
pub fn write(run: &KataRun, root: &Path) -> Result<Option<PathBuf>> {
    let Some(page) = model::of_run(run, root) else {
        return Ok(None);
    };
    let dir = dir(root);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let stem = Path::new(&run.source)
        .file_stem()
        .map_or("source".into(), |stem| stem.to_string_lossy());
    let path = dir.join(format!("{}-{stem}.html", run.kata));
    std::fs::write(&path, render(&page)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Some(path))
}

/// The HTML of `page`: its data as JSON in the page.
fn render(page: &model::Page) -> Result<String> {
    let title = format!("{}: {} ({})", page.kata, page.verdict, page.check)
        .replace('&', "&amp;")
        .replace('<', "&lt;");
    // The data goes in first: the title's placeholder comes before it in the page.
    Ok(splice(TEMPLATE, &serde_json::to_value(page)?).replacen("TITLE", &title, 1))
}

/// `template` with `data` as JSON in place of its `DATA`, where no `<` can end the script early.
fn splice(template: &str, data: &serde_json::Value) -> String {
    let json = data.to_string().replace('<', "\\u003c");
    template.replacen("DATA", &json, 1)
}

/// Writes the class report `report.html` into `dir`, from the class's gradebook (the text of
/// its `gradebook.json`).
///
/// ```text
/// let page = report_page::write_class(&out, &gradebook::json(&grades, &skipped))?;
/// ```
pub fn write_class(dir: &Path, gradebook_json: &str) -> Result<PathBuf> {
    let gradebook: serde_json::Value =
        serde_json::from_str(gradebook_json).context("the gradebook is not JSON")?;
    let path = dir.join("report.html");
    std::fs::write(&path, splice(CLASS_TEMPLATE, &gradebook))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// Opens `path` in the default browser (`xdg-open`, or `open` on macOS); says so when it cannot.
pub fn open(path: &Path) {
    let opener = match cfg!(target_os = "macos") {
        true => "open",
        false => "xdg-open",
    };
    let opened = Command::new(opener)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    if opened.is_err() {
        eprintln!(
            "note: cannot run `{opener}` to open the report; open {} yourself",
            path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use harness::protocol::{Event, Failure, FailureKind, Mode, Op, Origin, Outcome, Report};
    use harness::verdict::Verdict;

    use super::*;
    use crate::results::CheckResult;

    fn step(thread: &str, op: Op, resource: &str) -> Event {
        Event {
            thread: thread.into(),
            op,
            resource: Some(resource.into()),
            detail: None,
            location: Some("src/lib.rs:2".into()),
            saw: None,
            left: None,
        }
    }

    fn deadlock_run() -> KataRun {
        let trace = vec![
            step("philosopher 0", Op::Locked, "</script><b>fork 0"),
            step("philosopher 1", Op::Locked, "fork 1"),
            step("philosopher 0", Op::Lock, "fork 1"),
            step("philosopher 1", Op::Lock, "</script><b>fork 0"),
        ];
        let failure = Failure {
            kind: FailureKind::Deadlock,
            message: "every thread is blocked".into(),
            location: None,
            origin: Origin::Other,
            thread: None,
        };
        let mut check = CheckResult::stopped(
            "two at the table",
            Mode::Model,
            Verdict::Deadlock,
            "every thread is blocked".into(),
        );
        check.report = Some(Report {
            nonce: 1,
            check: "two at the table".into(),
            mode: Mode::Model,
            outcome: Outcome::Fail(failure),
            iterations: 3,
            trace,
            replay: Some("model.0".into()),
        });
        check.replay = Some("cargo xtask replay philosophers model.0".into());
        KataRun {
            kata: "philosophers".into(),
            source: "exercises/04-classic/philosophers/src/lib.rs".into(),
            verdict: Verdict::Deadlock,
            summary: String::new(),
            duration: Duration::ZERO,
            checks: vec![check],
            not_run: Vec::new(),
        }
    }

    #[test]
    fn a_deadlock_page_holds_its_data_and_nothing_closes_its_script_early() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("src")).unwrap();
        std::fs::write(root.path().join("src/lib.rs"), "fn a() {\n    lock();\n}\n").unwrap();
        let page = model::of_run(&deadlock_run(), root.path()).unwrap();
        assert_eq!(page.threads, ["philosopher 0", "philosopher 1"]);
        let graph = page.graph.as_ref().unwrap();
        assert!(graph.nodes.iter().filter(|n| n.lock).all(|n| n.in_cycle));
        assert_eq!(page.sources["src/lib.rs:2"].lines[1], "    lock();");
        let html = render(&page).unwrap();
        assert_eq!(
            html.matches("</script>").count(),
            2,
            "only the page's own two"
        );
        assert!(html.contains("cargo xtask replay philosophers model.0"));
        assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
        let path = write(&deadlock_run(), root.path()).unwrap().unwrap();
        assert!(path.ends_with("target/xtask/report/philosophers-lib.html"));
    }

    #[test]
    fn a_pass_has_no_page() {
        let mut run = deadlock_run();
        run.checks[0].verdict = Verdict::Pass;
        let root = tempfile::tempdir().unwrap();
        assert!(write(&run, root.path()).unwrap().is_none());
    }
}
