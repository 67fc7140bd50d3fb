//! The command line: every subcommand and its flags.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

use crate::shard::Shard;

/// Self-grading concurrency katas: check your code, get hints, verify the katas themselves.
#[derive(Parser, Debug)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands, each a struct of its arguments whose `run` is in its module of
/// [`commands`](crate::commands).
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the katas by track, with how far you got in each.
    List(List),
    /// Print the first kata that does not pass yet, in `list` order, and how to start on it.
    Next(Next),
    /// Print a kata's lesson (its README).
    Lesson(Lesson),
    /// Build a kata's code and run its checks.
    Check(Check),
    /// Measure a kata's approaches (time, speedup, peak memory) with its benchmark, built
    /// optimised against your file; with a performance target, also against the reference
    /// solution.
    Bench(Bench),
    /// Re-check a kata every time its file is saved (keys on a terminal: n h l r q).
    Watch(Watch),
    /// Show the next hint for a kata.
    Hint(Hint),
    /// Print a kata's reference solution, once your file passes.
    Solution(Solution),
    /// Restore a kata's starting code from git, keeping a backup of your file.
    Reset(Reset),
    /// Rerun one failing check on exactly the schedule that failed.
    Replay(Replay),
    /// Prove the katas' checks: solutions pass, mutants get their expected verdicts.
    Verify(Verify),
    /// Mutation testing: mutate the reference solutions with concurrency operators and prove
    /// the checks catch every mutant.
    Mutate(Mutate),
    /// Grade a submission (or a class of them) against this repository's own checks.
    Grade(Grade),
    /// The project's own test suite, as CI runs it: formatting, lints, tests, then verify.
    Test(Test),
    /// Print shell completions for the command `xtask` (e.g. with `alias xtask='cargo xtask'`).
    Completions(Completions),
    /// Write the skeleton of a new kata, which verifies as written (for kata authors).
    New(New),
    /// Install Miri (a nightly toolchain with its `miri` component, through rustup), which
    /// `check --miri` and the katas of track 8 use.
    SetupMiri(SetupMiri),
}

