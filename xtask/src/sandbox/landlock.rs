//! The Landlock layer of a cell (Linux 5.13 and newer): rules built in the parent, enforced by
//! the child between fork and exec. Elsewhere there is no such layer and [`abi`] says so.

pub use imp::{abi, rules};

#[cfg(target_os = "linux")]
mod imp {
    use std::ffi::CStr;
    use std::path::Path;

    use landlock::{
        Access, AccessFs, AccessNet, CompatLevel, Compatible, PathBeneath, PathFd, Ruleset,
        RulesetAttr, RulesetCreated, RulesetCreatedAttr, RulesetError, Scope, ABI,
    };

    /// The Landlock ABI the rules are written for; an older kernel enforces what it knows.
    const WRITTEN_FOR: ABI = ABI::V6;

    /// System paths a check may read and execute: the dynamic loader and libraries, the few
    /// files of `/etc` the C library reads, and the kernel's views of the process (`/proc` is
    /// added by the child itself: see [`Rules::enforce`]).
    const READABLE: [&str; 9] = [
        "/usr",
        "/lib",
        "/lib64",
        "/bin",
        "/etc/ld.so.cache",
        "/etc/localtime",
        "/sys/devices/system/cpu",
        "/sys/fs/cgroup",
        "/dev/urandom",
    ];

    /// Device files a check may write as well as read.
    const WRITABLE_DEVICES: [&str; 2] = ["/dev/null", "/dev/zero"];

    /// A cell's rules, ready to enforce.
    pub struct Rules(RulesetCreated);

    /// The kernel's Landlock ABI version, when it has Landlock.
    pub fn abi() -> Option<i64> {
        const CREATE_RULESET_VERSION: libc::c_uint = 1;
        // SAFETY: with a null attribute and the VERSION flag, landlock_create_ruleset only
        // returns a number (or an error).
        let version = unsafe {
            libc::syscall(
                libc::SYS_landlock_create_ruleset,
                std::ptr::null::<u8>(),
                0usize,
                CREATE_RULESET_VERSION,
            )
        };
        (version > 0).then_some(version)
    }

    /// The rules of a cell that runs `exe` and owns `dir`: the system's libraries read-only,
    /// `exe` read and executed, `dir` wholly; no TCP, and no signal or abstract Unix socket to a
    /// process outside. Built in the parent: opening paths allocates, which a forked child of a
    /// threaded process must not.
    pub fn rules(exe: &Path, dir: &Path) -> Result<Rules, RulesetError> {
        let all = AccessFs::from_all(WRITTEN_FOR);
        let read = AccessFs::from_read(WRITTEN_FOR);
        let mut paths: Vec<(&Path, _)> = READABLE.iter().map(|p| (Path::new(*p), read)).collect();
        paths.extend(
            WRITABLE_DEVICES
                .iter()
                .map(|p| (Path::new(*p), read | AccessFs::WriteFile)),
        );
        paths.push((exe, read));
        paths.push((dir, all));
        let rules = paths.into_iter().filter_map(|(path, access)| {
            let fd = PathFd::new(path).ok()?;
            Some(Ok::<_, RulesetError>(PathBeneath::new(fd, access)))
        });
        let ruleset = Ruleset::default()
            .set_compatibility(CompatLevel::BestEffort)
            .handle_access(all)?
            .handle_access(AccessNet::from_all(WRITTEN_FOR))?
            .scope(Scope::from_all(WRITTEN_FOR))?
            .create()?
            .add_rules(rules)?;
        Ok(Rules(ruleset))
    }

    impl Rules {
        /// Restricts the calling process (and what it executes) to the rules, with `/proc` and
        /// the message queues as the process sees them: a PID namespace mounts a `/proc` of its
        /// own after the rules were built, and a rule on the runner's `/proc` would not cover
        /// it; an IPC namespace's queues are files of its own `mqueue` file system, mounted at
        /// `mqueue_at` (or, without namespaces, the system's at `/dev/mqueue`), which
        /// `mq_open` reaches whatever the path it was mounted on. Only system calls (open,
        /// fstat, landlock_add_rule, prctl, landlock_restrict_self): safe between fork and
        /// exec.
        pub fn enforce(self, mqueue_at: Option<&CStr>) -> std::io::Result<()> {
            let denied = |_| std::io::Error::from(std::io::ErrorKind::PermissionDenied);
            let mut ruleset = self.0;
            let read = AccessFs::from_read(WRITTEN_FOR);
            let all = AccessFs::from_all(WRITTEN_FOR);
            let places = [Some((c"/proc", read)), Some((c"/dev/mqueue", all))]
                .into_iter()
                .chain(std::iter::once(mqueue_at.map(|at| (at, all))));
            for (path, access) in places.flatten() {
                if let Some(fd) = open_path(path) {
                    ruleset = ruleset
                        .add_rule(PathBeneath::new(fd, access))
                        .map_err(denied)?;
                }
            }
            ruleset.restrict_self().map(drop).map_err(denied)
        }
    }

    /// `path` opened as a location only, if it exists: one system call.
    fn open_path(path: &CStr) -> Option<std::os::fd::OwnedFd> {
        use std::os::fd::FromRawFd;

        // SAFETY: a valid C string; the descriptor, if any, is owned from here on.
        let fd = unsafe { libc::open(path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC) };
        // SAFETY: `fd` was just opened and is owned by nobody else.
        (fd >= 0).then(|| unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) })
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::path::Path;

    /// No rules exist here.
    pub enum Rules {}

    /// No Landlock outside Linux.
    pub fn abi() -> Option<i64> {
        None
    }

    /// Never called where [`abi`] is `None`.
    pub fn rules(_: &Path, _: &Path) -> Result<Rules, std::io::Error> {
        Err(std::io::ErrorKind::Unsupported.into())
    }

    impl Rules {
        pub fn enforce(self, _: Option<&std::ffi::CStr>) -> std::io::Result<()> {
            match self {}
        }
    }
}
