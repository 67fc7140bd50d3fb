//! The operating-system sandbox around every process that runs a graded submission's code
//! (Linux): a cell per check, entered between fork and exec so that it binds code that runs
//! before `main` too.
//!
//! Layers, each applied where the machine allows it and reported in the grade
//! ([`Sandbox::layers`]):
//!
//! - **an unprivileged user** when the grader runs as root: each cell gets a user id of its own
//!   from a reserved range, so that `RLIMIT_NPROC` binds, the grader's files and processes are out
//!   of reach, and every process the check started (escaped process groups included) is found and
//!   killed by its user id when the cell closes;
//! - **a PID namespace** with a `/proc` of its own ([`namespace`]): no process outside the check
//!   is seen or signalled, and everything the check started dies with it, as root or not;
//! - **Landlock**: the file system shrinks to the system's libraries read-only, the check binary
//!   (a copy in the sandbox's own directory) and the cell's directory; no signal or abstract Unix
//!   socket reaches a process outside the cell, and no TCP connection is made;
//! - a minimal **environment**: `PATH`, `HOME` and `TMPDIR` (the cell's), `LANG`, and the two
//!   variables the harness reads; nothing of the grader's (CI secrets live there).
//!
//! The network namespace and the resource limits stay with [`spawn::Limits`](crate::spawn::Limits).
//! Elsewhere than Linux no layer holds, and the grade says so.

use std::ffi::OsString;
use std::os::fd::AsRawFd;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

mod landlock;
mod namespace;

/// The first user id of the reserved range; cells take ids from it upward.
const FIRST_UID: u32 = 1_970_000_000;

/// How many cells may be open at once on the machine (and so user ids in the range).
const CELLS: u32 = 256;

/// The sandbox of one grading run: its directory, the user ids it hands out, and what the machine
/// supports.
pub struct Sandbox {
    /// Holds the check binaries' copies (`bin/`) and the cells; removed on drop.
    dir: PathBuf,
    /// Whether cells run as users of their own (the grader is root and may switch users).
    switch_user: bool,
    /// The kernel's Landlock ABI version, if it has Landlock.
    landlock: Option<i64>,
    /// Whether each check gets a PID namespace of its own.
    pid_namespace: bool,
}

/// One check's confinement: a directory (its temporary files, configuration and report) and,
/// where users are switched, a user id no other process has. Closing it kills every process of
/// that user and removes the directory.
pub struct Cell<'a> {
    sandbox: &'a Sandbox,
    dir: PathBuf,
    exe: PathBuf,
    uid: Option<Claim>,
}

/// A user id of the reserved range, claimed by a lock file that every grading process on the
/// machine respects; released when dropped.
struct Claim {
    uid: u32,
    _lock: std::fs::File,
}

