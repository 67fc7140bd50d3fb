//! Figures drawn from measurements: each row's speedup, and the learner's code against the
//! reference solution on `[performance]`'s approach ([`Comparison`]).

use anyhow::{bail, Result};

use super::{Row, Table};
use crate::metadata::Performance;

/// For each row, its speedup: the time of the first approach at the same load over its own.
pub fn speedups(table: &Table) -> Vec<f64> {
    table
        .rows
        .iter()
        .map(|row| {
            let first = table
                .rows
                .iter()
                .find(|other| other.load == row.load)
                .map_or(row.seconds, |first| first.seconds);
            ratio(first, row.seconds)
        })
        .collect()
}

/// `numerator / denominator` for times, safe from a zero time.
fn ratio(numerator: f64, denominator: f64) -> f64 {
    const TICK: f64 = 1e-9;
    numerator.max(TICK) / denominator.max(TICK)
}

/// The learner's code against the reference solution, on `[performance]`'s approach.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The approach measured on both.
    pub approach: String,
    /// The lowest acceptable ratio.
    pub min_ratio: f64,
    /// The other approach of the learner's table compared with, if any.
    pub baseline: Option<String>,
    /// Each load measured, smallest first as the table has them.
    pub loads: Vec<AtLoad>,
}

/// The times of one load.
#[derive(Debug, Clone, PartialEq)]
pub struct AtLoad {
    /// The load.
    pub load: usize,
    /// The learner's time, in seconds.
    pub yours: f64,
    /// The reference solution's time, in seconds.
    pub reference: f64,
    /// The baseline approach's time (in the learner's run), in seconds.
    pub baseline: Option<f64>,
}

impl AtLoad {
    /// The learner's throughput over the reference solution's: above 1 is faster.
    pub fn ratio(&self) -> f64 {
        ratio(self.reference, self.yours)
    }

    /// The learner's throughput over the baseline's.
    pub fn baseline_ratio(&self) -> Option<f64> {
        self.baseline.map(|baseline| ratio(baseline, self.yours))
    }
}

impl Comparison {
    /// The ratio over every load: the geometric mean of each load's.
    pub fn ratio(&self) -> f64 {
        geometric_mean(self.loads.iter().map(AtLoad::ratio))
    }

    /// The ratio to the baseline over every load, when every load has one.
    pub fn baseline_ratio(&self) -> Option<f64> {
        let ratios: Option<Vec<f64>> = self.loads.iter().map(AtLoad::baseline_ratio).collect();
        ratios.map(|ratios| geometric_mean(ratios.into_iter()))
    }

    /// Whether the learner's code reaches the kata's target.
    pub fn meets(&self) -> bool {
        self.ratio() >= self.min_ratio
    }
}

fn geometric_mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(sum, count), value| {
        (sum + value.ln(), count + 1)
    });
    match count {
        0 => f64::NAN,
        _ => (sum / count as f64).exp(),
    }
}

/// Pairs the rows of `performance.approach` in the learner's table with the reference
/// solution's at the same loads (and with the baseline approach of the learner's table).
pub fn compare(performance: &Performance, yours: &Table, reference: &Table) -> Result<Comparison> {
    let find = |table: &Table, approach: &str, load: usize| {
        table
            .rows
            .iter()
            .find(|row| row.approach == approach && row.load == load)
            .map(|row| row.seconds)
    };
    let approach = performance.approach.as_str();
    let mine: Vec<&Row> = yours
        .rows
        .iter()
        .filter(|row| row.approach == approach)
        .collect();
    if mine.is_empty() {
        bail!(
            "the benchmark has no approach `{approach}` (it has {}): fix `[performance] \
             approach` in kata.toml",
            approaches(yours)
        );
    }
    if let Some(baseline) = &performance.baseline {
        if !yours.rows.iter().any(|row| &row.approach == baseline) {
            bail!(
                "the benchmark has no approach `{baseline}` (it has {}): fix `[performance] \
                 baseline` in kata.toml",
                approaches(yours)
            );
        }
    }
    let loads: Vec<AtLoad> = mine
        .iter()
        .filter_map(|row| {
            Some(AtLoad {
                load: row.load,
                yours: row.seconds,
                reference: find(reference, approach, row.load)?,
                baseline: performance
                    .baseline
                    .as_deref()
                    .and_then(|baseline| find(yours, baseline, row.load)),
            })
        })
        .collect();
    if loads.is_empty() {
        bail!("the reference solution's run measured `{approach}` at none of the same loads");
    }
    Ok(Comparison {
        approach: approach.to_owned(),
        min_ratio: performance.min_ratio,
        baseline: performance.baseline.clone(),
        loads,
    })
}

/// The approaches of `table`, named, in order, once each.
pub fn approaches(table: &Table) -> String {
    let mut names: Vec<String> = Vec::new();
    for row in &table.rows {
        let name = format!("`{}`", row.approach);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    match names.is_empty() {
        true => "none".into(),
        false => names.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{performance, row, table};
    use super::*;

    #[test]
    fn speedup_is_against_the_first_approach_at_the_same_load() {
        let t = table(vec![
            row("sequential", 10, 1.0),
            row("threads", 10, 0.25),
            row("sequential", 100, 10.0),
            row("threads", 100, 5.0),
        ]);
        assert_eq!(speedups(&t), vec![1.0, 4.0, 1.0, 2.0]);
    }

    #[test]
    fn the_ratio_is_the_reference_time_over_yours_averaged_geometrically() {
        let yours = table(vec![
            row("this pool", 10, 2.0),
            row("crate pool", 10, 1.0),
            row("this pool", 100, 1.0),
            row("crate pool", 100, 4.0),
        ]);
        let reference = table(vec![row("this pool", 10, 1.0), row("this pool", 100, 4.0)]);
        let comparison = compare(&performance(Some("crate pool")), &yours, &reference).unwrap();
        assert_eq!(comparison.loads.len(), 2);
        assert_eq!(comparison.loads[0].ratio(), 0.5);
        assert_eq!(comparison.loads[1].ratio(), 4.0);
        assert!((comparison.ratio() - 2.0_f64.sqrt()).abs() < 1e-9);
        assert!(comparison.meets());
        assert!((comparison.baseline_ratio().unwrap() - 2.0_f64.sqrt()).abs() < 1e-9);
        let slow = table(vec![
            row("this pool", 10, 10.0),
            row("this pool", 100, 10.0),
        ]);
        let comparison = compare(&performance(None), &slow, &reference).unwrap();
        assert!(!comparison.meets());
        assert_eq!(comparison.baseline_ratio(), None);
    }

    #[test]
    fn a_missing_approach_names_the_ones_there_are() {
        let yours = table(vec![row("pool", 10, 1.0), row("threads", 10, 1.0)]);
        let err = compare(&performance(None), &yours, &yours).unwrap_err();
        let err = err.to_string();
        assert!(err.contains("no approach `this pool`"), "{err}");
        assert!(err.contains("`pool`, `threads`"), "{err}");
        let yours = table(vec![row("this pool", 10, 1.0)]);
        let err = compare(&performance(Some("crate")), &yours, &yours).unwrap_err();
        assert!(err.to_string().contains("baseline"), "{err}");
        let elsewhere = table(vec![row("this pool", 99, 1.0)]);
        assert!(compare(&performance(None), &yours, &elsewhere).is_err());
    }
}
