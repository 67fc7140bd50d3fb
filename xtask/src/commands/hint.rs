//! `hint`: the next hint of a kata, remembered in the state file.

use std::process::ExitCode;

use anyhow::Result;

use crate::catalog::Catalog;
use crate::state::State;

/// Prints hint 1 the first time, then 2, ...; after the last one, all of them again.
pub fn hint(catalog: &Catalog, name: &str) -> Result<ExitCode> {
    let kata = catalog.find(name)?;
    let hints = &kata.meta.hints;
    let mut state = State::load(&catalog.root);
    let entry = state.kata(name);
    let total = hints.len();
    if entry.hints_shown < total {
        let n = entry.hints_shown;
        println!("Hint {} of {total} for {name}: {}", n + 1, hints[n]);
        entry.hints_shown += 1;
        if entry.hints_shown == total {
            println!("(That was the last hint.)");
        }
    } else {
        for (n, hint) in hints.iter().enumerate() {
            println!("Hint {} of {total} for {name}: {hint}", n + 1);
        }
    }
    state.save()?;
    Ok(ExitCode::SUCCESS)
}