impl Sandbox {
    /// Prepares a sandbox under the system's temporary directory.
    pub fn prepare() -> Result<Sandbox> {
        let dir = std::env::temp_dir().join(format!("xtask-sandbox-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("bin"))
            .with_context(|| format!("cannot create {}", dir.display()))?;
        // Others may pass through (to their cell and the binaries) but not list.
        set_mode(&dir, 0o711)?;
        set_mode(&dir.join("bin"), 0o711)?;
        Ok(Sandbox {
            dir,
            switch_user: is_root() && can_switch_user(),
            landlock: landlock::abi(),
            pid_namespace: namespace::available(),
        })
    }

    /// Whether each check runs as a user of its own.
    pub fn switches_user(&self) -> bool {
        self.switch_user
    }

    /// The layers that hold on this machine, in words for the grade.
    pub fn layers(&self) -> Vec<String> {
        let mut layers = Vec::new();
        if self.switch_user {
            layers.push("an unprivileged user of its own for each check".to_owned());
        }
        if self.pid_namespace {
            layers.push(
                "a PID namespace of its own: no process outside the check seen or signalled, and \
                 none of the check's left when it ends"
                    .to_owned(),
            );
        }
        if let Some(version) = self.landlock {
            layers.push(format!(
                "Landlock (ABI {version}): the file system limited to the check's own directory \
                 and the system's libraries{}",
                if version >= 6 {
                    "; no signal to a process outside the check"
                } else {
                    ""
                }
            ));
        }
        layers.push("a minimal environment".to_owned());
        layers
    }

    /// What did not hold, in words for the grade's notes (a grader that is root and could not
    /// switch users is noted with the process limit, by `grading`).
    pub fn gaps(&self) -> Vec<String> {
        let mut gaps = Vec::new();
        if !self.pid_namespace && !self.switch_user {
            gaps.push(
                "no PID namespace and no user of its own: a process a check started in a \
                 process group of its own could outlive the check"
                    .to_owned(),
            );
        }
        if self.landlock.is_none() {
            gaps.push(
                "no Landlock on this kernel: the checks could read and write whatever the \
                 grading user can"
                    .to_owned(),
            );
        }
        gaps
    }

    /// Opens a cell for one run of `exe`.
    pub fn cell(&self, exe: &Path) -> Result<Cell<'_>> {
        let uid = match self.switch_user {
            true => Some(claim_uid()?),
            false => None,
        };
        let name = match &uid {
            Some(claim) => format!("cell-{}", claim.uid),
            None => format!("cell-{}", unique()),
        };
        let dir = self.dir.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tmp"))
            .with_context(|| format!("cannot create {}", dir.display()))?;
        if let Some(Claim { uid, .. }) = uid {
            for path in [&dir, &dir.join("tmp")] {
                std::os::unix::fs::chown(path, Some(uid), Some(uid))
                    .with_context(|| format!("cannot hand {} to the sandbox", path.display()))?;
            }
        }
        set_mode(&dir, 0o700)?;
        let exe = self.binary(exe)?;
        Ok(Cell {
            sandbox: self,
            dir,
            exe,
            uid,
        })
    }

    /// The copy of `exe` in the sandbox's `bin/`, where any cell may read and run it.
    fn binary(&self, exe: &Path) -> Result<PathBuf> {
        let name = crate::fingerprint::hex(exe.as_os_str().as_encoded_bytes());
        let copy = self.dir.join("bin").join(name);
        let stale = match (std::fs::metadata(exe), std::fs::metadata(&copy)) {
            (Ok(original), Ok(copied)) => {
                original.len() != copied.len() || original.modified().ok() > copied.modified().ok()
            }
            _ => true,
        };
        if stale {
            let partial = copy.with_extension(format!("partial-{}", unique()));
            std::fs::copy(exe, &partial)
                .with_context(|| format!("cannot copy {} into the sandbox", exe.display()))?;
            set_mode(&partial, 0o755)?;
            std::fs::rename(&partial, &copy)
                .with_context(|| format!("cannot place {}", copy.display()))?;
        }
        Ok(copy)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Cell<'_> {
    /// The check binary to run: the sandbox's copy.
    pub fn exe(&self) -> &Path {
        &self.exe
    }

    /// The cell's directory, the only place the check may write.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Confines `command` to the cell: minimal environment, a PID namespace, the cell's user,
    /// Landlock. Call it after every other `pre_exec` that needs privileges (a network
    /// namespace).
    pub fn confine(&self, command: &mut Command, environment: &[(&str, OsString)]) -> Result<()> {
        minimal_environment(command, &self.dir.join("tmp"));
        command.current_dir(&self.dir);
        for (key, value) in environment {
            command.env(key, value);
        }
        let mut rules = match self.sandbox.landlock {
            Some(_) => Some(
                landlock::rules(&self.exe, &self.dir)
                    .context("cannot prepare the Landlock rules")?,
            ),
            None => None,
        };
        let uid = self.uid.as_ref().map(|claim| claim.uid);
        let pid_namespace = self.sandbox.pid_namespace;
        // Where the check's own message queues are mounted (see `namespace`).
        let mqueue_dir = self.dir.join("mqueue");
        std::fs::create_dir_all(&mqueue_dir)
            .with_context(|| format!("cannot create {}", mqueue_dir.display()))?;
        let mqueue_at = std::ffi::CString::new(mqueue_dir.into_os_string().into_encoded_bytes())
            .context("a cell's directory has no NUL in its path")?;
        // SAFETY: the closure runs between fork and exec and only makes system calls (unshare,
        // fork, mount, open, setgroups, setgid, setuid, prctl, landlock_*), which are
        // async-signal-safe; the ruleset was built in the parent.
        unsafe {
            command.pre_exec(move || {
                if pid_namespace {
                    namespace::enter(Some(&mqueue_at))?;
                }
                if let Some(uid) = uid {
                    become_user(uid)?;
                }
                if let Some(rules) = rules.take() {
                    rules.enforce(Some(&mqueue_at))?;
                }
                Ok(())
            });
        }
        Ok(())
    }

    /// Kills every process the check left, whatever its process group (by the cell's user).
    pub fn kill_all(&self) {
        if let Some(claim) = &self.uid {
            kill_user(claim.uid);
        }
    }
}

impl Drop for Cell<'_> {
    fn drop(&mut self) {
        self.kill_all();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Gives `command` only `PATH`, `LANG`, and `HOME` and `TMPDIR` set to `temporary`: none of the
/// caller's variables (CI secrets live there).
pub fn minimal_environment(command: &mut Command, temporary: &Path) {
    command
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("LANG", "C.UTF-8")
        .env("HOME", temporary)
        .env("TMPDIR", temporary);
}

/// Claims a free user id of the reserved range: the first whose lock file this process can lock
/// (every grading process on the machine shares `/tmp/xtask-sandbox-users/`).
fn claim_uid() -> Result<Claim> {
    let locks = std::env::temp_dir().join("xtask-sandbox-users");
    std::fs::create_dir_all(&locks)
        .with_context(|| format!("cannot create {}", locks.display()))?;
    set_mode(&locks, 0o700)?;
    for uid in FIRST_UID..FIRST_UID + CELLS {
        let path = locks.join(uid.to_string());
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        // SAFETY: a valid descriptor; the lock goes with the file.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if locked == 0 {
            // A process left over from an earlier grading run must not share the cell.
            kill_user(uid);
            return Ok(Claim { uid, _lock: file });
        }
    }
    anyhow::bail!("all {CELLS} sandbox users are taken: too many checks at once on this machine")
}

/// Drops every group and takes `uid` as user and group. That clears the parent-death signal:
/// the runner sets it after every other step between fork and exec (`spawn::Spawn::run`).
fn become_user(uid: u32) -> std::io::Result<()> {
    // SAFETY: plain system calls on the calling, just-forked process.
    unsafe {
        if libc::setgroups(0, std::ptr::null()) != 0
            || libc::setgid(uid) != 0
            || libc::setuid(uid) != 0
        {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// How many times [`kill_user`] signals a user's processes at most.
const KILL_ROUNDS: usize = 32;

/// Kills every process of `uid`: a child takes that user and signals all the processes it may
/// (`kill(-1)`), a few times over, so that a fork storm cannot outrun it (a process created by
/// a fork in flight during one round is signalled by the next, and the kernel refuses to fork
/// a process with a kill pending). It stops early once nothing is left to signal; a process
/// already dead but not yet reaped still counts, which is why the rounds are bounded.
fn kill_user(uid: u32) {
    // SAFETY: the child makes only async-signal-safe calls (setgid, setuid, kill, _exit) before
    // it exits; the parent waits for it.
    unsafe {
        let pid = libc::fork();
        if pid == 0 {
            if libc::setgid(uid) != 0 || libc::setuid(uid) != 0 {
                libc::_exit(1);
            }
            for _ in 0..KILL_ROUNDS {
                if libc::kill(-1, libc::SIGKILL) != 0 {
                    libc::_exit(0);
                }
            }
            libc::_exit(2);
        }
        if pid > 0 {
            let mut status = 0;
            libc::waitpid(pid, &mut status, 0);
        }
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Whether a child can take a user id of the reserved range (a user namespace may map too few).
fn can_switch_user() -> bool {
    // SAFETY: `become_user` makes only system calls.
    unsafe { step_succeeds(|| become_user(FIRST_UID + CELLS)) }
}

/// Whether `step`, taken between fork and exec, lets a child run `true`: how this machine's
/// support for a layer is probed.
///
/// # Safety
///
/// `step` runs between fork and exec: only async-signal-safe calls.
pub unsafe fn step_succeeds(
    step: impl FnMut() -> std::io::Result<()> + Send + Sync + 'static,
) -> bool {
    let mut command = Command::new("true");
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command.pre_exec(step);
    command.status().is_ok_and(|status| status.success())
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot set the permissions of {}", path.display()))
}

/// A number no other call in this process got.
fn unique() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
