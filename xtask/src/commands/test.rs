//! `test`: the project's own test suite, exactly as CI runs it (`.ci/run`): the minimum Rust
//! version against the lockfile, formatting, lints for every backend, the harness's, the
//! validators' and xtask's tests, the generated mutants (every solution mutates, every
//! `kata.toml` declaration matches a mutant, and a sample of each kata's mutants, drawn from
//! the commit, is checked: none may survive undeclared), the report pages in headless Chromium
//! (skipped, and said so, where it is not installed; never in CI), then `verify` over every kata. It judges the project's code, never the learner's: on a learner's
//! checkout their katas are neither formatted nor linted, and `verify` takes each kata's
//! starting code as committed.

use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result};

use crate::catalog::Catalog;
use crate::cli::{Format, Mutate, Test, Verify};

/// Generated mutants of each kata checked on every run: the sample changes with the commit, so
/// that over many commits every mutant is checked.
const MUTANTS_PER_KATA: usize = 1;

/// One cargo invocation of the suite.
struct Step {
    what: &'static str,
    args: Vec<String>,
}

/// The project's own packages, besides one per kata (named after it).
const PROJECT_PACKAGES: [&str; 3] = ["harness", "xtask", "checks"];

/// The suite's cargo steps. The katas in `learner_work` (the learner's files, which differ from
/// the starting code as committed) are neither formatted nor linted: the suite judges what the
/// project wrote.
fn steps(catalog: &Catalog, learner_work: &[String]) -> Result<Vec<Step>> {
    let words = |args: &[&str]| args.iter().map(|arg| arg.to_string()).collect::<Vec<_>>();
    let mut formatting = words(&["fmt", "--check"]);
    match learner_work.is_empty() {
        true => formatting.push("--all".into()),
        false => {
            let mut kept: Vec<String> = PROJECT_PACKAGES.map(str::to_owned).to_vec();
            for kata in catalog.all()? {
                if !learner_work.iter().any(|learners| learners == kata.name()) {
                    kept.push(kata.name().to_owned());
                }
                // A kata's provided code is the project's, whatever the learner changed.
                if let Some((support, _)) = kata.support_crate() {
                    kept.push(support);
                }
            }
            for package in kept {
                formatting.extend(["-p".to_owned(), package]);
            }
        }
    }
    let mut lints = words(&["clippy", "--workspace", "--all-targets"]);
    for kata in learner_work {
        lints.extend(["--exclude".to_owned(), kata.clone()]);
    }
    lints.extend(words(&["--", "-D", "warnings"]));
    let engine_lints = |feature: &str| {
        words(&[
            "clippy",
            "-p",
            "harness",
            "--all-targets",
            "--features",
            feature,
            "--",
            "-D",
            "warnings",
        ])
    };
    Ok(vec![
        Step {
            what: "formatting",
            args: formatting,
        },
        Step {
            what: "lints (std)",
            args: lints,
        },
        Step {
            what: "lints (loom)",
            args: engine_lints("model"),
        },
        Step {
            what: "lints (shuttle)",
            args: engine_lints("explore"),
        },
        Step {
            what: "harness tests (std)",
            args: words(&["test", "-p", "harness"]),
        },
        Step {
            what: "harness tests (loom)",
            // Doc examples run on real threads: they are for the std build only.
            args: words(&["test", "-p", "harness", "--features", "model", "--tests"]),
        },
        Step {
            what: "harness tests (shuttle)",
            args: words(&["test", "-p", "harness", "--features", "explore", "--tests"]),
        },
        Step {
            what: "trace validators",
            args: words(&["test", "-p", "checks", "--lib"]),
        },
        Step {
            what: "xtask tests",
            args: words(&["test", "-p", "xtask"]),
        },
    ])
}

/// How to get what the browser test needs.
const CHROMIUM_HINT: &str = "install Chromium (`apt-get install chromium`), or name a Chrome \
                             binary in CHROME";

/// The Chromium (or Chrome) the browser test would drive: `CHROME`, else the first of the usual
/// names on `PATH`, as the test's DevTools crate looks for it.
fn chromium() -> Option<std::path::PathBuf> {
    if let Some(named) = std::env::var_os("CHROME") {
        return Some(named.into());
    }
    let path = std::env::var_os("PATH")?;
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
        "chrome",
    ];
    std::env::split_paths(&path)
        .flat_map(|dir| names.map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The seed of the mutants sampled: the first 16 hex digits of the commit checked out, or 0
/// outside a git checkout.
fn commit_seed(catalog: &Catalog) -> u64 {
    Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&catalog.root)
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| {
            let commit = String::from_utf8_lossy(&output.stdout);
            u64::from_str_radix(commit.trim().get(..16)?, 16).ok()
        })
        .unwrap_or(0)
}

