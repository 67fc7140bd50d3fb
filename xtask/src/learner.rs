//! The learner's files against the starting code as committed: which katas the learner has
//! worked on, and the starting code of each, from git's `HEAD`. `cargo xtask test` judges the
//! project's code, never the learner's, so that it passes on any learner's checkout.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::catalog::{Catalog, Kata};

/// The content of `path` (relative to `root`) in git's `HEAD`.
pub fn committed(root: &Path, path: &str) -> Result<Vec<u8>> {
    let output = Command::new("git")
        .arg("show")
        .arg(format!("HEAD:./{path}"))
        .current_dir(root)
        .stdin(Stdio::null())
        .output();
    let output = match output {
        Ok(output) => output,
        Err(err) => bail!(
            "cannot run git ({err}), which keeps the starting code of {path}: install git, or \
             restore the file from a fresh copy of the repository"
        ),
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.lines().next().unwrap_or("no reason given").trim();
        bail!(
            "git has no committed version of {path} ({reason}); is this a clone of the \
             repository?"
        );
    }
    Ok(output.stdout)
}

/// The katas whose exercise directory differs from git's `HEAD` (files changed, added or
/// removed), sorted: the learner's work. None outside a git checkout.
pub fn touched_katas(catalog: &Catalog) -> Vec<String> {
    let output = Command::new("git")
        .args([
            "status",
            "--porcelain",
            "--untracked-files=all",
            "--",
            "exercises",
        ])
        .current_dir(&catalog.root)
        .stdin(Stdio::null())
        .output();
    let Ok(output) = output
        .map_err(drop)
        .and_then(|output| match output.status.success() {
            true => Ok(output.stdout),
            false => Err(()),
        })
    else {
        return Vec::new();
    };
    let names = catalog.names();
    let mut touched: Vec<String> = String::from_utf8_lossy(&output)
        .lines()
        .filter_map(|line| kata_of(line.get(3..)?.trim_matches('"')))
        .filter(|kata| names.contains(kata))
        .map(str::to_owned)
        .collect();
    touched.sort();
    touched.dedup();
    touched
}

/// The kata of a path under `exercises/<track>/<kata>/`.
fn kata_of(path: &str) -> Option<&str> {
    let mut parts = path.split('/');
    (parts.next()? == "exercises").then_some(())?;
    parts.next()?;
    parts.next()
}

/// The kata's starting code as committed: the learner's file when it is unchanged or git
/// cannot say, else a copy of the committed version under `target/xtask/starting/`.
pub fn starting_code(catalog: &Catalog, kata: &Kata) -> Result<PathBuf> {
    let file = kata.learner_source();
    let Ok(starting) = committed(&catalog.root, &catalog.display(&file)) else {
        return Ok(file);
    };
    if std::fs::read(&file).ok().as_deref() == Some(starting.as_slice()) {
        return Ok(file);
    }
    let copy = catalog
        .root
        .join("target/xtask/starting")
        .join(format!("{}.rs", kata.name()));
    if let Some(dir) = copy.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&copy, starting).with_context(|| format!("cannot write {}", copy.display()))?;
    Ok(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_names_its_kata() {
        assert_eq!(kata_of("exercises/01-races/bank/src/lib.rs"), Some("bank"));
        assert_eq!(kata_of("exercises/01-races/bank/"), Some("bank"));
        assert_eq!(kata_of("exercises/01-races"), None);
        assert_eq!(kata_of("tests/bank.rs"), None);
    }
}
