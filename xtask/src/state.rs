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

impl State {
    /// Reads the state file under `root`; a missing or unreadable one is an empty state.
    pub fn load(root: &Path) -> State {
        let path = root.join("target/xtask/state.json");
        let katas = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        State { path, katas }
    }

    /// Writes the state file.
    pub fn save(&self) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(&self.katas)?;
        std::fs::write(&self.path, text)
            .with_context(|| format!("cannot write {}", self.path.display()))
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

    #[test]
    fn round_trips_through_the_file() {
        let dir = std::env::temp_dir().join(format!("xtask-state-{}", std::process::id()));
        let mut state = State::load(&dir);
        state.kata("bank").hints_shown = 2;
        state.save().unwrap();
        assert_eq!(State::load(&dir).kata("bank").hints_shown, 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
