//! A variant: one source file standing in for a kata's `src/lib.rs`, built in a scratch crate
//! under `target/xtask/variants/` whose `[lib] path` points at the file itself, whose test
//! target `checks` is the kata's checks and, when the kata has one, whose bench target `bench`
//! is its benchmark.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use toml::{Table, Value};

use crate::catalog::Kata;
use crate::fingerprint;

/// A scratch crate that builds one source file as a kata's library, with the kata's checks.
pub struct Variant {
    /// The scratch crate's directory.
    pub dir: PathBuf,
    /// The source file, absolute.
    pub source: PathBuf,
    /// The repository root, whose `target/` the variant is built in.
    pub root: PathBuf,
}

impl Variant {
    /// Writes (or refreshes) the scratch crate of `kata` built from `source`, an existing file.
    pub fn prepare(kata: &Kata, source: &Path) -> Result<Variant> {
        let root = kata.root();
        let source = std::fs::canonicalize(source)
            .with_context(|| format!("cannot read {}", source.display()))?;
        let checks = kata.checks_file();
        if !checks.is_file() {
            bail!(
                "{} is missing: kata `{}` has no checks",
                checks.strip_prefix(root).unwrap_or(&checks).display(),
                kata.name()
            );
        }
        let bench = kata.bench_file();
        let bench = bench.is_file().then_some(bench);
        let hash = fingerprint::hex(source.as_os_str().as_encoded_bytes());
        // The package name is the variant's own, so that cargo gives each variant its own
        // artifacts (its hashes ignore where a single-crate workspace lives); the library keeps
        // the kata's name, which the checks import.
        let package = format!("{}-{hash}", kata.name());
        let dir = root.join("target/xtask/variants").join(&package);
        std::fs::create_dir_all(dir.join("reports"))
            .with_context(|| format!("cannot create {}", dir.display()))?;

        let root_manifest = read_table(&root.join("Cargo.toml"))?;
        let exercise_manifest = read_table(&kata.dir.join("Cargo.toml"))?;
        let text = manifest(&Inputs {
            root,
            root_manifest: &root_manifest,
            exercise_dir: &kata.dir,
            exercise_manifest: &exercise_manifest,
            kata: kata.name(),
            package: &package,
            source: &source,
            checks: &checks,
            bench: bench.as_deref(),
        })?;
        write_if_changed(&dir.join("Cargo.toml"), &text)?;
        refresh_lock(&root.join("Cargo.lock"), &dir.join("Cargo.lock"))?;
        Ok(Variant {
            dir,
            source,
            root: root.to_path_buf(),
        })
    }

    /// The scratch crate's manifest.
    pub fn manifest_path(&self) -> PathBuf {
        self.dir.join("Cargo.toml")
    }

    /// Where the check run number `n` of this process writes its report.
    pub fn report_path(&self, n: usize) -> PathBuf {
        self.dir
            .join("reports")
            .join(format!("{}-{n}.json", std::process::id()))
    }
}

/// The name of a variant's bench target (the kata's benchmark).
pub const BENCH_TARGET: &str = "bench";

/// Everything the scratch manifest is derived from.
pub struct Inputs<'a> {
    /// The repository root.
    pub root: &'a Path,
    /// The root `Cargo.toml`.
    pub root_manifest: &'a Table,
    /// The kata's exercise directory.
    pub exercise_dir: &'a Path,
    /// The kata's exercise `Cargo.toml`.
    pub exercise_manifest: &'a Table,
    /// The kata's name (the library's crate name).
    pub kata: &'a str,
    /// The scratch package's name, unique to the variant.
    pub package: &'a str,
    /// The variant's source file, absolute.
    pub source: &'a Path,
    /// The kata's checks, absolute.
    pub checks: &'a Path,
    /// The kata's benchmark, absolute, when it has one.
    pub bench: Option<&'a Path>,
}