/// `list`.
#[derive(Args, Debug)]
pub struct List {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// `next`.
#[derive(Args, Debug)]
pub struct Next {}

/// `lesson`.
#[derive(Args, Debug)]
pub struct Lesson {
    /// The kata, e.g. `hit_counter`.
    pub kata: String,
}

/// `check`.
#[derive(Args, Debug)]
pub struct Check {
    /// The kata to check, e.g. `hit_counter`.
    pub kata: String,
    /// Options shared with `replay`.
    #[command(flatten)]
    pub run: RunArgs,
    /// Skip the performance measurement that follows a pass of a kata with a performance
    /// target (it never changes the verdict).
    #[arg(long)]
    pub no_perf: bool,
    /// Also run the checks under Miri, which finds undefined behaviour: use after free, data
    /// races on plain memory, aliasing violations, leaks (track 8 katas always do, when Miri is
    /// installed: `cargo xtask setup-miri`).
    #[arg(long)]
    pub miri: bool,
    /// Run only the checks of this mode: sequential, model, explore, stress or miri.
    #[arg(long, value_name = "MODE")]
    pub only: Option<harness::protocol::Mode>,
}

/// `bench`.
#[derive(Args, Debug)]
pub struct Bench {
    /// The kata, e.g. `false_sharing`.
    pub kata: String,
    /// A file to measure in place of the kata's `src/lib.rs`.
    #[arg(long, value_name = "FILE")]
    pub source: Option<PathBuf>,
    /// Run every approach once at the smallest load: does the benchmark still work?
    #[arg(long)]
    pub quick: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// `watch`.
#[derive(Args, Debug)]
pub struct Watch {
    /// The kata to watch (default: the first that does not pass yet, as `next` says).
    pub kata: Option<String>,
    /// Poll the file for changes instead of asking the operating system to report them.
    #[arg(long)]
    pub poll: bool,
}

/// `hint`.
#[derive(Args, Debug)]
pub struct Hint {
    /// The kata, e.g. `hit_counter`.
    pub kata: String,
}

/// `solution`.
#[derive(Args, Debug)]
pub struct Solution {
    /// The kata, e.g. `hit_counter`.
    pub kata: String,
    /// Print it even though your file does not pass yet.
    #[arg(long)]
    pub force: bool,
}

/// `reset`.
#[derive(Args, Debug)]
pub struct Reset {
    /// The kata, e.g. `hit_counter`.
    pub kata: String,
}

/// `replay`.
#[derive(Args, Debug)]
pub struct Replay {
    /// The kata, e.g. `hit_counter`.
    pub kata: String,
    /// The replay token printed by `check` (MODE.CHECK or MODE.CHECK.SCHEDULE).
    pub token: String,
    /// Options shared with `check`.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `verify`.
#[derive(Args, Debug)]
pub struct Verify {
    /// Only this kata (default: every kata).
    pub kata: Option<String>,
    /// Write the mutants' explanation snapshots instead of comparing them.
    #[arg(long, conflicts_with = "repeat")]
    pub bless: bool,
    /// Check every variant this many times and count the runs that got the expected
    /// verdict (the same verdict every run is the promise; snapshots are not compared).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub repeat: Option<u32>,
    /// Only part I of N of the katas (e.g. 2/4: one of four CI runners), balanced by their
    /// number of variants; the N parts together are every kata once.
    #[arg(long, value_name = "I/N", conflicts_with = "kata")]
    pub shard: Option<Shard>,
}

/// `test`.
#[derive(Args, Debug)]
pub struct Test {}

/// `completions`.
#[derive(Args, Debug)]
pub struct Completions {
    /// The shell.
    pub shell: Shell,
}

/// `setup-miri`.
#[derive(Args, Debug)]
pub struct SetupMiri {}

/// `new`.
#[derive(Args, Debug)]
pub struct New {
    /// The kata's name: lowercase words joined by `_`, e.g. `ticket_lock`.
    pub kata: String,
    /// The track it joins, e.g. 2 (its directory is `exercises/02-...`).
    #[arg(long)]
    pub track: u32,
    /// The name of a track that has no directory yet, e.g. `atomics`.
    #[arg(long, value_name = "NAME")]
    pub track_name: Option<String>,
}

/// Options of every command that builds and runs a kata's checks.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// A file to check in place of the kata's `src/lib.rs`.
    #[arg(long, value_name = "FILE")]
    pub source: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Seed of the explore schedulers (default: the kata's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Show every step of a failing interleaving, not only the last ones.
    #[arg(long)]
    pub full_trace: bool,
    /// Show the check processes' own output.
    #[arg(long)]
    pub verbose: bool,
    /// Open the report page of a failing check in the default browser.
    #[arg(long)]
    pub open: bool,
}

/// `mutate`.
#[derive(Args, Debug, Clone)]
#[command(group(ArgGroup::new("which").required(true).args(["katas", "all"])))]
pub struct Mutate {
    /// The katas to mutate, e.g. `barrier nightclub`.
    pub katas: Vec<String>,
    /// Mutate every kata.
    #[arg(long)]
    pub all: bool,
    /// Check only this many mutants of each kata, drawn from `--seed`.
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
    /// Seed of `--sample`.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Mutants checked at once (default: the number of cores).
    #[arg(long, default_value_t = default_jobs())]
    pub jobs: usize,
    /// Fail when a kata's mutation score is below this percentage.
    #[arg(long, value_name = "PERCENT")]
    pub min_score: Option<f64>,
    /// Only list the mutants, with their diffs: build and check nothing.
    #[arg(long)]
    pub list: bool,
    /// Check the mutants with this mode's checks alone (sequential, model, explore, stress or
    /// miri): which of them that mode catches by itself, and after how many schedules or
    /// rounds, which is how a mode's budget is measured. Survivors are then expected: nothing
    /// fails.
    #[arg(long, value_name = "MODE")]
    pub only: Option<harness::protocol::Mode>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// The number of cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// `grade`.
#[derive(Args, Debug, Clone)]
#[command(group(ArgGroup::new("what").required(true).args(["submission", "class", "merge"])))]
pub struct Grade {
    /// A submission: a clone of this repository with a learner's work in it. Only the files
    /// under `exercises/*/<kata>/src/` are taken from it.
    #[arg(long, value_name = "DIR")]
    pub submission: Option<PathBuf>,
    /// A class: every subdirectory of DIR is one student's submission.
    #[arg(long, value_name = "DIR")]
    pub class: Option<PathBuf>,
    /// Grade only this kata (repeatable; default: every kata).
    #[arg(long = "kata", value_name = "NAME")]
    pub katas: Vec<String>,
    /// Output format of a submission's grade (a class always gets CSV and JSON).
    #[arg(long, value_enum, default_value_t = GradeFormat::Json)]
    pub format: GradeFormat,
    /// Write the grade to FILE instead of stdout; with --class, the directory for
    /// `gradebook.csv` and `gradebook.json` (default `target/xtask/gradebook/`).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Katas graded at once.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Lower every check's time budget to SECS (never raises a kata's own budget).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub time_limit: Option<u64>,
    /// Lower every check's memory (address space) limit to MB MiB (never raises a kata's own).
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..))]
    pub memory_limit: Option<u64>,
    /// Lower the time limit of each build (900 s) to SECS.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub build_time_limit: Option<u64>,
    /// With --class: grade only part I of N of the class folder's entries (dealt out in name
    /// order), for one of N machines; `--merge` joins the parts' gradebooks.
    #[arg(long, value_name = "I/N", requires = "class")]
    pub shard: Option<Shard>,
    /// Join the gradebooks in these directories (each written by `grade --class --shard`) into
    /// one, written to --output (default `target/xtask/gradebook/`).
    #[arg(long, value_name = "DIR", num_args = 1..)]
    pub merge: Vec<PathBuf>,
}

/// The formats a grade is written in.
#[derive(ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum GradeFormat {
    /// Ours: total, max, per kata the verdict, points, checks, limits and seed.
    Json,
    /// Gradescope's `results.json`.
    Gradescope,
    /// JUnit XML: a test suite per kata, a test case per check.
    Junit,
    /// A GitHub Classroom result object.
    Classroom,
    /// A Markdown table, also appended to `$GITHUB_STEP_SUMMARY` when that is set.
    Markdown,
}

/// The shells that completions are written for.
#[derive(ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shell {
    /// GNU bash.
    Bash,
    /// Z shell.
    Zsh,
    /// The friendly interactive shell.
    Fish,
}

/// How results are printed.
#[derive(ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    /// For people: colours where the terminal has them.
    Human,
    /// One JSON value on stdout.
    Json,
}
