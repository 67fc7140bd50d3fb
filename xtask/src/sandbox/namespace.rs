//! The PID namespace layer of a cell (Linux): the check runs as process 2 of a PID namespace of
//! its own, with a `/proc` that shows only that namespace, and in an IPC namespace of its own,
//! whose POSIX message queues no other check sees (its `mqueue` file system mounted in the
//! cell, where the Landlock layer lets the check reach it). No process outside can be seen or
//! signalled from inside, and when the namespace's first process ends (the check is over, or
//! the runner killed the check's process group) the kernel kills everything the check started,
//! whatever group, session or user it moved to.
//!
//! Between fork and exec, [`enter`] forks twice:
//!
//! ```text
//! runner ── relay (outside: waits, then ends as the check ended)
//!             └── init, pid 1 (inside: mounts /proc and mqueue, reaps, reports the check's end)
//!                   └── the check, pid 2 (goes on to the runner's other steps and exec)
//! ```
//!
//! The relay and init run only the code below, never the submission's; they keep no descriptor
//! but the pipe between them, so the runner's output and exec-error pipes close with the check.
//! Elsewhere than Linux there is no such layer and [`available`] says so.

pub use imp::{available, enter};

#[cfg(target_os = "linux")]
mod imp {
    use std::ffi::CStr;
    use std::io::{Error, Result};

    /// Whether this machine gives a child a PID namespace with its own `/proc` (probed with
    /// `true`): root may, and ordinary users may where user namespaces are allowed.
    pub fn available() -> bool {
        // SAFETY: `enter` makes only async-signal-safe system calls.
        unsafe { super::super::step_succeeds(|| enter(None)) }
    }

    /// Moves the calling process (just forked, single-threaded, not yet exec'd) into a new PID,
    /// mount and IPC namespace, with the IPC namespace's message queues mounted at
    /// `mqueue_at` (an empty directory) when given: it returns in process 2 of the namespace;
    /// the relay and init never return. Call it first among the steps between fork and exec.
    ///
    /// # Safety
    ///
    /// Only between fork and exec: it forks, and the processes that do not return exit with
    /// `_exit`.
    pub unsafe fn enter(mqueue_at: Option<&CStr>) -> Result<()> {
        let namespaces = libc::CLONE_NEWPID | libc::CLONE_NEWNS | libc::CLONE_NEWIPC;
        if libc::unshare(namespaces) != 0 && libc::unshare(libc::CLONE_NEWUSER | namespaces) != 0 {
            return Err(Error::last_os_error());
        }
        default_handlers();
        let mut pipe = [0; 2];
        if libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
            return Err(Error::last_os_error());
        }
        let [read_end, write_end] = pipe;
        match libc::fork() {
            -1 => Err(Error::last_os_error()),
            0 => {
                libc::close(read_end);
                init(write_end, mqueue_at)
            }
            init_pid => {
                libc::close(write_end);
                relay(init_pid, read_end)
            }
        }
    }

    /// Outside the namespace: waits for init's report of the check's end and ends the same way.
    unsafe fn relay(init: libc::pid_t, from_init: libc::c_int) -> ! {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        keep_only(from_init);
        let mut reported: libc::c_int = 0;
        let read = libc::read(
            0,
            (&mut reported as *mut libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>(),
        );
        let mut init_status = 0;
        while libc::waitpid(init, &mut init_status, 0) < 0 && interrupted() {}
        let status = match read == std::mem::size_of::<libc::c_int>() as isize {
            true => reported,
            // Init was killed (a timeout): so is the relay, as far as the runner can tell.
            false => init_status,
        };
        end_as(status)
    }

    /// Process 1 inside: mounts the namespace's `/proc` (and its message queues at
    /// `mqueue_at`), forks the check, reaps every orphan until the check ends, reports its
    /// status to the relay and exits (which kills whatever is left in the namespace). Returns
    /// only in the check.
    unsafe fn init(to_relay: libc::c_int, mqueue_at: Option<&CStr>) -> Result<()> {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        let private = libc::mount(
            std::ptr::null(),
            c"/".as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        );
        let proc = libc::mount(
            c"proc".as_ptr(),
            c"/proc".as_ptr(),
            c"proc".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            std::ptr::null(),
        );
        if private != 0 || proc != 0 {
            return Err(Error::last_os_error());
        }
        // Best effort: where the system refuses, only the katas on message queues fail (they
        // are refused their queues), not every check.
        if let Some(at) = mqueue_at {
            libc::mount(
                c"mqueue".as_ptr(),
                at.as_ptr(),
                c"mqueue".as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                std::ptr::null(),
            );
        }
        let check = match libc::fork() {
            -1 => return Err(Error::last_os_error()),
            0 => return Ok(()),
            check => check,
        };
        keep_only(to_relay);
        let mut status = 0;
        loop {
            let mut reaped_status = 0;
            match libc::waitpid(-1, &mut reaped_status, 0) {
                pid if pid == check => {
                    status = reaped_status;
                    break;
                }
                -1 if !interrupted() => break,
                _ => {}
            }
        }
        libc::write(
            0,
            (&status as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>(),
        );
        libc::_exit(0)
    }

    /// Closes every descriptor but `fd`, which becomes descriptor 0.
    unsafe fn keep_only(fd: libc::c_int) {
        libc::dup2(fd, 0);
        if libc::syscall(libc::SYS_close_range, 1u32, u32::MAX, 0u32) != 0 {
            for other in 1..4096 {
                libc::close(other);
            }
        }
    }

    /// Resets every signal handler inherited from the runner (its handlers would write to
    /// descriptors the relay and init close, and they never exec, which would reset them).
    unsafe fn default_handlers() {
        for signal in 1..libc::SIGRTMIN() {
            if signal != libc::SIGKILL && signal != libc::SIGSTOP {
                libc::signal(signal, libc::SIG_DFL);
            }
        }
    }

    /// Exits with the wait `status` of the check: its exit code, or its signal.
    unsafe fn end_as(status: libc::c_int) -> ! {
        if libc::WIFSIGNALED(status) {
            let signal = libc::WTERMSIG(status);
            let no_core = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &no_core);
            libc::signal(signal, libc::SIG_DFL);
            let mut set = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, signal);
            libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::kill(libc::getpid(), signal);
            libc::_exit(128 + signal);
        }
        libc::_exit(libc::WEXITSTATUS(status))
    }

    fn interrupted() -> bool {
        Error::last_os_error().raw_os_error() == Some(libc::EINTR)
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    /// No PID namespaces here.
    pub fn available() -> bool {
        false
    }

    /// Never called: [`available`] is false.
    ///
    /// # Safety
    ///
    /// None needed.
    pub unsafe fn enter(_: Option<&std::ffi::CStr>) -> std::io::Result<()> {
        Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
    }
}
