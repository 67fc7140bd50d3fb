//! The learner's progress, `target/xtask/state.json`: each kata's last verdict on their own file
//! (valid while the file is unchanged) and how many hints they have seen.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use harness::verdict::Verdict;
use serde::{Deserialize, Serialize};

use crate::catalog::Kata;
use crate::fingerprint;

/// What is remembered about one kata.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct KataState {
    /// The verdict of the last check of the learner's file.
    #[serde(default)]
    pub verdict: Option<Verdict>,
    /// The hash of the file's content at that check.
    #[serde(default)]
    pub source_hash: Option<String>,
    /// How many hints have been shown.
    #[serde(default)]
    pub hints_shown: usize,
}

/// Where the learner stands on a kata, as `list` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Never checked, or edited since the last check.
    NotStarted,
    /// The last check of the current file passed.
    Passing,
    /// The last check of the current file failed with this verdict.
    Failing(Verdict),
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Progress::NotStarted => f.write_str("not started"),
            Progress::Passing => f.write_str("passing"),
            Progress::Failing(verdict) => write!(f, "failing ({verdict})"),
        }
    }
}

/// The state file, by kata name.
#[derive(Debug, Default)]
pub struct State {
    path: PathBuf,
    katas: BTreeMap<String, KataState>,
}

/// Where the state file lives under the project's root.
const STATE_FILE: &str = "target/xtask/state.json";

impl State {
    /// Reads the state file under `root`; a missing one is an empty state. An unreadable one is
    /// kept aside (renamed `state.json.unreadable-<seconds>`, said on stderr) and the state
    /// starts empty: progress is never replaced silently.
    pub fn load(root: &Path) -> State {
        let path = root.join(STATE_FILE);
        let read = std::fs::read_to_string(&path);
        let katas = match read.as_ref().map(|text| serde_json::from_str(text)) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Ok(Ok(katas)) => katas,
            _ => {
                keep_aside(&path);
                BTreeMap::new()
            }
        };
        State { path, katas }
    }

    /// Changes the state file under `root` with `change`, with no other command of this
    /// project reading and writing it meanwhile (an exclusive lock on `state.lock` beside it),
    /// and replaces it at once (written beside it, then renamed), so that commands run at the
    /// same time, in two terminals, lose none of each other's progress.
    ///
    /// ```no_run
    /// # fn main() -> anyhow::Result<()> {
    /// # let root = std::path::Path::new(".");
    /// State::update(root, |state| state.kata("bank").hints_shown += 1)?;
    /// # Ok(()) }
    /// ```
    pub fn update<R>(root: &Path, change: impl FnOnce(&mut State) -> R) -> Result<R> {
        let path = root.join(STATE_FILE);
        let dir = path.parent().context("the state file has a directory")?;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let lock_path = dir.join("state.lock");
        let lock = std::fs::File::create(&lock_path)
            .with_context(|| format!("cannot open {}", lock_path.display()))?;
        rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive)
            .with_context(|| format!("cannot lock {}", lock_path.display()))?;
        let mut state = State::load(root);
        let result = change(&mut state);
        state.save()?;
        Ok(result)
    }

    /// Writes the state file beside it, then renames it into place.
    fn save(&self) -> Result<()> {
        let text = serde_json::to_string_pretty(&self.katas)?;
        let written = self
            .path
            .with_extension(format!("json.{}", std::process::id()));
        std::fs::write(&written, text)
            .with_context(|| format!("cannot write {}", written.display()))?;
        std::fs::rename(&written, &self.path)
            .with_context(|| format!("cannot replace {}", self.path.display()))
    }

    /// What is remembered about `kata`, to read or change.
    pub fn kata(&mut self, kata: &str) -> &mut KataState {
        self.katas.entry(kata.to_owned()).or_default()
    }

    /// The verdict of the last check of `kata`'s file, whatever the file is now.
    pub fn last_verdict(&self, kata: &str) -> Option<Verdict> {
        self.katas.get(kata).and_then(|state| state.verdict)
    }

    /// Where the learner stands on `kata`, judging by its file as it is now (a missing file has
    /// not been started).
    pub fn progress_of(&self, kata: &Kata) -> Progress {
        let source = std::fs::read(kata.learner_source()).unwrap_or_default();
        self.progress(kata.name(), &source)
    }

    /// Where the learner stands on `kata` whose file now has content `source`.
    pub fn progress(&self, kata: &str, source: &[u8]) -> Progress {
        let Some(state) = self.katas.get(kata) else {
            return Progress::NotStarted;
        };
        match state.verdict {
            Some(verdict) if state.source_hash.as_deref() == Some(&source_hash(source)) => {
                if verdict == Verdict::Pass {
                    Progress::Passing
                } else {
                    Progress::Failing(verdict)
                }
            }
            _ => Progress::NotStarted,
        }
    }
}

/// Renames the unreadable state file at `path` out of the way and says so on stderr.
fn keep_aside(path: &Path) {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let aside = path.with_extension(format!("json.unreadable-{seconds}"));
    match std::fs::rename(path, &aside) {
        Ok(()) => eprintln!(
            "warning: {} could not be read; it is kept as {} and your progress starts afresh",
            path.display(),
            aside.display()
        ),
        Err(err) => eprintln!(
            "warning: {} could not be read, nor kept aside ({err}); your progress is not saved",
            path.display()
        ),
    }
}

/// The hash recorded for a file's content.
pub fn source_hash(source: &[u8]) -> String {
    fingerprint::hex(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_counts_only_for_the_file_it_was_given_on() {
        let mut state = State::default();
        assert_eq!(state.progress("bank", b"v1"), Progress::NotStarted);
        let bank = state.kata("bank");
        bank.verdict = Some(Verdict::Race);
        bank.source_hash = Some(source_hash(b"v1"));
        assert_eq!(
            state.progress("bank", b"v1"),
            Progress::Failing(Verdict::Race)
        );
        assert_eq!(state.progress("bank", b"v2"), Progress::NotStarted);
        state.kata("bank").verdict = Some(Verdict::Pass);
        assert_eq!(state.progress("bank", b"v1"), Progress::Passing);
        assert_eq!(
            Progress::Failing(Verdict::Deadlock).to_string(),
            "failing (deadlock)"
        );
    }

    /// A directory of its own for each test.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-state-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn round_trips_through_the_file() {
        let dir = scratch("round-trip");
        State::update(&dir, |state| state.kata("bank").hints_shown = 2).unwrap();
        assert_eq!(State::load(&dir).kata("bank").hints_shown, 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn updates_at_the_same_time_lose_nothing() {
        let dir = scratch("together");
        std::thread::scope(|scope| {
            for writer in 0..8 {
                let dir = &dir;
                scope.spawn(move || {
                    for round in 0..10 {
                        State::update(dir, |state| {
                            state.kata(&format!("kata{writer}")).hints_shown = round + 1;
                        })
                        .unwrap();
                    }
                });
            }
        });
        let mut state = State::load(&dir);
        for writer in 0..8 {
            assert_eq!(state.kata(&format!("kata{writer}")).hints_shown, 10);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unreadable_file_is_kept_aside_not_replaced() {
        let dir = scratch("unreadable");
        let path = dir.join(STATE_FILE);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{ half a file").unwrap();
        State::update(&dir, |state| state.kata("bank").hints_shown = 1).unwrap();
        let kept: Vec<String> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("state.json.unreadable-"))
            .collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
        let aside = path.parent().unwrap().join(&kept[0]);
        assert_eq!(std::fs::read_to_string(aside).unwrap(), "{ half a file");
        assert_eq!(State::load(&dir).kata("bank").hints_shown, 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
