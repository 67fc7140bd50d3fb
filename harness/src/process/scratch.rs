//! Fresh directories for a check's files, removed when its round ends.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::lock;

/// Scratch directories created by this process, removed by [`remove_all`].
static SCRATCH: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A fresh, empty directory for this check's files (a shared mapping's file, a socket): inside
/// the run's temporary directory (`TMPDIR`, which `cargo xtask` gives each check process and
/// removes afterwards), removed by the engine when the round ends. Never put such files in
/// `/dev/shm` directly.
pub fn scratch() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("scratch-{}-{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => {
                lock(&SCRATCH).push(dir.clone());
                return dir;
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => panic!("cannot create a scratch directory {}: {err}", dir.display()),
        }
    }
}

/// Removes every scratch directory this process created.
pub(super) fn remove_all() {
    let dirs: Vec<PathBuf> = std::mem::take(&mut *lock(&SCRATCH));
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}
