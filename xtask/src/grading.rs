//! Grading submissions: each kata of each submission built and checked on its own, under the
//! limits of [`spawn::Limits`](crate::spawn::Limits), and turned into points.
//!
//! A kata earns its `points` (from `kata.toml`) only with the verdict `pass`; anything else, a
//! missing kata or a kata that could not be graded, earns 0. One kata's failure, whatever its
//! cause, never touches another kata's grade. Seeds are fixed, so the same submission gets the
//! same grade; each kata's seed is recorded.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use harness::verdict::Verdict;

use crate::catalog::{Catalog, Kata};
use crate::checker::{self, Checker, Options};
use crate::parallel;
use crate::progress::Progress;
use crate::results::KataRun;
use crate::sandbox::Sandbox;
use crate::spawn;
use crate::submission::{Source, Submission};

/// How grading runs.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Katas graded at once (across submissions).
    pub jobs: usize,
    /// Lowers every check's time budget (`--time-limit`).
    pub time_limit: Option<Duration>,
    /// Lowers every check's address space, in MiB (`--memory-limit`).
    pub memory_mb: Option<u64>,
    /// Lowers the time limit of each build (`--build-time-limit`).
    pub build_time_limit: Option<Duration>,
    /// Print a line on stderr as each kata is graded.
    pub progress: bool,
}

/// The grade of one submission.
pub struct Grade {
    /// The student: the submission directory's name.
    pub student: String,
    /// The submission directory, as given.
    pub submission: String,
    /// Every graded kata, in catalog order.
    pub katas: Vec<KataGrade>,
    /// Files the submission changed outside the learner-editable ones: not used.
    pub ignored: Vec<String>,
    /// The sandbox layers that held around the checks of this grade.
    pub sandbox: Vec<String>,
    /// What the reader should know about the limits on this machine.
    pub notes: Vec<String>,
    /// Time spent building and checking, summed over the katas.
    pub duration: Duration,
}

/// The grade of one kata.
pub struct KataGrade {
    /// The kata's name.
    pub kata: String,
    /// Its title.
    pub title: String,
    /// Points earned: `max` on a pass, else 0.
    pub points: u32,
    /// Points the kata is worth.
    pub max: u32,
    /// Seed of the explore schedulers.
    pub seed: u64,
    /// Time budget of one check, in seconds.
    pub time_limit_secs: u64,
    /// Address space of one check, in MiB.
    pub memory_mb: u64,
    /// Processes and threads of the user during one check (not binding for root).
    pub processes: Option<u64>,
    /// Whether the checks could reach the network (they are cut off where the machine allows).
    pub network: bool,
    /// The learner's file, relative to the submission, when there is one.
    pub source: Option<String>,
    /// How grading went.
    pub outcome: Outcome,
    /// Time spent on this kata.
    pub duration: Duration,
}

/// How grading one kata went.
pub enum Outcome {
    /// Built and checked: the run, with its verdict.
    Graded(KataRun),
    /// The submission lacks the kata: why.
    Missing(String),
    /// The kata could not be graded (an infrastructure problem, not the learner's code): why.
    Error(String),
}

impl Grade {
    /// Points earned.
    pub fn total(&self) -> u32 {
        self.katas.iter().map(|k| k.points).sum()
    }

    /// Points available.
    pub fn max(&self) -> u32 {
        self.katas.iter().map(|k| k.max).sum()
    }

    /// Whether some kata could not be graded at all.
    pub fn has_errors(&self) -> bool {
        self.katas
            .iter()
            .any(|k| matches!(k.outcome, Outcome::Error(_)))
    }
}

impl KataGrade {
    /// The verdict's word, or `missing` / `error` when the kata was not checked.
    pub fn verdict(&self) -> String {
        match &self.outcome {
            Outcome::Graded(run) => run.verdict.to_string(),
            Outcome::Missing(_) => "missing".into(),
            Outcome::Error(_) => "error".into(),
        }
    }

    /// Whether the kata passed.
    pub fn passed(&self) -> bool {
        matches!(&self.outcome, Outcome::Graded(run) if run.verdict == Verdict::Pass)
    }

    /// One plain sentence on how the kata did.
    pub fn summary(&self) -> String {
        match &self.outcome {
            Outcome::Graded(run) => run.summary.clone(),
            Outcome::Missing(why) | Outcome::Error(why) => why.clone(),
        }
    }

    /// The message of the first failing check, if any (a compile error: the compiler's errors).
    pub fn failure(&self) -> Option<String> {
        match &self.outcome {
            Outcome::Graded(run) => run
                .checks
                .iter()
                .find(|check| check.verdict != Verdict::Pass)
                .map(|check| format!("`{}` ({}): {}", check.name, check.mode, check.message)),
            Outcome::Missing(why) | Outcome::Error(why) => Some(why.clone()),
        }
    }
}

