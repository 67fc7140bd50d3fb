//! `cargo xtask new`: the skeleton of a kata that verifies as written, for an author to turn
//! into the kata they mean.
//!
//! The skeleton is a counter that threads add to at once: starting code that reaches
//! `todo!()`, a reference solution with one atomic read-modify-write, one mutant that loads and
//! stores apart (a `race`), checks in every mode, a lesson, metadata with hints and a hint per
//! verdict. `cargo xtask verify <kata> --bless` passes on it at once and writes the mutant's
//! explanation snapshot. Files are written so that the workspace builds at every moment: a kata
//! crate's `src/lib.rs` before its `Cargo.toml`, a checks file before its registry entry.
//!
//! ```text
//! cargo xtask new ticket_lock --track 2
//! ```

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::registry::{self, Entry};

/// What names a new kata: its crate name and the track it joins.
pub struct NewKata<'a> {
    /// The kata's name, a Rust identifier in snake case: also its crate and directory name.
    pub name: &'a str,
    /// The track's number.
    pub track: u32,
    /// The track's name, for a track with no directory yet (`atomics` makes `08-atomics`).
    pub track_name: Option<&'a str>,
}

/// Writes the skeleton of `kata` into the repository at `root` and returns the files written,
/// in the order written.
pub fn write(root: &Path, kata: &NewKata) -> Result<Vec<PathBuf>> {
    check_name(kata.name)?;
    let track_dir = track_dir(root, kata.track, kata.track_name)?;
    let exercise = track_dir.join(kata.name);
    let solutions = root.join("solutions").join(kata.name);
    let checks = root.join("tests").join(format!("{}.rs", kata.name));
    for taken in [&exercise, &solutions, &checks] {
        if taken.exists() {
            bail!("{} exists already: choose another name", taken.display());
        }
    }
    let words = Words::of(kata.name, kata.track, &track_dir);
    let files = [
        (exercise.join("src/lib.rs"), words.fill(STARTING_CODE)),
        (exercise.join("Cargo.toml"), words.fill(CRATE_MANIFEST)),
        (exercise.join("kata.toml"), words.fill(METADATA)),
        (exercise.join("README.md"), words.fill(LESSON)),
        (solutions.join("lib.rs"), words.fill(SOLUTION)),
        (
            solutions.join("mutants/load_then_store.rs"),
            words.fill(MUTANT),
        ),
        (checks, words.fill(CHECKS)),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    let manifest = root.join("tests/Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?;
    let from_tests = Path::new("..").join(exercise.strip_prefix(root).unwrap_or(&exercise));
    let text = register(&text, kata.name, &from_tests.display().to_string())?;
    std::fs::write(&manifest, text)
        .with_context(|| format!("cannot write {}", manifest.display()))?;
    written.push(manifest);
    Ok(written)
}

/// `manifest` (the text of `tests/Cargo.toml`) with the kata's crate among the dev-dependencies
/// and its checks among the `[[test]]` targets, each in name order.
fn register(manifest: &str, kata: &str, path: &str) -> Result<String> {
    let mut lines: Vec<String> = manifest.lines().map(str::to_owned).collect();
    // The dev-dependency, before the first kata crate whose name comes after it.
    let section = lines
        .iter()
        .position(|line| line.trim() == "[dev-dependencies]")
        .context("tests/Cargo.toml has no [dev-dependencies]")?;
    let kata_crates: Vec<usize> = (section + 1..lines.len())
        .take_while(|&i| !lines[i].starts_with('['))
        .filter(|&i| lines[i].contains("path = \"../exercises/"))
        .collect();
    let after = |name: &str| name > kata;
    let dependency = kata_crates
        .iter()
        .find(|&&i| after(lines[i].split(' ').next().unwrap_or("")))
        .copied()
        .unwrap_or_else(|| kata_crates.last().map_or(section + 1, |&last| last + 1));
    let crate_entry = Entry::Dependency {
        name: kata.to_owned(),
        path: path.to_owned(),
    };
    lines.insert(dependency, crate_entry.to_string());
    // The target, before the first [[test]] whose name comes after it, or after the last one.
    let tests: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim() == "[[test]]")
        .collect();
    let name_of = |i: usize| lines.get(i + 1).and_then(|line| line.split('"').nth(1));
    let target = match tests.iter().find(|&&i| name_of(i).is_some_and(after)) {
        Some(&before) => before,
        None => {
            let last = *tests.last().context("tests/Cargo.toml has no [[test]]")?;
            // The end of the last target's block.
            (last + 1..lines.len())
                .find(|&i| lines[i].trim().is_empty() || lines[i].starts_with('['))
                .map_or(lines.len(), |end| end + 1)
        }
    };
    let checks = registry::target("test", kata, format!("{kata}.rs")).to_string();
    let block = checks.lines().map(str::to_owned).chain([String::new()]);
    lines.splice(target..target, block);
    Ok(lines.join("\n") + "\n")
}

/// A kata's name must be a crate name and a Rust identifier: lowercase words joined by `_`.
fn check_name(name: &str) -> Result<()> {
    let well_formed = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.ends_with('_')
        && !name.contains("__");
    if !well_formed {
        bail!("`{name}` is not a kata name: use lowercase words joined by `_`, like `ticket_lock`");
    }
    Ok(())
}

/// `exercises/NN-<name>/` of track `track`: the one that exists, or a new one named
/// `track_name`.
fn track_dir(root: &Path, track: u32, track_name: Option<&str>) -> Result<PathBuf> {
    let exercises = root.join("exercises");
    let prefix = format!("{track:02}-");
    let existing: Vec<PathBuf> = std::fs::read_dir(&exercises)
        .with_context(|| format!("cannot read {}", exercises.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with(&prefix))
        })
        .collect();
    match (existing.as_slice(), track_name) {
        ([dir], None) => Ok(dir.clone()),
        ([dir], Some(name)) if dir.ends_with(format!("{prefix}{name}")) => Ok(dir.clone()),
        ([dir], Some(name)) => bail!(
            "track {track} is `{}` already, not `{name}`: leave out --track-name",
            dir.file_name().unwrap_or_default().to_string_lossy()
        ),
        ([], Some(name)) => {
            check_name(name)?;
            Ok(exercises.join(format!("{prefix}{name}")))
        }
        ([], None) => bail!(
            "track {track} has no directory yet: name it with --track-name (e.g. `atomics` makes \
             exercises/{prefix}atomics)"
        ),
        _ => bail!("more than one directory of exercises/ starts with `{prefix}`"),
    }
}

