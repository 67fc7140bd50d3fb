//! What checks may leave on the machine outside their temporary directory: shared memory
//! objects in `/dev/shm`, message queues in `/dev/mqueue` (where that file system is mounted),
//! and processes (a check binary or a `redis-server` still running). `verify` takes a
//! [`Snapshot`] before and after each kata: anything new is a leftover.
//!
//! (Message queues named by the harness are also removed one by one after every check
//! process, mounted or not: see `harness::process::remove_listed_queues`.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The directories looked at.
const PLACES: [&str; 2] = ["/dev/shm", "/dev/mqueue"];

/// The programs a check may start that must not outlive it, besides its own binary.
const SERVERS: [&str; 1] = ["redis-server"];

/// The entries of [`PLACES`] and the processes of checks at one moment: a process as
/// `/proc/<pid>` (which exists as long as it runs), with its program.
pub struct Snapshot {
    entries: BTreeSet<PathBuf>,
}

impl Snapshot {
    /// Lists the entries now (a place that does not exist has none), and the processes running
    /// a program under `target` (the check binaries) or one of [`SERVERS`].
    pub fn take(target: &Path) -> Snapshot {
        let mut snapshot = Snapshot::of(&PLACES.map(Path::new));
        snapshot.entries.extend(check_processes(target));
        snapshot
    }

    fn of(places: &[&Path]) -> Snapshot {
        let entries = places
            .iter()
            .filter_map(|place| std::fs::read_dir(place).ok())
            .flatten()
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .collect();
        Snapshot { entries }
    }

    /// What is in `later` but not in `self`, and still there now, in words.
    pub fn new_in(&self, later: &Snapshot) -> Vec<String> {
        later
            .entries
            .difference(&self.entries)
            .filter(|path| path.exists())
            .map(|path| describe(path))
            .collect()
    }
}

/// `/proc/<pid>` of each process whose program lies under `target` or is one of [`SERVERS`]
/// (by the kernel's name for it: a server may rewrite its command line, as `redis-server`
/// does).
fn check_processes(target: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            program(path).is_some_and(|program| Path::new(&program).starts_with(target))
                || std::fs::read_to_string(path.join("comm"))
                    .is_ok_and(|comm| SERVERS.contains(&comm.trim_end()))
        })
        .collect()
}

/// The program (first word of the command line) of the process at `/proc/<pid>`.
fn program(proc_dir: &Path) -> Option<String> {
    let cmdline = std::fs::read(proc_dir.join("cmdline")).ok()?;
    let first = cmdline.split(|&byte| byte == 0).next()?;
    (!first.is_empty()).then(|| String::from_utf8_lossy(first).into_owned())
}

/// A leftover in words: a path, or a process with its pid and program.
fn describe(path: &Path) -> String {
    match path.strip_prefix("/proc") {
        Ok(pid) => format!(
            "process {} ({})",
            pid.display(),
            program(path).unwrap_or_default()
        ),
        Err(_) => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_entry_is_a_leftover_and_a_removed_one_is_not() {
        let dir = std::env::temp_dir().join(format!("leftovers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("old"), "").unwrap();
        let before = Snapshot::of(&[&dir]);
        std::fs::write(dir.join("new"), "").unwrap();
        std::fs::write(dir.join("gone"), "").unwrap();
        let after = Snapshot::of(&[&dir]);
        std::fs::remove_file(dir.join("gone")).unwrap();
        assert_eq!(
            before.new_in(&after),
            vec![dir.join("new").display().to_string()]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A snapshot (of `target`) in which `leftover` is new since `before`, taken again until
    /// it is or 10 s have passed: a process's command line is its new program's only once the
    /// kernel has finished the exec.
    fn snapshot_showing(before: &Snapshot, target: &Path, leftover: &str) -> Snapshot {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let after = Snapshot::take(target);
            if before.new_in(&after).iter().any(|left| left == leftover)
                || std::time::Instant::now() > deadline
            {
                return after;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    #[test]
    fn a_process_of_a_program_under_target_is_a_leftover_while_it_runs() {
        let target = std::env::temp_dir().join(format!("leftovers-target-{}", std::process::id()));
        std::fs::create_dir_all(&target).unwrap();
        let program = target.join("check-binary");
        std::fs::copy("/bin/sleep", &program).unwrap();
        let before = Snapshot::take(&target);
        let mut running = std::process::Command::new(&program)
            .arg("30")
            .spawn()
            .unwrap();
        // Its command line is the new program's once the kernel has finished the exec (and
        // servers of other runs may come and go on the machine meanwhile: look for this one).
        let this_one = format!("process {} ({})", running.id(), program.display());
        let after = snapshot_showing(&before, &target, &this_one);
        let left = before.new_in(&after);
        assert!(left.contains(&this_one), "{this_one} not in {left:?}");
        running.kill().unwrap();
        running.wait().unwrap();
        assert!(
            !before
                .new_in(&after)
                .iter()
                .any(|left| left.starts_with(&format!("process {} ", running.id()))),
            "a process that ended is no leftover"
        );
        std::fs::remove_dir_all(&target).unwrap();
    }

    #[test]
    fn a_server_is_known_by_its_name_whatever_its_command_line() {
        let dir = std::env::temp_dir().join(format!("leftovers-server-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let server = dir.join(SERVERS[0]);
        std::fs::copy("/bin/sleep", &server).unwrap();
        let elsewhere = Path::new("/nonexistent-target");
        let before = Snapshot::take(elsewhere);
        let mut running = std::process::Command::new(&server)
            .arg("30")
            .spawn()
            .unwrap();
        // Other servers may come and go on the machine meanwhile: look for this one.
        let this_one = format!("process {} ({})", running.id(), server.display());
        let left = before.new_in(&snapshot_showing(&before, elsewhere, &this_one));
        running.kill().unwrap();
        running.wait().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(left.contains(&this_one), "{this_one} not in {left:?}");
    }
}
