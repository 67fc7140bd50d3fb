//! A submission to grade: a clone of this repository with a learner's work in it, read through a
//! pristine overlay.
//!
//! Only the learner-editable files are taken from it: everything under a kata's
//! `exercises/NN-track/<kata>/src/`. They are copied into a scratch directory under
//! `target/xtask/grade/` and built against this repository's own checks, harness and manifests.
//! Every other file the submission changed (edited checks, harness, manifests, workflows) is only
//! listed, as ignored.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::catalog::{Catalog, Kata};
use crate::fingerprint;

/// The most bytes taken from one kata's `src/`: more is not a learner's work.
const SOURCE_CAP: u64 = 16 << 20;

/// The most files looked at when listing ignored changes.
const WALK_CAP: usize = 50_000;

/// Directories never compared: build output and version control.
const SKIPPED_DIRS: [&str; 2] = [".git", "target"];

/// One submission directory.
pub struct Submission {
    /// The directory, canonical.
    pub dir: PathBuf,
    /// Where its katas' sources are copied: `target/xtask/grade/<hash of dir>/`.
    scratch: PathBuf,
}

/// Where a kata's source came from in a submission.
pub enum Source {
    /// The copy of the learner's `src/lib.rs` (with the rest of `src/` beside it), and the
    /// original's path relative to the submission.
    Found { lib: PathBuf, shown: String },
    /// The submission has no `src/lib.rs` for the kata: why, in plain words.
    Missing(String),
}

impl Submission {
    /// Opens the submission at `dir` for grading against `catalog`.
    pub fn open(catalog: &Catalog, dir: &Path) -> Result<Submission> {
        let dir = std::fs::canonicalize(dir)
            .with_context(|| format!("cannot find the submission {}", dir.display()))?;
        if !dir.is_dir() {
            bail!("the submission {} is not a directory", dir.display());
        }
        if dir == catalog.root {
            bail!(
                "the submission is this repository itself: grade a copy of it (e.g. a clone in \
                 another directory)"
            );
        }
        let hash = fingerprint::hex(dir.as_os_str().as_encoded_bytes());
        let scratch = catalog.root.join("target/xtask/grade").join(hash);
        Ok(Submission { dir, scratch })
    }

    /// The submission's name: its directory's.
    pub fn name(&self) -> String {
        self.dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Copies the learner's `src/` of `kata` into the scratch directory and names its `lib.rs`.
    ///
    /// The kata is looked for where this repository has it, then under any track directory.
    /// Only regular files are copied: symbolic links are left out (they could point at the
    /// checks or anywhere else).
    pub fn source(&self, catalog: &Catalog, kata: &Kata) -> Result<Source> {
        let relative = kata.dir.strip_prefix(&catalog.root).unwrap_or(&kata.dir);
        let mut candidates = vec![self.dir.join(relative)];
        candidates.extend(
            read_dirs(&self.dir.join("exercises"))
                .into_iter()
                .map(|track| track.join(kata.name())),
        );
        let Some(found) = candidates
            .into_iter()
            .find(|dir| is_real_dir(&dir.join("src")) && is_regular_file(&dir.join("src/lib.rs")))
        else {
            return Ok(Source::Missing(format!(
                "the submission has no {}/src/lib.rs: kata `{}` was not submitted",
                relative.display(),
                kata.name()
            )));
        };
        let size = tree_size(&found.join("src"));
        if size > SOURCE_CAP {
            return Ok(Source::Missing(format!(
                "{}/src holds {} MiB, more than the {} MiB a kata's sources may have: not graded",
                relative.display(),
                size >> 20,
                SOURCE_CAP >> 20
            )));
        }
        let copy = self.scratch.join(kata.name()).join("src");
        sync_regular_files(&found.join("src"), &copy)?;
        let shown = found
            .join("src/lib.rs")
            .strip_prefix(&self.dir)
            .map(|path| path.display().to_string())
            .unwrap_or_default();
        Ok(Source::Found {
            lib: copy.join("lib.rs"),
            shown,
        })
    }

    /// The files of the submission that differ from this repository's (or that it lacks), other
    /// than learner-editable ones, relative and sorted: they are ignored when grading.
    pub fn ignored_changes(&self, catalog: &Catalog) -> Vec<String> {
        let katas = catalog.names();
        let mut changed = Vec::new();
        let mut seen = 0;
        let mut pending = vec![self.dir.clone()];
        while let Some(dir) = pending.pop() {
            for path in read_entries(&dir) {
                seen += 1;
                if seen > WALK_CAP {
                    changed.push(format!(
                        "(more than {WALK_CAP} files: the rest not compared)"
                    ));
                    changed.sort();
                    return changed;
                }
                let Ok(relative) = path.strip_prefix(&self.dir) else {
                    continue;
                };
                let Ok(kind) = std::fs::symlink_metadata(&path).map(|m| m.file_type()) else {
                    continue;
                };
                if kind.is_dir() {
                    let name = relative.to_string_lossy();
                    if !SKIPPED_DIRS.contains(&name.as_ref()) {
                        pending.push(path);
                    }
                    continue;
                }
                if is_learner_file(relative, &katas) {
                    continue;
                }
                let ours = catalog.root.join(relative);
                if kind.is_symlink() || !same_content(&path, &ours) {
                    changed.push(relative.display().to_string());
                }
            }
        }
        changed.sort();
        changed
    }
}

/// Whether `relative` is `exercises/<track>/<kata>/src/...` for a known kata.
fn is_learner_file(relative: &Path, katas: &[&str]) -> bool {
    let parts: Vec<&str> = relative
        .components()
        .map(|c| c.as_os_str().to_str().unwrap_or(""))
        .collect();
    matches!(parts.as_slice(), ["exercises", _, kata, "src", _, ..] if katas.contains(kata))
}

fn same_content(a: &Path, b: &Path) -> bool {
    let size = |path: &Path| std::fs::metadata(path).map(|m| m.len()).ok();
    match (size(a), size(b)) {
        (Some(x), Some(y)) if x == y => std::fs::read(a).ok() == std::fs::read(b).ok(),
        _ => false,
    }
}

fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

fn is_regular_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

/// The bytes of the regular files under `dir` (symbolic links not followed).
fn tree_size(dir: &Path) -> u64 {
    read_entries(dir)
        .iter()
        .filter_map(|path| {
            let meta = std::fs::symlink_metadata(path).ok()?;
            match meta.is_dir() {
                true => Some(tree_size(path)),
                false => Some(if meta.file_type().is_file() {
                    meta.len()
                } else {
                    0
                }),
            }
        })
        .sum()
}

/// Makes `to` hold exactly the regular files under `from` (same tree). Files whose content is
/// already there are left untouched, so that cargo does not rebuild an unchanged submission.
fn sync_regular_files(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    let mut kept = Vec::new();
    for path in read_entries(from) {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let name = path.file_name().unwrap_or_default().to_owned();
        let target = to.join(&name);
        if meta.is_dir() {
            if !is_real_dir(&target) {
                remove(&target)?;
            }
            sync_regular_files(&path, &target)?;
        } else if meta.file_type().is_file() {
            let content =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            if !is_regular_file(&target) || std::fs::read(&target).ok() != Some(content.clone()) {
                remove(&target)?;
                std::fs::write(&target, &content)
                    .with_context(|| format!("cannot write {}", target.display()))?;
            }
        } else {
            continue;
        }
        kept.push(name);
    }
    for stale in read_entries(to) {
        if !kept
            .iter()
            .any(|name| Some(name.as_os_str()) == stale.file_name())
        {
            remove(&stale)?;
        }
    }
    Ok(())
}

/// Removes a file or a directory tree, if there is one.
fn remove(path: &Path) -> Result<()> {
    let removed = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(_) => Ok(()),
    };
    removed.with_context(|| format!("cannot remove {}", path.display()))
}

