//! Checking one variant of a kata: build per backend, run the checks mode by mode, decide the
//! kata's verdict.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use harness::protocol::{
    Backend, CheckInfo, FailureKind, Mode, Outcome, ReplayToken, Report, RunConfig,
};
use harness::verdict::Verdict;

use crate::catalog::{Catalog, Kata};
use crate::compile::{self, Built};
use crate::metadata::{DEFAULT_MEMORY_MB, DEFAULT_PROCESSES};
use crate::miri;
use crate::parallel::{self, Opening, Slots};
use crate::results::{set_aside_model_budgets, summary, CheckResult, KataRun};
use crate::run::{self, Finished, Launcher};
use crate::sandbox::Sandbox;
use crate::spawn;
use crate::variant::Variant;
use crate::{explain, interleave};

/// How a run is set up beyond the kata and the file.
#[derive(Clone, Copy, Default)]
pub struct Options<'s> {
    /// Seed of the explore schedulers, over the kata's.
    pub seed: Option<u64>,
    /// Print progress ("building ...") on stderr.
    pub progress: bool,
    /// Lowers every check's time budget to this (`grade --time-limit`).
    pub time_limit: Option<Duration>,
    /// Lowers every check's address space to this many MiB (`grade --memory-limit`).
    pub memory_mb: Option<u64>,
    /// Lowers the time limit of each build (`grade --build-time-limit`).
    pub build_time_limit: Option<Duration>,
    /// Treat the code as untrusted (`grade`): limit the processes and threads of each check
    /// (see [`spawn::Limits`]) and the time and memory of each build
    /// ([`compile::BuildLimits::GRADING`]).
    pub untrusted: bool,
    /// Cut each check off the network (`grade` does where the machine allows it).
    pub no_network: bool,
    /// Run every process of the variant's code in a cell of this sandbox (`grade`).
    pub sandbox: Option<&'s Sandbox>,
    /// Also run the checks under Miri (`--miri`), whether or not the kata's modes list it.
    pub miri: bool,
    /// Run only the checks of this mode (`--only`).
    pub only: Option<Mode>,
    /// Run a check only while holding one of these, shared with the checkers of other variants
    /// checked at the same time (`verify`).
    pub slots: Option<&'s Slots>,
    /// Build a mode's backend only once the mode before has passed, not while its last checks
    /// run (`verify`'s variants expected to fail, `mutate`: most of them fail in an early mode,
    /// and other variants are built and checked on the same cores meanwhile).
    pub build_on_demand: bool,
}

/// How many checks run at once: two, where there are two cores.
fn checks_at_once() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 2))
}

/// Rounds of each concurrent check under Miri.
const MIRI_ROUNDS: usize = 2;

/// What building the variant for one backend came to, kept for the rest of the run.
#[derive(Clone)]
enum Build {
    /// The check binary, and the checks it offers.
    Binary {
        launcher: Launcher,
        checks: Vec<CheckInfo>,
    },
    /// The code does not compile: the compiler's errors.
    CompileError(String),
}

/// Builds and runs the checks of one variant.
pub struct Checker<'a> {
    catalog: &'a Catalog,
    kata: &'a Kata,
    variant: Variant,
    options: Options<'a>,
    builds: Mutex<HashMap<Backend, Build>>,
    runs: AtomicUsize,
}

/// One check of a mode to run, or what stands for the mode's checks when its code does not
/// compile.
enum Task {
    Check { launcher: Launcher, info: CheckInfo },
    CompileError(String),
}

impl<'a> Checker<'a> {
    /// Prepares the variant of `kata` built from `source`.
    pub fn new(
        catalog: &'a Catalog,
        kata: &'a Kata,
        source: &Path,
        options: Options<'a>,
    ) -> Result<Self> {
        if let Some(unmet) = crate::requirements::unmet(kata) {
            bail!("{unmet}");
        }
        let variant = Variant::prepare(kata, source)?;
        Ok(Checker {
            catalog,
            kata,
            variant,
            options,
            builds: Mutex::new(HashMap::new()),
            runs: AtomicUsize::new(0),
        })
    }

