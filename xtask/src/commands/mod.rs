//! One module per subcommand; each returns the process's exit status or a user-facing error.

mod bench;
mod check;
mod completions;
mod grade;
mod hint;
mod lesson;
mod list;
mod mutate;
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
        Command::List { format } => list::list(catalog, format),
        Command::Check { kata, run, no_perf } => check::check(catalog, &kata, &run, !no_perf),
        Command::Bench {
            kata,
            source,
            quick,
            format,
        } => bench::bench(catalog, &kata, source.as_deref(), quick, format),
        Command::Hint { kata } => hint::hint(catalog, &kata),
        Command::Next => next::next(catalog),
        Command::Lesson { kata } => lesson::lesson(catalog, &kata),
        Command::Watch { kata, poll } => watch::watch(catalog, kata.as_deref(), poll),
        Command::Reset { kata } => reset::reset(catalog, &kata),
        Command::Solution { kata, force } => solution::solution(catalog, &kata, force),
        Command::Completions { shell } => completions::completions(catalog, shell),
        // `--repeat` and `--bless` exclude each other (see `cli`).
        Command::Verify {
            kata,
            repeat: Some(times),
            ..
        } => verify::verify_repeatedly(catalog, kata.as_deref(), times),
        Command::Verify { kata, bless, .. } => verify::verify(catalog, kata.as_deref(), bless),
        Command::Replay { kata, token, run } => check::replay(catalog, &kata, &token, &run),
        Command::Mutate(args) => mutate::mutate(catalog, &args),
        Command::Grade(args) => grade::grade(catalog, &args),
        Command::Test => test::test(catalog),
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