/// The words a template is filled with.
struct Words {
    kata: String,
    type_name: String,
    title: String,
    track: u32,
    track_title: String,
}

impl Words {
    fn of(kata: &str, track: u32, track_dir: &Path) -> Words {
        let type_name = kata.split('_').map(capitalised).collect();
        let mut title = kata.replace('_', " ");
        title = capitalised(&title);
        let dir = track_dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let track_title = dir
            .split_once('-')
            .map_or(dir.clone(), |(_, name)| name.to_owned());
        Words {
            kata: kata.to_owned(),
            type_name,
            title,
            track,
            track_title,
        }
    }

    fn fill(&self, template: &str) -> String {
        template
            .replace("{kata}", &self.kata)
            .replace("{Type}", &self.type_name)
            .replace("{title}", &self.title)
            .replace("{track}", &self.track.to_string())
            .replace("{track_title}", &self.track_title)
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// The skeleton's files, from templates/ beside this file: `{kata}`, `{Type}`, `{title}`,
// `{track}` and `{track_title}` in them are filled in by [`Words::fill`].
const CRATE_MANIFEST: &str = include_str!("templates/Cargo.toml.in");
const METADATA: &str = include_str!("templates/kata.toml.in");
const LESSON: &str = include_str!("templates/README.md.in");
const STARTING_CODE: &str = include_str!("templates/starting_code.rs.in");
const SOLUTION: &str = include_str!("templates/solution.rs.in");
const MUTANT: &str = include_str!("templates/mutant.rs.in");
const CHECKS: &str = include_str!("templates/checks.rs.in");

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "[package]\nname = \"checks\"\n\n[dev-dependencies]\n\
        memmap2 = \"0.9\"\n\
        bank = { path = \"../exercises/02-locks/bank\" }\n\
        hit_counter = { path = \"../exercises/01-races/hit_counter\" }\n\n\
        [[test]]\nname = \"bank\"\npath = \"bank.rs\"\nharness = false\n\n\
        [[test]]\nname = \"hit_counter\"\npath = \"hit_counter.rs\"\nharness = false\n\n\
        [[bench]]\nname = \"thread_pool\"\npath = \"benches/thread_pool.rs\"\nharness = false\n";

    fn scratch(test: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("xtask-scaffold-{test}"));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("exercises/01-races")).unwrap();
        std::fs::create_dir_all(root.join("tests")).unwrap();
        std::fs::write(root.join("tests/Cargo.toml"), MANIFEST).unwrap();
        root
    }

    #[test]
    fn the_checks_are_registered_in_name_order() {
        let middle = register(MANIFEST, "check_then_act", "../exercises/01-races/c").unwrap();
        let dependency = "check_then_act = { path = \"../exercises/01-races/c\" }";
        let bank = middle.find("bank = ").unwrap();
        let hit = middle.find("hit_counter = ").unwrap();
        let at = middle.find(dependency).unwrap();
        assert!(bank < at && at < hit, "{middle}");
        let target = middle.find("name = \"check_then_act\"").unwrap();
        let bank_target = middle.find("name = \"bank\"").unwrap();
        let hit_target = middle.find("name = \"hit_counter\"").unwrap();
        assert!(bank_target < target && target < hit_target, "{middle}");

        let last = register(MANIFEST, "ticket_lock", "../exercises/02-locks/ticket_lock").unwrap();
        let target = last.find("[[test]]\nname = \"ticket_lock\"\npath = \"ticket_lock.rs\"\nharness = false\n\n[[bench]]");
        assert!(target.is_some(), "{last}");
        assert!(
            last.contains(
                "ticket_lock = { path = \"../exercises/02-locks/ticket_lock\" }\n\n[[test]]"
            ),
            "{last}"
        );
    }

    #[test]
    fn a_skeleton_names_its_type_after_the_kata() {
        let root = scratch("names");
        let kata = NewKata {
            name: "ticket_lock",
            track: 1,
            track_name: None,
        };
        let written = write(&root, &kata).unwrap();
        let shown: Vec<String> = written
            .iter()
            .map(|path| path.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        assert_eq!(
            shown,
            [
                "exercises/01-races/ticket_lock/src/lib.rs",
                "exercises/01-races/ticket_lock/Cargo.toml",
                "exercises/01-races/ticket_lock/kata.toml",
                "exercises/01-races/ticket_lock/README.md",
                "solutions/ticket_lock/lib.rs",
                "solutions/ticket_lock/mutants/load_then_store.rs",
                "tests/ticket_lock.rs",
                "tests/Cargo.toml",
            ]
        );
        let checks = std::fs::read_to_string(root.join("tests/ticket_lock.rs")).unwrap();
        assert!(checks.contains("use ticket_lock::TicketLock;"), "{checks}");
        let metadata = std::fs::read_to_string(&written[2]).unwrap();
        let parsed = crate::metadata::Metadata::parse(&metadata, "kata.toml").unwrap();
        assert_eq!((parsed.title.as_str(), parsed.track), ("Ticket lock", 1));
        let lesson = std::fs::read_to_string(&written[3]).unwrap();
        assert!(
            lesson.starts_with("# Ticket lock\n\n*Track 1: races."),
            "{lesson}"
        );

        let again = write(&root, &kata).unwrap_err().to_string();
        assert!(again.contains("exists already"), "{again}");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn a_new_track_needs_a_name_and_an_existing_one_keeps_its_own() {
        let root = scratch("tracks");
        let unnamed = NewKata {
            name: "publish",
            track: 8,
            track_name: None,
        };
        let err = write(&root, &unnamed).unwrap_err().to_string();
        assert!(err.contains("--track-name"), "{err}");
        let named = NewKata {
            track_name: Some("atomics"),
            ..unnamed
        };
        write(&root, &named).unwrap();
        assert!(root
            .join("exercises/08-atomics/publish/kata.toml")
            .is_file());

        let renamed = NewKata {
            name: "seqlock",
            track: 1,
            track_name: Some("locks"),
        };
        let err = write(&root, &renamed).unwrap_err().to_string();
        assert!(err.contains("`01-races` already"), "{err}");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn a_name_must_be_snake_case() {
        for bad in [
            "TicketLock",
            "ticket-lock",
            "_lock",
            "lock_",
            "9lives",
            "a__b",
            "",
        ] {
            let err = check_name(bad).unwrap_err().to_string();
            assert!(err.contains("lowercase words"), "{bad}: {err}");
        }
        check_name("ticket_lock2").unwrap();
    }
}
