//! One module per subcommand, with the `run` of the subcommand's arguments (a struct of
//! [`cli`](crate::cli)); each returns the process's exit status or a user-facing error.

mod bench;
mod check;
mod completions;
mod grade;
mod hint;
mod lesson;
mod list;
mod mutate;
mod new;
mod next;
mod reset;
mod solution;
mod test;
mod verify;
mod watch;

use std::process::ExitCode;

use anyhow::Result;

use crate::catalog::Catalog;
use crate::cli::Command;

/// Runs `command` against the katas of `catalog`.
pub fn run(catalog: &Catalog, command: Command) -> Result<ExitCode> {
    match command {
        Command::List(command) => command.run(catalog),
        Command::Next(command) => command.run(catalog),
        Command::Lesson(command) => command.run(catalog),
        Command::Check(command) => command.run(catalog),
        Command::Bench(command) => command.run(catalog),
        Command::Watch(command) => command.run(catalog),
        Command::Hint(command) => command.run(catalog),
        Command::Solution(command) => command.run(catalog),
        Command::Reset(command) => command.run(catalog),
        Command::Replay(command) => command.run(catalog),
        Command::Verify(command) => command.run(catalog),
        Command::Mutate(command) => command.run(catalog),
        Command::Grade(command) => command.run(catalog),
        Command::Test(command) => command.run(catalog),
        Command::Completions(command) => command.run(catalog),
        Command::New(command) => command.run(catalog),
        Command::SetupMiri(_) => crate::miri::setup().map(|()| ExitCode::SUCCESS),
    }
}

/// Exit status 0 when `passed`, else 1 (the kata, or a variant, does not pass).
fn status(passed: bool) -> ExitCode {
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
