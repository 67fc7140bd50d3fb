//! Programs a kata's checks start (`requires` in `kata.toml`, such as `redis-server`): whether
//! they are installed, and how to install them. A kata whose program is missing is skipped by
//! `verify`, `mutate` and `test` (counted as skipped, never as failed), and `check` says in one
//! line what to install.

use std::path::Path;

use crate::catalog::Kata;

/// How to install the programs katas may require, on the common systems.
const INSTALL: [(&str, &str); 1] = [(
    "redis-server",
    "`sudo apt-get install redis-server` (Debian, Ubuntu), `sudo dnf install redis` (Fedora), \
     `brew install redis` (macOS)",
)];

/// The first program `kata` requires that is not on the `PATH`, if any.
pub fn missing(kata: &Kata) -> Option<&str> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    kata.meta
        .requires
        .iter()
        .map(String::as_str)
        .find(|program| !on_path(program, &path))
}

/// Whether `program` is an executable file in one of the directories of `path`.
fn on_path(program: &str, path: &std::ffi::OsStr) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(path).any(|dir| {
        Path::new(&dir)
            .join(program)
            .metadata()
            .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
    })
}

/// One line: what `kata` needs and how to install it, when a program it requires is missing.
///
/// ```text
/// job_queue needs redis-server, which is not installed: `sudo apt-get install redis-server` (Debian, Ubuntu), ...
/// ```
pub fn unmet(kata: &Kata) -> Option<String> {
    let program = missing(kata)?;
    let how = INSTALL.iter().find(|(name, _)| *name == program).map_or(
        "install it with your system's package manager",
        |(_, how)| how,
    );
    Some(format!(
        "{} needs {program}, which is not installed: {how}",
        kata.name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_is_found_only_where_it_is_an_executable_file() {
        let dir = std::env::temp_dir().join(format!("requirements-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("tool"), "").unwrap();
        let path = std::env::join_paths([&dir]).unwrap();
        assert!(!on_path("tool", &path), "not executable");
        std::fs::set_permissions(
            dir.join("tool"),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        assert!(on_path("tool", &path));
        assert!(!on_path("other", &path));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