/// The scratch crate's `Cargo.toml`.
pub fn manifest(inputs: &Inputs) -> Result<String> {
    let workspace = inputs
        .root_manifest
        .get("workspace")
        .and_then(Value::as_table);
    let workspace_deps = workspace
        .and_then(|ws| ws.get("dependencies"))
        .and_then(Value::as_table);

    let mut dependencies = Table::new();
    if let Some(deps) = inputs
        .exercise_manifest
        .get("dependencies")
        .and_then(Value::as_table)
    {
        for (name, value) in deps {
            let resolved = resolve_dependency(name, value, inputs, workspace_deps)?;
            dependencies.insert(name.clone(), resolved);
        }
    }
    if !dependencies.contains_key("harness") {
        dependencies.insert("harness".into(), path_table(&inputs.root.join("harness")));
    }
    // The checks' shared helpers (trace validators), in the `checks` crate's library.
    dependencies.insert("checks".into(), path_table(&inputs.root.join("tests")));

    let mut out = Table::new();
    out.insert(
        "package".into(),
        Value::Table(table([
            ("name", inputs.package.into()),
            ("version", "0.0.0".into()),
            ("edition", "2021".into()),
            ("publish", false.into()),
        ])),
    );
    out.insert(
        "lib".into(),
        Value::Table(table([
            ("name", inputs.kata.into()),
            ("path", path_value(inputs.source)),
        ])),
    );
    out.insert(
        "test".into(),
        Value::Array(vec![Value::Table(table([
            ("name", "checks".into()),
            ("path", path_value(inputs.checks)),
            ("harness", false.into()),
        ]))]),
    );
    if let Some(bench) = inputs.bench {
        out.insert(
            "bench".into(),
            Value::Array(vec![Value::Table(table([
                ("name", BENCH_TARGET.into()),
                ("path", path_value(bench)),
                ("harness", false.into()),
            ]))]),
        );
    }
    out.insert("dependencies".into(), Value::Table(dependencies));
    out.insert(
        "features".into(),
        Value::Table(table([
            ("model", Value::Array(vec!["harness/model".into()])),
            ("explore", Value::Array(vec!["harness/explore".into()])),
        ])),
    );
    out.insert("workspace".into(), Value::Table(Table::new()));
    if let Some(profile) = inputs.root_manifest.get("profile") {
        out.insert("profile".into(), profile.clone());
    }
    let inherits_lints = inputs
        .exercise_manifest
        .get("lints")
        .and_then(|lints| lints.get("workspace"))
        == Some(&Value::Boolean(true));
    if let Some(lints) = workspace
        .and_then(|ws| ws.get("lints"))
        .filter(|_| inherits_lints)
    {
        out.insert("lints".into(), lints.clone());
    }
    let text = toml::to_string(&out).context("cannot write the scratch Cargo.toml")?;
    Ok(format!(
        "# Generated by `cargo xtask` for {}; do not edit.\n{text}",
        inputs.source.display()
    ))
}

/// A dependency of the exercise crate with `workspace = true` resolved and paths made absolute.
fn resolve_dependency(
    name: &str,
    value: &Value,
    inputs: &Inputs,
    workspace_deps: Option<&Table>,
) -> Result<Value> {
    let Value::Table(spec) = value else {
        return Ok(value.clone());
    };
    if spec.get("workspace") != Some(&Value::Boolean(true)) {
        return Ok(Value::Table(absolute_path(spec, inputs.exercise_dir)));
    }
    let mut resolved = match workspace_deps.and_then(|deps| deps.get(name)) {
        Some(Value::String(version)) => table([("version", version.as_str().into())]),
        Some(Value::Table(base)) => absolute_path(base, inputs.root),
        _ => bail!(
            "{}/Cargo.toml: dependency `{name}` says `workspace = true` but the root Cargo.toml \
             has no [workspace.dependencies] entry for it",
            inputs.exercise_dir.display()
        ),
    };
    for (key, extra) in spec.iter().filter(|(key, _)| *key != "workspace") {
        match (resolved.get_mut(key), extra) {
            (Some(Value::Array(features)), Value::Array(more)) if key == "features" => {
                features.extend(more.iter().cloned());
            }
            _ => {
                resolved.insert(key.clone(), extra.clone());
            }
        }
    }
    Ok(Value::Table(resolved))
}

/// `spec` with a relative `path` made absolute against `base`.
fn absolute_path(spec: &Table, base: &Path) -> Table {
    let mut spec = spec.clone();
    if let Some(Value::String(path)) = spec.get("path") {
        let absolute = path_value(&canonical(&base.join(path)));
        spec.insert("path".into(), absolute);
    }
    spec
}

fn path_table(path: &Path) -> Value {
    Value::Table(table([("path", path_value(&canonical(path)))]))
}

/// A dependency's directory with symbolic links resolved, so that every variant names the same
/// package by the same path and cargo builds it once (a scratch copy of the repository may link
/// to the real `harness/`); as it is when it cannot be resolved.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn path_value(path: &Path) -> Value {
    Value::String(path.display().to_string())
}

fn table<const N: usize>(entries: [(&str, Value); N]) -> Table {
    entries
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
}

fn read_table(path: &Path) -> Result<Table> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.parse::<Table>()
        .map_err(|err| anyhow::anyhow!("{}: {}", path.display(), err.message().replace('\n', " ")))
}

fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        write_atomically(path, text.as_bytes())?;
    }
    Ok(())
}

