//! Process mode: checks that start real child processes.
//!
//! A check must not `fork` inside a multithreaded test runner, so a child process is the check
//! binary itself, started again in a **role**: a plain `fn()` declared with
//! [`Checks::role`](crate::check::Checks::role) and run instead of any check when the binary is
//! started as `<exe> --role NAME -- ARGS...` (which [`command`] and [`Child::spawn`] do).
//!
//! - In a role (the child): [`role_args`] are the arguments the parent passed; [`status`] tells
//!   the parent what the child is doing (shown when it hangs or is killed, and waited for by
//!   [`Child::wait_for_status`] for kill injection). A role that returns exits with status 0; a
//!   role that panics exits with status 101, the panic message on its stderr.
//! - In a check (the parent): [`Child::spawn`] starts a child with its stdin and stdout piped and
//!   its stderr captured (the last 64 KiB kept, status lines collected); [`Child::wait`] waits at
//!   most a given time and, on a hang, explains: the child's name, pid, last status and the end
//!   of its stderr; [`Child::kill`] sends `SIGKILL`; dropping a [`Child`] kills and reaps it.
//!   [`command`] gives the plain [`std::process::Command`] of a role, for code under test that
//!   starts processes itself. [`scratch()`] is a fresh directory for the check's files (shared
//!   mappings, sockets), inside the run's temporary directory; [`queue_name`] is a fresh name
//!   for a POSIX message queue ([`queues_left`]: the ones still there).
//! - Cleanup: after each round of a check (pass, failure or watchdog verdict) the engine kills
//!   and reaps every [`Child`] still alive, removes every [`scratch()`] directory and every
//!   queue named by [`queue_name`]; `cargo xtask` runs each check process in its own process
//!   group, killed when the check ends or runs out of time, with its own `TMPDIR`, removed
//!   afterwards, and removes the queues named there (see [`QUEUE_LIST`]). Processes started by the code under test
//!   from a [`command`] are its own to reap: [`assert_all_reaped`] fails the check (`leak`) when
//!   it left one behind.
//!
//! Process mode needs real processes: use it in `sequential` and `stress` checks (the model and
//! explore engines cannot schedule another process). Roles run with the std facade.
//!
//! ```no_run
//! use std::io::{BufRead, BufReader};
//! use std::time::Duration;
//!
//! use harness::check::Checks;
//! use harness::process::{self, Child};
//!
//! /// The child: greets whoever the parent names, then waits to be killed.
//! fn greeter() {
//!     println!("hello, {}", process::role_args()[0]);
//!     process::status("waiting to be killed");
//!     loop {
//!         std::thread::sleep(Duration::from_secs(1));
//!     }
//! }
//!
//! fn a_killed_child_is_reported() {
//!     let mut child = Child::spawn("greeter", &["world"]);
//!     let mut line = String::new();
//!     BufReader::new(child.take_stdout().unwrap()).read_line(&mut line).unwrap();
//!     assert_eq!(line, "hello, world\n");
//!     // Kill injection: SIGKILL once the child reached a chosen point.
//!     child.wait_for_status("waiting to be killed", Duration::from_secs(5))
//!         .unwrap_or_else(|err| panic!("{err}"));
//!     child.kill();
//!     let status = child.wait(Duration::from_secs(5)).unwrap_or_else(|err| process::hang(err));
//!     assert!(!status.success());
//! }
//!
//! fn main() {
//!     Checks::new()
//!         .role("greeter", greeter)
//!         .sequential("a killed child is reported", a_killed_child_is_reported)
//!         .run();
//! }
//! ```

mod child;
mod queues;
mod reaping;
mod role;
mod scratch;

use std::sync::{Mutex, MutexGuard};

pub use child::{command, describe_exit, hang, Child, STDERR_CAP};
pub use queues::{queue_exists, queue_name, queues_left, remove_listed_queues, QUEUE_LIST};
pub use reaping::{assert_all_reaped, children, ChildProcess};
pub use role::{role_args, status};
pub(crate) use role::{serve_role, ROLE_FLAG};
pub use scratch::scratch;

/// The mark that starts a status line on a child's stderr.
const STATUS_MARK: &str = "@@harness-status@@ ";

/// Locks `mutex`, whatever panicked while holding it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// What the children still alive are doing, for a hung round's message (empty if none).
#[cfg(not(any(feature = "model", feature = "explore")))]
pub(crate) fn describe_running() -> String {
    let (mut lines, watched) = child::describe_watched();
    for child in children() {
        if !watched.contains(&child.pid) {
            lines.push(format!("child process {child}"));
        }
    }
    lines.join("\n")
}

/// Kills and reaps every [`Child`] still alive, removes every [`scratch()`] directory and every
/// queue named by [`queue_name`]: the engine calls it when a round ends, however it ends.
pub(crate) fn clean_up() {
    child::kill_all();
    scratch::remove_all();
    queues::remove_all();
}
