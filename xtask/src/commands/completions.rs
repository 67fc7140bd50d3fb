//! `completions`: shell completions for the command `xtask`, with the katas' names.
//!
//! Completions are for a command word, and `cargo xtask` is two; with
//! `alias xtask='cargo xtask'` the shell completes `xtask <TAB>`. Kata names are those found when
//! the completions are written: write them again after new katas arrive.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::builder::PossibleValuesParser;
use clap::CommandFactory;
use clap_complete::Shell as Target;

use crate::catalog::Catalog;
use crate::cli::{Cli, Completions, Shell};

/// The subcommands whose `kata` argument names a kata.
const NAMING_A_KATA: [&str; 10] = [
    "check", "hint", "lesson", "watch", "reset", "solution", "verify", "replay", "next", "bench",
];

impl Completions {
    /// Prints the completion script for `shell` on stdout.
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let shell = self.shell;
        let names: Vec<String> = catalog.names().into_iter().map(str::to_owned).collect();
        let mut command = Cli::command().bin_name("xtask");
        for subcommand in NAMING_A_KATA {
            let names = names.clone();
            command = command.mut_subcommand(subcommand, |sub| {
                if sub.get_arguments().any(|arg| arg.get_id() == "kata") {
                    sub.mut_arg("kata", |arg| {
                        arg.value_parser(PossibleValuesParser::new(names))
                    })
                } else {
                    sub
                }
            });
        }
        let target = match shell {
            Shell::Bash => Target::Bash,
            Shell::Zsh => Target::Zsh,
            Shell::Fish => Target::Fish,
        };
        let mut script = Vec::new();
        clap_complete::generate(target, &mut command, "xtask", &mut script);
        match std::io::stdout().write_all(&script) {
            Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(err).context("cannot write the completions")
            }
            _ => Ok(ExitCode::SUCCESS),
        }
    }
}
