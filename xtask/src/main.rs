//! `cargo xtask`: check, list, hint, verify and replay the concurrency katas; watch, reset and
//! compare with the solution while learning; grade submissions.
//!
//! Every command that runs checks goes through one mechanism: a *variant* (a source file standing
//! in for a kata's `src/lib.rs`) is built in a scratch crate ([`variant`], [`compile`]), its check
//! binaries are asked for their checks and run one check per process ([`run`]; every child
//! process is started by [`spawn`]), mode by mode ([`checker`], [`results`]), and the result is
//! printed for people or as JSON ([`output`], [`explain`]).
//! Kata metadata comes from `kata.toml` ([`catalog`], [`metadata`]); the learner's progress is
//! kept in `target/xtask/state.json` ([`state`]). `watch` re-checks on every save ([`watcher`],
//! [`keys`]).
//! `bench` builds a kata's benchmark optimised and prints what it measured, against the
//! reference solution where `kata.toml` sets a performance target ([`bench`]).
//! `grade` takes only the learner's files from a submission ([`submission`]), checks every kata
//! of it under limits into points ([`grading`]), and writes the grade in the formats CI systems
//! read ([`formats`]) or a class's gradebook ([`gradebook`]).
//!
//! The repository is the one this xtask was built in, or the one named by `XTASK_ROOT` (read in
//! [`catalog::Catalog::discover`] only); builds go to its `target/`, or to `CARGO_TARGET_DIR`.
//!
//! Exit status: 0 pass, 1 the kata (or a verified variant) does not pass, 2 a usage or
//! infrastructure error, reported as one line on stderr.

mod bench;
mod catalog;
mod checker;
mod cli;
mod commands;
mod compile;
mod explain;
mod fingerprint;
mod formats;
mod gradebook;
mod grading;
mod interleave;
mod keys;
mod learner;
mod leftovers;
mod links;
mod metadata;
mod miri;
mod mutation;
mod output;
mod parallel;
mod policy;
mod progress;
mod registry;
mod report_page;
mod requirements;
mod results;
mod run;
mod rust_version;
mod sandbox;
mod sanitize;
mod scaffold;
mod shard;
mod spawn;
mod state;
mod submission;
mod variant;
mod watcher;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;

/// Usage and infrastructure errors: one line on stderr, exit status 2.
fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err)
            if !err.use_stderr()
                || err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            err.exit()
        }
        Err(err) => {
            let rendered = err.render().to_string();
            let problem = rendered.split("\n\n").next().unwrap_or_default();
            let words: Vec<&str> = problem.split_whitespace().collect();
            eprintln!("{} (see `cargo xtask --help`)", words.join(" "));
            return ExitCode::from(2);
        }
    };
    let result =
        catalog::Catalog::discover().and_then(|catalog| commands::run(&catalog, cli.command));
    match result {
        Ok(code) => code,
        Err(err) => {
            let message = format!("{err:#}").replace('\n', " ");
            anstream::eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
