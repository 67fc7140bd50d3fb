//! The contract between a check process and the runner that starts it.
//!
//! A kata's checks compile into one binary per backend. The runner (`cargo xtask`) asks the binary
//! for its checks with `--list`, then starts it once per check with `--run NAME`, passing a
//! [`RunConfig`] in a file named by the [`CONFIG_ENV`] variable and a path in [`REPORT_ENV`]. The child writes a
//! [`Report`] there; a check passes only on a report that says so and carries the run's nonce.
//! Miri interprets the std build's source, so the std binary also lists Miri's checks
//! (`--list miri`), natively.
//!
//! ```
//! use harness::protocol::{Mode, RunConfig};
//!
//! let config = RunConfig::new("no hit is lost", Mode::Model, 7);
//! let json = serde_json::to_string(&config).unwrap();
//! assert_eq!(serde_json::from_str::<RunConfig>(&json).unwrap().nonce, 7);
//! ```

use serde::{Deserialize, Serialize};

/// Environment variable holding the path the child writes its [`Report`] to.
pub const REPORT_ENV: &str = "HARNESS_REPORT";
/// Environment variable holding the path of a file with the JSON [`RunConfig`] of one check run.
/// The child reads the file and deletes it before any kata code runs: the nonce inside never
/// appears in the process's environment, which the kata's code could read back.
pub const CONFIG_ENV: &str = "HARNESS_CONFIG";
/// Under Miri, whose isolation keeps the interpreted program away from files (and makes its
/// runs the same every time), the runner passes the JSON [`RunConfig`] itself as the argument
/// after `--run` and this flag, and the child prints its [`Report`] on stdout, on one line
/// after [`REPORT_LINE`].
pub const INLINE_FLAG: &str = "--inline";
/// Asks a check binary only to exit at once, with status 0: the runner sees that it can start
/// the binary that way (Miri's runner, without cargo), for a fraction of what `--list` costs
/// under the interpreter.
pub const PING_FLAG: &str = "--ping";
/// What starts the line of a report printed on stdout (see [`INLINE_FLAG`]); the last such line
/// counts.
pub const REPORT_LINE: &str = "harness report: ";

/// How a check is run. The order is the order a kata's verdict is decided in.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Real threads, one scenario at a time: wrong results and unfinished code.
    Sequential,
    /// loom: every interleaving under a preemption bound.
    Model,
    /// shuttle: random and PCT schedules from fixed seeds.
    Explore,
    /// Real OS threads, many rounds, under a watchdog.
    Stress,
    /// Miri: the sequential and concurrent checks, a few rounds each, interpreted with its checks
    /// for undefined behaviour (use after free, data races on plain memory, aliasing, leaks).
    Miri,
}

impl Mode {
    /// Every mode, in verdict order.
    pub const ALL: [Mode; 5] = [
        Mode::Sequential,
        Mode::Model,
        Mode::Explore,
        Mode::Stress,
        Mode::Miri,
    ];

    /// The facade backend a check of this mode is compiled against.
    pub fn backend(self) -> Backend {
        match self {
            Mode::Sequential | Mode::Stress => Backend::Std,
            Mode::Model => Backend::Loom,
            Mode::Explore => Backend::Shuttle,
            Mode::Miri => Backend::Miri,
        }
    }

    /// The mode's name as written in metadata and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::Model => "model",
            Mode::Explore => "explore",
            Mode::Stress => "stress",
            Mode::Miri => "miri",
        }
    }

    /// Whether threads really interleave in this mode.
    pub fn is_concurrent(self) -> bool {
        self != Mode::Sequential
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mode::ALL
            .into_iter()
            .find(|mode| mode.as_str() == s)
            .ok_or_else(|| {
                format!("unknown mode `{s}` (expected sequential, model, explore or stress)")
            })
    }
}

/// What the facade is built on. Each backend is one cargo feature of this crate.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// `std::sync` and real threads.
    Std,
    /// loom's modelled primitives (feature `model`).
    Loom,
    /// shuttle's controlled primitives (feature `explore`).
    Shuttle,
    /// `std::sync` and real threads, interpreted by Miri (`cargo miri`, no feature).
    Miri,
}

