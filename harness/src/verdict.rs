//! The one verdict vocabulary, and how a check process's end becomes a verdict.
//!
//! ```
//! use harness::protocol::{Failure, FailureKind, Mode, Origin, Outcome};
//! use harness::verdict::{classify_outcome, Verdict};
//!
//! let lost_update = Failure {
//!     kind: FailureKind::Panic,
//!     message: "2 hits, but total() is 1".into(),
//!     location: Some("tests/hit_counter.rs:20".into()),
//!     origin: Origin::Check,
//!     thread: Some("main".into()),
//! };
//! assert_eq!(classify_outcome(Mode::Model, &Outcome::Fail(lost_update.clone())), Verdict::Race);
//! assert_eq!(classify_outcome(Mode::Sequential, &Outcome::Fail(lost_update)), Verdict::WrongResult);
//! ```

use serde::{Deserialize, Serialize};

use crate::protocol::{FailureKind, Mode, Origin, Outcome, Report};

/// What a check, or a whole kata, came to.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every promise held.
    Pass,
    /// The code still says `todo!()`.
    NotStarted,
    /// The variant does not compile.
    CompileError,
    /// The code uses something the kata's policy does not allow (files, processes, code that
    /// runs before `main`...); nothing was built or run.
    Forbidden,
    /// A plain, single-threaded result is wrong.
    WrongResult,
    /// A promise breaks only under some interleaving.
    Race,
    /// Threads wait for each other forever, or a wakeup was lost.
    Deadlock,
    /// A waiting thread was bypassed more often than the kata allows.
    Starvation,
    /// Threads keep running but nothing finishes.
    Livelock,
    /// Memory or an `Arc` outlived the run.
    Leak,
    /// The code did what Rust leaves undefined (memory used after it was freed, an aliasing
    /// violation, an uninitialised read): Miri saw it.
    UndefinedBehavior,
    /// The kata's code panicked.
    Panic,
    /// The check did not finish within its time budget.
    Timeout,
    /// The system refused the check a thread or a process.
    Exhausted,
}

impl Verdict {
    /// Every verdict, in the order above.
    pub const ALL: [Verdict; 14] = [
        Verdict::Pass,
        Verdict::NotStarted,
        Verdict::CompileError,
        Verdict::Forbidden,
        Verdict::WrongResult,
        Verdict::Race,
        Verdict::Deadlock,
        Verdict::Starvation,
        Verdict::Livelock,
        Verdict::Leak,
        Verdict::UndefinedBehavior,
        Verdict::Panic,
        Verdict::Timeout,
        Verdict::Exhausted,
    ];

