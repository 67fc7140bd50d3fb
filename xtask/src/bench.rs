//! Benchmarks: running a kata's benchmark program (`tests/benches/<kata>.rs`, built by
//! [`compile::build_bench`](crate::compile::build_bench)) and reading its JSON, the table people
//! read, and the comparison of the learner's code with the reference solution that
//! `[performance]` in `kata.toml` asks for.
//!
//! The JSON is the contract of `checks::bench` (tests/bench.rs): a program run plainly or with
//! `--quick` prints one [`Table`] on stdout, run as `--approach NAME --load N` one [`Row`]; its
//! stderr is progress. Fields this side does not know are ignored, so the library may grow.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use anyhow::{bail, Context, Result};

pub use harness::protocol::{BenchRow as Row, BenchTable as Table};

use crate::metadata::Performance;
use crate::spawn::Spawn;

/// How long one benchmark program may run, every approach and load included.
pub const BUDGET: Duration = Duration::from_secs(20 * 60);

/// How much of a benchmark's stdout is kept (its JSON is small).
const OUTPUT_CAP: usize = 4 << 20;

const GOOD: Style = AnsiColor::Green.on_default().bold();
const BAD: Style = AnsiColor::Yellow.on_default().bold();
const HEADING: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// How to run a benchmark program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure<'a> {
    /// Every approach at every load, each in a process of its own (the program's default).
    Full,
    /// Every approach once at the smallest load (`--quick`): does it still work?
    Quick,
    /// One approach at one load, in the program's own process.
    One {
        /// The approach's name.
        approach: &'a str,
        /// The load.
        load: usize,
    },
}

/// Runs the benchmark program `exe`; its progress goes to our stderr as it comes.
pub fn measure(exe: &Path, how: Measure) -> Result<Table> {
    let mut command = Command::new(exe);
    match how {
        Measure::Full => {}
        Measure::Quick => {
            command.arg("--quick");
        }
        Measure::One { approach, load } => {
            command
                .args(["--approach", approach, "--load"])
                .arg(load.to_string());
        }
    }
    let ran = Spawn::new(command, BUDGET)
        .cap(OUTPUT_CAP)
        .stderr_to_terminal()
        .run()
        .with_context(|| format!("cannot run the benchmark {}", exe.display()))?;
    let (Some(status), stdout) = (ran.status, ran.stdout) else {
        bail!(
            "the benchmark did not finish within {} minutes and was stopped",
            BUDGET.as_secs() / 60
        );
    };
    if !status.success() {
        bail!("the benchmark failed ({status}); its own messages are above");
    }
    match how {
        Measure::One { .. } => {
            let row: Row = last_json(&stdout)?;
            Ok(Table {
                title: String::new(),
                rows: vec![row],
            })
        }
        _ => last_json(&stdout),
    }
}

/// The last line of `stdout` that is the JSON value expected (code under test may print too).
fn last_json<T: serde::de::DeserializeOwned>(stdout: &str) -> Result<T> {
    stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line.trim()).ok())
        .context("the benchmark printed no table on stdout (is it a `checks::bench::Bench`?)")
}

/// Adds the rows of `measured` to `table`, keeping the faster of two rows of the same approach
/// and load.
pub fn keep_fastest(table: &mut Table, measured: Table) {
    for row in measured.rows {
        let same = table
            .rows
            .iter_mut()
            .find(|kept| kept.approach == row.approach && kept.load == row.load);
        match same {
            Some(kept) if kept.seconds <= row.seconds => {}
            Some(kept) => *kept = row,
            None => table.rows.push(row),
        }
    }
}

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