/// Grades `katas` of every submission, up to `settings.jobs` katas at once; one grade per
/// submission, in order.
pub fn grade(
    catalog: &Catalog,
    katas: &[Kata],
    submissions: &[Submission],
    settings: Settings,
) -> Vec<Grade> {
    let no_network = spawn::can_cut_network();
    let sandbox = Sandbox::prepare();
    let context = Context {
        catalog,
        settings,
        no_network,
        sandbox: sandbox.as_ref().ok(),
    };
    let work: Vec<(usize, usize)> = (0..submissions.len())
        .flat_map(|s| (0..katas.len()).map(move |k| (s, k)))
        .collect();
    let done = AtomicUsize::new(0);
    let progress = settings.progress.then(|| Progress::new(work.len()));
    let graded = parallel::map_in_order(&work, settings.jobs, |_, &(s, k)| {
        if let Some(progress) = &progress {
            progress.working_on(&format!("{} {}", submissions[s].name(), katas[k].name()));
        }
        let graded = grade_kata(&context, &katas[k], &submissions[s]);
        if let Some(progress) = &progress {
            let n = done.fetch_add(1, Ordering::SeqCst) + 1;
            let count = match progress.drawn() {
                true => String::new(),
                false => format!("[{n}/{}] ", work.len()),
            };
            progress.done(&format!(
                "{count}{} {}: {} ({}/{} points, {:.1} s)",
                submissions[s].name(),
                graded.kata,
                graded.verdict(),
                graded.points,
                graded.max,
                graded.duration.as_secs_f64()
            ));
        }
        graded
    });
    drop(progress);
    let mut graded = graded.into_iter();
    submissions
        .iter()
        .map(|submission| {
            let katas: Vec<KataGrade> = graded.by_ref().take(katas.len()).collect();
            Grade {
                student: submission.name(),
                submission: submission.dir.display().to_string(),
                duration: katas.iter().map(|k| k.duration).sum(),
                katas,
                ignored: submission.ignored_changes(catalog),
                sandbox: sandbox.as_ref().map(Sandbox::layers).unwrap_or_default(),
                notes: notes(no_network, &sandbox),
            }
        })
        .collect()
}

/// What every kata of a grading run shares.
struct Context<'a> {
    catalog: &'a Catalog,
    settings: Settings,
    no_network: bool,
    sandbox: Option<&'a Sandbox>,
}

/// Grades one kata of one submission; whatever happens becomes its grade.
fn grade_kata(context: &Context, kata: &Kata, submission: &Submission) -> KataGrade {
    let Context {
        catalog,
        settings,
        no_network,
        sandbox,
    } = *context;
    let start = Instant::now();
    let options = Options {
        seed: None,
        progress: false,
        time_limit: settings.time_limit,
        memory_mb: settings.memory_mb,
        build_time_limit: settings.build_time_limit,
        untrusted: true,
        no_network,
        sandbox,
        miri: false,
        only: None,
        slots: None,
        build_on_demand: false,
    };
    let mut source = None;
    let outcome = (|| -> Result<Outcome> {
        let lib = match submission.source(catalog, kata)? {
            Source::Found { lib, shown } => {
                source = Some(shown);
                lib
            }
            Source::Missing(why) => return Ok(Outcome::Missing(why)),
        };
        let mut checker = Checker::new(catalog, kata, &lib, options)?;
        Ok(Outcome::Graded(checker.check_all()?))
    })()
    .unwrap_or_else(|err| Outcome::Error(format!("{err:#}").replace('\n', " ")));
    let limits = checker::limits(kata, &options);
    let passed = matches!(&outcome, Outcome::Graded(run) if run.verdict == Verdict::Pass);
    KataGrade {
        kata: kata.name().to_owned(),
        title: kata.meta.title.clone(),
        points: if passed { kata.meta.points } else { 0 },
        max: kata.meta.points,
        seed: checker::seed(kata, &options),
        time_limit_secs: checker::budget(kata, &options).as_secs(),
        memory_mb: limits.memory_bytes.unwrap_or_default() >> 20,
        processes: limits.processes,
        network: !limits.no_network,
        source,
        outcome,
        duration: start.elapsed(),
    }
}

/// What a reader of the grade should know about how binding the limits were here.
fn notes(no_network: bool, sandbox: &Result<Sandbox>) -> Vec<String> {
    let mut notes = match sandbox {
        Ok(sandbox) => sandbox.gaps(),
        Err(err) => vec![format!("no sandbox around the checks: {err:#}")],
    };
    let switched = sandbox.as_ref().is_ok_and(Sandbox::switches_user);
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 && !switched {
        notes.push(
            "graded as root: the process-count limit (RLIMIT_NPROC) does not bind root, so only \
             the time limit and the process group stop a fork storm; run the grader as an \
             unprivileged user for that limit to hold"
                .into(),
        );
    }
    if !no_network {
        notes.push(
            "the checks could not be cut off the network here (no network namespaces: not root \
             and no unprivileged user namespaces)"
                .into(),
        );
    }
    notes
}