    /// The verdict's word, as in JSON and metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::NotStarted => "not-started",
            Verdict::CompileError => "compile-error",
            Verdict::Forbidden => "forbidden",
            Verdict::WrongResult => "wrong-result",
            Verdict::Race => "race",
            Verdict::Deadlock => "deadlock",
            Verdict::Starvation => "starvation",
            Verdict::Livelock => "livelock",
            Verdict::Leak => "leak",
            Verdict::UndefinedBehavior => "undefined-behavior",
            Verdict::Panic => "panic",
            Verdict::Timeout => "timeout",
            Verdict::Exhausted => "exhausted",
        }
    }

    /// What the verdict means, in a sentence a learner can act on.
    pub fn meaning(self) -> &'static str {
        match self {
            Verdict::Pass => "every promise held in every schedule tried",
            Verdict::NotStarted => "the code still reaches `todo!()`: start by replacing it",
            Verdict::CompileError => "the code does not compile",
            Verdict::Forbidden => "the code uses something this kata does not allow",
            Verdict::WrongResult => "a result is wrong even with one thread at a time",
            Verdict::Race => {
                "a promise breaks only when threads interleave: some step that must happen \
                 as one indivisible action can be split by another thread"
            }
            Verdict::Deadlock => {
                "threads wait for each other forever (a cycle of locks), or a thread waits \
                 for a signal that never comes"
            }
            Verdict::Starvation => {
                "a waiting thread is overtaken again and again: the code has no notion of \
                 whose turn it is"
            }
            Verdict::Livelock => "threads keep running but none of them finishes its work",
            Verdict::Leak => {
                "something outlives the run: memory or an `Arc` never freed, a child process \
                 never waited for, or a message queue never removed"
            }
            Verdict::UndefinedBehavior => {
                "the code did something Rust leaves undefined: it used memory after freeing it, \
                 read memory never written, or broke the borrowing rules through a pointer"
            }
            Verdict::Panic => "the kata's code panicked",
            Verdict::Timeout => "the check did not finish within its time budget",
            Verdict::Exhausted => {
                "the system refused the check another thread or process: too many were alive"
            }
        }
    }

    /// What a failure of this kind usually means, pointing toward the kind of fix without giving
    /// a solution away. Empty for a pass.
    pub fn advice(self) -> &'static str {
        match self {
            Verdict::Pass => "",
            Verdict::NotStarted => {
                "The checks reached a `todo!()`. Read the lesson beside the kata, then replace \
                 the `todo!()`s one method at a time; the sequential checks tell you when the \
                 plain, one-thread behaviour is right."
            }
            Verdict::CompileError => {
                "Fix the first error the compiler reports; later errors often follow from it. \
                 The public API must stay exactly as the starting code declares it."
            }
            Verdict::Forbidden => {
                "Each kata allows only what its lesson needs: most allow no files, processes, \
                 environment, system calls or code that runs before `main`, because checks run \
                 your code inside the process that reports on it. Remove the construct named at \
                 the line shown; the kata's `kata.toml` (`[policy]`) lists what it allows."
            }
            Verdict::WrongResult => {
                "Even with one thread at a time the result is not what the API promises. Reread \
                 the doc comment of the method named in the failure and compare it with what \
                 your code returns; concurrency is not the problem yet."
            }
            Verdict::Race => {
                "Some steps that must happen together were split by another thread: a check and \
                 the action that depends on it, a read and the write based on it, or two fields \
                 that must change at once. Look at the interleaving for the step where another \
                 thread slips in, and make the steps before and after it one indivisible action \
                 (one atomic read-modify-write, or one critical section under one lock)."
            }
            Verdict::Deadlock => {
                "Every thread is waiting for something only another waiting thread can give. If \
                 threads hold locks while waiting for others, the cycle in \"who waits for \
                 whom\" shows it: make every thread take locks in the same order, or hold fewer \
                 at once. If a thread waits on a condvar, some change that should wake it comes \
                 without a notify, or the notify comes before the wait and is lost: notify after \
                 every change a waiter may be waiting for, and wait only while the condition is \
                 false."
            }
            Verdict::Starvation => {
                "A thread that asked first keeps being overtaken by threads that asked later. \
                 A thread that gives up what it asked for and tries again later loses its place \
                 every time: keep its place instead (block on the lock or condition it needs \
                 rather than backing off). Locks that let newcomers in whenever they are free do \
                 not take turns either: give waiting threads a notion of their turn (a ticket, a \
                 queue, or a flag that stops newcomers while someone waits)."
            }
            Verdict::Livelock => {
                "Threads keep running but none gets anywhere: a loop waits for a condition that \
                 its own steps, or another thread's, keep undoing. Waiting by spinning also \
                 shows up here; block on a condvar instead, or make sure each round of the loop \
                 lets some thread make progress."
            }
            Verdict::Leak => {
                "Something outlives the run: an `Arc` cycle, a value forgotten on purpose, a \
                 child process that was never waited for (it stays a zombie, or keeps running), \
                 or a named resource never removed (a message queue stays in the system until \
                 `mq_unlink`). Check that every owner is dropped when its thread ends, that every \
                 child you start is waited for, and that whoever creates a queue removes it."
            }
            Verdict::UndefinedBehavior => {
                "Unsafe code broke a rule the compiler relies on, so anything may happen, and on \
                 a real machine it often seems to work. Most often in this track: memory freed \
                 while another thread or handle can still reach it (count references before \
                 freeing, and free only after the last one is gone and its accesses are ordered \
                 before the free), or a pointer read after the value it points to moved. Miri \
                 names the line: ask who else can still reach that memory there."
            }
            Verdict::Panic => {
                "Your code panicked: an index out of range, an arithmetic overflow, an `unwrap` \
                 on `None`, or a poisoned lock. The location tells where; the sequential checks \
                 show the call that led there."
            }
            Verdict::Timeout => {
                "A check did not finish in time: most often an endless loop, or a thread \
                 blocked in a way the harness cannot see. Look for a loop whose exit condition \
                 never becomes true."
            }
            Verdict::Exhausted => {
                "Starting a thread or a process failed because too many were alive at once. \
                 That is rarely the machine's fault: look for threads or processes your code \
                 starts for each piece of work and never ends or joins, or a loop that starts \
                 them without bound. Keep a fixed number alive and hand them the work."
            }
        }
    }
}

