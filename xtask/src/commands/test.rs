//! `test`: the project's own test suite, exactly as CI runs it (`.ci/run`): formatting, lints for
//! every backend, the harness's, the validators' and xtask's tests, the generated mutants (every
//! solution mutates, every declared equivalence matches), then `verify` over every kata.

use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result};

use crate::catalog::Catalog;

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
    eprintln!("==> generated mutants (every kata, declared equivalences)");
    let started = Instant::now();
    let matched = super::mutate::equivalences_match(catalog)?;
    results.push((
        "generated mutants",
        matched,
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
