//! `check` and `replay`: build a variant, run its checks, print the result, remember it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use harness::protocol::ReplayToken;
use harness::verdict::Verdict;

use crate::bench;
use crate::catalog::{Catalog, Kata};
use crate::checker::{Checker, Options};
use crate::cli::{Check, Format, Replay, RunArgs};
use crate::links;
use crate::miri;
use crate::output::{self, Detail};
use crate::report_page;
use crate::results::KataRun;
use crate::state::{self, State};

impl Check {
    /// `cargo xtask check <kata>`: every check of the kata on the learner's file or `--source`.
    ///
    /// Unless `--no-perf`, a pass of a kata with `[performance]` in its `kata.toml` is followed
    /// by a performance line (human format only), which never changes the verdict or the exit
    /// status.
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let (name, args, perf) = (self.kata.as_str(), &self.run, !self.no_perf);
        let kata = catalog.find(name)?;
        let (source, content) = source_file(catalog, &kata, args)?;
        let options = Options {
            miri: self.miri,
            only: self.only,
            ..options(args)
        };
        let mut checker = Checker::new(catalog, &kata, &source, options)?;
        if checker.misses_miri() {
            eprintln!("note: {}; its checks are not run", miri::SETUP_HINT);
        }
        let run = checker.check_all()?;
        let learners = kata.is_learner_file(&source);
        if learners {
            remember(catalog, &kata, &run, &content)?;
        }
        print(catalog, &run, args)?;
        if learners && args.format == Format::Human {
            if let Some(line) = super::hint::pointer(&kata, run.verdict) {
                anstream::print!("{line}");
            }
        }
        if perf && run.verdict == Verdict::Pass && args.format == Format::Human {
            if let Some(line) = bench::performance::line(catalog, &kata, &source) {
                anstream::print!("\n{line}");
            }
        }
        Ok(super::status(run.verdict == Verdict::Pass))
    }
}

/// How many times `watch` checks a file that keeps changing while it is checked.
const CHECKS_OF_A_CHANGING_FILE: usize = 3;

/// Checks the learner's own file of `kata` and remembers the verdict (`watch` uses this).
///
/// A save can land in more than one write (truncate, then write), and a notification can come
/// between them: a file that changed while it was checked is checked again, so that the verdict
/// returned, and remembered, is the one of the file as it is now.
pub(super) fn check_learner(catalog: &Catalog, kata: &Kata, options: Options) -> Result<KataRun> {
    let source = kata.learner_source();
    let read = || {
        std::fs::read(&source).with_context(|| format!("cannot read {}", catalog.display(&source)))
    };
    let mut content = read()?;
    let mut checks = 0;
    loop {
        let run = Checker::new(catalog, kata, &source, options)?.check_all()?;
        checks += 1;
        let now = read()?;
        if now == content {
            remember(catalog, kata, &run, &content)?;
            return Ok(run);
        }
        if checks == CHECKS_OF_A_CHANGING_FILE {
            return Ok(run);
        }
        content = now;
    }
}

/// Records the verdict of `run` on the learner's file, whose content was `content`.
fn remember(catalog: &Catalog, kata: &Kata, run: &KataRun, content: &[u8]) -> Result<()> {
    State::update(&catalog.root, |state| {
        let entry = state.kata(kata.name());
        entry.verdict = Some(run.verdict);
        entry.source_hash = Some(state::source_hash(content));
    })
}

impl Replay {
    /// `cargo xtask replay <kata> <token>`: one check on the schedule the token carries.
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let (name, token, args) = (self.kata.as_str(), self.token.as_str(), &self.run);
        let kata = catalog.find(name)?;
        let token: ReplayToken = token.parse().map_err(anyhow::Error::msg)?;
        let (source, _) = source_file(catalog, &kata, args)?;
        let mut checker = Checker::new(catalog, &kata, &source, options(args))?;
        let run = checker.replay(&token)?;
        print(catalog, &run, args)?;
        Ok(super::status(run.verdict == Verdict::Pass))
    }
}

/// The file to check and its content: `--source`, else the learner's `src/lib.rs`.
fn source_file(catalog: &Catalog, kata: &Kata, args: &RunArgs) -> Result<(PathBuf, Vec<u8>)> {
    let (path, what) = match &args.source {
        Some(path) => (path.clone(), "--source "),
        None => (kata.learner_source(), ""),
    };
    let content = std::fs::read(&path)
        .with_context(|| format!("cannot read {what}{}", catalog.display(&path)))?;
    Ok((path, content))
}

fn options(args: &RunArgs) -> Options<'static> {
    Options {
        seed: args.seed,
        progress: args.format == Format::Human,
        ..Options::default()
    }
}

/// Prints `run`, after writing the report page of its failure (named in both formats, and
/// opened with `--open`).
fn print(catalog: &Catalog, run: &KataRun, args: &RunArgs) -> Result<()> {
    let page = report_page::write(run, &catalog.root)?;
    let shown = page.as_ref().map(|path| catalog.display(path));
    match args.format {
        Format::Json => println!("{}", output::json(run, shown.as_deref())),
        Format::Human => {
            let detail = Detail {
                full_trace: args.full_trace,
                verbose: args.verbose,
                stable: false,
            };
            anstream::print!("{}", human(catalog, run, detail));
            if let Some(path) = &page {
                anstream::print!("{}", page_line(catalog, path));
            }
        }
    }
    if let (true, Some(page)) = (args.open, &page) {
        report_page::open(page);
    }
    Ok(())
}

/// The line that names a failure's report `page`: a terminal link where the terminal has them.
pub(super) fn page_line(catalog: &Catalog, page: &Path) -> String {
    let shown = catalog.display(page);
    let shown = match links::supported() {
        true => links::to_file(&shown, page),
        false => shown,
    };
    format!("\nStep through it in a browser: {shown}\n")
}

/// The human report of `run`, with links to the files it names where the terminal has them.
pub(super) fn human(catalog: &Catalog, run: &KataRun, detail: Detail) -> String {
    let text = output::human(run, detail);
    match links::supported() {
        true => links::add(&text, &catalog.root),
        false => text,
    }
}
