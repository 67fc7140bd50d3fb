//! Benchmarks of a kata: the same workload done by several approaches (sequentially, with
//! threads, with a pool, ...), each timed and each measured for peak memory in a process of its
//! own, at one or more loads. `cargo xtask bench <kata>` builds `tests/benches/<kata>.rs` in
//! release mode against a variant of the kata, runs it, and prints the table.
//!
//! ```no_run
//! use checks::bench::Bench;
//!
//! fn sum_sequentially(load: usize) {
//!     std::hint::black_box((0..load as u64).sum::<u64>());
//! }
//!
//! fn main() {
//!     Bench::new("sum of the first n numbers")
//!         .loads(&[1_000, 1_000_000])
//!         .approach("sequential", sum_sequentially)
//!         .run();
//! }
//! ```
//!
//! The program speaks JSON on stdout: one [`Table`] when run plainly, one [`Row`] when run as
//! `--approach NAME --load N` (how it measures each approach alone). `--quick` runs every
//! approach once at the smallest load, to show the benchmark still works.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// How many times each approach runs at each load, after one warm-up run; the median counts.
const REPEAT: usize = 5;

/// What one benchmark program measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// What the workload is.
    pub title: String,
    /// One row per approach and load, in declaration order.
    pub rows: Vec<Row>,
}

/// One approach at one load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The approach's name (`threads`, `pool`, `reference`, ...).
    pub approach: String,
    /// The size of the workload.
    pub load: usize,
    /// The median wall-clock time of one run, in seconds.
    pub seconds: f64,
    /// The process's peak resident memory in KiB, where the system tells it.
    pub peak_rss_kib: Option<u64>,
}

/// A benchmark program's declaration: approaches and loads.
pub struct Bench {
    title: String,
    loads: Vec<usize>,
    approaches: Vec<(String, fn(usize))>,
}

impl Bench {
    /// A benchmark of `title`, at load 1 until [`Bench::loads`] says otherwise.
    pub fn new(title: &str) -> Self {
        Bench {
            title: title.to_owned(),
            loads: vec![1],
            approaches: Vec::new(),
        }
    }

    /// The loads to measure every approach at, smallest first.
    pub fn loads(mut self, loads: &[usize]) -> Self {
        self.loads = loads.to_vec();
        self
    }

    /// One way of doing the workload; `run(load)` does it once.
    pub fn approach(mut self, name: &str, run: fn(usize)) -> Self {
        self.approaches.push((name.to_owned(), run));
        self
    }

    /// Measures and prints the JSON the runner reads. Never returns.
    pub fn run(self) -> ! {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let result = match args.as_slice() {
            [flag, name, load_flag, load] if flag == "--approach" && load_flag == "--load" => {
                self.measure_here(name, load)
            }
            [quick] if quick == "--quick" => self.quick(),
            [] => self.measure_each_alone(),
            _ => Err(format!(
                "usage: {} [--quick | --approach NAME --load N]",
                std::env::args().next().unwrap_or_default()
            )),
        };
        match result {
            Ok(json) => {
                println!("{json}");
                std::process::exit(0)
            }
            Err(message) => {
                eprintln!("{message}");
                std::process::exit(2)
            }
        }
    }

    fn find(&self, name: &str) -> Result<fn(usize), String> {
        self.approaches
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, run)| *run)
            .ok_or_else(|| format!("no approach named `{name}`"))
    }

    /// Runs one approach in this process and reports its row.
    fn measure_here(&self, name: &str, load: &str) -> Result<String, String> {
        let run = self.find(name)?;
        let load: usize = load
            .parse()
            .map_err(|_| format!("`{load}` is not a load"))?;
        run(load);
        let mut times: Vec<Duration> = (0..REPEAT)
            .map(|_| {
                let start = Instant::now();
                run(load);
                start.elapsed()
            })
            .collect();
        times.sort();
        let row = Row {
            approach: name.to_owned(),
            load,
            seconds: times[REPEAT / 2].as_secs_f64(),
            peak_rss_kib: peak_rss_kib(),
        };
        serde_json::to_string(&row).map_err(|e| e.to_string())
    }

    /// Runs every approach once at the smallest load, in this process.
    fn quick(&self) -> Result<String, String> {
        let load = self.loads.iter().copied().min().unwrap_or(1);
        let rows = self
            .approaches
            .iter()
            .map(|(name, run)| {
                let start = Instant::now();
                run(load);
                Row {
                    approach: name.clone(),
                    load,
                    seconds: start.elapsed().as_secs_f64(),
                    peak_rss_kib: None,
                }
            })
            .collect();
        self.table(rows)
    }

    /// Runs each approach at each load in a process of its own, so peak memory is its own.
    fn measure_each_alone(&self) -> Result<String, String> {
        let me = std::env::current_exe().map_err(|e| format!("cannot find myself: {e}"))?;
        let mut rows = Vec::new();
        for &load in &self.loads {
            for (name, _) in &self.approaches {
                eprintln!("measuring `{name}` at load {load}");
                let output = std::process::Command::new(&me)
                    .args(["--approach", name, "--load", &load.to_string()])
                    .stderr(std::process::Stdio::inherit())
                    .output()
                    .map_err(|e| format!("cannot start {}: {e}", me.display()))?;
                if !output.status.success() {
                    return Err(format!(
                        "`{name}` at load {load} failed ({})",
                        output.status
                    ));
                }
                let row: Row = serde_json::from_slice(&output.stdout)
                    .map_err(|e| format!("`{name}` at load {load} reported nonsense: {e}"))?;
                rows.push(row);
            }
        }
        self.table(rows)
    }

    fn table(&self, rows: Vec<Row>) -> Result<String, String> {
        let table = Table {
            title: self.title.clone(),
            rows,
        };
        serde_json::to_string(&table).map_err(|e| e.to_string())
    }
}

/// The process's peak resident set (`VmHWM`), on systems with `/proc`.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_peak_resident_set() {
        assert!(peak_rss_kib().is_some_and(|kib| kib > 0));
    }

    #[test]
    fn an_unknown_approach_is_named_in_the_error() {
        let bench = Bench::new("t").approach("pool", |_| ());
        assert_eq!(bench.find("pol").unwrap_err(), "no approach named `pol`");
    }
}