    /// Runs every check of the kata, mode by mode, stopping after the first mode with a failure.
    ///
    /// As if mode after mode: up to two checks run at once, and once every check of a mode is
    /// under way, the next mode is built and its checks start beside the last ones of the mode
    /// before (with `build_on_demand`, once they are done); checks of a mode after a failure
    /// are stopped and count for nothing.
    pub fn check_all(&mut self) -> Result<KataRun> {
        let start = Instant::now();
        let modes: Vec<Mode> = Mode::ALL
            .into_iter()
            .filter(|&mode| self.runs(mode))
            .filter(|&mode| self.options.only.is_none_or(|only| only == mode))
            .collect();
        if modes.is_empty() {
            bail!(
                "kata `{}` has no {} checks",
                self.kata.name(),
                self.options.only.map_or("", Mode::as_str)
            );
        }
        if let Some(refused) = self.refused(modes[0])? {
            return Ok(self.conclude(vec![refused], modes[1..].to_vec(), start));
        }
        let available = |mode: Mode| mode != Mode::Miri || miri::available();
        let last = modes.len() - 1;
        let opening = match self.options.build_on_demand {
            true => Opening::AfterStage,
            false => Opening::Ahead,
        };
        let staged = parallel::in_stages(
            modes.len(),
            checks_at_once(),
            opening,
            |position| match available(modes[position]) {
                true => self.tasks(modes[position]),
                false => Ok(Vec::new()),
            },
            |position, task, called_off| {
                let mut result = self.run_task(modes[position], task, Some(called_off))?;
                // The model checker's budgets never decide alone while another mode can confirm.
                if position < last {
                    set_aside_model_budgets(std::slice::from_mut(&mut result));
                }
                Ok(result)
            },
            |_, result| result.verdict != Verdict::Pass,
        )?;
        let ran = staged.results.len();
        let not_run = modes
            .iter()
            .enumerate()
            .filter(|&(position, &mode)| position >= ran || !available(mode))
            .map(|(_, &mode)| mode)
            .collect();
        let checks = staged.results.into_iter().flatten().collect();
        Ok(self.conclude(checks, not_run, start))
    }

    /// The checks of `mode` to run, once its build is made.
    fn tasks(&self, mode: Mode) -> Result<Vec<Task>> {
        Ok(match self.build(mode)? {
            Build::CompileError(errors) => vec![Task::CompileError(errors)],
            Build::Binary { launcher, checks } => checks
                .into_iter()
                .filter(|info| info.mode == mode)
                .map(|info| Task::Check {
                    launcher: launcher.clone(),
                    info,
                })
                .collect(),
        })
    }

    fn run_task(
        &self,
        mode: Mode,
        task: &Task,
        called_off: Option<&AtomicBool>,
    ) -> Result<CheckResult> {
        match task {
            Task::Check { launcher, info } => {
                self.run_one(launcher, info, self.config(info), called_off)
            }
            Task::CompileError(errors) => Ok(CheckResult::stopped(
                "the code compiles",
                mode,
                Verdict::CompileError,
                errors.clone(),
            )),
        }
    }

    /// Whether this run has checks of `mode`: the kata's modes, with Miri's when `--miri` asks
    /// for them (not run, when Miri is not installed); never Miri's for untrusted code (`grade`),
    /// which runs only in the sandbox's cells, where Miri's cargo cannot.
    fn runs(&self, mode: Mode) -> bool {
        if mode != Mode::Miri {
            return self.kata.meta.runs(mode);
        }
        self.wants_miri() && self.trusted()
    }

    /// Whether the code is trusted: not graded, not in the sandbox's cells.
    fn trusted(&self) -> bool {
        !self.options.untrusted && self.options.sandbox.is_none()
    }

    /// Whether Miri's checks were asked for: by the kata, `--miri` or `--only miri`.
    fn wants_miri(&self) -> bool {
        self.options.miri
            || self.options.only == Some(Mode::Miri)
            || self.kata.meta.runs(Mode::Miri)
    }

    /// Whether Miri's checks were wanted here but Miri is not installed.
    pub fn misses_miri(&self) -> bool {
        self.wants_miri() && self.trusted() && !miri::available()
    }

