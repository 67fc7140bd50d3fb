//! `mutate`: mutation testing of a kata's checks. The reference solution and every correct
//! alternative are mutated by the concurrency operators of [`crate::mutation`], one change per
//! mutant; each mutant is checked like any variant, and must fail. A mutant that passes
//! *survived*: a bug the checks do not see (or a change that is no bug, which `kata.toml`
//! declares, with its reason, under `[[equivalent]]`). A survivor that is a real bug no check
//! can see yet may be declared, with why, under `[[survivor]]`: it still counts against the
//! score, but it is a known gap, not a new one.
//!
//! Reports per kata: generated, killed (with the verdict), survived (with the diff; how many of
//! them are declared), equivalent and not compiling; the score is
//! killed / (generated − equivalent − not compiling), and the score without equivalences
//! killed / (generated − not compiling). Exit 1 when a mutant survives that `kata.toml` does not
//! declare, when a declaration matches no mutant, when a mutant declared equivalent is killed
//! (then the checks reject code that is not wrong, or the declaration is), or when a kata
//! scores below `--min-score`. A declared survivor that is killed is only reported: the
//! declaration is stale.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use harness::protocol::Mode;
use harness::verdict::Verdict;
use serde::Serialize;

use crate::catalog::{Catalog, Kata};
use crate::checker::{Checker, Options};
use crate::cli::{Format, Mutate};
use crate::mutation::{self, Mutant};
use crate::progress::Progress;
use crate::results::KataRun;

/// What became of one mutant.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
enum Outcome {
    /// A check failed: the mutant was caught.
    Killed {
        verdict: String,
        /// The check that decided the verdict, and after how many tries.
        caught_by: Option<CaughtBy>,
    },
    /// Every check passed.
    Survived,
    /// The mutant does not build (a change that is not valid Rust there).
    NotCompiling,
    /// Checking failed for a reason outside the mutant.
    Error { reason: String },
}

/// The check that caught a mutant: its name and mode, and the schedules, executions or rounds
/// it had tried when it failed (the one that failed included), which says how much of a
/// mode's budget the catch needed.
#[derive(Debug, Clone, Serialize)]
struct CaughtBy {
    check: String,
    mode: Mode,
    tries: Option<u64>,
}

impl CaughtBy {
    /// The deciding check of `run`: the first whose verdict is the run's.
    fn of(run: &KataRun) -> Option<CaughtBy> {
        let check = run
            .checks
            .iter()
            .find(|check| check.verdict == run.verdict)?;
        Some(CaughtBy {
            check: check.name.clone(),
            mode: check.mode,
            tries: check.report.as_ref().map(|report| report.iterations),
        })
    }

    /// `stress, round 3`, `model, execution 12`, `explore, schedule 40`, or the mode alone.
    fn describe(&self) -> String {
        let unit = match self.mode {
            Mode::Model => "execution",
            Mode::Explore => "schedule",
            Mode::Stress | Mode::Miri => "round",
            Mode::Sequential => return self.mode.to_string(),
        };
        match self.tries {
            Some(tries) => format!("{}, {unit} {tries}", self.mode),
            None => self.mode.to_string(),
        }
    }
}

/// One mutant, checked.
#[derive(Debug, Clone, Serialize)]
struct Checked {
    #[serde(skip)]
    kata: String,
    /// `solution` or `alternatives/<file>`.
    source: String,
    operator: String,
    /// `<source>: <change>`, what `[[equivalent]]` matches.
    change: String,
    line: usize,
    #[serde(flatten)]
    outcome: Outcome,
    /// The reason of the declared equivalence, when there is one.
    equivalent: Option<String>,
    /// Why no check sees this bug yet, when it is a declared survivor.
    known_survivor: Option<String>,
    diff: String,
    seconds: f64,
}

/// One kata's mutants.
#[derive(Debug, Serialize)]
struct KataScore {
    kata: String,
    generated: usize,
    killed: usize,
    survived: usize,
    /// The survivors `kata.toml` declares (`[[survivor]]`).
    known_survivors: usize,
    equivalent: usize,
    not_compiling: usize,
    /// killed / (generated − equivalent − not compiling), in percent; 100 with nothing to kill.
    score: f64,
    /// killed / (generated − not compiling): the score if nothing were declared equivalent.
    score_without_equivalences: f64,
    mutants: Vec<Checked>,
}

/// A mutant waiting to be checked.
struct Job<'a> {
    kata: &'a Kata,
    source_label: String,
    original: std::sync::Arc<String>,
    mutant: Mutant,
}