/// The table for people: approach, load, time, speedup against the first approach at the same
/// load, peak memory.
pub fn human(table: &Table) -> String {
    let speedups = speedups(table);
    let header = ["approach", "load", "time", "speedup", "peak memory"];
    let mut cells: Vec<[String; 5]> = vec![header.map(str::to_owned)];
    for (row, speedup) in table.rows.iter().zip(&speedups) {
        cells.push([
            row.approach.clone(),
            thousands(row.load),
            duration(row.seconds),
            format!("{speedup:.2}×"),
            row.peak_rss_kib.map_or_else(|| "-".to_owned(), memory),
        ]);
    }
    let mut out = String::new();
    if !table.title.is_empty() {
        out.push_str(&format!("{HEADING}{}{HEADING:#}\n\n", table.title));
    }
    out.push_str(&columns(&cells, &[false, true, true, true, true]));
    // The approach each speedup is measured against: the first one at the row's load.
    let mut baselines: Vec<&str> = Vec::new();
    for row in &table.rows {
        let first = table
            .rows
            .iter()
            .find(|other| other.load == row.load)
            .map_or(row.approach.as_str(), |first| first.approach.as_str());
        if !baselines.contains(&first) {
            baselines.push(first);
        }
    }
    let baseline = match baselines.as_slice() {
        [one] => format!("`{one}`"),
        _ => "the first approach measured".to_owned(),
    };
    out.push_str(&format!(
        "{DIM}speedup: the time of {baseline} at the same load over the approach's own; peak \
         memory: the whole measuring process's{DIM:#}\n"
    ));
    out
}

/// Rows of cells in aligned columns (right-aligned where `right`), the first row bold.
fn columns<const N: usize>(cells: &[[String; N]], right: &[bool; N]) -> String {
    let widths: Vec<usize> = (0..N)
        .map(|column| {
            cells
                .iter()
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (index, row) in cells.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(column, cell)| {
                let pad = " ".repeat(widths[column] - cell.chars().count());
                match right[column] {
                    true => format!("{pad}{cell}"),
                    false => format!("{cell}{pad}"),
                }
            })
            .collect();
        let line = line.join("   ").trim_end().to_owned();
        match index {
            0 => out.push_str(&format!("{HEADING}{line}{HEADING:#}\n")),
            _ => out.push_str(&format!("{line}\n")),
        }
    }
    out
}

/// `1234567` as `1,234,567`.
fn thousands(n: usize) -> String {
    let digits: Vec<char> = n.to_string().chars().collect();
    let groups: Vec<String> = digits
        .rchunks(3)
        .rev()
        .map(|group| group.iter().collect())
        .collect();
    groups.join(",")
}

/// Seconds in the unit that reads best, three significant digits.
fn duration(seconds: f64) -> String {
    let (value, unit) = match seconds {
        s if s >= 1.0 => (s, "s"),
        s if s >= 1e-3 => (s * 1e3, "ms"),
        s if s >= 1e-6 => (s * 1e6, "µs"),
        s => (s * 1e9, "ns"),
    };
    let decimals = match value {
        v if v >= 100.0 => 0,
        v if v >= 10.0 => 1,
        _ => 2,
    };
    format!("{value:.decimals$} {unit}")
}