/// What a data race means (a `race` whose failure is the model checker's causality violation):
/// the fix is an order between two accesses, not one indivisible step.
pub const DATA_RACE_ADVICE: &str =
    "Two threads touched the same memory and nothing made one access happen before the other: no \
     lock that both held, no `Release` write that the other thread read with an `Acquire` load. \
     Making the steps indivisible does not help here; ordering them does. After writing what \
     another thread will read, publish it with a `Release` store (or an unlock); before reading \
     it, look at the flag with an `Acquire` load (or take the same lock). On x86 the bug may \
     never show on real threads: the model checker finds it because the language allows it.";

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Verdict {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Verdict::ALL
            .into_iter()
            .find(|verdict| verdict.as_str() == s)
            .ok_or_else(|| {
                let words: Vec<_> = Verdict::ALL.iter().map(|v| v.as_str()).collect();
                format!(
                    "unknown verdict `{s}` (expected one of {})",
                    words.join(", ")
                )
            })
    }
}

/// How the check process ended, as the runner saw it from outside.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Exit {
    /// It exited by itself with this status code.
    Code(i32),
    /// A signal ended it (loom aborts the process on a deadlock).
    Signal(i32),
    /// The runner killed it at the end of its time budget.
    TimedOut,
}

/// The verdict of one check run, with the reason in plain words.
///
/// `report` is the report the child left, already checked against the run's nonce by the caller
/// (`None` if there was none or it did not match). A check passes only on a report that says so.
pub fn classify(mode: Mode, report: Option<&Report>, exit: Exit) -> (Verdict, String) {
    match (report, exit) {
        (Some(report), Exit::TimedOut) if report.outcome == Outcome::Pass => (
            Verdict::Timeout,
            "the check reported success but then did not exit within its time budget".into(),
        ),
        (Some(report), Exit::Code(0)) | (Some(report), Exit::TimedOut) => (
            classify_outcome(mode, &report.outcome),
            describe(&report.outcome),
        ),
        (Some(report), _) if report.outcome == Outcome::Pass => (
            Verdict::Panic,
            format!("the check passed, then the process {}", describe_exit(exit)),
        ),
        (Some(report), _) => (
            classify_outcome(mode, &report.outcome),
            describe(&report.outcome),
        ),
        (None, Exit::TimedOut) => (
            Verdict::Timeout,
            "the check did not finish within its time budget".into(),
        ),
        (None, Exit::Code(0)) => (
            Verdict::Panic,
            "the check process exited with status 0 before reporting a result \
             (does the code call `std::process::exit`?)"
                .into(),
        ),
        (None, _) => (
            Verdict::Panic,
            format!(
                "the check process {} before reporting a result",
                describe_exit(exit)
            ),
        ),
    }
}

/// The verdict an outcome stands for in `mode`.
pub fn classify_outcome(mode: Mode, outcome: &Outcome) -> Verdict {
    let failure = match outcome {
        Outcome::Pass => return Verdict::Pass,
        Outcome::Fail(failure) => failure,
    };
    match failure.kind {
        FailureKind::NotImplemented => Verdict::NotStarted,
        FailureKind::Deadlock => Verdict::Deadlock,
        FailureKind::Livelock => Verdict::Livelock,
        FailureKind::Starvation => Verdict::Starvation,
        FailureKind::Leak => Verdict::Leak,
        FailureKind::Causality => Verdict::Race,
        FailureKind::Hang => Verdict::Timeout,
        FailureKind::Exhausted => Verdict::Exhausted,
        FailureKind::Panic if mode.is_concurrent() => Verdict::Race,
        FailureKind::Panic => match failure.origin {
            Origin::Check => Verdict::WrongResult,
            Origin::Kata | Origin::Other => Verdict::Panic,
        },
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Pass => "every promise held".into(),
        Outcome::Fail(failure) => match &failure.location {
            Some(location) => format!("{} (at {location})", failure.message),
            None => failure.message.clone(),
        },
    }
}

