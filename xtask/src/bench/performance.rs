//! `[performance]` in `kata.toml`: the learner's code measured against the reference solution,
//! for `bench` and for the line `check` prints after a pass.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::compare::{self, Comparison};
use super::measure::{self, Measure};
use super::{build, label, no_benchmark, render, Table};
use crate::catalog::{Catalog, Kata};
use crate::metadata::Performance;
use crate::progress::Progress;

/// The benchmark of the reference solution.
fn reference_exe(catalog: &Catalog, kata: &Kata) -> Result<PathBuf> {
    let solution = kata.solutions_dir().join("lib.rs");
    if !solution.is_file() {
        bail!(
            "kata `{}` has [performance] but no reference solution ({} is missing)",
            kata.name(),
            catalog.display(&solution)
        );
    }
    match build(kata, &solution, "the reference solution")? {
        Ok(exe) => Ok(exe),
        Err(errors) => {
            let first = errors.lines().next().unwrap_or_default();
            bail!("the reference solution's benchmark does not compile: {first}")
        }
    }
}

/// Rounds of a comparison with the reference solution (one with `--quick`).
pub const ROUNDS: usize = 5;

/// Compares the learner's benchmark `yours` (`what` names it) with the reference solution's on
/// `performance.approach` at each of `loads`. Each of `rounds` rounds measures the approach on
/// both, one right after the other (and the baseline approach on the learner's), each
/// measurement the median of the program's own runs; the fastest round counts for each side,
/// so that a moment of load on a shared machine does not weigh on one side alone.
pub fn against_reference(
    catalog: &Catalog,
    kata: &Kata,
    performance: &Performance,
    (yours, what): (&Path, &str),
    loads: &[usize],
    rounds: usize,
) -> Result<Comparison> {
    let reference = reference_exe(catalog, kata)?;
    let approach = performance.approach.as_str();
    let empty = || Table {
        title: String::new(),
        rows: Vec::new(),
    };
    let (mut mine, mut theirs) = (empty(), empty());
    let progress = Progress::new(loads.len() * rounds);
    for &load in loads {
        progress.note(&format!(
            "comparing `{approach}` at load {load} on {what} and on the reference solution \
             ({rounds} round(s), the fastest counts)"
        ));
        for round in 1..=rounds {
            progress.working_on(&format!("`{approach}` at load {load}, round {round}"));
            let measured = measure::measure(yours, Measure::One { approach, load })
                .with_context(|| format!("measuring {what}"))?;
            measure::keep_fastest(&mut mine, measured);
            let measured = measure::measure(&reference, Measure::One { approach, load })
                .context("measuring the reference solution")?;
            measure::keep_fastest(&mut theirs, measured);
            if let Some(baseline) = performance.baseline.as_deref() {
                let one = Measure::One {
                    approach: baseline,
                    load,
                };
                let measured =
                    measure::measure(yours, one).with_context(|| format!("measuring {what}"))?;
                measure::keep_fastest(&mut mine, measured);
            }
            progress.advance();
        }
    }
    compare::compare(performance, &mine, &theirs)
}

/// The loads at which `table` measured `performance.approach`; an error naming the approaches
/// there are when it has none.
pub fn loads_of(performance: &Performance, table: &Table) -> Result<Vec<usize>> {
    let mut loads: Vec<usize> = Vec::new();
    for row in table
        .rows
        .iter()
        .filter(|row| row.approach == performance.approach)
    {
        if !loads.contains(&row.load) {
            loads.push(row.load);
        }
    }
    if loads.is_empty() {
        bail!(
            "the benchmark has no approach `{}` (it has {}): fix `[performance] approach` in \
             kata.toml",
            performance.approach,
            compare::approaches(table)
        );
    }
    Ok(loads)
}

/// Measures the learner's `source` against the reference solution as `[performance]` says:
/// at its `load` when it names one, else at every load of a full run of the benchmark.
fn measure_performance(
    catalog: &Catalog,
    kata: &Kata,
    performance: &Performance,
    source: &Path,
) -> Result<Comparison> {
    if !kata.bench_file().is_file() {
        bail!("{}", no_benchmark(catalog, kata));
    }
    let what = label(catalog, kata, source);
    let exe = match build(kata, source, &what)? {
        Ok(exe) => exe,
        Err(errors) => {
            let first = errors.lines().next().unwrap_or_default();
            bail!("the benchmark does not compile: {first}")
        }
    };
    let loads = match performance.load {
        Some(load) => vec![load],
        None => {
            eprintln!("measuring {} on {what}...", kata.name());
            loads_of(performance, &measure::measure(&exe, Measure::Full)?)?
        }
    };
    against_reference(catalog, kata, performance, (&exe, &what), &loads, ROUNDS)
}

/// The performance line `check` prints after a pass of a kata with `[performance]`: measured,
/// or why it could not be. Never an error: it is no part of the verdict.
pub fn line(catalog: &Catalog, kata: &Kata, source: &Path) -> Option<String> {
    let performance = kata.meta.performance.as_ref()?;
    eprintln!("measuring performance (not part of the verdict; skip it with --no-perf)...");
    Some(
        match measure_performance(catalog, kata, performance, source) {
            Ok(comparison) => render::performance_line(kata.name(), &comparison),
            Err(err) => {
                let message = format!("{err:#}").replace('\n', " ");
                format!(
                    "performance (reported apart, never part of the verdict): not measured: \
                     {message}\n  try: cargo xtask bench {}\n",
                    kata.name()
                )
            }
        },
    )
}