impl Backend {
    /// The harness feature that selects this backend, if any.
    pub fn feature(self) -> Option<&'static str> {
        match self {
            Backend::Std => None,
            Backend::Loom => Some("model"),
            Backend::Shuttle => Some("explore"),
            Backend::Miri => None,
        }
    }

    /// The backend this binary was compiled for.
    pub fn current() -> Backend {
        if cfg!(feature = "model") {
            Backend::Loom
        } else if cfg!(feature = "explore") {
            Backend::Shuttle
        } else if cfg!(miri) {
            Backend::Miri
        } else {
            Backend::Std
        }
    }
}

/// How the facade's locks hand over in explore mode, as a kata declares it.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Handover {
    /// Waiters get a released lock in arrival order: a starvation verdict is about the kata's
    /// algorithm, not about the lock underneath.
    #[default]
    Fifo,
    /// Any waiter, or a newcomer, may take a released lock: fairness must be built by the kata.
    Barging,
}

/// One entry of `--list`.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
pub struct CheckInfo {
    /// The check's name, unique within its mode.
    pub name: String,
    /// The mode the check runs in.
    pub mode: Mode,
}

/// Everything one check run needs to know, chosen by the runner.
#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
pub struct RunConfig {
    /// The check to run.
    pub check: String,
    /// The mode to run it in.
    pub mode: Mode,
    /// Echoed in the report, so output that merely looks like a report does not count.
    pub nonce: u64,
    /// How facade locks hand over in explore mode.
    pub handover: Handover,
    /// Bounded bypass: more than this many entries past a waiting thread is starvation.
    pub bypass_bound: usize,
    /// Seed of the explore schedulers.
    pub seed: u64,
    /// Schedules tried by each explore scheduler (random, then PCT).
    pub explore_iterations: usize,
    /// Steps one explore schedule may take before it counts as a livelock.
    pub explore_max_steps: usize,
    /// loom's preemption bound.
    pub preemption_bound: usize,
    /// loom's branch budget per execution; exceeding it counts as a livelock.
    pub model_max_branches: usize,
    /// Seconds loom may explore before it gives up ([`FailureKind::Hang`]): polling code can
    /// multiply its interleavings for minutes without being wrong.
    pub model_max_secs: u64,
    /// Rounds of a stress check.
    pub stress_rounds: usize,
    /// Milliseconds one sequential or stress round may take before the watchdog judges it (a
    /// busy machine must not turn a slow round into a verdict).
    pub stress_hang_ms: u64,
    /// A schedule to replay instead of exploring (explore mode).
    pub replay: Option<String>,
}

/// Rounds of a stress check unless its kata says otherwise: measured, not guessed. Of the
/// thousand-odd hand-written and generated mutants of every kata, none that a stress check was
/// the first to catch needed more than 15 rounds (`cargo xtask mutate --format json` names each
/// catch's round), so this is more than three times that.
pub const STRESS_ROUNDS: usize = 50;

/// How long the model checker explores one check before it gives up: measured, not guessed.
/// No reference solution's model checks take a second and a half, the slowest mutant the model
/// checker catches took under 11 s with others running beside it, and polling alternatives
/// used to run into the kata's whole budget (a minute) before their model checks were set
/// aside.
pub const MODEL_MAX_SECS: u64 = 12;

impl RunConfig {
    /// A configuration with the default budgets.
    pub fn new(check: &str, mode: Mode, nonce: u64) -> Self {
        RunConfig {
            check: check.to_owned(),
            mode,
            nonce,
            handover: Handover::Fifo,
            bypass_bound: 8,
            seed: 0x5eed_1697_2475,
            explore_iterations: 300,
            explore_max_steps: 20_000,
            preemption_bound: 2,
            model_max_branches: 5_000,
            model_max_secs: MODEL_MAX_SECS,
            stress_rounds: STRESS_ROUNDS,
            stress_hang_ms: 5_000,
            replay: None,
        }
    }
}

