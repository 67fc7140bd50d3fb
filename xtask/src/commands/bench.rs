//! `bench`: build a kata's benchmark in release mode against the learner's file (or
//! `--source`), run it, print the table; with `[performance]` in `kata.toml`, measure the same
//! approach on the reference solution and print the ratio. Also the performance line `check`
//! prints after a pass.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::bench::{self, Comparison, Measure, Table};
use crate::catalog::{Catalog, Kata};
use crate::cli::Format;
use crate::compile::{self, Built};
use crate::metadata::Performance;
use crate::variant::Variant;

/// `cargo xtask bench <kata>`: exit status 0 once the table is printed, 1 when the file does
/// not compile, 2 for anything else that went wrong (a benchmark that fails included).
pub fn bench(
    catalog: &Catalog,
    name: &str,
    source: Option<&Path>,
    quick: bool,
    format: Format,
) -> Result<ExitCode> {
    let kata = catalog.find(name)?;
    if !kata.bench_file(&catalog.root).is_file() {
        bail!("{}", no_benchmark(catalog, &kata));
    }
    let source = source.map_or_else(|| kata.learner_source(), Path::to_path_buf);
    let what = label(catalog, &kata, &source);
    if !source.is_file() {
        bail!("cannot read {}", catalog.display(&source));
    }
    let exe = match build(catalog, &kata, &source, &what)? {
        Ok(exe) => exe,
        Err(errors) => {
            anstream::println!(
                "{what} does not compile, so it cannot be measured \
                 (`cargo xtask check {name}` shows the same errors):\n{errors}"
            );
            return Ok(ExitCode::from(1));
        }
    };
    eprintln!(
        "measuring {name} on {what}{}...",
        if quick {
            " (--quick: once, at the smallest load)"
        } else {
            ""
        }
    );
    let how = if quick { Measure::Quick } else { Measure::Full };
    let table = bench::measure(&exe, how)
        .with_context(|| format!("measuring {what} (does `cargo xtask check {name}` pass?)"))?;
    let comparison = match &kata.meta.performance {
        Some(performance) => {
            let loads = loads_of(performance, &table)?;
            let rounds = if quick { 1 } else { ROUNDS };
            let yours = (exe.as_path(), what.as_str());
            Some(against_reference(
                catalog,
                &kata,
                performance,
                yours,
                &loads,
                rounds,
            )?)
        }
        None => None,
    };
    match format {
        Format::Human => {
            anstream::print!("\n{}", bench::human(&table));
            if quick {
                println!(
                    "--quick: each approach ran once, at the smallest load: rough times, no memory"
                );
            }
            if let Some(comparison) = &comparison {
                anstream::print!("\n{}", bench::human_comparison(comparison));
            }
        }
        Format::Json => {
            let shown = catalog.display(&std::fs::canonicalize(&source).unwrap_or(source));
            println!(
                "{}",
                bench::json(name, &shown, quick, &table, comparison.as_ref())
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// "your file" for the learner's own file, else the file's path.
fn label(catalog: &Catalog, kata: &Kata, source: &Path) -> String {
    let canonical = |path: &Path| std::fs::canonicalize(path).ok();
    match canonical(source).is_some() && canonical(source) == canonical(&kata.learner_source()) {
        true => "your file".to_owned(),
        false => catalog.display(&canonical(source).unwrap_or_else(|| source.to_path_buf())),
    }
}

/// "kata `x` has no benchmark (...); katas with one: a, b".
fn no_benchmark(catalog: &Catalog, kata: &Kata) -> String {
    let benches = catalog.root.join("tests").join("benches");
    let with: Vec<&str> = catalog
        .names()
        .into_iter()
        .filter(|name| benches.join(format!("{name}.rs")).is_file())
        .collect();
    let file = catalog.display(&kata.bench_file(&catalog.root));
    let listed = match with.is_empty() {
        true => "no kata has one yet".to_owned(),
        false => format!("katas with one: {}", with.join(", ")),
    };
    format!(
        "kata `{}` has no benchmark ({file} does not exist); {listed}",
        kata.name()
    )
}

/// Builds the benchmark of `kata` against `source` (`what` names it in progress); the
/// compiler's errors when it does not compile.
fn build(
    catalog: &Catalog,
    kata: &Kata,
    source: &Path,
    what: &str,
) -> Result<Result<PathBuf, String>> {
    eprintln!(
        "building {}'s benchmark against {what} (optimised; the first time takes a while)...",
        kata.name()
    );
    let variant = Variant::prepare(&catalog.root, kata, source)?;
    Ok(match compile::build_bench(&catalog.root, &variant)? {
        Built::Binary(exe) => Ok(exe),
        Built::CompileError(errors) => Err(errors),
    })
}

/// The benchmark of the reference solution.
fn reference_exe(catalog: &Catalog, kata: &Kata) -> Result<PathBuf> {
    let solution = kata.solutions_dir(&catalog.root).join("lib.rs");
    if !solution.is_file() {
        bail!(
            "kata `{}` has [performance] but no reference solution ({} is missing)",
            kata.name(),
            catalog.display(&solution)
        );
    }
    match build(catalog, kata, &solution, "the reference solution")? {
        Ok(exe) => Ok(exe),
        Err(errors) => {
            let first = errors.lines().next().unwrap_or_default();
            bail!("the reference solution's benchmark does not compile: {first}")
        }
    }
}

/// Rounds of a comparison with the reference solution (one with `--quick`).
const ROUNDS: usize = 5;

/// Compares the learner's benchmark `yours` (`what` names it) with the reference solution's on
/// `performance.approach` at each of `loads`. Each of `rounds` rounds measures the approach on
/// both, one right after the other (and the baseline approach on the learner's), each
/// measurement the median of the program's own runs; the fastest round counts for each side,
/// so that a moment of load on a shared machine does not weigh on one side alone.
fn against_reference(
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
    for &load in loads {
        eprintln!(
            "comparing `{approach}` at load {load} on {what} and on the reference solution \
             ({rounds} round(s), the fastest counts)"
        );
        for _ in 0..rounds {
            let measured = bench::measure(yours, Measure::One { approach, load })
                .with_context(|| format!("measuring {what}"))?;
            bench::keep_fastest(&mut mine, measured);
            let measured = bench::measure(&reference, Measure::One { approach, load })
                .context("measuring the reference solution")?;
            bench::keep_fastest(&mut theirs, measured);
            if let Some(baseline) = performance.baseline.as_deref() {
                let one = Measure::One {
                    approach: baseline,
                    load,
                };
                let measured =
                    bench::measure(yours, one).with_context(|| format!("measuring {what}"))?;
                bench::keep_fastest(&mut mine, measured);
            }
        }
    }
    bench::compare(performance, &mine, &theirs)
}

/// The loads at which `table` measured `performance.approach`; an error naming the approaches
/// there are when it has none.
fn loads_of(performance: &Performance, table: &Table) -> Result<Vec<usize>> {
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
            bench::approaches(table)
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
    if !kata.bench_file(&catalog.root).is_file() {
        bail!("{}", no_benchmark(catalog, kata));
    }
    let what = label(catalog, kata, source);
    let exe = match build(catalog, kata, source, &what)? {
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
            loads_of(performance, &bench::measure(&exe, Measure::Full)?)?
        }
    };
    against_reference(catalog, kata, performance, (&exe, &what), &loads, ROUNDS)
}

/// The performance line `check` prints after a pass of a kata with `[performance]`: measured,
/// or why it could not be. Never an error: it is no part of the verdict.
pub(super) fn performance_line(catalog: &Catalog, kata: &Kata, source: &Path) -> Option<String> {
    let performance = kata.meta.performance.as_ref()?;
    eprintln!("measuring performance (not part of the verdict; skip it with --no-perf)...");
    Some(
        match measure_performance(catalog, kata, performance, source) {
            Ok(comparison) => bench::performance_line(kata.name(), &comparison),
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
