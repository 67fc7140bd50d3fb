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
//! An approach may also run at loads of its own ([`Bench::approach_at`]: two workloads in one
//! table, each with its own baseline, since speedups compare approaches at the same load), or
//! time itself ([`Bench::approach_timed`]: when what matters is, say, the latency of some
//! requests rather than the whole run).
//!
//! The program speaks JSON on stdout: one [`Table`] when run plainly, one [`Row`] when run as
//! `--approach NAME --load N` (how it measures each approach alone). `--quick` runs every
//! approach once at the smallest load, to show the benchmark still works.

use std::time::{Duration, Instant};

pub use harness::protocol::{BenchRow as Row, BenchTable as Table};

/// How many times each approach runs at each load, after one warm-up run; the median counts.
const REPEAT: usize = 5;

/// A benchmark program's declaration: approaches and loads.
pub struct Bench {
    title: String,
    loads: Vec<usize>,
    approaches: Vec<Approach>,
}

/// One declared approach.
#[derive(Debug)]
struct Approach {
    name: String,
    /// Its own loads, instead of the bench's.
    loads: Option<Vec<usize>>,
    run: Run,
}

/// How an approach runs once.
#[derive(Debug, Clone, Copy)]
enum Run {
    /// Timed from the outside: the whole call.
    Whole(fn(usize)),
    /// Times itself: the duration it returns.
    Timed(fn(usize) -> Duration),
}

impl Run {
    /// Runs once and tells how long it took.
    fn once(self, load: usize) -> Duration {
        match self {
            Run::Whole(run) => {
                let start = Instant::now();
                run(load);
                start.elapsed()
            }
            Run::Timed(run) => run(load),
        }
    }
}

impl Approach {
    /// The loads this approach runs at, smallest first.
    fn loads<'a>(&'a self, bench: &'a Bench) -> &'a [usize] {
        self.loads.as_deref().unwrap_or(&bench.loads)
    }
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
        self.approaches.push(Approach {
            name: name.to_owned(),
            loads: None,
            run: Run::Whole(run),
        });
        self
    }

    /// One way of doing the workload, at `loads` of its own (smallest first) instead of the
    /// bench's. Speedups compare approaches at the same load, so approaches with loads of their
    /// own form a group whose first one is its baseline: two workloads can share one table.
    pub fn approach_at(mut self, name: &str, loads: &[usize], run: fn(usize)) -> Self {
        self.approaches.push(Approach {
            name: name.to_owned(),
            loads: Some(loads.to_vec()),
            run: Run::Whole(run),
        });
        self
    }

    /// One way of doing the workload that times itself: `run(load)` does it once and returns
    /// the time to report (say, how long some requests waited, leaving out the set-up).
    /// `loads` as in [`Bench::approach_at`]; `None` for the bench's.
    pub fn approach_timed(
        mut self,
        name: &str,
        loads: Option<&[usize]>,
        run: fn(usize) -> Duration,
    ) -> Self {
        self.approaches.push(Approach {
            name: name.to_owned(),
            loads: loads.map(<[usize]>::to_vec),
            run: Run::Timed(run),
        });
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

    fn find(&self, name: &str) -> Result<Run, String> {
        self.approaches
            .iter()
            .find(|known| known.name == name)
            .map(|known| known.run)
            .ok_or_else(|| format!("no approach named `{name}`"))
    }

    /// Every load some approach runs at, smallest first.
    fn all_loads(&self) -> Vec<usize> {
        let mut loads: Vec<usize> = self
            .approaches
            .iter()
            .flat_map(|approach| approach.loads(self).iter().copied())
            .collect();
        loads.sort_unstable();
        loads.dedup();
        loads
    }

    /// Runs one approach in this process and reports its row.
    fn measure_here(&self, name: &str, load: &str) -> Result<String, String> {
        let run = self.find(name)?;
        let load: usize = load
            .parse()
            .map_err(|_| format!("`{load}` is not a load"))?;
        run.once(load);
        let mut times: Vec<Duration> = (0..REPEAT).map(|_| run.once(load)).collect();
        times.sort();
        let row = Row {
            approach: name.to_owned(),
            load,
            seconds: times[REPEAT / 2].as_secs_f64(),
            peak_rss_kib: peak_rss_kib(),
        };
        serde_json::to_string(&row).map_err(|e| e.to_string())
    }

    /// Runs every approach once at its smallest load, in this process.
    fn quick(&self) -> Result<String, String> {
        let rows = self
            .approaches
            .iter()
            .map(|approach| {
                let load = approach.loads(self).iter().copied().min().unwrap_or(1);
                Row {
                    approach: approach.name.clone(),
                    load,
                    seconds: approach.run.once(load).as_secs_f64(),
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
        for load in self.all_loads() {
            let here = self
                .approaches
                .iter()
                .filter(|approach| approach.loads(self).contains(&load));
            for Approach { name, .. } in here {
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
    fn approaches_with_loads_of_their_own_run_only_there() {
        let bench = Bench::new("t")
            .loads(&[10, 20])
            .approach("a", |_| ())
            .approach_at("b", &[5, 20], |_| ())
            .approach_timed("c", Some(&[7]), |_| Duration::from_millis(3));
        assert_eq!(bench.all_loads(), vec![5, 7, 10, 20]);
        let at = |load| -> Vec<&str> {
            bench
                .approaches
                .iter()
                .filter(|a| a.loads(&bench).contains(&load))
                .map(|a| a.name.as_str())
                .collect()
        };
        assert_eq!(at(20), vec!["a", "b"]);
        assert_eq!(at(7), vec!["c"]);
        let table: Table = serde_json::from_str(&bench.quick().unwrap()).unwrap();
        let rows: Vec<(&str, usize)> = table
            .rows
            .iter()
            .map(|row| (row.approach.as_str(), row.load))
            .collect();
        assert_eq!(rows, vec![("a", 10), ("b", 5), ("c", 7)]);
        assert_eq!(
            table.rows[2].seconds, 0.003,
            "a timed approach reports its own time"
        );
    }

    #[test]
    fn an_unknown_approach_is_named_in_the_error() {
        let bench = Bench::new("t").approach("pool", |_| ());
        assert_eq!(bench.find("pol").unwrap_err(), "no approach named `pol`");
    }
}
