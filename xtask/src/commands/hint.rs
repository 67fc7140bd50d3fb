//! `hint`: the next hint of a kata, remembered in the state file, after the hint for the way
//! the last check failed.

use std::process::ExitCode;

use anyhow::Result;
use harness::verdict::Verdict;

use crate::catalog::{Catalog, Kata};
use crate::cli::Hint;
use crate::state::State;

impl Hint {
    /// Prints the kata's hint for the verdict of the last check of the learner's file, if it
    /// failed and the kata has one (`[verdict_hints]`); then hint 1 the first time, then 2, ...;
    /// after the last one, all of them again.
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let name = self.kata.as_str();
        let kata = catalog.find(name)?;
        let hints = &kata.meta.hints;
        let total = hints.len();
        let (shown, last_verdict) = State::update(&catalog.root, |state| {
            let entry = state.kata(name);
            let shown = entry.hints_shown;
            entry.hints_shown = (shown + 1).min(total);
            (shown, entry.verdict)
        })?;
        if let Some(verdict) = last_verdict {
            if let Some(hint) = kata.meta.verdict_hints.get(&verdict) {
                println!("Your last check of {name} ended in `{verdict}`: {hint}\n");
            }
        }
        if shown < total {
            println!("Hint {} of {total} for {name}: {}", shown + 1, hints[shown]);
            if shown + 1 == total {
                println!("(That was the last hint.)");
            }
        } else {
            for (n, hint) in hints.iter().enumerate() {
                println!("Hint {} of {total} for {name}: {hint}", n + 1);
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The line under a failed check of the learner's file that says `hint` knows this failure,
/// when the kata has a hint for `verdict`.
pub(super) fn pointer(kata: &Kata, verdict: Verdict) -> Option<String> {
    kata.meta.verdict_hints.get(&verdict)?;
    Some(format!(
        "\nStuck? `cargo xtask hint {}` has a hint for `{verdict}`.\n",
        kata.name()
    ))
}
