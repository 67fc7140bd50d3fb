//! `next`: the first kata that does not pass yet, in `list` order, and how to start on it.

use std::process::ExitCode;

use anstyle::Style;
use anyhow::Result;

use crate::catalog::{Catalog, Kata};
use crate::cli::Next;
use crate::state::{Progress, State};

impl Next {
    /// Prints the first kata that does not pass and the commands to work on it.
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let katas = catalog.all()?;
        let state = State::load(&catalog.root);
        match first_unsolved(&katas, &state, None) {
            Some(kata) => anstream::print!("{}", directions(catalog, kata, &state)),
            None if katas.is_empty() => println!("There are no katas yet."),
            None => println!("Every kata passes ({0} of {0}). Well done!", katas.len()),
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The first kata in `katas` (in `list` order) that does not pass; with `after`, the first one
/// after that kata, coming round to the start, and never `after` itself.
pub(super) fn first_unsolved<'a>(
    katas: &'a [Kata],
    state: &State,
    after: Option<&str>,
) -> Option<&'a Kata> {
    let start = after
        .and_then(|name| katas.iter().position(|kata| kata.name() == name))
        .map_or(0, |position| position + 1);
    katas
        .iter()
        .cycle()
        .skip(start)
        .take(katas.len())
        .filter(|kata| Some(kata.name()) != after)
        .find(|kata| state.progress_of(kata) != Progress::Passing)
}

/// "Next: hit_counter ..." with the lesson, the file and the commands to check it.
pub(super) fn directions(catalog: &Catalog, kata: &Kata, state: &State) -> String {
    let bold = Style::new().bold();
    let name = kata.name();
    let standing = match state.progress_of(kata) {
        Progress::Failing(verdict) => format!(" (last check: {verdict})"),
        Progress::NotStarted | Progress::Passing => String::new(),
    };
    format!(
        "{bold}Next: {name}{bold:#} — {} (track {}: {}){standing}\n\
         \x20 read the lesson:  cargo xtask lesson {name}\n\
         \x20 edit:             {}\n\
         \x20 check on save:    cargo xtask watch {name}   (once: cargo xtask check {name})\n",
        kata.meta.title,
        kata.meta.track,
        kata.track_name,
        catalog.display(&kata.learner_source()),
    )
}