fn describe_exit(exit: Exit) -> String {
    match exit {
        Exit::Code(code) => format!("exited with status {code}"),
        Exit::Signal(6) => "aborted (signal 6)".into(),
        Exit::Signal(9) => "was killed (signal 9)".into(),
        Exit::Signal(11) => "crashed with a segmentation fault (signal 11)".into(),
        Exit::Signal(signal) => format!("was ended by signal {signal}"),
        Exit::TimedOut => "ran out of time".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Failure;

    fn failure(kind: FailureKind, origin: Origin) -> Outcome {
        Outcome::Fail(Failure {
            kind,
            message: "boom".into(),
            location: None,
            origin,
            thread: None,
        })
    }

    fn report(outcome: Outcome) -> Report {
        Report {
            nonce: 1,
            check: "c".into(),
            mode: Mode::Model,
            outcome,
            iterations: 1,
            trace: Vec::new(),
            replay: None,
        }
    }

    #[test]
    fn every_failure_kind_has_its_verdict() {
        let cases = [
            (FailureKind::NotImplemented, Verdict::NotStarted),
            (FailureKind::Deadlock, Verdict::Deadlock),
            (FailureKind::Livelock, Verdict::Livelock),
            (FailureKind::Starvation, Verdict::Starvation),
            (FailureKind::Leak, Verdict::Leak),
            (FailureKind::Causality, Verdict::Race),
            (FailureKind::Hang, Verdict::Timeout),
            (FailureKind::Exhausted, Verdict::Exhausted),
            (FailureKind::Panic, Verdict::Race),
        ];
        for (kind, verdict) in cases {
            assert_eq!(
                classify_outcome(Mode::Explore, &failure(kind, Origin::Check)),
                verdict
            );
        }
    }

    #[test]
    fn sequential_panics_split_by_origin() {
        let check = failure(FailureKind::Panic, Origin::Check);
        let kata = failure(FailureKind::Panic, Origin::Kata);
        assert_eq!(
            classify_outcome(Mode::Sequential, &check),
            Verdict::WrongResult
        );
        assert_eq!(classify_outcome(Mode::Sequential, &kata), Verdict::Panic);
        assert_eq!(classify_outcome(Mode::Stress, &kata), Verdict::Race);
    }

    #[test]
    fn a_pass_needs_a_report_and_a_clean_exit() {
        let pass = report(Outcome::Pass);
        assert_eq!(
            classify(Mode::Model, Some(&pass), Exit::Code(0)).0,
            Verdict::Pass
        );
        assert_eq!(classify(Mode::Model, None, Exit::Code(0)).0, Verdict::Panic);
        assert_eq!(
            classify(Mode::Model, Some(&pass), Exit::Code(3)).0,
            Verdict::Panic
        );
        assert_eq!(
            classify(Mode::Model, Some(&pass), Exit::TimedOut).0,
            Verdict::Timeout
        );
        assert_eq!(
            classify(Mode::Model, None, Exit::TimedOut).0,
            Verdict::Timeout
        );
        assert_eq!(
            classify(Mode::Model, None, Exit::Signal(11)).0,
            Verdict::Panic
        );
    }

    #[test]
    fn a_failure_report_wins_over_an_abort() {
        let deadlock = report(failure(FailureKind::Deadlock, Origin::Other));
        assert_eq!(
            classify(Mode::Model, Some(&deadlock), Exit::Signal(6)).0,
            Verdict::Deadlock
        );
    }

    #[test]
    fn verdict_words_round_trip() {
        for verdict in Verdict::ALL {
            assert_eq!(verdict.as_str().parse::<Verdict>(), Ok(verdict));
            let json = serde_json::to_string(&verdict).unwrap();
            assert_eq!(json, format!("\"{}\"", verdict.as_str()));
        }
        assert!("racy".parse::<Verdict>().is_err());
    }
}
