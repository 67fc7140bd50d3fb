//! A kata's `kata.toml`: parsing, validation, and error messages that name the field.

use std::collections::BTreeMap;

use harness::protocol::{Handover, Mode};
use harness::verdict::Verdict;
use serde::Deserialize;

use crate::policy::Policy;

/// The metadata of one kata, as written in its `kata.toml`.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// The kata's name: also its crate name and directory name.
    pub name: String,
    /// A title for people.
    pub title: String,
    /// 1 races, 2 locks, 3 semaphores and signalling, 4 classic problems.
    pub track: u32,
    /// 1 to 5.
    pub difficulty: u32,
    /// Points the kata is worth when graded.
    pub points: u32,
    /// The modes the kata's checks run in.
    pub modes: Vec<Mode>,
    /// How the facade's locks hand over in explore mode.
    pub handover: Handover,
    /// More than this many bypasses of a waiting thread is starvation.
    pub bypass_bound: usize,
    /// Time budget of one check process, in seconds.
    pub budget_secs: u64,
    /// One sentence for `list`.
    pub summary: String,
    /// Hints, vaguest first.
    pub hints: Vec<String>,
    /// One hint for each way the kata's code can fail (`[verdict_hints]`, keyed by verdict),
    /// shown by `hint` after a check ends in that verdict.
    #[serde(default)]
    pub verdict_hints: BTreeMap<Verdict, String>,
    /// Override: schedules per explore scheduler.
    pub explore_iterations: Option<usize>,
    /// Override: loom's preemption bound.
    pub preemption_bound: Option<usize>,
    /// Override: rounds of a stress check.
    pub stress_rounds: Option<usize>,
    /// Override: seed of the explore schedulers.
    pub seed: Option<u64>,
    /// Miri flags beyond the default, for code that needs them: crossbeam-epoch, say, needs
    /// `-Zmiri-tree-borrows` (its code breaks the default aliasing model) and
    /// `-Zmiri-ignore-leaks` (its collector keeps garbage at exit).
    #[serde(default)]
    pub miri_flags: Vec<String>,
    /// Programs the kata's checks start, looked up on the `PATH` (`requires =
    /// ["redis-server"]`): where one is missing, the kata is skipped and `check` says how to
    /// install it (see [`crate::requirements`]).
    #[serde(default)]
    pub requires: Vec<String>,
    /// Address space of one check process, in MiB (default [`DEFAULT_MEMORY_MB`]).
    pub memory_mb: Option<u64>,
    /// Processes and threads a graded check may have (RLIMIT_NPROC; default
    /// [`DEFAULT_PROCESSES`]). Applied by `grade` only, and never binding for root.
    pub processes: Option<u64>,
    /// Performance grading (`[performance]`): how the learner's code must compare with the
    /// reference solution's in the kata's benchmark. Reported apart from the verdict, never
    /// part of it.
    pub performance: Option<Performance>,
    /// What the learner's code may use beyond the default (`[policy]`): see [`Policy`].
    #[serde(default)]
    pub policy: Policy,
    /// Generated mutants that are no bug (`[[equivalent]]`), for `cargo xtask mutate`: left
    /// out of the score.
    #[serde(default)]
    pub equivalent: Vec<DeclaredMutant>,
    /// Generated mutants that are real bugs the checks cannot see yet (`[[survivor]]`): they
    /// count against the score, and let `mutate` tell a known gap from a new one.
    #[serde(default)]
    pub survivor: Vec<DeclaredMutant>,
}

/// `[[equivalent]]` or `[[survivor]]` of a `kata.toml`: one mutant of `cargo xtask mutate`,
/// and what the kata's author knows about it.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeclaredMutant {
    /// The mutant's change exactly as `mutate` names it, source first:
    /// "solution: notify-all-to-one: `...` in `Barrier::wait`".
    pub change: String,
    /// In one line: why the change is no bug (equivalent), or why no check sees the bug
    /// (survivor).
    pub reason: String,
}

/// `[performance]` of a `kata.toml`: one approach of the kata's benchmark
/// (`tests/benches/<kata>.rs`) measured on the learner's code and on the reference solution.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Performance {
    /// The benchmark's approach that runs the kata's code, e.g. `this pool`.
    pub approach: String,
    /// The lowest acceptable ratio of the learner's throughput to the reference solution's
    /// (the reference's time over the learner's): 0.5 means at most twice as slow.
    pub min_ratio: f64,
    /// Another approach of the same benchmark to compare with as well, e.g. a well-known
    /// crate's.
    pub baseline: Option<String>,
    /// The load `check` measures at, one run of the approach alone (default: every load of a
    /// full run of the benchmark).
    pub load: Option<usize>,
}

/// Address space of one check process when `kata.toml` names none: generous for every kata,
/// small enough that code allocating without end is stopped long before the machine suffers.
pub const DEFAULT_MEMORY_MB: u64 = 2048;

