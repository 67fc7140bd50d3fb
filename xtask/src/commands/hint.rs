//! `hint`: the next hint of a kata, remembered in the state file.

use std::process::ExitCode;

use anyhow::Result;

use crate::catalog::Catalog;
use crate::state::State;

/// Prints hint 1 the first time, then 2, ...; after the last one, all of them again.
pub fn hint(catalog: &Catalog, name: &str) -> Result<ExitCode> {
    let kata = catalog.find(name)?;
    let hints = &kata.meta.hints;
    let total = hints.len();
    let shown = State::update(&catalog.root, |state| {
        let entry = state.kata(name);
        let shown = entry.hints_shown;
        entry.hints_shown = (shown + 1).min(total);
        shown
    })?;
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
