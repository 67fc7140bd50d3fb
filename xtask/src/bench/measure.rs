//! Running a benchmark program and reading what it printed.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use super::{Row, Table};
use crate::spawn::Spawn;

/// How long one benchmark program may run, every approach and load included.
pub const BUDGET: Duration = Duration::from_secs(20 * 60);

/// How much of a benchmark's stdout is kept (its JSON is small).
const OUTPUT_CAP: usize = 4 << 20;

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

#[cfg(test)]
mod tests {
    use super::super::fixtures::{row, table};
    use super::*;

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
}
