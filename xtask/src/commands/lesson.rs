//! `lesson`: a kata's lesson, its `README.md`.

use std::process::ExitCode;

use anstyle::Style;
use anyhow::{Context, Result};

use crate::catalog::Catalog;
use crate::cli::Lesson;

impl Lesson {
    /// Prints the lesson of `name`, then where the learner's file is and how to check it.
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let name = self.kata.as_str();
        let kata = catalog.find(name)?;
        let readme = kata.dir.join("README.md");
        let text = std::fs::read_to_string(&readme)
            .with_context(|| format!("cannot read the lesson {}", catalog.display(&readme)))?;
        let dim = Style::new().dimmed();
        anstream::print!(
            "{}\n\n{dim}Your file: {} · check it on every save: cargo xtask watch {name}{dim:#}\n",
            text.trim_end(),
            catalog.display(&kata.learner_source()),
        );
        Ok(ExitCode::SUCCESS)
    }
}
