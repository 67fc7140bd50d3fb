//! What a benchmark measured, for people (aligned tables, the comparison with the reference
//! solution, `check`'s performance line) and as the JSON of `bench --format json`.

use anstyle::{AnsiColor, Style};

use super::compare::{speedups, Comparison};
use super::Table;

const GOOD: Style = AnsiColor::Green.on_default().bold();
const BAD: Style = AnsiColor::Yellow.on_default().bold();
const HEADING: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

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
    use super::super::compare::compare;
    use super::super::fixtures::{performance, plain, row, table};
    use super::*;

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