impl Mutate {
    /// Runs `mutate` as its arguments say.
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let katas = match self.all {
            true => catalog.all()?,
            false => self
                .katas
                .iter()
                .map(|name| catalog.find(name))
                .collect::<Result<Vec<_>>>()?,
        };
        if katas.is_empty() {
            bail!("name the katas to mutate, or pass --all");
        }
        let mut jobs = Vec::new();
        let mut unmatched = Vec::new();
        for kata in &katas {
            if let Some(unmet) = crate::requirements::unmet(kata) {
                eprintln!("skipped: {unmet}");
                continue;
            }
            let mut of_kata = jobs_of(catalog, kata)?;
            unmatched.extend(unmatched_declarations(kata, &of_kata));
            if let Some(sample) = self.sample {
                of_kata = sampled(
                    of_kata,
                    sample,
                    self.seed ^ crate::fingerprint::fnv1a(kata.name().as_bytes()),
                );
            }
            jobs.extend(of_kata);
        }
        if self.list {
            for job in &jobs {
                println!(
                    "{} {}: {}\n{}",
                    job.kata.name(),
                    job.source_label,
                    job.mutant.change,
                    job.mutant.diff(&job.original)
                );
            }
            println!("{} mutants", jobs.len());
            return Ok(super::status(report_unmatched(&unmatched)));
        }
        let started = Instant::now();
        let results = run_jobs(catalog, &jobs, self.jobs, self.only);
        let scores: Vec<KataScore> = katas
            .iter()
            .map(|kata| score(kata, &jobs, &results))
            .collect();
        match self.format {
            Format::Human => print_human(&scores, started.elapsed()),
            Format::Json => println!("{}", serde_json::to_string_pretty(&scores)?),
        }
        if let Some(mode) = self.only {
            eprintln!(
                "note: only the {mode} checks ran: the scores are that mode's alone, and \
                 survivors are not judged"
            );
            return Ok(ExitCode::SUCCESS);
        }
        let mut failed = !report_unmatched(&unmatched);
        let mut new_survivors = 0;
        for kata in &scores {
            for mutant in &kata.mutants {
                if let (Some(_), Outcome::Killed { verdict, .. }) =
                    (&mutant.equivalent, &mutant.outcome)
                {
                    eprintln!(
                    "error: {}: `{}` is declared equivalent, yet the checks judged it {verdict}",
                    kata.kata, mutant.change
                );
                    failed = true;
                }
                match (&mutant.known_survivor, &mutant.outcome) {
                    (None, Outcome::Survived) if mutant.equivalent.is_none() => new_survivors += 1,
                    (Some(_), Outcome::Killed { verdict, .. }) => eprintln!(
                    "note: {}: `{}` is declared a survivor, yet the checks judged it {verdict}: \
                     remove the declaration if they always do",
                    kata.kata, mutant.change
                ),
                    _ => {}
                }
                if let Outcome::Error { reason } = &mutant.outcome {
                    eprintln!(
                        "error: {}: `{}` could not be checked: {reason}",
                        kata.kata, mutant.change
                    );
                    failed = true;
                }
            }
            if let Some(min) = self.min_score {
                if kata.score < min {
                    eprintln!(
                        "error: {} scores {:.1} %, below the minimum of {min} %",
                        kata.kata, kata.score
                    );
                    failed = true;
                }
            }
        }
        if new_survivors > 0 {
            eprintln!(
                "error: {new_survivors} mutants survived that no kata.toml declares: strengthen \
             the checks, or declare each as `[[equivalent]]` or `[[survivor]]` with its reason"
            );
            failed = true;
        }
        Ok(super::status(!failed))
    }
}

/// The declarations of `kata` (`[[equivalent]]`, `[[survivor]]`) that match none of `jobs`,
/// or that declare a mutant both ways, as (kata, what is wrong).
fn unmatched_declarations(kata: &Kata, jobs: &[Job]) -> Vec<(String, String)> {
    let declared = [
        ("equivalence", &kata.meta.equivalent),
        ("survivor", &kata.meta.survivor),
    ];
    let mut wrong = Vec::new();
    for (what, list) in declared {
        for declaration in list {
            if !jobs.iter().any(|job| job.change() == declaration.change) {
                wrong.push(format!(
                    "the {what} `{}` matches no mutant (see `mutate {} --list`)",
                    declaration.change,
                    kata.name()
                ));
            }
        }
    }
    for survivor in &kata.meta.survivor {
        if equivalence(kata, &survivor.change).is_some() {
            wrong.push(format!(
                "`{}` is declared both equivalent and a survivor",
                survivor.change
            ));
        }
    }
    wrong
        .into_iter()
        .map(|what| (kata.name().to_owned(), what))
        .collect()
}