/// What the child writes when a check ends (or, for failures that abort the process, as soon as
/// the failure is known).
#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
pub struct Report {
    /// The nonce of the [`RunConfig`].
    pub nonce: u64,
    /// The check that ran.
    pub check: String,
    /// The mode it ran in.
    pub mode: Mode,
    /// How it ended.
    pub outcome: Outcome,
    /// Schedules or rounds tried.
    pub iterations: u64,
    /// Events of the failing execution, oldest first; empty on a pass.
    pub trace: Vec<Event>,
    /// A token that replays the failing schedule, where the engine can.
    pub replay: Option<String>,
}

/// How a check ended.
#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Outcome {
    /// Every execution held every promise.
    Pass,
    /// An execution broke a promise.
    Fail(Failure),
}

/// One failure, as the child saw it. The runner turns it into a verdict.
#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
pub struct Failure {
    /// What kind of failure the engine or a detector saw.
    pub kind: FailureKind,
    /// The message, in the engine's or the assertion's words.
    pub message: String,
    /// `file:line` where it happened, if known.
    pub location: Option<String>,
    /// Whether the panicking code was the kata's, the check's, or elsewhere.
    pub origin: Origin,
    /// The thread that failed, if known.
    pub thread: Option<String>,
}

impl Failure {
    /// A failure an engine or the watchdog judged about the whole execution: no source line,
    /// no one thread to blame.
    pub fn of_execution(kind: FailureKind, message: String) -> Self {
        Failure {
            kind,
            message,
            location: None,
            origin: Origin::Other,
            thread: None,
        }
    }
}

/// The kind of a [`Failure`].
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// A panic or a failed assertion.
    Panic,
    /// `todo!()` or `unimplemented!()` was reached.
    NotImplemented,
    /// Every live thread was blocked (engine), or the watchdog found threads stuck on locks.
    Deadlock,
    /// Threads kept running without finishing within the step budget.
    Livelock,
    /// A waiting thread was bypassed more often than the kata's bound.
    Starvation,
    /// An allocation or `Arc` outlived the execution.
    Leak,
    /// loom saw two accesses without a happens-before edge.
    Causality,
    /// A stress round did not finish, but no thread was seen blocked on the facade.
    Hang,
    /// The system refused a thread or a process: too many alive.
    Exhausted,
}

/// Where a panic came from.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The kata's own source (the learner's file).
    Kata,
    /// The checks or the harness: a promise the kata broke.
    Check,
    /// Neither, or unknown (an engine's own message).
    Other,
}

/// One step of an execution, recorded by the facade.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
pub struct Event {
    /// The thread that took the step.
    pub thread: String,
    /// What it did.
    pub op: Op,
    /// The lock, condvar, atomic or detector it did it to.
    pub resource: Option<String>,
    /// Extra words: a value loaded or stored, a thread spawned.
    pub detail: Option<String>,
    /// `file:line` of the call.
    pub location: Option<String>,
    /// On an atomic: the value a load or a read-modify-write read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saw: Option<String>,
    /// On an atomic: the value a write left, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<String>,
}

/// The kinds of [`Event`].
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// Started a thread.
    Spawn,
    /// Waited for a thread to finish.
    Join,
    /// Asked for a lock.
    Lock,
    /// Got the lock it asked for.
    Locked,
    /// Tried a lock without waiting (`try_lock`) and found it held.
    Refused,
    /// Released a lock.
    Unlock,
    /// Started waiting on a condvar (releasing its lock).
    Wait,
    /// Woke from a condvar wait with the lock again.
    Woken,
    /// Notified one waiter.
    NotifyOne,
    /// Notified every waiter.
    NotifyAll,
    /// Read an atomic.
    Load,
    /// Wrote an atomic.
    Store,
    /// Read-modify-write on an atomic.
    Update,
    /// Began waiting for a resource a check watches.
    Arrive,
    /// Entered a resource a check watches.
    Enter,
    /// Left a resource a check watches.
    Leave,
    /// A thread ended.
    Exit,
    /// Parked until unparked.
    Park,
    /// An executor polled a task a check watches.
    Poll,
    /// A task a check watches was woken.
    Wake,
    /// The thread failed here: an assertion of the check, or a panic of the kata's code. Its
    /// detail says which.
    Fail,
}