/// The entries of `dir`, sorted; none when it cannot be read.
fn read_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

/// The subdirectories of `dir` (not through symbolic links), sorted.
fn read_dirs(dir: &Path) -> Vec<PathBuf> {
    read_entries(dir)
        .into_iter()
        .filter(|path| is_real_dir(path))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_kata_sources_are_learner_files() {
        let katas = ["hit_counter", "bank"];
        let yes = |p: &str| is_learner_file(Path::new(p), &katas);
        assert!(yes("exercises/01-races/hit_counter/src/lib.rs"));
        assert!(yes("exercises/01-races/hit_counter/src/more/helper.rs"));
        assert!(!yes("exercises/01-races/hit_counter/Cargo.toml"));
        assert!(!yes("exercises/01-races/hit_counter/kata.toml"));
        assert!(!yes("exercises/01-races/unknown/src/lib.rs"));
        assert!(!yes("tests/hit_counter.rs"));
        assert!(!yes("solutions/hit_counter/lib.rs"));
    }

    #[test]
    fn syncing_keeps_unchanged_files_and_drops_stale_ones_and_links() {
        let base = std::env::temp_dir().join(format!("xtask-sync-{}", std::process::id()));
        let (from, to) = (base.join("from"), base.join("to"));
        std::fs::create_dir_all(from.join("more")).unwrap();
        std::fs::write(from.join("lib.rs"), "pub fn a() {}").unwrap();
        std::fs::write(from.join("more/helper.rs"), "pub fn b() {}").unwrap();
        std::os::unix::fs::symlink("/etc/hostname", from.join("link.rs")).unwrap();
        sync_regular_files(&from, &to).unwrap();
        assert!(to.join("more/helper.rs").is_file());
        assert!(!to.join("link.rs").exists());
        let modified = |path: &Path| std::fs::metadata(path).unwrap().modified().unwrap();
        let before = modified(&to.join("lib.rs"));
        std::fs::write(to.join("stale.rs"), "").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        sync_regular_files(&from, &to).unwrap();
        assert_eq!(modified(&to.join("lib.rs")), before);
        assert!(!to.join("stale.rs").exists());
        assert_eq!(tree_size(&from), 26);
        std::fs::remove_dir_all(&base).unwrap();
    }
}
