//! `test`: the project's own test suite, exactly as CI runs it (`.ci/run`): formatting, lints for
//! every backend, the harness's, the validators' and xtask's tests, the generated mutants (every
//! solution mutates, every `kata.toml` declaration matches a mutant, and a sample of each kata's
//! mutants, drawn from the commit, is checked: none may survive undeclared), then `verify` over every kata.

use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result};

use crate::catalog::Catalog;
use crate::cli::{Format, MutateArgs};

/// Generated mutants of each kata checked on every run: the sample changes with the commit, so
/// that over many commits every mutant is checked.
const MUTANTS_PER_KATA: usize = 1;

/// One cargo invocation of the suite.
struct Step {
    what: &'static str,
    args: &'static [&'static str],
}

const STEPS: &[Step] = &[
    Step {
        what: "formatting",
        args: &["fmt", "--all", "--check"],
    },
    Step {
        what: "lints (std)",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    },
    Step {
        what: "lints (loom)",
        args: &[
            "clippy",
            "-p",
            "harness",
            "--all-targets",
            "--features",
            "model",
            "--",
            "-D",
            "warnings",
        ],
    },
    Step {
        what: "lints (shuttle)",
        args: &[
            "clippy",
            "-p",
            "harness",
            "--all-targets",
            "--features",
            "explore",
            "--",
            "-D",
            "warnings",
        ],
    },
    Step {
        what: "harness tests (std)",
        args: &["test", "-p", "harness"],
    },
    Step {
        what: "harness tests (loom)",
        // Doc examples run on real threads: they are for the std build only.
        args: &["test", "-p", "harness", "--features", "model", "--tests"],
    },
    Step {
        what: "harness tests (shuttle)",
        args: &["test", "-p", "harness", "--features", "explore", "--tests"],
    },
    Step {
        what: "trace validators",
        args: &["test", "-p", "checks", "--lib"],
    },
    Step {
        what: "xtask tests",
        args: &["test", "-p", "xtask"],
    },
];

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

/// Runs every step, then `verify`; exit 1 if anything failed.
pub fn test(catalog: &Catalog) -> Result<ExitCode> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut results = Vec::new();
    for step in STEPS {
        eprintln!("==> {} (cargo {})", step.what, step.args.join(" "));
        let started = Instant::now();
        let status = Command::new(&cargo)
            .args(step.args)
            .current_dir(&catalog.root)
            .status()
            .with_context(|| format!("could not run cargo for {}", step.what))?;
        results.push((step.what, status.success(), started.elapsed().as_secs_f64()));
    }
    let seed = commit_seed(catalog);
    eprintln!(
        "==> sampled mutants (cargo xtask mutate --all --sample {MUTANTS_PER_KATA} --seed {seed})"
    );
    let started = Instant::now();
    let sampled = MutateArgs {
        katas: Vec::new(),
        all: true,
        sample: Some(MUTANTS_PER_KATA),
        seed,
        jobs: crate::cli::default_jobs(),
        min_score: None,
        list: false,
        format: Format::Human,
    };
    let survived_none = super::mutate::mutate(catalog, &sampled)? == ExitCode::SUCCESS;
    results.push((
        "sampled mutants",
        survived_none,
        started.elapsed().as_secs_f64(),
    ));
    eprintln!("==> verify (every kata)");
    let started = Instant::now();
    let verified = super::verify::verify(catalog, None, false)? == ExitCode::SUCCESS;
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
    println!("{} passed, {failed} failed", results.len() - failed);
    Ok(super::status(failed == 0))
}
