//! End-to-end tests of `cargo xtask`: the real binary on the real katas.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repository")
        .to_path_buf()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the xtask binary runs")
}

fn json(output: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|err| panic!("not one JSON object ({err}): {stdout}"))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_reference_solution_passes() {
    let output = xtask(&[
        "check",
        "hit_counter",
        "--source",
        "solutions/hit_counter/lib.rs",
        "--format",
        "json",
    ]);
    let value = json(&output);
    assert_eq!(output.status.code(), Some(0), "{value}");
    assert_eq!(value["kata"], "hit_counter");
    assert_eq!(value["source"], "solutions/hit_counter/lib.rs");
    assert_eq!(value["verdict"], "pass");
    assert!(value["summary"].is_string());
    assert!(value["duration_ms"].is_u64());
    let checks = value["checks"].as_array().expect("checks is a list");
    assert!(!checks.is_empty());
    for check in checks {
        for field in ["name", "mode", "verdict", "message", "trace", "replay"] {
            assert!(
                check.get(field).is_some(),
                "check without `{field}`: {check}"
            );
        }
        assert_eq!(check["verdict"], "pass");
        assert_eq!(check["trace"], serde_json::json!([]));
    }
}

#[test]
fn a_lost_update_is_a_race() {
    let output = xtask(&[
        "check",
        "hit_counter",
        "--source",
        "solutions/hit_counter/mutants/lost_update.rs",
        "--format",
        "json",
    ]);
    let value = json(&output);
    assert_eq!(output.status.code(), Some(1), "{value}");
    assert_eq!(value["verdict"], "race");
    let failed = value["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|check| check["verdict"] != "pass"))
        .expect("a failing check");
    assert_eq!(failed["verdict"], "race");
    assert!(failed["message"].as_str().is_some_and(|m| !m.is_empty()));

    // The replay command reruns exactly that check and finds the same verdict.
    let command = failed["replay"].as_str().expect("a replay command");
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(
        words[..4],
        ["cargo", "xtask", "replay", "hit_counter"],
        "{command}"
    );
    let mut args = words[2..].to_vec();
    args.extend(["--format", "json"]);
    let replayed = xtask(&args);
    let value = json(&replayed);
    assert_eq!(replayed.status.code(), Some(1), "{value}");
    assert_eq!(value["verdict"], "race");
    assert_eq!(value["checks"].as_array().map(Vec::len), Some(1));
    assert_eq!(value["checks"][0]["name"], failed["name"]);
}

#[test]
fn exiting_early_with_status_zero_does_not_pass() {
    let dir = std::env::temp_dir().join("xtask-exit-zero");
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("lib.rs");
    std::fs::write(
        &source,
        r#"use harness::sync::atomic::{AtomicU64, Ordering};

pub struct HitCounter {
    hits: AtomicU64,
}

impl HitCounter {
    pub fn new() -> Self {
        HitCounter { hits: AtomicU64::new(0) }
    }

    pub fn hit(&self) {
        self.hits.fetch_add(1, Ordering::SeqCst);
    }

    pub fn total(&self) -> u64 {
        std::process::exit(0)
    }
}

impl Default for HitCounter {
    fn default() -> Self {
        Self::new()
    }
}
"#,
    )
    .unwrap();
    let output = xtask(&[
        "check",
        "hit_counter",
        "--source",
        source.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let value = json(&output);
    assert_eq!(output.status.code(), Some(1), "{value}");
    assert_ne!(value["verdict"], "pass");
    assert_eq!(value["source"], source.to_str().unwrap());
}

#[test]
fn an_unknown_kata_suggests_the_closest() {
    let output = xtask(&["check", "hit_countr"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr(&output);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("did you mean `hit_counter`?"), "{stderr}");
}

#[test]
fn an_unknown_kata_names_the_nearest_few_and_the_list() {
    let output = xtask(&["check", "zzz"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr(&output);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("the closest names are `"), "{stderr}");
    assert!(stderr.contains("`cargo xtask list` shows all"), "{stderr}");
    assert!(
        !stderr.contains("hit_counter, "),
        "every name listed: {stderr}"
    );
}

#[test]
fn a_slow_build_says_what_is_happening_once() {
    let dir = std::env::temp_dir().join(format!("xtask-slow-build-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let slow_cargo = dir.join("cargo");
    // The first cargo call (the first build) is slow, as a cold build is; the others are not.
    let script = format!(
        "#!/bin/sh\nif mkdir {}/slowed 2>/dev/null; then sleep 21; fi\nexec \"$REAL_CARGO\" \"$@\"\n",
        dir.display()
    );
    std::fs::write(&slow_cargo, script).unwrap();
    let mut permissions = std::fs::metadata(&slow_cargo).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&slow_cargo, permissions).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "check",
            "hit_counter",
            "--source",
            "solutions/hit_counter/lib.rs",
        ])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("REAL_CARGO", env!("CARGO"))
        .env("CARGO", &slow_cargo)
        .output()
        .expect("the xtask binary runs");
    std::fs::remove_dir_all(&dir).unwrap();
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr
            .matches("the first build compiles the dependencies")
            .count(),
        1,
        "{stderr}"
    );
}

#[test]
fn a_missing_source_is_a_usage_error() {
    let output = xtask(&["check", "hit_counter", "--source", "no/such/file.rs"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr(&output);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no/such/file.rs"), "{stderr}");
}

#[test]
fn a_bad_replay_token_is_a_usage_error() {
    let output = xtask(&["replay", "hit_counter", "sideways"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not a replay token"));
}

#[test]
fn a_kata_without_a_benchmark_lists_those_with_one() {
    let output = xtask(&["bench", "hit_counter"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr(&output);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("has no benchmark"), "{stderr}");
    assert!(stderr.contains("false_sharing"), "{stderr}");
}

#[test]
fn a_quick_benchmark_prints_a_row_per_approach() {
    let output = xtask(&[
        "bench",
        "false_sharing",
        "--source",
        "solutions/false_sharing/lib.rs",
        "--quick",
        "--format",
        "json",
    ]);
    let value = json(&output);
    assert_eq!(output.status.code(), Some(0), "{value}");
    assert_eq!(value["kata"], "false_sharing");
    assert_eq!(value["quick"], true);
    let approaches: Vec<&str> = value["rows"]
        .as_array()
        .expect("rows is a list")
        .iter()
        .filter_map(|row| row["approach"].as_str())
        .collect();
    assert_eq!(approaches, ["packed", "padded", "one shared atomic"]);
    assert_eq!(value["rows"][0]["speedup"], 1.0);
    assert!(value["performance"].is_null());
}
