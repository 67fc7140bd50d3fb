//! The checks registry: what `tests/Cargo.toml` must declare, derived from the catalog, so that
//! it cannot go stale. A unit test holds the real file against it (`cargo xtask test` runs
//! xtask's unit tests) and, when they differ, says which lines to add and which to remove.
//!
//! For every kata `k` in `exercises/NN-track/k/`:
//!
//! - its checks, `tests/k.rs`: `[[test]]` with `name = "k"`, `path = "k.rs"`, `harness = false`;
//! - its benchmark, when it has one (`tests/benches/k.rs`): `[[bench]]` likewise;
//! - under `[dev-dependencies]`, the kata's crate, `k = { path = "../exercises/NN-track/k" }`,
//!   and, when the kata has provided code, its support crate (`support/` beside `src/`, named
//!   `k_support`), which the checks use too.
//!
//! Every other file of `tests/benches/` is a benchmark of the `checks` library itself, also a
//! `[[bench]]`. Files shared by several katas' checks (`tests/rwlock.rs`, `tests/together.rs`,
//! ...) are modules of the `checks` library (`tests/lib.rs`), not targets: nothing is derived
//! for them, and a target declared for one is stale. Dependencies from a registry (`memmap2`,
//! `rustix`) are the checks' own and left alone.
//!
//! ```text
//! tests/Cargo.toml does not match the katas (xtask/src/registry.rs derives it from them).
//! Add:
//!
//! [[test]]
//! name = "spsc_ring"
//! path = "spsc_ring.rs"
//! harness = false
//! ```
//!
//! The entries' form is shared with `cargo xtask new`, which writes a new kata's; what is
//! derived and compared only the unit tests use, so it is built only for them.

use std::fmt;
#[cfg(test)]
use std::path::Path;

#[cfg(test)]
use anyhow::{Context, Result};
#[cfg(test)]
use toml::{Table, Value};

#[cfg(test)]
use crate::catalog::Catalog;

/// One thing `tests/Cargo.toml` declares for a kata.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Entry {
    /// A `[[test]]` or `[[bench]]` target, under `section` (`test` or `bench`).
    Target {
        section: &'static str,
        name: String,
        path: String,
        harness: bool,
    },
    /// A dev-dependency on a crate of this repository, by its path from `tests/`.
    Dependency { name: String, path: String },
}

impl fmt::Display for Entry {
    /// The entry as the lines of `tests/Cargo.toml` that declare it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Target {
                section,
                name,
                path,
                harness,
            } => write!(
                f,
                "[[{section}]]\nname = \"{name}\"\npath = \"{path}\"\nharness = {harness}"
            ),
            Entry::Dependency { name, path } => write!(f, "{name} = {{ path = \"{path}\" }}"),
        }
    }
}

#[cfg(test)]
/// What `tests/Cargo.toml` lacks and what it declares for no kata.
#[derive(Debug, Default, PartialEq)]
struct Difference {
    /// Derived from the katas but not declared.
    missing: Vec<Entry>,
    /// Declared but derived from no kata.
    stale: Vec<Entry>,
}

#[cfg(test)]
impl Difference {
    fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.stale.is_empty()
    }
}

#[cfg(test)]
impl fmt::Display for Difference {
    /// What to paste into `tests/Cargo.toml` and what to delete from it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "tests/Cargo.toml does not match the katas (xtask/src/registry.rs derives it from \
             them)."
        )?;
        let blocks = [
            ("Add:", targets(&self.missing)),
            ("Add under [dev-dependencies]:", dependencies(&self.missing)),
            (
                "Remove (no kata has these; files shared by several katas' checks are modules of \
                 tests/lib.rs, not targets):",
                targets(&self.stale),
            ),
            (
                "Remove from [dev-dependencies] (no kata or support crate is there):",
                dependencies(&self.stale),
            ),
        ];
        for (title, lines) in blocks.iter().filter(|(_, lines)| !lines.is_empty()) {
            write!(f, "\n{title}\n\n{lines}\n")?;
        }
        Ok(())
    }
}