impl Test {
    /// Runs every step, then `verify`; exit 1 if anything failed.
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let learner_work = crate::learner::touched_katas(catalog);
        if !learner_work.is_empty() {
            eprintln!(
                "note: your work on {} is not formatted or linted here, and verify checks the \
             starting code as committed",
                learner_work.join(", ")
            );
        }
        let mut results = Vec::new();
        eprintln!("==> minimum Rust version (the workspace's rust-version against every package)");
        let started = Instant::now();
        let problems = crate::rust_version::problems(catalog)?;
        for problem in &problems {
            eprintln!("error: {problem}");
        }
        results.push((
            "minimum Rust version",
            problems.is_empty(),
            started.elapsed().as_secs_f64(),
        ));
        for step in steps(catalog, &learner_work)? {
            eprintln!("==> {} (cargo {})", step.what, step.args.join(" "));
            let started = Instant::now();
            let status = Command::new(&cargo)
                .args(&step.args)
                .current_dir(&catalog.root)
                .status()
                .with_context(|| format!("could not run cargo for {}", step.what))?;
            results.push((step.what, status.success(), started.elapsed().as_secs_f64()));
        }
        eprintln!("==> report pages in Chromium (cargo test -p xtask --test browser -- --ignored)");
        let started = Instant::now();
        let browser_test = match chromium() {
            Some(_) => Some(
                Command::new(&cargo)
                    .args([
                        "test",
                        "-p",
                        "xtask",
                        "--test",
                        "browser",
                        "--",
                        "--ignored",
                    ])
                    .current_dir(&catalog.root)
                    .status()
                    .context("could not run cargo for the browser test")?
                    .success(),
            ),
            // CI installs Chromium (`.ci/run`): there, a missing browser fails the step.
            None if std::env::var_os("CI").is_some() => {
                eprintln!("error: no Chromium here, and CI must run the browser test");
                Some(false)
            }
            None => {
                eprintln!("skipped: no Chromium here ({CHROMIUM_HINT})");
                None
            }
        };
        if let Some(ok) = browser_test {
            results.push((
                "report pages in Chromium",
                ok,
                started.elapsed().as_secs_f64(),
            ));
        }
        let seed = commit_seed(catalog);
        eprintln!(
        "==> sampled mutants (cargo xtask mutate --all --sample {MUTANTS_PER_KATA} --seed {seed})"
    );
        let started = Instant::now();
        let sampled = Mutate {
            katas: Vec::new(),
            all: true,
            sample: Some(MUTANTS_PER_KATA),
            seed,
            jobs: crate::cli::default_jobs(),
            min_score: None,
            list: false,
            only: None,
            format: Format::Human,
        };
        let survived_none = sampled.run(catalog)? == ExitCode::SUCCESS;
        results.push((
            "sampled mutants",
            survived_none,
            started.elapsed().as_secs_f64(),
        ));
        eprintln!("==> verify (every kata)");
        let started = Instant::now();
        let every_kata = Verify {
            kata: None,
            bless: false,
            repeat: None,
            shard: None,
        };
        let verified = every_kata.run(catalog)? == ExitCode::SUCCESS;
        results.push(("verify", verified, started.elapsed().as_secs_f64()));

        println!();
        for (what, ok, seconds) in &results {
            println!(
                "{:<26} {:<6} {seconds:>7.1} s",
                what,
                if *ok { "ok" } else { "FAILED" }
            );
        }
        let failed = results.iter().filter(|(_, ok, _)| !ok).count();
        let mut skipped: Vec<String> = catalog
            .all()?
            .iter()
            .filter_map(crate::requirements::unmet)
            .collect();
        if !crate::miri::available() {
            skipped.push(format!("Miri's checks: {}", crate::miri::SETUP_HINT));
        }
        if browser_test.is_none() {
            skipped.push(format!("the report pages' browser test: {CHROMIUM_HINT}"));
        }
        let skipped = match skipped.len() {
            0 => String::new(),
            n => format!(", {n} skipped ({})", skipped.join("; ")),
        };
        println!(
            "{} passed, {failed} failed{skipped}",
            results.len() - failed
        );
        Ok(super::status(failed == 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The catalog of this repository.
    fn catalog() -> Catalog {
        Catalog::at(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).unwrap()
    }

    #[test]
    fn the_learners_katas_are_neither_formatted_nor_linted() {
        let catalog = catalog();
        let everything = steps(&catalog, &[]).unwrap();
        assert_eq!(everything[0].args, ["fmt", "--check", "--all"]);
        assert!(!everything[1].args.contains(&"--exclude".to_owned()));

        let learner_work = ["bank".to_owned(), "hit_counter".to_owned()];
        let steps = steps(&catalog, &learner_work).unwrap();
        let formatted = &steps[0].args;
        let provided = ["spsc_ring_support", "model_choice_support"];
        for package in ["harness", "xtask", "checks", "barrier", "nightclub"]
            .iter()
            .chain(&provided)
        {
            assert!(formatted.contains(&package.to_string()), "{formatted:?}");
        }
        for kata in &learner_work {
            assert!(!formatted.contains(kata), "{formatted:?}");
        }
        let linted = steps[1].args.join(" ");
        assert!(
            linted.contains("--exclude bank --exclude hit_counter --"),
            "{linted}"
        );
    }
}
