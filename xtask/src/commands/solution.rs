//! `solution`: a kata's reference solution, once the learner's own file passes.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use harness::verdict::Verdict;

use crate::catalog::Catalog;
use crate::cli::Solution;
use crate::state::{Progress, State};

impl Solution {
    /// Prints `solutions/<kata>/lib.rs` when the learner's file, unchanged since, passed its last
    /// check, or with `force`; otherwise says how to unlock it (exit status 1).
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let (name, force) = (self.kata.as_str(), self.force);
        let kata = catalog.find(name)?;
        let path = kata.solutions_dir().join("lib.rs");
        let shown = catalog.display(&path);
        if !path.is_file() {
            bail!("kata `{name}` has no reference solution ({shown} is missing)");
        }
        let state = State::load(&catalog.root);
        let progress = state.progress_of(&kata);
        if progress != Progress::Passing && !force {
            let passed_before = state.last_verdict(name) == Some(Verdict::Pass);
            let why = match progress {
                _ if passed_before => "your file passed once but has changed since".to_owned(),
                Progress::Failing(verdict) => format!("your file's last check says {verdict}"),
                _ => "your file has not been checked since it last changed".to_owned(),
            };
            println!(
            "The reference solution of {name} unlocks once your file passes ({why}).\n\
             \x20 check it:        cargo xtask check {name}   (or on every save: cargo xtask watch {name})\n\
             \x20 stuck?           cargo xtask hint {name}\n\
             \x20 read it anyway:  cargo xtask solution {name} --force"
        );
            return Ok(ExitCode::from(1));
        }
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {shown}"))?;
        eprintln!("The reference solution of {name} ({shown}):");
        print!("{text}");
        Ok(ExitCode::SUCCESS)
    }
}
