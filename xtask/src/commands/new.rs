//! `new`: the skeleton of a new kata, for an author (see [`scaffold`](crate::scaffold)).

use std::process::ExitCode;

use anyhow::Result;

use crate::catalog::Catalog;
use crate::cli::New;
use crate::scaffold::{self, NewKata};

impl New {
    /// Writes the skeleton, lists its files and says what to do next.
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        if catalog.names().contains(&self.kata.as_str()) {
            anyhow::bail!("a kata named `{}` exists already", self.kata);
        }
        let kata = NewKata {
            name: &self.kata,
            track: self.track,
            track_name: self.track_name.as_deref(),
        };
        let written = scaffold::write(&catalog.root, &kata)?;
        println!("Wrote the skeleton of {}:", self.kata);
        for path in &written {
            println!("  {}", catalog.display(path));
        }
        println!(
            "\nIt verifies as it stands: cargo xtask verify {0} --bless (writes the mutant's \
             explanation).\nThen make it your kata, verifying after each step (README, \
             \"Writing a kata\"), and add it to the README's catalogue numbers.",
            self.kata
        );
        Ok(ExitCode::SUCCESS)
    }
}
