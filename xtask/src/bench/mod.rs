//! Benchmarks: a kata's benchmark program (`tests/benches/<kata>.rs`) built optimised against
//! a file ([`build`]), run and read ([`measure`]), the learner's code compared with the
//! reference solution as `[performance]` in `kata.toml` asks ([`compare`], [`performance`]), and
//! what was measured printed for people and as JSON ([`render`]).
//!
//! The JSON is the contract of `checks::bench` (tests/bench.rs): a program run plainly or with
//! `--quick` prints one [`Table`] on stdout, run as `--approach NAME --load N` one [`Row`]; its
//! stderr is progress. Fields this side does not know are ignored, so the library may grow.

use std::path::{Path, PathBuf};

use anyhow::Result;

pub use harness::protocol::{BenchRow as Row, BenchTable as Table};

use crate::catalog::{Catalog, Kata};
use crate::compile::{self, Built};
use crate::variant::Variant;

pub mod compare;
pub mod measure;
pub mod performance;
pub mod render;

/// Builds the benchmark of `kata` against `source` (`what` names it in progress); the
/// compiler's errors when it does not compile.
pub fn build(kata: &Kata, source: &Path, what: &str) -> Result<Result<PathBuf, String>> {
    eprintln!(
        "building {}'s benchmark against {what} (optimised; the first time takes a while)...",
        kata.name()
    );
    let variant = Variant::prepare(kata, source)?;
    Ok(match compile::build_bench(&variant)? {
        Built::Binary(exe) => Ok(exe),
        Built::CompileError(errors) => Err(errors),
    })
}

/// "your file" for the learner's own file, else the file's path.
pub fn label(catalog: &Catalog, kata: &Kata, source: &Path) -> String {
    match kata.is_learner_file(source) {
        true => "your file".to_owned(),
        false => catalog.display(&std::fs::canonicalize(source).unwrap_or(source.to_path_buf())),
    }
}

/// "kata `x` has no benchmark (...); katas with one: a, b".
pub fn no_benchmark(catalog: &Catalog, kata: &Kata) -> String {
    let benches = catalog.root.join("tests").join("benches");
    let with: Vec<&str> = catalog
        .names()
        .into_iter()
        .filter(|name| benches.join(format!("{name}.rs")).is_file())
        .collect();
    let file = catalog.display(&kata.bench_file());
    let listed = match with.is_empty() {
        true => "no kata has one yet".to_owned(),
        false => format!("katas with one: {}", with.join(", ")),
    };
    format!(
        "kata `{}` has no benchmark ({file} does not exist); {listed}",
        kata.name()
    )
}

/// Tables, rows and targets for the tests of the benchmark modules.
#[cfg(test)]
mod fixtures {
    use super::{Row, Table};
    use crate::metadata::Performance;

    pub fn row(approach: &str, load: usize, seconds: f64) -> Row {
        Row {
            approach: approach.into(),
            load,
            seconds,
            peak_rss_kib: Some(2048),
        }
    }

    pub fn table(rows: Vec<Row>) -> Table {
        Table {
            title: "jobs".into(),
            rows,
        }
    }

    pub fn plain(text: &str) -> String {
        anstream::adapter::strip_str(text).to_string()
    }

    pub fn performance(baseline: Option<&str>) -> Performance {
        Performance {
            approach: "this pool".into(),
            min_ratio: 0.5,
            baseline: baseline.map(str::to_owned),
            load: None,
        }
    }
}
