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
    /// Print the first kata that does not pass yet, in `list` order, and how to start on it.
    Next,
    /// Print a kata's lesson (its README).
    Lesson {
        /// The kata, e.g. `hit_counter`.
        kata: String,
    },
    /// Build a kata's code and run its checks.
    Check {
        /// The kata to check, e.g. `hit_counter`.
        kata: String,
        /// Options shared with `replay`.
        #[command(flatten)]
        run: RunArgs,
    },
    /// Re-check a kata every time its file is saved (keys on a terminal: n h l r q).
    Watch {
        /// The kata to watch (default: the first that does not pass yet, as `next` says).
        kata: Option<String>,
        /// Poll the file for changes instead of asking the operating system to report them.
        #[arg(long)]
        poll: bool,
    },
    /// Show the next hint for a kata.
    Hint {
        /// The kata, e.g. `hit_counter`.
        kata: String,
    },
    /// Print a kata's reference solution, once your file passes.
    Solution {
        /// The kata, e.g. `hit_counter`.
        kata: String,
        /// Print it even though your file does not pass yet.
        #[arg(long)]
        force: bool,
    },
    /// Restore a kata's starting code from git, keeping a backup of your file.
    Reset {
        /// The kata, e.g. `hit_counter`.
        kata: String,
    },
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
    /// Print shell completions for the command `xtask` (e.g. with `alias xtask='cargo xtask'`).
    Completions {
        /// The shell.
        shell: Shell,
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
