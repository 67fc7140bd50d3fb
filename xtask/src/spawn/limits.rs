//! What a child may use besides its time budget ([`Limits`]), applied between fork and exec.

use std::os::unix::process::CommandExt;
use std::process::Command;

use crate::sandbox;

/// What a child may use besides its time budget, applied with `setrlimit` between fork and exec
/// so that they bind the child (and whatever it starts) but never xtask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Address space in bytes (`RLIMIT_AS`): an allocation beyond it fails, which aborts.
    pub memory_bytes: Option<u64>,
    /// Processes and threads of the user (`RLIMIT_NPROC`). The kernel counts every process of
    /// the real user, not only the child's, and does not apply it to root (or to any process
    /// with `CAP_SYS_RESOURCE` or `CAP_SYS_ADMIN`): under root the time budget and the process
    /// group are what end a fork storm.
    pub processes: Option<u64>,
    /// Cut the child off the network: a network namespace of its own, with no interface up
    /// (Linux; needs root or unprivileged user namespaces, see [`can_cut_network`]).
    pub no_network: bool,
}

/// Applies `limits` to the child between fork and exec.
pub(super) fn apply(command: &mut Command, limits: Limits) {
    if limits == Limits::default() {
        return;
    }
    // SAFETY: the closure runs between fork and exec and only makes system calls (getrlimit,
    // setrlimit, unshare), which are async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            if let Some(bytes) = limits.memory_bytes {
                set_limit(libc::RLIMIT_AS, bytes)?;
            }
            if let Some(count) = limits.processes {
                set_limit(libc::RLIMIT_NPROC, count)?;
            }
            if limits.no_network {
                cut_network()?;
            }
            Ok(())
        });
    }
}

/// Whether this machine lets a child be cut off the network (probed once with `true`).
pub fn can_cut_network() -> bool {
    // SAFETY: `cut_network` makes only system calls (unshare).
    unsafe { sandbox::step_succeeds(cut_network) }
}

/// Moves the calling process into a new, empty network namespace: directly as root, else inside
/// a new user namespace.
#[cfg(target_os = "linux")]
fn cut_network() -> std::io::Result<()> {
    // SAFETY: unshare only changes the calling (single-threaded, just forked) process.
    unsafe {
        if libc::unshare(libc::CLONE_NEWNET) == 0
            || libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) == 0
        {
            return Ok(());
        }
    }
    Err(std::io::Error::last_os_error())
}

#[cfg(not(target_os = "linux"))]
fn cut_network() -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The type `setrlimit` names a resource with.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
type Resource = libc::__rlimit_resource_t;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
type Resource = libc::c_int;

/// Lowers the soft and hard limit of `resource` to `value` (never raises either).
fn set_limit(resource: Resource, value: u64) -> std::io::Result<()> {
    let mut current = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(resource, &mut current) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let value = libc::rlim_t::try_from(value).unwrap_or(libc::RLIM_INFINITY);
        let wanted = libc::rlimit {
            rlim_cur: value.min(current.rlim_cur),
            rlim_max: value.min(current.rlim_max),
        };
        if libc::setrlimit(resource, &wanted) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}
