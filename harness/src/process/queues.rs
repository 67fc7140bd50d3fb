//! POSIX message queue names for a check, removed when its round ends.
//!
//! A check hands the code under test the names of the queues it may create ([`queue_name`]);
//! the engine removes every queue so named when the round ends, pass, failure or watchdog
//! verdict, and [`queues_left`] says which ones the code under test left behind. Each name is
//! also written to `queues` in the run's temporary directory, so that `cargo xtask` can remove
//! a queue even when the check process was killed, and prove that none was left.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use nix::errno::Errno;
use nix::mqueue::{mq_close, mq_open, mq_unlink, MQ_OFlag};
use nix::sys::stat::Mode;

use super::lock;

/// The file, in the run's temporary directory, that lists every queue name handed out.
pub const QUEUE_LIST: &str = "queues";

/// Queue names handed out by this process in this round.
static NAMES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// How every name handed out starts.
const PREFIX: &str = "/katas-";

/// A fresh POSIX message queue name for the code under test (`/` then letters, digits and
/// `-`), unique to this process and this round; `label` (letters, digits and `_`) says what the
/// queue is for. The queue is removed (`mq_unlink`) when the round ends, whoever created it.
///
/// ```
/// let name = harness::process::queue_name("jobs");
/// assert!(name.starts_with('/') && name.ends_with("-jobs"));
/// assert_ne!(name, harness::process::queue_name("jobs"));
/// ```
pub fn queue_name(label: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    assert!(
        label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && label.len() <= 32,
        "a queue label is at most 32 letters, digits or `_`: {label:?}"
    );
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = format!("{PREFIX}{}-{n}-{label}", std::process::id());
    record(&name);
    lock(&NAMES).push(name.clone());
    name
}

/// Appends `name` to the run's list of queue names (best effort: outside `cargo xtask` there
/// may be no list worth keeping).
fn record(name: &str) {
    let path = std::env::temp_dir().join(QUEUE_LIST);
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(file, "{name}");
    }
}

/// Whether a queue named `name` exists.
pub fn queue_exists(name: &str) -> bool {
    match mq_open(name, MQ_OFlag::O_RDONLY, Mode::empty(), None) {
        Ok(queue) => {
            let _ = mq_close(queue);
            true
        }
        // Anything but "no such queue" (permission, too many open) means it is there.
        Err(err) => err != Errno::ENOENT,
    }
}

/// The queues named by [`queue_name`] in this round that still exist: a check asserts that
/// this is empty once the code under test promised to remove its queues.
pub fn queues_left() -> Vec<String> {
    lock(&NAMES)
        .iter()
        .filter(|name| queue_exists(name))
        .cloned()
        .collect()
}

/// Removes every queue named in this round.
pub(super) fn remove_all() {
    let names: Vec<String> = std::mem::take(&mut *lock(&NAMES));
    for name in names {
        let _ = mq_unlink(name.as_str());
    }
}

/// Removes the queues named in the list (see [`QUEUE_LIST`]) in `temporary`, a finished check
/// process's temporary directory, and returns the names of those still there afterwards
/// (which no one could remove). Names not handed out by [`queue_name`] are ignored: the list
/// is written by code that is not trusted.
pub fn remove_listed_queues(temporary: &Path) -> Vec<String> {
    let Ok(list) = std::fs::read_to_string(temporary.join(QUEUE_LIST)) else {
        return Vec::new();
    };
    let mut left = Vec::new();
    for name in list.lines().filter(|name| is_handed_out(name)) {
        let _ = mq_unlink(name);
        if queue_exists(name) && !left.iter().any(|seen| seen == name) {
            left.push(name.to_owned());
        }
    }
    left
}

/// Whether `name` has the shape of a name from [`queue_name`].
fn is_handed_out(name: &str) -> bool {
    name.strip_prefix(PREFIX).is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_handed_out_names_are_removed() {
        assert!(is_handed_out("/katas-12-3-jobs"));
        assert!(!is_handed_out("/other"));
        assert!(!is_handed_out("/katas-"));
        assert!(!is_handed_out("/katas-1/../x"));
    }

    #[test]
    fn a_listed_queue_is_removed() {
        let temporary = std::env::temp_dir().join(format!("queues-test-{}", std::process::id()));
        std::fs::create_dir_all(&temporary).unwrap();
        let name = format!("{PREFIX}{}-0-listed", std::process::id());
        let attr = nix::mqueue::MqAttr::new(0, 1, 8, 0);
        let queue = mq_open(
            name.as_str(),
            MQ_OFlag::O_CREAT | MQ_OFlag::O_RDWR,
            Mode::S_IRUSR | Mode::S_IWUSR,
            Some(&attr),
        )
        .unwrap();
        mq_close(queue).unwrap();
        std::fs::write(temporary.join(QUEUE_LIST), format!("{name}\n/not-ours\n")).unwrap();
        assert!(queue_exists(&name));
        assert_eq!(remove_listed_queues(&temporary), Vec::<String>::new());
        assert!(!queue_exists(&name));
        std::fs::remove_dir_all(&temporary).unwrap();
    }
}