/// Prints what is wrong with each kata's declarations; true if nothing is.
fn report_unmatched(unmatched: &[(String, String)]) -> bool {
    for (kata, what) in unmatched {
        eprintln!("error: {kata}: {what}");
    }
    unmatched.is_empty()
}

impl Job<'_> {
    /// `<source>: <change>`, what `[[equivalent]]` matches.
    fn change(&self) -> String {
        format!("{}: {}", self.source_label, self.mutant.change)
    }
}

/// Every mutant of the kata's solution and correct alternatives.
fn jobs_of<'a>(catalog: &Catalog, kata: &'a Kata) -> Result<Vec<Job<'a>>> {
    let solutions = kata.solutions_dir();
    let mut sources = vec![solutions.join("lib.rs")];
    sources.extend(super::verify::rust_files(&solutions.join("alternatives"))?);
    let mut jobs = Vec::new();
    for source in sources {
        let shown = catalog.display(&source);
        let text =
            std::fs::read_to_string(&source).with_context(|| format!("cannot read {shown}"))?;
        let label = match source.file_name().is_some_and(|name| name == "lib.rs") {
            true => "solution".to_owned(),
            false => super::verify::label(&solutions, &source),
        };
        let original = std::sync::Arc::new(text);
        let mutants =
            mutation::generate(&original).with_context(|| format!("cannot mutate {shown}"))?;
        for mutant in mutants {
            jobs.push(Job {
                kata,
                source_label: label.clone(),
                original: std::sync::Arc::clone(&original),
                mutant,
            });
        }
    }
    Ok(jobs)
}

/// `count` of `jobs`, drawn from `seed` (the same seed draws the same mutants).
fn sampled(mut jobs: Vec<Job>, count: usize, seed: u64) -> Vec<Job> {
    let mut state = seed | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in (1..jobs.len()).rev() {
        let j = usize::try_from(next() % (i as u64 + 1)).unwrap_or(0);
        jobs.swap(i, j);
    }
    jobs.truncate(count);
    jobs
}

/// Checks every job, up to `workers` at once, each worker with files of its own, with a line of
/// progress on stderr per mutant; results in the order of `jobs`.
fn run_jobs(catalog: &Catalog, jobs: &[Job], workers: usize, only: Option<Mode>) -> Vec<Checked> {
    let done = AtomicUsize::new(0);
    let progress = Progress::new(jobs.len());
    let dir = catalog.root.join("target/xtask/mutants");
    crate::parallel::map_in_order(jobs, workers, |worker, job| {
        let file = dir
            .join(job.kata.name())
            .join(format!("worker-{worker}.rs"));
        progress.working_on(job.kata.name());
        let result = check_one(catalog, job, &file, only);
        let done = done.fetch_add(1, Ordering::SeqCst) + 1;
        progress.done(&line(done, jobs.len(), &result, progress.drawn()));
        result
    })
}

/// The line of a mutant checked: `[#####-----] 12/40 barrier: solution: ... → killed (race)
/// (0.9 s)`, with the bar of `list` where no progress bar is drawn below the lines.
fn line(done: usize, total: usize, result: &Checked, bar_drawn: bool) -> String {
    let what = match &result.outcome {
        Outcome::Killed {
            verdict,
            caught_by: Some(caught_by),
        } => format!("killed ({verdict}: {})", caught_by.describe()),
        Outcome::Killed { verdict, .. } => format!("killed ({verdict})"),
        Outcome::Survived => "SURVIVED".to_owned(),
        Outcome::NotCompiling => "does not compile".to_owned(),
        Outcome::Error { .. } => "error".to_owned(),
    };
    let bar = match bar_drawn {
        true => String::new(),
        false => format!("{} ", super::list::bar(done, total)),
    };
    format!(
        "{bar}{}: {} → {what} ({:.1} s)",
        result.kata, result.change, result.seconds
    )
}