/// Processes and threads of the grading user while a graded check runs, when `kata.toml` names
/// none.
pub const DEFAULT_PROCESSES: u64 = 4096;

impl Metadata {
    /// Parses and validates the text of a `kata.toml`; `file` names it in errors.
    ///
    /// Errors are one line: `<file>:<line>: field '<key>': <what is wrong>`.
    pub fn parse(text: &str, file: &str) -> Result<Metadata, String> {
        let metadata: Metadata = toml::from_str(text).map_err(|err| describe(text, file, &err))?;
        metadata
            .validate()
            .map_err(|(field, problem)| format!("{file}: field `{field}`: {problem}"))?;
        Ok(metadata)
    }

    /// Whether the kata's checks run in `mode`.
    pub fn runs(&self, mode: Mode) -> bool {
        self.modes.contains(&mode)
    }

    fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.modes.is_empty() {
            return Err(("modes", "lists no mode".into()));
        }
        if !(1..=5).contains(&self.difficulty) {
            return Err((
                "difficulty",
                format!("is {}, expected 1 to 5", self.difficulty),
            ));
        }
        if self.budget_secs == 0 {
            return Err(("budget_secs", "must be at least 1".into()));
        }
        if self.memory_mb == Some(0) {
            return Err(("memory_mb", "must be at least 1".into()));
        }
        if self.processes == Some(0) {
            return Err(("processes", "must be at least 1".into()));
        }
        if self.hints.is_empty() {
            return Err(("hints", "lists no hint".into()));
        }
        for (verdict, hint) in &self.verdict_hints {
            // These say the code did not run (or the machine refused it), not that it is wrong.
            let not_a_bug = matches!(
                verdict,
                Verdict::Pass
                    | Verdict::NotStarted
                    | Verdict::CompileError
                    | Verdict::Forbidden
                    | Verdict::Exhausted
            );
            if not_a_bug {
                return Err((
                    "verdict_hints",
                    format!("has `{verdict}`, which no bug in the kata's code can cause"),
                ));
            }
            if hint.trim().is_empty() {
                return Err(("verdict_hints", format!("`{verdict}` is empty")));
            }
        }
        if let Some(performance) = &self.performance {
            performance.validate()?;
        }
        Ok(())
    }
}

impl Performance {
    fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.approach.trim().is_empty() {
            return Err(("performance.approach", "names no approach".into()));
        }
        if !(self.min_ratio.is_finite() && self.min_ratio > 0.0) {
            return Err((
                "performance.min_ratio",
                format!("is {}, expected a number above 0", self.min_ratio),
            ));
        }
        if self.baseline.as_deref() == Some(self.approach.as_str()) {
            return Err((
                "performance.baseline",
                "is the approach itself; name another approach of the benchmark".into(),
            ));
        }
        if self.load == Some(0) {
            return Err(("performance.load", "must be at least 1".into()));
        }
        Ok(())
    }
}

