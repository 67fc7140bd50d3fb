//! The stated minimum Rust version (`rust-version` in the workspace's `Cargo.toml`) against
//! what the packages need: every package of the workspace states it, and no crate the lockfile
//! pins for this platform needs a newer Rust. The workspace's resolver (`"3"`) picks crate
//! versions that keep to it; this catches a lockfile updated otherwise.

use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::catalog::Catalog;

/// What `cargo metadata` says of one package.
#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    rust_version: Option<String>,
    /// Where its manifest is: a workspace member's is under the workspace's root.
    manifest_path: String,
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    workspace_root: String,
}

#[derive(Deserialize)]
struct Manifest {
    workspace: Workspace,
}

#[derive(Deserialize)]
struct Workspace {
    package: WorkspacePackage,
}

#[derive(Deserialize)]
struct WorkspacePackage {
    #[serde(rename = "rust-version")]
    rust_version: String,
}

/// The problems with the stated minimum Rust version, one line each; none when it holds.
pub fn problems(catalog: &Catalog) -> Result<Vec<String>> {
    let manifest_path = catalog.root.join("Cargo.toml");
    let manifest: Manifest = toml::from_str(
        &std::fs::read_to_string(&manifest_path)
            .with_context(|| format!("cannot read {}", manifest_path.display()))?,
    )
    .context("Cargo.toml: no [workspace.package] rust-version")?;
    let stated = manifest.workspace.package.rust_version;
    let metadata = metadata(catalog)?;
    let mut problems = Vec::new();
    for package in &metadata.packages {
        let member = package.manifest_path.starts_with(&metadata.workspace_root);
        match (&package.rust_version, member) {
            (None, true) => problems.push(format!(
                "{} states no rust-version: add `rust-version.workspace = true` to its [package]",
                package.name
            )),
            (Some(needed), _) if newer(needed, &stated) => problems.push(format!(
                "{} {} needs Rust {needed}, newer than the stated minimum {stated}: `cargo \
                 update -p {}` picks a version that keeps to it, or raise the minimum",
                package.name, package.version, package.name
            )),
            _ => {}
        }
    }
    Ok(problems)
}

/// `cargo metadata` for this platform's packages (those the build has downloaded).
fn metadata(catalog: &Catalog) -> Result<Metadata> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let host = host_triple()?;
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .args(["--filter-platform", &host])
        .current_dir(&catalog.root)
        .stdin(Stdio::null())
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!("cargo metadata failed: {}", stderr.trim());
    }
    serde_json::from_slice(&output.stdout).context("cargo metadata wrote no JSON")
}

/// The platform rustc builds for by default, e.g. `x86_64-unknown-linux-gnu`.
fn host_triple() -> Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .context("cannot run rustc")?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .context("rustc -vV names no host")
}

/// Whether version `needed` (`1.91` or `1.91.0`) is newer than `stated`.
fn newer(needed: &str, stated: &str) -> bool {
    let parts = |version: &str| -> Vec<u64> {
        let mut parts: Vec<u64> = version.split('.').map(|p| p.parse().unwrap_or(0)).collect();
        parts.resize(3, 0);
        parts
    };
    parts(needed) > parts(stated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_their_numbers() {
        assert!(newer("1.91", "1.85"));
        assert!(newer("1.85.1", "1.85"));
        assert!(!newer("1.85.0", "1.85"));
        assert!(!newer("1.9", "1.85"));
        assert!(newer("2.0", "1.85"));
    }
}