/// Writes the mutant to `file` and checks it (with one mode's checks only, if `only` says so).
fn check_one(catalog: &Catalog, job: &Job, file: &Path, only: Option<Mode>) -> Checked {
    let started = Instant::now();
    let change = job.change();
    let outcome = (|| -> Result<Outcome> {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(file, job.mutant.apply(&job.original))
            .with_context(|| format!("cannot write {}", file.display()))?;
        let options = Options {
            only,
            build_on_demand: true,
            ..Options::default()
        };
        let mut checker = Checker::new(catalog, job.kata, file, options)?;
        let run = checker.check_all()?;
        Ok(match run.verdict {
            Verdict::Pass => Outcome::Survived,
            Verdict::CompileError => Outcome::NotCompiling,
            verdict => Outcome::Killed {
                verdict: verdict.to_string(),
                caught_by: CaughtBy::of(&run),
            },
        })
    })()
    .unwrap_or_else(|err| Outcome::Error {
        reason: format!("{err:#}").replace('\n', " "),
    });
    Checked {
        kata: job.kata.name().to_owned(),
        source: job.source_label.clone(),
        operator: job.mutant.operator.to_string(),
        equivalent: equivalence(job.kata, &change).map(str::to_owned),
        known_survivor: known_survivor(job.kata, &change).map(str::to_owned),
        change,
        line: job.mutant.line,
        outcome,
        diff: job.mutant.diff(&job.original),
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// The declared reason why `change` is no bug, if the kata declares one.
fn equivalence<'k>(kata: &'k Kata, change: &str) -> Option<&'k str> {
    kata.meta
        .equivalent
        .iter()
        .find(|equivalent| equivalent.change == change)
        .map(|equivalent| equivalent.reason.as_str())
}

/// Why no check sees the bug `change` yet, if the kata declares it a survivor.
fn known_survivor<'k>(kata: &'k Kata, change: &str) -> Option<&'k str> {
    kata.meta
        .survivor
        .iter()
        .find(|survivor| survivor.change == change)
        .map(|survivor| survivor.reason.as_str())
}

/// The kata's tally.
fn score(kata: &Kata, jobs: &[Job], results: &[Checked]) -> KataScore {
    let mutants: Vec<Checked> = jobs
        .iter()
        .zip(results)
        .filter(|(job, _)| job.kata.name() == kata.name())
        .map(|(_, result)| result.clone())
        .collect();
    let count = |keep: fn(&Checked) -> bool| mutants.iter().filter(|m| keep(m)).count();
    let equivalent = count(|m| m.equivalent.is_some());
    let not_compiling = count(|m| matches!(m.outcome, Outcome::NotCompiling));
    let killed = count(|m| m.equivalent.is_none() && matches!(m.outcome, Outcome::Killed { .. }));
    let survived = count(|m| m.equivalent.is_none() && matches!(m.outcome, Outcome::Survived));
    let known_survivors = count(|m| {
        m.known_survivor.is_some()
            && m.equivalent.is_none()
            && matches!(m.outcome, Outcome::Survived)
    });
    let percent = |judged: usize| match judged {
        0 => 100.0,
        n => 100.0 * killed as f64 / n as f64,
    };
    KataScore {
        kata: kata.name().to_owned(),
        generated: mutants.len(),
        killed,
        survived,
        known_survivors,
        equivalent,
        not_compiling,
        score: percent(mutants.len() - equivalent - not_compiling),
        score_without_equivalences: percent(mutants.len() - not_compiling),
        mutants,
    }
}

fn print_human(scores: &[KataScore], took: Duration) {
    let mut stdout = anstream::stdout();
    for kata in scores {
        for mutant in &kata.mutants {
            if mutant.equivalent.is_some() || !matches!(mutant.outcome, Outcome::Survived) {
                continue;
            }
            let _ = match &mutant.known_survivor {
                Some(reason) => writeln!(
                    stdout,
                    "{} survived (declared): {}\n  {reason}",
                    kata.kata, mutant.change
                ),
                None => writeln!(
                    stdout,
                    "{} survived: {}\n{}",
                    kata.kata, mutant.change, mutant.diff
                ),
            };
        }
    }
    let width = scores
        .iter()
        .map(|k| k.kata.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        stdout,
        "{:width$}  generated  killed  equivalent  not compiling  survived  declared  score  \
         without equivalences",
        "kata"
    );
    let mut verdicts: BTreeMap<String, usize> = BTreeMap::new();
    for kata in scores {
        let _ = writeln!(
            stdout,
            "{:width$}  {:>9}  {:>6}  {:>10}  {:>13}  {:>8}  {:>8}  {:>5.1}  {:>20.1}",
            kata.kata,
            kata.generated,
            kata.killed,
            kata.equivalent,
            kata.not_compiling,
            kata.survived,
            kata.known_survivors,
            kata.score,
            kata.score_without_equivalences
        );
        for mutant in &kata.mutants {
            if let Outcome::Killed { verdict, .. } = &mutant.outcome {
                *verdicts.entry(verdict.clone()).or_default() += 1;
            }
        }
    }
    let killed_by: Vec<String> = verdicts.iter().map(|(v, n)| format!("{n} {v}")).collect();
    let _ = writeln!(
        stdout,
        "killed as: {}; {:.0} s",
        match killed_by.is_empty() {
            true => "nothing".to_owned(),
            false => killed_by.join(", "),
        },
        took.as_secs_f64()
    );
}