/// Copies the root's `Cargo.lock` (the pinned versions) into the scratch crate when the scratch
/// crate has none or the root's changed since; cargo then prunes the copy to what it needs.
fn refresh_lock(root_lock: &Path, scratch_lock: &Path) -> Result<()> {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let Some(root_time) = modified(root_lock) else {
        return Ok(());
    };
    if modified(scratch_lock).is_some_and(|scratch_time| scratch_time >= root_time) {
        return Ok(());
    }
    let bytes =
        std::fs::read(root_lock).with_context(|| format!("cannot read {}", root_lock.display()))?;
    write_atomically(scratch_lock, &bytes)
}

/// Writes through a temporary file and a rename, so a concurrent cargo never reads half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = r#"
[workspace]
members = ["harness"]

[workspace.dependencies]
harness = { path = "harness" }
serde = { version = "1", features = ["derive"] }
loom = "=0.7.3"

[workspace.lints.rust]
unexpected_cfgs = { level = "warn" }

[profile.dev.package.loom]
opt-level = 2
"#;

    const EXERCISE: &str = r#"
[package]
name = "bank"
version = "0.0.0"
edition.workspace = true

[dependencies]
harness.workspace = true
serde = { workspace = true, features = ["rc"] }
loom.workspace = true
helper = { path = "../helper" }
itoa = "1"

[lints]
workspace = true
"#;

    fn generate() -> Table {
        generate_with(None)
    }

    fn generate_with(bench: Option<&Path>) -> Table {
        let root_manifest: Table = ROOT.parse().unwrap();
        let exercise_manifest: Table = EXERCISE.parse().unwrap();
        let text = manifest(&Inputs {
            root: Path::new("/repo"),
            root_manifest: &root_manifest,
            exercise_dir: Path::new("/repo/exercises/02-locks/bank"),
            exercise_manifest: &exercise_manifest,
            kata: "bank",
            package: "bank-0123456789abcdef",
            source: Path::new("/repo/solutions/bank/lib.rs"),
            checks: Path::new("/repo/tests/bank.rs"),
            bench,
        })
        .unwrap();
        text.parse().unwrap()
    }

    #[test]
    fn the_library_is_the_variant_file_and_the_checks_a_test() {
        let manifest = generate();
        assert_eq!(
            manifest["package"]["name"].as_str(),
            Some("bank-0123456789abcdef")
        );
        assert_eq!(manifest["lib"]["name"].as_str(), Some("bank"));
        assert_eq!(
            manifest["lib"]["path"].as_str(),
            Some("/repo/solutions/bank/lib.rs")
        );
        let test = &manifest["test"][0];
        assert_eq!(test["name"].as_str(), Some("checks"));
        assert_eq!(test["path"].as_str(), Some("/repo/tests/bank.rs"));
        assert_eq!(test["harness"].as_bool(), Some(false));
        assert_eq!(manifest["workspace"].as_table().map(Table::len), Some(0));
    }

    #[test]
    fn a_benchmark_is_a_bench_target_only_when_there_is_one() {
        assert!(generate().get("bench").is_none());
        let manifest = generate_with(Some(Path::new("/repo/tests/benches/bank.rs")));
        let bench = &manifest["bench"][0];
        assert_eq!(bench["name"].as_str(), Some("bench"));
        assert_eq!(bench["path"].as_str(), Some("/repo/tests/benches/bank.rs"));
        assert_eq!(bench["harness"].as_bool(), Some(false));
        // The checks stay the one test target.
        assert_eq!(manifest["test"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn dependencies_are_resolved_and_absolute() {
        let manifest = generate();
        let deps = &manifest["dependencies"];
        assert_eq!(deps["harness"]["path"].as_str(), Some("/repo/harness"));
        assert_eq!(deps["checks"]["path"].as_str(), Some("/repo/tests"));
        assert_eq!(deps["loom"]["version"].as_str(), Some("=0.7.3"));
        let features: Vec<_> = deps["serde"]["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(features, ["derive", "rc"]);
        assert_eq!(
            deps["helper"]["path"].as_str(),
            Some("/repo/exercises/02-locks/bank/../helper")
        );
        assert_eq!(deps["itoa"].as_str(), Some("1"));
    }

    #[test]
    fn features_profiles_and_lints_come_along() {
        let manifest = generate();
        assert_eq!(
            manifest["features"]["model"][0].as_str(),
            Some("harness/model")
        );
        assert_eq!(
            manifest["features"]["explore"][0].as_str(),
            Some("harness/explore")
        );
        assert_eq!(
            manifest["profile"]["dev"]["package"]["loom"]["opt-level"].as_integer(),
            Some(2)
        );
        assert!(manifest["lints"]["rust"].get("unexpected_cfgs").is_some());
    }
}
