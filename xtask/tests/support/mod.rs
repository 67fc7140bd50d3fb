//! What the end-to-end tests share: where the repository is, and a kata's starting code as
//! committed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The real repository.
pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repository")
        .to_path_buf()
}

/// The file at `relative` as committed (`git show HEAD:<relative>`), not the file in the working
/// tree, where a learner may have solved the kata; the file where git cannot say.
pub fn starting_code(relative: &str) -> String {
    let shown = Command::new("git")
        .arg("-C")
        .arg(repository())
        .args(["show", &format!("HEAD:{relative}")])
        .output();
    match shown {
        Ok(output) if output.status.success() => String::from_utf8(output.stdout).unwrap(),
        _ => std::fs::read_to_string(repository().join(relative)).unwrap(),
    }
}
