//! The report pages in a real browser: headless Chromium driven through the DevTools protocol
//! opens the pages `check` writes for known mutants (a deadlock, a race, a starvation) and the
//! class report `grade` writes, and looks at what a learner or an instructor would see and do.
//!
//! Ignored by a plain `cargo test`: `cargo xtask test` runs it (`--ignored`) where Chromium is
//! installed, says it was skipped where it is not, and fails in CI without it.

use std::path::{Path, PathBuf};
use std::process::Command;

use headless_chrome::{Browser, LaunchOptions, Tab};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repository")
        .to_path_buf()
}

/// Checks `source` of `kata`, which must fail with `verdict`, and returns its report page.
fn report_page(kata: &str, source: &str, verdict: &str) -> PathBuf {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["check", kata, "--source", source, "--format", "json"])
        .current_dir(root())
        .output()
        .expect("the xtask binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|err| panic!("not one JSON object ({err}): {stdout}"));
    assert_eq!(value["verdict"], verdict, "{stdout}");
    let page = value["report_html"]
        .as_str()
        .unwrap_or_else(|| panic!("no report page named: {stdout}"));
    root().join(page)
}

fn browser() -> Browser {
    let options = LaunchOptions::default_builder()
        // The pages are the project's own, opened from files: no sandbox needed (and none
        // available to root, as in CI's containers).
        .sandbox(false)
        .window_size(Some((1280, 1000)))
        .build()
        .expect("launch options");
    Browser::new(options).expect("Chromium starts")
}

/// Opens the page of a failing check, once its script has drawn the state panel.
fn open(browser: &Browser, page: &Path) -> std::sync::Arc<Tab> {
    open_page(browser, page, "#panel h2")
}

/// Opens `page`, once its script has drawn `drawn`.
fn open_page(browser: &Browser, page: &Path, drawn: &str) -> std::sync::Arc<Tab> {
    let tab = browser.new_tab().expect("a tab");
    tab.navigate_to(&format!("file://{}", page.display()))
        .and_then(|tab| tab.wait_until_navigated())
        .expect("the page loads");
    tab.wait_for_element(drawn).expect("the script ran");
    tab
}

fn text(tab: &Tab, selector: &str) -> String {
    tab.wait_for_element(selector)
        .and_then(|element| element.get_inner_text())
        .unwrap_or_else(|err| panic!("no text at {selector}: {err}"))
}

fn count(tab: &Tab, selector: &str) -> usize {
    tab.find_elements(selector).map_or(0, |found| found.len())
}

#[test]
#[ignore = "needs Chromium: `cargo xtask test` runs it"]
fn report_pages_show_the_failure_and_step_through_it() {
    let browser = browser();

    // A deadlock: the cycle is drawn in red and names both forks; the arrow keys step.
    let deadlock = report_page(
        "philosophers",
        "solutions/philosophers/mutants/left_then_right.rs",
        "deadlock",
    );
    let tab = open(&browser, &deadlock);
    assert!(count(&tab, "#graph .node.cycle") >= 4, "the cycle's nodes");
    assert!(
        count(&tab, "#graph line.edge.cycle") >= 4,
        "the cycle's edges"
    );
    let graph = text(&tab, "#graph-text");
    assert!(
        graph.contains("fork 0") && graph.contains("fork 1") && graph.contains("on the cycle"),
        "{graph}"
    );
    tab.press_key("Home").unwrap();
    assert!(text(&tab, "#panel h2").contains("After step 1"));
    tab.press_key("ArrowRight").unwrap();
    tab.press_key("ArrowRight").unwrap();
    let panel = text(&tab, "#panel");
    assert!(panel.contains("After step 3"), "{panel}");
    tab.press_key("End").unwrap();
    let panel = text(&tab, "#panel");
    assert!(
        panel.contains("Locks held") && panel.contains("fork 0: philosopher"),
        "the end of a deadlock holds the forks: {panel}"
    );
    assert!(text(&tab, "#replay").contains("cargo xtask replay philosophers"));

    // A race: the failing step is marked, and its source line is shown.
    let race = report_page(
        "hit_counter",
        "solutions/hit_counter/mutants/lost_update.rs",
        "race",
    );
    let tab = open(&browser, &race);
    assert!(count(&tab, "tr.marked") >= 1, "the failing step is marked");
    assert!(text(&tab, "#summary").contains("race"));
    assert!(
        !text(&tab, "#source").is_empty(),
        "the failure's source line"
    );

    // A lost wakeup: an arrow from each notify to the wait it ended, and the waits nothing ended.
    let lost = report_page(
        "bounded_queue",
        "solutions/bounded_queue/mutants/one_condvar_notify_one.rs",
        "deadlock",
    );
    let tab = open(&browser, &lost);
    assert!(count(&tab, "#arrows path.wake") >= 1, "a notify's arrow");
    assert!(
        count(&tab, "#arrows path.missed") >= 1,
        "the notify main's wait missed"
    );
    assert!(text(&tab, "#steps").contains("nothing woke it"));
    assert!(text(&tab, "#marks").contains("no notify"));

    // A race the model checker found: the access nothing orders, and loads of older writes.
    let unordered = report_page(
        "ms_queue",
        "solutions/ms_queue/mutants/relaxed_link.rs",
        "race",
    );
    let tab = open(&browser, &unordered);
    assert!(count(&tab, "td.conflict") >= 1, "the racing access");
    assert!(text(&tab, "#conflict").contains("nothing orders"));
    assert!(text(&tab, "#steps").contains("an older write"));

    // Results no queue taking one call at a time gives: the calls as intervals, the first
    // result none explains in red.
    let history = report_page(
        "ms_queue",
        "solutions/ms_queue/mutants/check_then_link.rs",
        "race",
    );
    let tab = open(&browser, &history);
    assert!(count(&tab, "#history rect.call") >= 2, "the calls");
    assert_eq!(count(&tab, "#history rect.call.unexplained"), 1);
    assert!(text(&tab, "#history-box").contains("Enqueue"));

    // A starvation: who went in ahead of the waiter, against the bound, as bars and a table.
    let starvation = report_page("gil", "solutions/gil/mutants/barging.rs", "starvation");
    let tab = open(&browser, &starvation);
    assert!(count(&tab, "#overtaken .bar-row") >= 2, "the bars");
    let bars = text(&tab, "#overtaken-box");
    assert!(
        bars.contains("the bound") && bars.contains("at most"),
        "{bars}"
    );
}