    /// Reruns the one check named by `token` on the schedule it carries.
    pub fn replay(&mut self, token: &ReplayToken) -> Result<KataRun> {
        let start = Instant::now();
        if token.mode == Mode::Miri && !miri::available() {
            bail!("{}", miri::SETUP_HINT);
        }
        if !self.kata.meta.runs(token.mode) && token.mode != Mode::Miri {
            bail!(
                "kata `{}` has no {} checks (its modes are {})",
                self.kata.name(),
                token.mode,
                self.kata
                    .meta
                    .modes
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if let Some(refused) = self.refused(token.mode)? {
            return Ok(self.conclude(vec![refused], Vec::new(), start));
        }
        let result = self.run_replayed(token)?;
        Ok(self.conclude(vec![result], Vec::new(), start))
    }

    /// The kata's code policy held against the variant's files before anything runs: what it
    /// does not allow comes back as the failed check it stands for, in `mode`. A file the policy
    /// cannot read is built first: a compile error says more than the policy can (the run reports
    /// it instead), and code that compiles although the policy cannot read it is refused.
    fn refused(&self, mode: Mode) -> Result<Option<CheckResult>> {
        let violations = self.kata.meta.policy.check(&self.variant.source);
        if violations.is_empty() {
            return Ok(None);
        }
        let unreadable = violations.iter().all(|v| v.unreadable);
        if unreadable && matches!(self.build(mode)?, Build::CompileError(_)) {
            return Ok(None);
        }
        let lines: Vec<String> = violations.iter().map(ToString::to_string).collect();
        Ok(Some(CheckResult::stopped(
            "the code follows the kata's policy",
            mode,
            Verdict::Forbidden,
            lines.join("\n"),
        )))
    }

    /// The build for `mode`'s backend, made on first use.
    fn build(&self, mode: Mode) -> Result<Build> {
        let backend = mode.backend();
        let mut builds = self.builds.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(build) = builds.get(&backend) {
            return Ok(build.clone());
        }
        if self.options.progress {
            let what = match backend {
                Backend::Miri => "miri",
                _ => backend.feature().unwrap_or("std"),
            };
            eprintln!("building {} ({what})...", self.kata.name());
        }
        let limits = self.options.untrusted.then(|| {
            let grading = compile::BuildLimits::GRADING;
            compile::BuildLimits {
                time: self
                    .options
                    .build_time_limit
                    .map_or(grading.time, |limit| grading.time.min(limit)),
                ..grading
            }
        });
        let miri_flags = &self.kata.meta.miri_flags;
        let build = match compile::build(&self.variant, backend, limits, miri_flags)? {
            // What Miri's build made is only its note of how to run the binary, for its runner.
            Built::Binary(exe) if backend == Backend::Miri => {
                // Miri's schedule follows the run's seed, as the other engines' do.
                let mut flags = miri_flags.clone();
                flags.push(miri::seed_flag(seed(self.kata, &self.options)));
                let mut launcher = Launcher::Miri {
                    manifest: self.variant.manifest_path(),
                    exe,
                    direct: true,
                    env: compile::build_env(&self.variant),
                    flags,
                };
                // Listed by the std build when there is one (Miri's own `--list` interprets
                // the serialisation of every check's name: most of a second), and then Miri's
                // runner only pinged; started without cargo where it starts that way.
                let checks = match builds.get(&Backend::Std) {
                    Some(Build::Binary {
                        launcher: native, ..
                    }) => {
                        direct_or_by_cargo(&mut launcher, run::ping)?;
                        run::list_miri_checks(native)?
                    }
                    _ => direct_or_by_cargo(&mut launcher, |miri| run::list(miri, None))?,
                };
                Build::Binary { launcher, checks }
            }
            Built::Binary(exe) => {
                let cell = self.options.sandbox.map(|s| s.cell(&exe)).transpose()?;
                let launcher = Launcher::Native(exe);
                let checks = run::list(&launcher, cell.as_ref())?;
                Build::Binary { launcher, checks }
            }
            Built::CompileError(errors) => Build::CompileError(errors),
        };
        builds.insert(backend, build.clone());
        Ok(build)
    }

    /// Runs the one check `token` names, on the schedule it carries. Code that does not
    /// compile for the mode comes back as the one failed check it stands for.
    fn run_replayed(&self, token: &ReplayToken) -> Result<CheckResult> {
        let (launcher, checks) = match self.build(token.mode)? {
            Build::CompileError(errors) => {
                return self.run_task(token.mode, &Task::CompileError(errors), None)
            }
            Build::Binary { launcher, checks } => (launcher, checks),
        };
        match checks.get(token.check) {
            Some(info) if info.mode == token.mode => {
                let mut config = self.config(info);
                config.replay = Some(token.schedule.clone());
                self.run_one(&launcher, info, config, None)
            }
            _ => bail!(
                "replay token `{token}` names no {} check of kata `{}` \
                 (was it made for another version of the checks?)",
                token.mode,
                self.kata.name()
            ),
        }
    }

    /// Runs one check with `config`; killed once `called_off` is set.
    fn run_one(
        &self,
        launcher: &Launcher,
        info: &CheckInfo,
        config: RunConfig,
        called_off: Option<&AtomicBool>,
    ) -> Result<CheckResult> {
        let n = self.runs.fetch_add(1, Ordering::SeqCst);
        let cell = match (launcher, self.options.sandbox) {
            (Launcher::Native(exe), Some(sandbox)) => Some(sandbox.cell(exe)?),
            _ => None,
        };
        let mut limits = limits(self.kata, &self.options);
        if info.mode == Mode::Miri {
            // The interpreter, not the kata's code, takes the memory.
            limits.memory_bytes = None;
        }
        let slot = self.options.slots.map(Slots::take);
        let started = Instant::now();
        let Finished {
            mut verdict,
            mut message,
            mut advice,
            report,
            output,
        } = run::run_check(
            launcher,
            &config,
            &self.variant.report_path(n),
            budget(self.kata, &self.options),
            limits,
            cell.as_ref(),
            called_off,
        )?;
        let duration = started.elapsed();
        drop((slot, cell));
        if info.mode == Mode::Miri {
            let source = self.source_display();
            if let Some(found) = miri::diagnose(&self.relative(&output), &source) {
                // Miri stopped the process: the verdict's own advice, not an exit's.
                ((verdict, message), advice) = (found, None);
            }
        }
        let report = report.map(|report| whole_steps(self.relative_report(report)));
        let replay = report
            .as_ref()
            .and_then(|report| report.replay.as_deref())
            .map(|token| self.replay_command(token));
        Ok(CheckResult {
            name: info.name.clone(),
            mode: info.mode,
            verdict,
            message: self.relative(&message),
            advice,
            report,
            replay,
            output,
            set_aside: None,
            duration,
        })
    }

    /// The run configuration of one check, from the kata's metadata and the options.
    fn config(&self, info: &CheckInfo) -> RunConfig {
        let meta = &self.kata.meta;
        let mut config = RunConfig::new(&info.name, info.mode, nonce());
        config.handover = meta.handover;
        config.bypass_bound = meta.bypass_bound;
        config.seed = seed(self.kata, &self.options);
        if let Some(iterations) = meta.explore_iterations {
            config.explore_iterations = iterations;
        }
        if let Some(bound) = meta.preemption_bound {
            config.preemption_bound = bound;
        }
        if let Some(rounds) = meta.stress_rounds {
            config.stress_rounds = rounds;
        }
        if info.mode == Mode::Miri {
            // Interpreted code runs a thousand times slower: a few rounds, on Miri's schedules,
            // and only the check's budget judges a round that never ends.
            config.stress_rounds = MIRI_ROUNDS;
            config.stress_hang_ms = budget(self.kata, &self.options).as_millis() as u64;
        }
        config
    }

    /// `cargo xtask replay <kata> <token>`, with `--source` when the file is not the learner's.
    fn replay_command(&self, token: &str) -> String {
        let mut command = format!("cargo xtask replay {} {token}", self.kata.name());
        if !self.kata.is_learner_file(&self.variant.source) {
            command.push_str(&format!(" --source {}", self.source_display()));
        }
        command
    }

    fn conclude(&self, checks: Vec<CheckResult>, not_run: Vec<Mode>, start: Instant) -> KataRun {
        let verdict = checks
            .iter()
            .map(|check| check.verdict)
            .find(|&verdict| verdict != Verdict::Pass)
            .unwrap_or(Verdict::Pass);
        KataRun {
            kata: self.kata.name().to_owned(),
            source: self.source_display(),
            verdict,
            summary: summary(&checks, &not_run),
            duration: start.elapsed(),
            checks,
            not_run,
        }
    }

    fn source_display(&self) -> String {
        self.catalog.display(&self.variant.source)
    }

    fn relative(&self, text: &str) -> String {
        text.replace(&format!("{}/", self.catalog.root.display()), "")
    }

    fn relative_report(&self, mut report: Report) -> Report {
        if let harness::protocol::Outcome::Fail(failure) = &mut report.outcome {
            failure.message = self.relative(&failure.message);
            failure.location = failure.location.as_deref().map(|l| self.relative(l));
        }
        for event in &mut report.trace {
            event.location = event.location.as_deref().map(|l| self.relative(l));
            event.resource = event.resource.as_deref().map(|r| self.relative(r));
            event.detail = event.detail.as_deref().map(|d| self.relative(d));
        }
        report
    }
}

/// What `ask` gets of Miri's `launcher`, started without cargo; where that fails, started by
/// cargo from then on.
fn direct_or_by_cargo<T>(
    launcher: &mut Launcher,
    ask: impl Fn(&Launcher) -> Result<T>,
) -> Result<T> {
    ask(launcher).or_else(|_| {
        if let Launcher::Miri { direct, .. } = launcher {
            *direct = false;
        }
        ask(launcher)
    })
}

/// The time budget of one check of `kata`: the kata's, lowered by [`Options::time_limit`].
pub fn budget(kata: &Kata, options: &Options) -> Duration {
    let budget = Duration::from_secs(kata.meta.budget_secs);
    options.time_limit.map_or(budget, |limit| budget.min(limit))
}

/// The resource limits of one check process of `kata`, from its metadata and the options.
pub fn limits(kata: &Kata, options: &Options) -> spawn::Limits {
    let meta = &kata.meta;
    let memory_mb = meta.memory_mb.unwrap_or(DEFAULT_MEMORY_MB);
    let memory_mb = options.memory_mb.map_or(memory_mb, |mb| memory_mb.min(mb));
    spawn::Limits {
        memory_bytes: Some(memory_mb.saturating_mul(1 << 20)),
        processes: options
            .untrusted
            .then(|| meta.processes.unwrap_or(DEFAULT_PROCESSES)),
        no_network: options.no_network,
    }
}

/// The seed of `kata`'s explore schedulers: the option's, else the kata's, else the default.
pub fn seed(kata: &Kata, options: &Options) -> u64 {
    options
        .seed
        .or(kata.meta.seed)
        .unwrap_or_else(|| RunConfig::new("", Mode::Explore, 0).seed)
}

/// A fresh random number, so a report left by an earlier run never counts.
fn nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    // Twenty digits, always: under Miri the configuration is an argument the interpreted
    // program parses, and its schedule must not depend on how long the number is.
    const TWENTY_DIGITS: u64 = 10_000_000_000_000_000_000;
    TWENTY_DIGITS + hasher.finish() % (u64::MAX - TWENTY_DIGITS)
}

/// `report` with its interleaving in whole steps when the model checker's needs weak memory
/// only in appearance (see [`interleave::in_whole_steps`]). A data race (loom's causality
/// violation) keeps its own: it is about a missing ordering, which no order of whole steps
/// shows, and the note on weak memory is what explains it.
fn whole_steps(mut report: Report) -> Report {
    let data_race = matches!(
        &report.outcome,
        Outcome::Fail(failure) if failure.kind == FailureKind::Causality
    );
    if !data_race && explain::reads_an_older_write(&report.trace) {
        if let Some(whole) = interleave::in_whole_steps(&report.trace) {
            report.trace = whole;
        }
    }
    report
}