/// One line naming the file, the line, the field (where toml's message does not already) and
/// the problem.
fn describe(text: &str, file: &str, err: &toml::de::Error) -> String {
    let message = err.message().trim().replace('\n', " ");
    if message.starts_with("missing field") {
        return format!("{file}: {message}");
    }
    let Some(span) = err.span() else {
        return format!("{file}: {message}");
    };
    let line = line_of(text, span.start);
    match key_at(text, span.start) {
        Some(key) if !message.starts_with("unknown field") => {
            format!("{file}:{line}: field `{key}`: {message}")
        }
        _ => format!("{file}:{line}: {message}"),
    }
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The key whose value contains byte `offset`: the nearest `key = ` at or above it.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let before = &text[..offset.min(text.len())];
    let upto_line_end = before.len()
        + text[before.len()..]
            .find('\n')
            .unwrap_or(text.len() - before.len());
    text[..upto_line_end].lines().rev().find_map(|line| {
        let (key, _) = line.split_once('=')?;
        let key = key.trim();
        let is_key = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        is_key.then(|| key.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "hit_counter"
title = "Hit counter"
track = 1
difficulty = 1
points = 10
modes = ["sequential", "model"]
handover = "fifo"
bypass_bound = 8
budget_secs = 60
summary = "Count hits."
hints = [
    "one",
    "two",
]
"#;

    #[test]
    fn parses_a_good_file() {
        let metadata = Metadata::parse(GOOD, "kata.toml").unwrap();
        assert_eq!(metadata.name, "hit_counter");
        assert_eq!(metadata.modes, vec![Mode::Sequential, Mode::Model]);
        assert_eq!(metadata.hints.len(), 2);
        assert!(metadata.runs(Mode::Model) && !metadata.runs(Mode::Stress));
        assert_eq!(metadata.seed, None);
    }

    #[test]
    fn verdict_hints_are_keyed_by_a_verdict_a_bug_can_cause() {
        let text = format!("{GOOD}\n[verdict_hints]\ndeadlock = \"Who waits?\"\n");
        let metadata = Metadata::parse(&text, "kata.toml").unwrap();
        assert_eq!(metadata.verdict_hints[&Verdict::Deadlock], "Who waits?");

        let text = format!("{GOOD}\n[verdict_hints]\npass = \"Well done\"\n");
        let err = Metadata::parse(&text, "kata.toml").unwrap_err();
        assert!(
            err.contains("`verdict_hints`") && err.contains("`pass`"),
            "{err}"
        );
        let text = format!("{GOOD}\n[verdict_hints]\nracy = \"?\"\n");
        let err = Metadata::parse(&text, "kata.toml").unwrap_err();
        assert!(err.contains("racy"), "{err}");
    }

    #[test]
    fn accepts_overrides() {
        let text = format!("{GOOD}\nseed = 7\nstress_rounds = 10\n");
        let metadata = Metadata::parse(&text, "kata.toml").unwrap();
        assert_eq!((metadata.seed, metadata.stress_rounds), (Some(7), Some(10)));
    }

    #[test]
    fn an_unknown_field_is_named() {
        let text = GOOD.replace("points = 10", "pionts = 10");
        let err = Metadata::parse(&text, "x/kata.toml").unwrap_err();
        assert!(err.starts_with("x/kata.toml"), "{err}");
        assert!(err.contains("pionts"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn a_missing_field_is_named() {
        let text = GOOD.replace("budget_secs = 60", "");
        let err = Metadata::parse(&text, "kata.toml").unwrap_err();
        assert!(err.contains("budget_secs"), "{err}");
    }

    #[test]
    fn a_badly_typed_field_is_named() {
        let text = GOOD.replace("track = 1", "track = \"one\"");
        let err = Metadata::parse(&text, "kata.toml").unwrap_err();
        assert!(err.contains("`track`"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn an_unknown_mode_is_named() {
        let text = GOOD.replace("\"model\"", "\"modle\"");
        let err = Metadata::parse(&text, "kata.toml").unwrap_err();
        assert!(err.contains("modle"), "{err}");
    }

    #[test]
    fn a_bad_element_of_a_multiline_array_names_its_key() {
        let text = GOOD.replace("\"two\"", "2");
        let err = Metadata::parse(&text, "kata.toml").unwrap_err();
        assert!(err.contains("`hints`"), "{err}");
    }

    #[test]
    fn performance_is_optional_and_parsed() {
        let metadata = Metadata::parse(GOOD, "kata.toml").unwrap();
        assert_eq!(metadata.performance, None);
        let text = format!(
            "{GOOD}\n[performance]\napproach = \"this pool\"\nmin_ratio = 0.5\n\
             baseline = \"threadpool crate\"\nload = 1000\n"
        );
        let metadata = Metadata::parse(&text, "kata.toml").unwrap();
        assert_eq!(
            metadata.performance,
            Some(Performance {
                approach: "this pool".into(),
                min_ratio: 0.5,
                baseline: Some("threadpool crate".into()),
                load: Some(1000),
            })
        );
        let minimal = format!("{GOOD}\n[performance]\napproach = \"a\"\nmin_ratio = 1\n");
        let metadata = Metadata::parse(&minimal, "kata.toml").unwrap();
        let performance = metadata.performance.unwrap();
        assert_eq!((performance.min_ratio, performance.baseline), (1.0, None));
    }

    #[test]
    fn performance_fields_are_checked() {
        let with = |body: &str| format!("{GOOD}\n[performance]\n{body}\n");
        let err = Metadata::parse(&with("approach = \"a\""), "kata.toml").unwrap_err();
        assert!(err.contains("min_ratio"), "{err}");
        let err =
            Metadata::parse(&with("approach = \"a\"\nmin_ratio = 0.0"), "kata.toml").unwrap_err();
        assert!(err.contains("`performance.min_ratio`"), "{err}");
        let err = Metadata::parse(
            &with("approach = \"a\"\nmin_ratio = 0.5\nbaseline = \"a\""),
            "kata.toml",
        )
        .unwrap_err();
        assert!(err.contains("`performance.baseline`"), "{err}");
        let err = Metadata::parse(
            &with("approach = \"a\"\nmin_ratio = 0.5\nminratio = 1.0"),
            "k.toml",
        )
        .unwrap_err();
        assert!(err.contains("minratio") && !err.contains('\n'), "{err}");
    }

    #[test]
    fn validation_names_the_field() {
        let text = GOOD.replace("difficulty = 1", "difficulty = 9");
        let err = Metadata::parse(&text, "kata.toml").unwrap_err();
        assert!(err.contains("`difficulty`"), "{err}");
    }
}
