//! Child processes seen through `/proc`: the ones nobody reaped.

use std::fmt;

use super::ROLE_FLAG;
use crate::protocol::FailureKind;

/// A child process of this process that was not reaped yet, as `/proc` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildProcess {
    /// Its process id.
    pub pid: u32,
    /// Its state letter (`R` running, `S` sleeping, `D` disk, `T` stopped, `Z` zombie).
    pub state: char,
    /// Its role, if it is this binary started in a role.
    pub role: Option<String>,
}

impl ChildProcess {
    /// Whether it ended but nobody waited for it.
    pub fn is_zombie(&self) -> bool {
        self.state == 'Z'
    }
}

impl fmt::Display for ChildProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pid {}", self.pid)?;
        if let Some(role) = &self.role {
            write!(f, " (role `{role}`)")?;
        }
        match self.state {
            'Z' => write!(f, ", a zombie: it ended and nobody waited for it"),
            'T' | 't' => write!(f, ", stopped"),
            _ => write!(f, ", still running"),
        }
    }
}

/// Every child process of this process not yet reaped (running, stopped or zombie), read from
/// `/proc` (empty where there is none).
pub fn children() -> Vec<ChildProcess> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found: Vec<ChildProcess> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `pid (comm) S ppid ...`: the command name may hold spaces and parentheses.
            let after = &stat[stat.rfind(')')? + 1..];
            let mut fields = after.split_whitespace();
            let state = fields.next()?.chars().next()?;
            let ppid: u32 = fields.next()?.parse().ok()?;
            (ppid == me).then(|| ChildProcess {
                pid,
                state,
                role: role_of(pid),
            })
        })
        .collect();
    found.sort_by_key(|child| child.pid);
    found
}

/// The role of process `pid`, from its command line.
fn role_of(pid: u32) -> Option<String> {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let mut args = cmdline.split(|&b| b == 0);
    args.position(|arg| arg == ROLE_FLAG.as_bytes())?;
    args.next()
        .map(|role| String::from_utf8_lossy(role).into_owned())
}

/// Fails the check with a `leak` verdict if this process has a child process not yet reaped
/// (still running, or a zombie nobody waited for). `after` says when, e.g. "after
/// run_pipeline returned". Call it when the check itself holds no [`Child`](super::Child)(super::Child).
#[track_caller]
pub fn assert_all_reaped(after: &str) {
    let left = children();
    if left.is_empty() {
        return;
    }
    let listed: Vec<String> = left.iter().map(ToString::to_string).collect();
    let zombies = left.iter().filter(|child| child.is_zombie()).count();
    let advice = if zombies > 0 {
        "every child process must be waited for (`Child::wait`), or it stays a zombie in the \
         process table until its parent exits"
    } else {
        "every child process started must have ended and been waited for (`Child::wait`)"
    };
    crate::detect::raise(
        FailureKind::Leak,
        format!(
            "{after}, {} child process(es) had not been reaped: {}; {advice}",
            left.len(),
            listed.join("; ")
        ),
    )
}