/// One part of a class's gradebook as `grade --class --shard` writes it: every learner with a
/// verdict and a time for `hit_counter` and `philosophers`.
fn gradebook_part(dir: &Path, learners: &[(&str, &str, &str)]) {
    let mut csv = String::from("student,total,max,hit_counter,philosophers,ignored\n");
    let mut students = Vec::new();
    for (n, (name, first, second)) in learners.iter().enumerate() {
        let points = |verdict: &str| if verdict == "pass" { 10 } else { 0 };
        let total = points(first) + points(second);
        csv.push_str(&format!(
            "{name},{total},20,{},{},\n",
            points(first),
            points(second)
        ));
        let kata = |kata: &str, verdict: &str, ms: u64| {
            serde_json::json!({
                "kata": kata, "verdict": verdict, "points": points(verdict), "max": 10,
                "duration_ms": ms,
            })
        };
        students.push(serde_json::json!({
            "student": name, "total": total, "max": 20, "ignored": [],
            "katas": [kata("hit_counter", first, 900 + n as u64), kata("philosophers", second, 4000)],
        }));
    }
    let json = serde_json::json!({
        "version": 1, "students": students, "skipped": [], "notes": [],
    });
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("gradebook.csv"), csv).unwrap();
    std::fs::write(dir.join("gradebook.json"), json.to_string()).unwrap();
}

#[test]
#[ignore = "needs Chromium: `cargo xtask test` runs it"]
fn the_class_report_charts_a_merged_gradebook() {
    let class = tempfile::tempdir().unwrap();
    let (first, second, out) = (
        class.path().join("part1"),
        class.path().join("part2"),
        class.path().join("out"),
    );
    gradebook_part(
        &first,
        &[("ada", "pass", "deadlock"), ("bob", "race", "pass")],
    );
    gradebook_part(&second, &[("cy", "pass", "starvation")]);
    let merged = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["grade", "--merge"])
        .args([&first, &second])
        .arg("--output")
        .arg(&out)
        .current_dir(root())
        .output()
        .expect("the xtask binary runs");
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );

    let browser = browser();
    let tab = open_page(&browser, &out.join("report.html"), "#learners tr");
    assert_eq!(
        count(&tab, "#learners tr"),
        4,
        "a header and three learners"
    );
    assert_eq!(
        count(&tab, "#learners .cell"),
        6,
        "a cell per learner and kata"
    );
    assert_eq!(count(&tab, "#learners .cell.v-pass"), 3);
    let katas = text(&tab, "#katas");
    assert!(katas.contains("67 % (2 of 3)"), "hit_counter: {katas}");
    assert!(katas.contains("33 % (1 of 3)"), "philosophers: {katas}");
    assert_eq!(
        count(&tab, "#katas .stack span"),
        5,
        "the verdicts' segments"
    );
    let slowest = text(&tab, "#slowest");
    assert!(slowest.starts_with("learner"), "{slowest}");
    assert!(
        slowest.contains("philosophers") && slowest.contains("4.0"),
        "{slowest}"
    );
}