#[cfg(test)]
/// The targets among `entries` as lines to paste, a blank line between two.
fn targets(entries: &[Entry]) -> String {
    let targets = entries.iter().filter(|e| matches!(e, Entry::Target { .. }));
    targets
        .map(Entry::to_string)
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
/// The dependencies among `entries` as lines to paste, one a line.
fn dependencies(entries: &[Entry]) -> String {
    let dependencies = entries
        .iter()
        .filter(|e| matches!(e, Entry::Dependency { .. }));
    dependencies
        .map(Entry::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
/// What `tests/Cargo.toml` must declare for the katas of `catalog` and the benchmarks in
/// `tests/benches/`, sorted.
fn derived(catalog: &Catalog) -> Result<Vec<Entry>> {
    let benches = catalog.root.join("tests").join("benches");
    let listing = std::fs::read_dir(&benches)
        .with_context(|| format!("cannot list {}", benches.display()))?;
    let mut entries = Vec::new();
    for file in listing {
        let path = file?.path();
        if path.extension().is_some_and(|extension| extension == "rs") {
            let name = path.file_stem().unwrap_or_default().to_string_lossy();
            entries.push(target("bench", &name, format!("benches/{name}.rs")));
        }
    }
    for kata in catalog.all()? {
        let name = kata.name().to_owned();
        let dir = kata.dir.strip_prefix(&catalog.root).with_context(|| {
            format!(
                "kata `{name}` lies outside the repository: {}",
                kata.dir.display()
            )
        })?;
        let dir = format!("../{}", slashed(dir));
        entries.push(target("test", &name, format!("{name}.rs")));
        if let Some((support, support_dir)) = kata.support_crate() {
            let inside = support_dir.strip_prefix(&kata.dir).unwrap_or(&support_dir);
            entries.push(Entry::Dependency {
                name: support,
                path: format!("{dir}/{}", slashed(inside)),
            });
        }
        entries.push(Entry::Dependency { name, path: dir });
    }
    entries.sort();
    Ok(entries)
}

/// A target with the test harness off: checks and benchmarks have their own `main`.
pub(crate) fn target(section: &'static str, name: &str, path: String) -> Entry {
    Entry::Target {
        section,
        name: name.to_owned(),
        path,
        harness: false,
    }
}

#[cfg(test)]
/// What `manifest` (the text of a `tests/Cargo.toml`) declares that the registry keeps: every
/// target, and every dev-dependency by path. Sorted.
fn declared(manifest: &str) -> Result<Vec<Entry>> {
    let manifest: Table = manifest
        .parse()
        .map_err(|err: toml::de::Error| anyhow::anyhow!("tests/Cargo.toml: {}", err.message()))?;
    let mut entries = Vec::new();
    for section in ["test", "bench"] {
        let targets = manifest.get(section).and_then(Value::as_array);
        for target in targets.into_iter().flatten() {
            let field = |key| target.get(key).and_then(Value::as_str).unwrap_or_default();
            entries.push(Entry::Target {
                section,
                name: field("name").to_owned(),
                path: field("path").to_owned(),
                harness: target
                    .get("harness")
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
            });
        }
    }
    let dependencies = manifest.get("dev-dependencies").and_then(Value::as_table);
    for (name, spec) in dependencies.into_iter().flatten() {
        if let Some(path) = spec.get("path").and_then(Value::as_str) {
            entries.push(Entry::Dependency {
                name: name.clone(),
                path: path.to_owned(),
            });
        }
    }
    entries.sort();
    Ok(entries)
}

#[cfg(test)]
/// The entries of `derived` not `declared` and the other way round.
fn difference(derived: &[Entry], declared: &[Entry]) -> Difference {
    let lacking = |from: &[Entry], other: &[Entry]| -> Vec<Entry> {
        let absent = from.iter().filter(|entry| !other.contains(entry));
        absent.cloned().collect()
    };
    Difference {
        missing: lacking(derived, declared),
        stale: lacking(declared, derived),
    }
}

#[cfg(test)]
/// A relative path with `/` between its parts, as `Cargo.toml` writes it on every platform.
fn slashed(path: &Path) -> String {
    let parts: Vec<_> = path.iter().map(|part| part.to_string_lossy()).collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The catalog of this repository.
    fn catalog() -> Catalog {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        Catalog::at(std::fs::canonicalize(root).unwrap()).unwrap()
    }

    /// The text of this repository's `tests/Cargo.toml`.
    fn manifest(catalog: &Catalog) -> String {
        std::fs::read_to_string(catalog.root.join("tests/Cargo.toml")).unwrap()
    }

    /// The difference between the katas of this repository and `manifest`.
    fn against(catalog: &Catalog, manifest: &str) -> Difference {
        difference(&derived(catalog).unwrap(), &declared(manifest).unwrap())
    }

    /// A scratch `tests/Cargo.toml` that declares exactly what the katas of this repository
    /// need, and a dependency from a registry.
    fn scratch_manifest(catalog: &Catalog) -> String {
        let derived = derived(catalog).unwrap();
        format!(
            "{}\n\n[dev-dependencies]\nmemmap2 = \"0.9\"\n{}\n",
            targets(&derived),
            dependencies(&derived)
        )
    }

    #[test]
    fn tests_cargo_toml_declares_what_the_katas_need_and_nothing_else() {
        let catalog = catalog();
        let difference = against(&catalog, &manifest(&catalog));
        assert!(difference.is_empty(), "{difference}");
    }

    #[test]
    fn every_kata_has_its_checks_and_shared_checks_files_are_no_kata() {
        let catalog = catalog();
        for kata in catalog.names() {
            let checks = catalog.root.join("tests").join(format!("{kata}.rs"));
            assert!(
                checks.is_file(),
                "kata `{kata}` has no checks: write tests/{kata}.rs"
            );
        }
        let derived = derived(&catalog).unwrap();
        for shared in ["rwlock", "together"] {
            let named =
                |entry: &&Entry| matches!(entry, Entry::Target { name, .. } if name == shared);
            assert!(!derived.iter().any(|entry| named(&entry)), "{shared}");
        }
    }

    #[test]
    fn every_checks_file_is_a_katas_or_a_module_of_the_checks_library() {
        let catalog = catalog();
        let tests = catalog.root.join("tests");
        let library = std::fs::read_to_string(tests.join("lib.rs")).unwrap();
        let modules: Vec<&str> = library
            .lines()
            .filter_map(|line| line.trim_start_matches("pub ").strip_prefix("mod "))
            .filter_map(|rest| rest.strip_suffix(';'))
            .collect();
        let katas = catalog.names();
        for file in std::fs::read_dir(&tests).unwrap() {
            let path = file.unwrap().path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if path.extension().is_some_and(|ext| ext == "rs") && stem != "lib" {
                assert!(
                    katas.contains(&stem) || modules.contains(&stem),
                    "tests/{stem}.rs is neither a kata's checks nor a module of tests/lib.rs"
                );
            }
        }
    }

    #[test]
    fn a_scratch_manifest_of_what_is_derived_matches() {
        let catalog = catalog();
        let difference = against(&catalog, &scratch_manifest(&catalog));
        assert!(difference.is_empty(), "{difference}");
    }

    #[test]
    fn a_removed_test_target_is_named_with_the_lines_to_paste() {
        let catalog = catalog();
        let block = "[[test]]\nname = \"spsc_ring\"\npath = \"spsc_ring.rs\"\nharness = false\n";
        let manifest = scratch_manifest(&catalog);
        assert!(manifest.contains(block), "{manifest}");
        let difference = against(&catalog, &manifest.replace(block, ""));
        let message = difference.to_string();
        let expected = format!(
            "tests/Cargo.toml does not match the katas (xtask/src/registry.rs derives it from \
             them).\n\nAdd:\n\n{block}"
        );
        assert_eq!(message, expected);
    }

    #[test]
    fn a_removed_dependency_is_named_with_the_line_to_paste() {
        let catalog = catalog();
        let line =
            "spsc_ring_support = { path = \"../exercises/06-processes/spsc_ring/support\" }\n";
        let manifest = scratch_manifest(&catalog);
        assert!(manifest.contains(line), "{manifest}");
        let message = against(&catalog, &manifest.replace(line, "")).to_string();
        assert!(
            message.ends_with(&format!("\n\nAdd under [dev-dependencies]:\n\n{line}")),
            "{message}"
        );
    }

    #[test]
    fn a_target_for_no_kata_or_a_shared_file_is_stale() {
        let catalog = catalog();
        let shared = "[[test]]\nname = \"rwlock\"\npath = \"rwlock.rs\"\nharness = false";
        let gone = "gone = { path = \"../exercises/01-races/gone\" }";
        let manifest = format!("{shared}\n\n{}{gone}\n", scratch_manifest(&catalog));
        let difference = against(&catalog, &manifest);
        let message = difference.to_string();
        assert!(difference.missing.is_empty(), "{message}");
        assert!(
            message.contains(&format!("not targets):\n\n{shared}\n")),
            "{message}"
        );
        assert!(
            message.contains(&format!("is there):\n\n{gone}\n")),
            "{message}"
        );
    }

    #[test]
    fn a_target_with_the_harness_on_differs_from_the_one_derived() {
        let catalog = catalog();
        let off = "name = \"bank\"\npath = \"bank.rs\"\nharness = false";
        let manifest = scratch_manifest(&catalog);
        assert!(manifest.contains(off), "{manifest}");
        let on = off.replace("false", "true");
        let difference = against(&catalog, &manifest.replace(off, &on));
        assert_eq!(difference.missing.len(), 1, "{difference}");
        assert_eq!(difference.stale.len(), 1, "{difference}");
    }

    #[test]
    fn registry_dependencies_are_the_checks_own() {
        let declared =
            declared("[dev-dependencies]\nmemmap2 = \"0.9\"\nrustix = { version = \"1\" }\n");
        assert_eq!(declared.unwrap(), []);
    }
}