/// KiB in MiB (or GiB), one decimal.
fn memory(kib: u64) -> String {
    let mib = kib as f64 / 1024.0;
    match mib >= 1024.0 {
        true => format!("{:.1} GiB", mib / 1024.0),
        false => format!("{mib:.1} MiB"),
    }
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

/// The comparison for people: a row per load, then the overall ratio against the target.
pub fn human_comparison(comparison: &Comparison) -> String {
    let mut header = vec![
        "load".to_owned(),
        "yours".into(),
        "reference".into(),
        "ratio".into(),
    ];
    if let Some(baseline) = &comparison.baseline {
        header.push(format!("vs `{baseline}`"));
    }
    let mut cells: Vec<[String; 5]> = Vec::new();
    let mut push = |mut row: Vec<String>| {
        row.resize(5, String::new());
        cells.push(row.try_into().expect("five cells"));
    };
    push(header);
    for at in &comparison.loads {
        let mut row = vec![
            thousands(at.load),
            duration(at.yours),
            duration(at.reference),
            format!("{:.2}×", at.ratio()),
        ];
        if comparison.baseline.is_some() {
            row.push(
                at.baseline_ratio()
                    .map_or("-".into(), |r| format!("{r:.2}×")),
            );
        }
        push(row);
    }
    let table = columns(&cells, &[true; 5]);
    let table: String = table
        .lines()
        .map(|line| format!("  {line}\n"))
        .collect::<String>();
    format!(
        "{HEADING}performance of `{}`{HEADING:#}: measured again on your code and on the \
         reference solution, alternately, the fastest round counting (ratio: the reference's \
         time over yours; above 1 is faster)\n{table}{}\n",
        comparison.approach,
        verdict(comparison)
    )
}

/// "0.92× the reference solution's throughput (target: at least 0.50×): meets the target"
fn verdict(comparison: &Comparison) -> String {
    let (style, word) = match comparison.meets() {
        true => (GOOD, "meets the target"),
        false => (BAD, "below the target"),
    };
    let mut text = format!(
        "`{}` runs at {:.2}× the reference solution's throughput (target: at least {:.2}×): \
         {style}{word}{style:#}",
        comparison.approach,
        comparison.ratio(),
        comparison.min_ratio
    );
    if let (Some(baseline), Some(ratio)) = (&comparison.baseline, comparison.baseline_ratio()) {
        text.push_str(&format!("; {ratio:.2}× `{baseline}`'s"));
    }
    text
}

/// The line `check` prints after a pass: clearly apart from the verdict.
pub fn performance_line(kata: &str, comparison: &Comparison) -> String {
    format!(
        "{HEADING}performance{HEADING:#} (reported apart, never part of the verdict): {}\n  \
         the table: cargo xtask bench {kata}\n",
        verdict(comparison)
    )
}

/// The JSON of `bench --format json`.
pub fn json(
    kata: &str,
    source: &str,
    quick: bool,
    table: &Table,
    comparison: Option<&Comparison>,
) -> String {
    let rows: Vec<serde_json::Value> = table
        .rows
        .iter()
        .zip(speedups(table))
        .map(|(row, speedup)| {
            serde_json::json!({
                "approach": row.approach,
                "load": row.load,
                "seconds": row.seconds,
                "speedup": speedup,
                "peak_rss_kib": row.peak_rss_kib,
            })
        })
        .collect();
    let performance = comparison.map(|comparison| {
        serde_json::json!({
            "approach": comparison.approach,
            "min_ratio": comparison.min_ratio,
            "ratio": comparison.ratio(),
            "meets": comparison.meets(),
            "baseline": comparison.baseline,
            "baseline_ratio": comparison.baseline_ratio(),
            "loads": comparison.loads.iter().map(|at| serde_json::json!({
                "load": at.load,
                "yours_seconds": at.yours,
                "reference_seconds": at.reference,
                "ratio": at.ratio(),
                "baseline_seconds": at.baseline,
                "baseline_ratio": at.baseline_ratio(),
            })).collect::<Vec<_>>(),
        })
    });
    serde_json::json!({
        "kata": kata,
        "source": source,
        "quick": quick,
        "title": table.title,
        "rows": rows,
        "performance": performance,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(approach: &str, load: usize, seconds: f64) -> Row {
        Row {
            approach: approach.into(),
            load,
            seconds,
            peak_rss_kib: Some(2048),
        }
    }

    fn table(rows: Vec<Row>) -> Table {
        Table {
            title: "jobs".into(),
            rows,
        }
    }

    fn plain(text: &str) -> String {
        anstream::adapter::strip_str(text).to_string()
    }

    fn performance(baseline: Option<&str>) -> Performance {
        Performance {
            approach: "this pool".into(),
            min_ratio: 0.5,
            baseline: baseline.map(str::to_owned),
            load: None,
        }
    }

    #[test]
    fn the_library_json_is_read_and_unknown_fields_ignored() {
        let stdout = "a line the code under test printed\n\
            {\"title\":\"t\",\"rows\":[{\"approach\":\"a\",\"load\":10,\"seconds\":0.5,\
            \"peak_rss_kib\":null,\"runs\":5}],\"machine\":\"x\"}\n";
        let parsed: Table = last_json(stdout).unwrap();
        assert_eq!(parsed.rows[0].approach, "a");
        assert_eq!(parsed.rows[0].peak_rss_kib, None);
        assert!(last_json::<Table>("nothing\n").is_err());
    }

    #[test]
    fn the_fastest_of_several_rounds_is_kept() {
        let mut kept = table(Vec::new());
        keep_fastest(&mut kept, table(vec![row("a", 10, 2.0)]));
        keep_fastest(&mut kept, table(vec![row("a", 10, 1.0), row("b", 10, 3.0)]));
        keep_fastest(&mut kept, table(vec![row("a", 10, 1.5), row("a", 20, 9.0)]));
        assert_eq!(
            kept.rows,
            vec![row("a", 10, 1.0), row("b", 10, 3.0), row("a", 20, 9.0)]
        );
    }

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
    fn the_footer_names_the_baseline_only_when_there_is_one() {
        let one = table(vec![row("sequential", 10, 1.0), row("threads", 10, 0.5)]);
        assert!(human(&one).contains("the time of `sequential` at the same load"));
        let groups = table(vec![
            row("io: sequential", 10, 1.0),
            row("io: async", 10, 0.1),
            row("cpu: sequential", 1_000, 1.0),
            row("cpu: threads", 1_000, 0.5),
        ]);
        assert!(human(&groups).contains("the time of the first approach measured at the same load"));
    }

    #[test]
    fn the_human_table_has_every_column_aligned() {
        let t = table(vec![
            row("packed", 1_000_000, 0.0123),
            row("one shared atomic", 1_000_000, 0.000_5),
        ]);
        let text = plain(&human(&t));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "jobs");
        assert_eq!(
            lines[2],
            "approach                 load      time   speedup   peak memory"
        );
        assert_eq!(
            lines[3],
            "packed              1,000,000   12.3 ms     1.00×       2.0 MiB"
        );
        assert_eq!(
            lines[4],
            "one shared atomic   1,000,000    500 µs    24.60×       2.0 MiB"
        );
        assert!(lines[5].contains("`packed`"), "{text}");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
        assert_eq!(duration(2.5), "2.50 s");
        assert_eq!(duration(0.0421), "42.1 ms");
        assert_eq!(duration(0.000_003), "3.00 µs");
        assert_eq!(duration(0.0), "0.00 ns");
        assert_eq!(memory(1536), "1.5 MiB");
        assert_eq!(memory(3 << 20), "3.0 GiB");
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

    #[test]
    fn the_comparison_says_meets_or_below_and_names_the_baseline() {
        let yours = table(vec![row("this pool", 10, 1.0), row("crate", 10, 2.0)]);
        let reference = table(vec![row("this pool", 10, 1.25)]);
        let comparison = compare(&performance(Some("crate")), &yours, &reference).unwrap();
        let text = plain(&human_comparison(&comparison));
        assert!(text.contains("1.25×"), "{text}");
        assert!(text.contains("vs `crate`"), "{text}");
        assert!(
            text.contains("(target: at least 0.50×): meets the target; 2.00× `crate`'s"),
            "{text}"
        );
        let line = plain(&performance_line("thread_pool", &comparison));
        assert!(line.starts_with("performance (reported apart"), "{line}");
        assert!(line.contains("cargo xtask bench thread_pool"), "{line}");
        let slow = table(vec![row("this pool", 10, 5.0), row("crate", 10, 2.0)]);
        let comparison = compare(&performance(Some("crate")), &slow, &reference).unwrap();
        let line = plain(&performance_line("thread_pool", &comparison));
        assert!(
            line.contains("0.25×") && line.contains("below the target"),
            "{line}"
        );
    }

    #[test]
    fn the_json_carries_speedups_and_the_comparison() {
        let yours = table(vec![row("this pool", 10, 1.0), row("crate", 10, 2.0)]);
        let reference = table(vec![row("this pool", 10, 0.5)]);
        let comparison = compare(&performance(Some("crate")), &yours, &reference).unwrap();
        let text = json("k", "src/lib.rs", false, &yours, Some(&comparison));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["rows"][1]["speedup"], 0.5);
        assert_eq!(value["performance"]["ratio"], 0.5);
        assert_eq!(value["performance"]["meets"], true);
        assert_eq!(value["performance"]["baseline_ratio"], 2.0);
        let text = json("k", "src/lib.rs", true, &yours, None);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(value["performance"].is_null());
    }
}
