//! Where a check's state lives: the one check this process runs, in one place.
//!
//! A check process runs one check ([`crate::check`]), and what it knows comes in three parts:
//!
//! - **Settings**, fixed once by [`begin`] before the panic hook is installed and the first
//!   execution starts: the runner's [`RunConfig`] and where the report goes. What a check or a
//!   detector scales by ([`mode`], [`bypass_bound`], [`fifo_handover`]) is read from them;
//!   outside a check run there are none, and each has its default.
//! - **What outlives a failing execution**, so that the panic hook and the watchdog can report a
//!   failure even when the engine aborts the process next (loom does, on a deadlock): how many
//!   executions have started, the panics of the current one, the replay token when the engine
//!   knows it in advance, whether the scheduler running now is fair enough for bypass counts to
//!   be judged, and whether the final report is being written.
//! - **Switches read on every facade operation**, plain atomics so that the hot path takes no
//!   lock: [`RECORDING`] and [`ATOMICS_IN_FULL`] (the trace, set by [`begin`]) and [`NOISE`]
//!   (schedule noise, set by [`crate::noise`] when a stress run starts).
//!
//! The state of one execution lives beside what it describes, and starts afresh with each
//! execution or round: the recorded steps ([`crate::trace`]), the thread census
//! ([`crate::thread::census`]), the watched children and scratch directories of process mode
//! ([`crate::process`]), and the noise drawn in a stress round ([`crate::noise`]). A child
//! process started in a role runs no check: it keeps only its arguments
//! ([`crate::process::role_args`]).
//!
//! The order of a run: [`begin`], the panic hook, then per execution [`begin_execution`] and
//! the body; the report is written once, by whoever [`claims the finish`](claim_finish).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use crate::protocol::{Failure, Handover, Mode, RunConfig};

/// The state of the check this process runs.
struct Run {
    /// Fixed once, by [`begin`].
    settings: OnceLock<Settings>,
    /// Executions started so far (schedules, interleavings or rounds).
    executions: AtomicU64,
    /// The panics of the current execution, oldest first.
    panics: Mutex<Vec<Failure>>,
    /// The replay token of a provisional report, where the engine knows it in advance (loom's).
    replay: OnceLock<String>,
    /// Whether a bypass count above the bound fails the check under the scheduler running now.
    bypass_judged: AtomicBool,
    /// Whether the final report is being written: the watchdog and the round may both end the
    /// run, and the first to get there decides.
    finishing: AtomicBool,
}

/// What the runner asked for.
struct Settings {
    config: RunConfig,
    /// Where the report goes.
    report: ReportTo,
}

/// Where a check's report goes.
pub(crate) enum ReportTo {
    /// A file, written whole then renamed.
    File(String),
    /// A line on stdout (under Miri: see [`crate::protocol::INLINE_FLAG`]).
    Stdout,
}

static RUN: Run = Run {
    settings: OnceLock::new(),
    executions: AtomicU64::new(0),
    panics: Mutex::new(Vec::new()),
    replay: OnceLock::new(),
    bypass_judged: AtomicBool::new(true),
    finishing: AtomicBool::new(false),
};

/// Whether the facade records steps: on for the whole check run, off otherwise, so plain builds
/// pay one relaxed load per operation.
pub(crate) static RECORDING: AtomicBool = AtomicBool::new(false);

/// Whether atomic operations are recorded in full, or only counted (on real threads under
/// stress, where a recorder lock around every atomic would change the timing the stress mode is
/// there to test).
pub(crate) static ATOMICS_IN_FULL: AtomicBool = AtomicBool::new(true);

/// Whether schedule noise is on: in stress runs only.
pub(crate) static NOISE: AtomicBool = AtomicBool::new(false);

/// Starts the run of the check `config` names, its report going to `report`: settings fixed,
/// recording on for the rest of the process (atomics in full, except on real threads), except
/// under Miri.
pub(crate) fn begin(config: RunConfig, report: ReportTo) -> &'static RunConfig {
    let settings = RUN.settings.get_or_init(|| Settings { config, report });
    let real_threads = matches!(settings.config.mode, Mode::Stress | Mode::Miri);
    ATOMICS_IN_FULL.store(!real_threads, Ordering::Relaxed);
    // The trace's lock would order every two recorded operations of different threads, and
    // hide from Miri the data races it is there to find: Miri explains its findings itself.
    RECORDING.store(settings.config.mode != Mode::Miri, Ordering::Relaxed);
    &settings.config
}

/// The configuration of the check being run, once it runs.
pub(crate) fn config() -> Option<&'static RunConfig> {
    RUN.settings.get().map(|settings| &settings.config)
}

/// Where the report of the check being run goes, once it runs.
pub(crate) fn report_to() -> Option<&'static ReportTo> {
    RUN.settings.get().map(|settings| &settings.report)
}

/// The mode of the check being run (sequential outside a check run).
pub(crate) fn mode() -> Mode {
    config().map_or(Mode::Sequential, |config| config.mode)
}

/// The kata's bypass bound for the check being run (8 outside a check run).
pub(crate) fn bypass_bound() -> usize {
    config().map_or(8, |config| config.bypass_bound)
}

/// Whether facade locks hand over in arrival order: under explore, when the kata's metadata
/// asks for it.
pub(crate) fn fifo_handover() -> bool {
    config().is_some_and(|config| config.mode == Mode::Explore && config.handover == Handover::Fifo)
}

/// A new execution starts: one more counted, no panics yet.
pub(crate) fn begin_execution() {
    RUN.executions.fetch_add(1, Ordering::Relaxed);
    panics().clear();
}

/// How many executions have started.
pub(crate) fn executions() -> u64 {
    RUN.executions.load(Ordering::Relaxed)
}

/// The panics of the current execution, oldest first, whatever panicked while they were held.
pub(crate) fn panics() -> MutexGuard<'static, Vec<Failure>> {
    RUN.panics.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sets the replay token of a provisional report (loom's, which a rerun needs nothing else for).
#[cfg(feature = "model")]
pub(crate) fn set_replay(token: String) {
    let _ = RUN.replay.set(token);
}

/// The replay token known in advance, if the engine set one.
pub(crate) fn replay() -> Option<String> {
    RUN.replay.get().cloned()
}

/// Tells the bypass detector whether the scheduler running now is fair enough for its bound to
/// mean something about the code (the check engine sets it).
pub(crate) fn judge_bypass(judged: bool) {
    RUN.bypass_judged.store(judged, Ordering::Relaxed);
}

/// Whether a bypass count above the bound fails the check under the scheduler running now
/// (outside a check run, it does).
pub(crate) fn bypass_judged() -> bool {
    RUN.bypass_judged.load(Ordering::Relaxed)
}

/// Claims the writing of the final report: `true` for the first caller only.
pub(crate) fn claim_finish() -> bool {
    !RUN.finishing.swap(true, Ordering::SeqCst)
}
