//! The command line: every subcommand and its flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Self-grading concurrency katas: check your code, get hints, verify the katas themselves.
#[derive(Parser, Debug)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the katas by track, with how far you got in each.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Build a kata's code and run its checks.
    Check {
        /// The kata to check, e.g. `hit_counter`.
        kata: String,
        /// Options shared with `replay`.
        #[command(flatten)]
        run: RunArgs,
    },
    /// Show the next hint for a kata.
    Hint {
        /// The kata, e.g. `hit_counter`.
        kata: String,
    },
    /// Prove the katas' checks: solutions pass, mutants get their expected verdicts.
    Verify {
        /// Only this kata (default: every kata).
        kata: Option<String>,
        /// Write the mutants' explanation snapshots instead of comparing them.
        #[arg(long)]
        bless: bool,
    },
    /// The project's own test suite, as CI runs it: formatting, lints, tests, then verify.
    Test,
    /// Rerun one failing check on exactly the schedule that failed.
    Replay {
        /// The kata, e.g. `hit_counter`.
        kata: String,
        /// The replay token printed by `check` (MODE.CHECK.SCHEDULE).
        token: String,
        /// Options shared with `check`.
        #[command(flatten)]
        run: RunArgs,
    },
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
}

/// How results are printed.
#[derive(ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    /// For people: colours where the terminal has them.
    Human,
    /// One JSON value on stdout.
    Json,
}