impl Op {
    /// The verb shown in an interleaving table.
    pub fn verb(self) -> &'static str {
        match self {
            Op::Spawn => "spawn",
            Op::Join => "join",
            Op::Lock => "lock",
            Op::Locked => "locked",
            Op::Refused => "try_lock refused",
            Op::Unlock => "unlock",
            Op::Wait => "wait",
            Op::Woken => "woken",
            Op::NotifyOne => "notify_one",
            Op::NotifyAll => "notify_all",
            Op::Load => "load",
            Op::Store => "store",
            Op::Update => "update",
            Op::Arrive => "arrive",
            Op::Enter => "enter",
            Op::Leave => "leave",
            Op::Exit => "exit",
            Op::Park => "park",
            Op::Poll => "poll",
            Op::Wake => "wake",
            Op::Fail => "✗",
        }
    }
}

/// What `cargo xtask replay` needs to rerun one failing schedule: the mode, the check's position
/// in its binary's `--list`, and the engine's schedule (empty where a rerun is deterministic by
/// itself, as loom's exhaustive search is).
///
/// ```
/// use harness::protocol::{Mode, ReplayToken};
///
/// let token = ReplayToken { mode: Mode::Explore, check: 2, schedule: "910102a4".into() };
/// assert_eq!(token.to_string(), "explore.2.910102a4");
/// assert_eq!("explore.2.910102a4".parse::<ReplayToken>(), Ok(token));
///
/// let exhaustive = ReplayToken { mode: Mode::Model, check: 0, schedule: String::new() };
/// assert_eq!(exhaustive.to_string(), "model.0");
/// assert_eq!("model.0".parse::<ReplayToken>(), Ok(exhaustive.clone()));
/// assert_eq!("model.0.".parse::<ReplayToken>(), Ok(exhaustive));
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ReplayToken {
    /// The mode the failure was found in.
    pub mode: Mode,
    /// Index of the check in the `--list` output of the mode's binary.
    pub check: usize,
    /// The engine's schedule, opaque to the runner.
    pub schedule: String,
}

impl std::fmt::Display for ReplayToken {
    /// `MODE.CHECK.SCHEDULE`, or `MODE.CHECK` when there is no schedule (loom explores them
    /// all): a token never ends in a dot that reads as the end of a sentence.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.mode, self.check)?;
        match self.schedule.is_empty() {
            true => Ok(()),
            false => write!(f, ".{}", self.schedule),
        }
    }
}

impl std::str::FromStr for ReplayToken {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a replay token (expected MODE.CHECK[.SCHEDULE])");
        let mut parts = s.splitn(3, '.');
        let mode = parts
            .next()
            .ok_or_else(bad)?
            .parse::<Mode>()
            .map_err(|_| bad())?;
        let check = parts.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
        let schedule = parts.next().unwrap_or_default().to_owned();
        if !schedule.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad());
        }
        Ok(ReplayToken {
            mode,
            check,
            schedule,
        })
    }
}

/// What one benchmark program measured (`tests/benches/<kata>.rs`, written with
/// `checks::bench`), as it prints it for `cargo xtask bench`.
#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
pub struct BenchTable {
    /// What the workload is.
    pub title: String,
    /// One row per approach and load, in declaration order.
    pub rows: Vec<BenchRow>,
}

/// One approach of a benchmark at one load.
#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
pub struct BenchRow {
    /// The approach's name (`threads`, `pool`, `reference`, ...).
    pub approach: String,
    /// The size of the workload.
    pub load: usize,
    /// The median wall-clock time of one run, in seconds.
    pub seconds: f64,
    /// The measuring process's peak resident memory in KiB, where the system tells it.
    pub peak_rss_kib: Option<u64>,
}
