//! `bench`: build a kata's benchmark in release mode against the learner's file (or
//! `--source`), run it, print the table; with `[performance]` in `kata.toml`, measure the same
//! approach on the reference solution and print the ratio.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::bench::measure::{self, Measure};
use crate::bench::performance::{against_reference, loads_of, ROUNDS};
use crate::bench::{build, label, no_benchmark, render};
use crate::catalog::Catalog;
use crate::cli::{Bench, Format};

impl Bench {
    /// `cargo xtask bench <kata>`: exit status 0 once the table is printed, 1 when the file does
    /// not compile, 2 for anything else that went wrong (a benchmark that fails included).
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let (name, quick, format) = (self.kata.as_str(), self.quick, self.format);
        let source = self.source.as_deref();
        let kata = catalog.find(name)?;
        if !kata.bench_file().is_file() {
            bail!("{}", no_benchmark(catalog, &kata));
        }
        let source = source.map_or_else(|| kata.learner_source(), Path::to_path_buf);
        let what = label(catalog, &kata, &source);
        if !source.is_file() {
            bail!("cannot read {}", catalog.display(&source));
        }
        let exe = match build(&kata, &source, &what)? {
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
        let table = measure::measure(&exe, how)
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
                anstream::print!("\n{}", render::human(&table));
                if quick {
                    println!(
                    "--quick: each approach ran once, at the smallest load: rough times, no memory"
                );
                }
                if let Some(comparison) = &comparison {
                    anstream::print!("\n{}", render::human_comparison(comparison));
                }
            }
            Format::Json => {
                let shown = catalog.display(&std::fs::canonicalize(&source).unwrap_or(source));
                println!(
                    "{}",
                    render::json(name, &shown, quick, &table, comparison.as_ref())
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
