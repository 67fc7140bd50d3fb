//! `verify`: prove a kata's checks. The reference solution and every alternative pass, every
//! mutant gets the verdict its `//! Expect:` line names, and the starting code (as committed,
//! whatever the learner made of it) does not pass.
//!
//! For each mutant it also proves the explanation: the replay token of its failure reproduces
//! the verdict, and the explanation a learner reads is exactly its snapshot in
//! `solutions/<kata>/explanations/<mutant>.txt` (written by `--bless`).
//!
//! With `--repeat N` it checks every variant N times and counts the runs that met the
//! expectation: a kata on real threads or processes must give the same verdict every run.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use anyhow::{bail, Context, Result};
use harness::protocol::{FailureKind, Mode, Outcome, ReplayToken};
use harness::verdict::Verdict;

use crate::catalog::{Catalog, Kata};
use crate::checker::{Checker, Options};
use crate::cli::Verify;
use crate::leftovers::Snapshot;
use crate::miri;
use crate::output::{self, Detail};
use crate::parallel::{self, Slots};
use crate::progress::Progress;
use crate::requirements;
use crate::results::{CheckResult, KataRun};
use crate::shard::Shard;

/// What a variant must come to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Exactly this verdict.
    Exactly(Verdict),
    /// Anything but a pass (the learner's starting code).
    NotPass,
}

impl Expect {
    fn met_by(self, got: Verdict) -> bool {
        match self {
            Expect::Exactly(verdict) => got == verdict,
            Expect::NotPass => got != Verdict::Pass,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Expect::Exactly(verdict) => verdict.as_str(),
            Expect::NotPass => "not pass",
        }
    }
}

/// The column widths of the results table.
struct Table {
    kata: usize,
    label: usize,
}

impl Table {
    fn for_cases(cases: &[Case]) -> Table {
        let widest = |width: fn(&Case) -> usize, header: &str| {
            cases.iter().map(width).max().unwrap_or(0).max(header.len())
        };
        Table {
            kata: widest(|c| c.kata.name().len(), "kata"),
            label: widest(|c| c.label.len(), "variant"),
        }
    }

    /// The row of a variant that was not checked, marked `mark` (skipped, or an error).
    fn not_checked(&self, case: &Case, mark: &str) -> String {
        self.row([
            case.kata.name(),
            &case.label,
            case.expect.word(),
            "(not checked)",
            "",
            mark,
        ])
    }

    /// One row: kata, variant, expected, got, seconds, ok/MISMATCH.
    fn row(&self, [kata, label, expected, got, seconds, ok]: [&str; 6]) -> String {
        let (kata_width, label_width) = (self.kata, self.label);
        let row = format!(
            "{kata:<kata_width$}  {label:<label_width$}  {expected:<18}  {got:<18}  \
             {seconds:>7}  {ok}"
        );
        row.trim_end().to_owned()
    }
}

/// One variant to check.
struct Case<'a> {
    kata: &'a Kata,
    label: String,
    source: PathBuf,
    expect: Expect,
    /// Where a mutant's explanation snapshot lives.
    snapshot: Option<PathBuf>,
    /// Only the checks of this mode run (a mutant's Miri expectation).
    only: Option<Mode>,
}

impl Case<'_> {
    fn options(&self) -> Options<'static> {
        Options {
            only: self.only,
            // A variant expected to pass runs every mode: building the next one ahead of time
            // wastes nothing there.
            build_on_demand: self.expect != Expect::Exactly(Verdict::Pass),
            ..Options::default()
        }
    }
}

impl Verify {
    /// `cargo xtask verify`: once, or `--repeat` times (which excludes `--bless`, see `cli`).
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let katas = katas(catalog, self.kata.as_deref(), self.shard)?;
        match self.repeat {
            Some(times) => verify_repeatedly(catalog, &katas, times),
            None => verify(catalog, &katas, self.bless),
        }
    }
}

/// Verifies `katas`; exit 1 on any mismatch. With `bless`, mutants' explanation snapshots are
/// written rather than compared.
fn verify(catalog: &Catalog, katas: &[Kata], bless: bool) -> Result<ExitCode> {
    let cases = cases(catalog, katas)?;

    let table = Table::for_cases(&cases);
    println!(
        "{}",
        table.row(["kata", "variant", "expected", "got", "seconds", ""])
    );
    let mut mismatches = Vec::new();
    let mut needs_miri = 0;
    let mut unmet_requirements = BTreeSet::new();
    // Two variants of a kata are checked at once, their checks sharing the cores; the katas
    // one after another, so that what one leaves in /dev/shm and /dev/mqueue, and the check and
    // server processes still running, are seen as its own.
    let slots = Slots::new(VARIANTS_AT_ONCE);
    let progress = Progress::new(cases.len());
    for kata_cases in cases.chunk_by(|a, b| a.kata.name() == b.kata.name()) {
        let kata = kata_cases[0].kata;
        progress.working_on(kata.name());
        if let Some(unmet) = requirements::unmet(kata) {
            let yellow = AnsiColor::Yellow.on_default();
            let mark = format!("{yellow}skipped{yellow:#}");
            for case in kata_cases {
                progress.stdout(&table.not_checked(case, &mark));
                progress.advance();
            }
            unmet_requirements.insert(unmet);
            continue;
        }
        let before = Snapshot::take(&catalog.root.join("target"));
        parallel::in_order_as_done(
            kata_cases,
            VARIANTS_AT_ONCE,
            |_, case| verify_case(catalog, case, bless, &slots),
            |i, verified| {
                let case = &kata_cases[i];
                let row = match &verified {
                    Verified::Checked { row, .. } => table.row(row.each_ref().map(String::as_str)),
                    Verified::NotChecked(_) => {
                        let red = AnsiColor::Red.on_default().bold();
                        table.not_checked(case, &format!("{red}ERROR{red:#}"))
                    }
                };
                progress.stdout(&row);
                progress.advance();
                let problems = match verified {
                    Verified::Checked {
                        problems,
                        needs_miri: needed,
                        ..
                    } => {
                        needs_miri += usize::from(needed);
                        problems
                    }
                    Verified::NotChecked(problem) => vec![problem],
                };
                for problem in problems {
                    say_problem(&progress, case, problem, &mut mismatches);
                }
                std::io::stdout().flush().ok();
            },
        );
        mismatches.extend(leftovers(catalog, kata.name(), &before));
    }
    drop(progress);
    for unmet in &unmet_requirements {
        println!("\nskipped: {unmet}");
    }
    if needs_miri > 0 {
        println!(
            "\n{needs_miri} variant(s) skipped: only Miri's checks tell them apart. {}.",
            miri::SETUP_HINT
        );
    }
    if !mismatches.is_empty() {
        let bold = Style::new().bold();
        anstream::println!(
            "\n{bold}{} mismatch(es){bold:#} (the reasons are under their rows)",
            mismatches.len()
        );
        for mismatch in &mismatches {
            println!("  {}", mismatch.lines().next().unwrap_or_default());
        }
    }
    Ok(super::status(mismatches.is_empty()))
}

/// How many variants of a kata are checked at once; their checks share [`Slots`] with as many
/// places, so that no more checks run at once than when one variant is checked.
const VARIANTS_AT_ONCE: usize = 2;

/// What verifying one variant came to.
enum Verified {
    /// Its row (kata, variant, expected, got, seconds, mark), and what did not match.
    Checked {
        row: [String; 6],
        problems: Vec<String>,
        /// Only Miri's checks, which could not run, tell it apart.
        needs_miri: bool,
    },
    /// It could not be checked at all (cargo or the machine failed, not the code): why.
    NotChecked(String),
}

/// Checks `case` against its expectation, its replay and its explanation snapshot.
fn verify_case(catalog: &Catalog, case: &Case, bless: bool, slots: &Slots) -> Verified {
    let options = Options {
        slots: Some(slots),
        ..case.options()
    };
    let checked = Checker::new(catalog, case.kata, &case.source, options)
        .and_then(|mut checker| Ok((checker.check_all()?, checker)));
    let (mut run, mut checker) = match checked {
        Ok(checked) => checked,
        Err(err) => return Verified::NotChecked(format!("{err:#}")),
    };
    let mut problems = Vec::new();
    // A mutant only Miri's checks catch passes where Miri is not installed.
    let needs_miri = !case.expect.met_by(run.verdict)
        && run.verdict == Verdict::Pass
        && run.not_run.contains(&Mode::Miri);
    let met = case.expect.met_by(run.verdict);
    if !met && !needs_miri {
        problems.push(mismatch(case, &run));
    }
    if let (true, Some(snapshot)) = (met, &case.snapshot) {
        let compared = replay_problem(&mut checker, &run).and_then(|replayed| {
            Ok(replayed
                .into_iter()
                .chain(snapshot_problem(catalog, snapshot, &mut run, bless)?))
        });
        match compared {
            Ok(found) => problems.extend(found),
            Err(err) => problems.push(format!("{err:#}")),
        }
    }
    let mark = if needs_miri {
        let yellow = AnsiColor::Yellow.on_default();
        format!("{yellow}skipped (needs Miri){yellow:#}")
    } else if problems.is_empty() {
        let green = AnsiColor::Green.on_default();
        format!("{green}ok{green:#}")
    } else {
        let red = AnsiColor::Red.on_default().bold();
        format!("{red}MISMATCH{red:#}")
    };
    Verified::Checked {
        row: [
            case.kata.name().to_owned(),
            case.label.clone(),
            case.expect.word().to_owned(),
            run.verdict.as_str().to_owned(),
            format!("{:.1}", run.duration.as_secs_f64()),
            mark,
        ],
        problems,
        needs_miri,
    }
}

/// Says `problem` of `case` right under its row (a run cut short still says why), and keeps it
/// in `mismatches` for the summary.
fn say_problem(progress: &Progress, case: &Case, problem: String, mismatches: &mut Vec<String>) {
    progress.stdout(&format!("  {}", problem.replace('\n', "\n  ")));
    mismatches.push(format!("{} {}: {problem}", case.kata.name(), case.label));
}

/// What the checks of `kata` left since `before` (in /dev/shm, /dev/mqueue, processes still
/// running), said on stdout.
fn leftovers(catalog: &Catalog, kata: &str, before: &Snapshot) -> Option<String> {
    let left = before.new_in(&Snapshot::take(&catalog.root.join("target")));
    if left.is_empty() {
        return None;
    }
    let problem = format!("{kata}: its checks left {} behind", left.join(", "));
    println!("  {problem}");
    Some(problem)
}

/// Checks every variant of one kata (or all) `times` times; prints, per variant, how many runs
/// got the expected verdict, which verdicts the others got and why. Exit 1 unless every run of every
/// variant met its expectation.
fn verify_repeatedly(catalog: &Catalog, katas: &[Kata], times: u32) -> Result<ExitCode> {
    let cases = cases(catalog, katas)?;
    let table = Table::for_cases(&cases);
    println!(
        "{}",
        table.row(["kata", "variant", "expected", "met", "seconds", "others"])
    );
    let mut all_met = true;
    for case in &cases {
        if let Some(unmet) = requirements::unmet(case.kata) {
            println!("{}: skipped: {unmet}", case.label);
            continue;
        }
        let mut checker = Checker::new(catalog, case.kata, &case.source, case.options())?;
        let (mut met, mut seconds, mut others, mut reasons) = (0, 0.0, Vec::new(), Vec::new());
        for _ in 0..times {
            let run = checker.check_all()?;
            seconds += run.duration.as_secs_f64();
            match case.expect.met_by(run.verdict) {
                true => met += 1,
                false => {
                    others.push(run.verdict.as_str());
                    reasons.push(mismatch(case, &run));
                }
            }
        }
        all_met &= met == times;
        others.sort_unstable();
        others.dedup();
        anstream::println!(
            "{}",
            table.row([
                case.kata.name(),
                &case.label,
                case.expect.word(),
                &format!("{met}/{times}"),
                &format!("{:.1}", seconds / f64::from(times)),
                &others.join(", "),
            ])
        );
        reasons.sort_unstable();
        reasons.dedup();
        for reason in reasons {
            println!("  {}", reason.replace('\n', "\n  "));
        }
        std::io::stdout().flush().ok();
    }
    Ok(super::status(all_met))
}

/// The kata named `only`, or every kata; with `shard`, only its part.
fn katas(catalog: &Catalog, only: Option<&str>, shard: Option<Shard>) -> Result<Vec<Kata>> {
    let katas = match only {
        Some(name) => vec![catalog.find(name)?],
        None => catalog.all()?,
    };
    let Some(shard) = shard else {
        return Ok(katas);
    };
    // A kata costs about as much as it has variants (each is checked in every mode).
    let mut weighed = Vec::with_capacity(katas.len());
    for kata in katas {
        let variants = cases_of(catalog, &kata)?.len() as u64;
        weighed.push((kata, variants));
    }
    let part = shard.balanced(weighed, |(_, variants)| *variants);
    let names: Vec<&str> = part.iter().map(|(kata, _)| kata.name()).collect();
    eprintln!(
        "shard {shard}: {} katas ({})",
        names.len(),
        names.join(", ")
    );
    Ok(part.into_iter().map(|(kata, _)| kata).collect())
}

/// Every variant of `katas` to check, kata by kata.
fn cases<'a>(catalog: &Catalog, katas: &'a [Kata]) -> Result<Vec<Case<'a>>> {
    let mut cases = Vec::new();
    for kata in katas {
        cases.extend(cases_of(catalog, kata)?);
    }
    Ok(cases)
}

/// The summary and first reason of a run that did not get its expected verdict.
fn mismatch(case: &Case, run: &KataRun) -> String {
    let mut text = format!("expected {}: {}", case.expect.word(), run.summary);
    let first_failure = run.checks.iter().find(|c| c.verdict != Verdict::Pass);
    if let Some(reason) = first_failure.and_then(|c| c.message.lines().next()) {
        text.push_str(&format!("\n    {reason}"));
    }
    text
}

/// Replays the first failing check from its token: it must come to the same verdict.
fn replay_problem(checker: &mut Checker, run: &KataRun) -> Result<Option<String>> {
    let Some(failed) = run.checks.iter().find(|c| c.verdict != Verdict::Pass) else {
        return Ok(None);
    };
    let Some(token) = failed.report.as_ref().and_then(|r| r.replay.as_deref()) else {
        return Ok(None);
    };
    let token: ReplayToken = token.parse().map_err(anyhow::Error::msg)?;
    let replayed = checker.replay(&token)?;
    Ok((replayed.verdict != failed.verdict).then(|| {
        format!(
            "replaying `{token}` gave {} instead of {}",
            replayed.verdict, failed.verdict
        )
    }))
}

/// Compares the explanation of `run` with its snapshot (or writes it, with `bless`). Only
/// reproducible failures are snapshotted: see [`reproducible`].
fn snapshot_problem(
    catalog: &Catalog,
    snapshot: &Path,
    run: &mut KataRun,
    bless: bool,
) -> Result<Option<String>> {
    let failed = run.checks.iter().find(|c| c.verdict != Verdict::Pass);
    if !failed.is_some_and(reproducible) {
        return Ok(None);
    }
    blur_addresses(run);
    let detail = Detail {
        stable: true,
        ..Detail::default()
    };
    let explained = anstream::adapter::strip_str(&output::human(run, detail)).to_string();
    let shown = catalog.display(snapshot);
    if bless {
        if let Some(dir) = snapshot.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {shown}"))?;
        }
        std::fs::write(snapshot, &explained).with_context(|| format!("cannot write {shown}"))?;
        return Ok(None);
    }
    let Ok(expected) = std::fs::read_to_string(snapshot) else {
        return Ok(Some(format!(
            "no explanation snapshot {shown} (write it with `cargo xtask verify --bless`)"
        )));
    };
    Ok(
        first_difference(&expected, &explained).map(|(line, want, got)| {
            format!(
                "the explanation differs from {shown} at line {line}\n    expected: {want}\n    \
             got:      {got}\n    (if the change is intended: `cargo xtask verify --bless`)"
            )
        }),
    )
}

/// Whether a failure prints the same way on every run: the engines' failures do (their schedules
/// are fixed), and so does a plain panic on the one thread of a sequential check. Real threads
/// interleave differently each time, and the watchdog's step counts vary.
fn reproducible(check: &CheckResult) -> bool {
    let Some(report) = &check.report else {
        return check.mode == Mode::Sequential;
    };
    match check.mode {
        // Miri's schedules come from its fixed seed.
        Mode::Model | Mode::Explore | Mode::Miri => true,
        Mode::Stress => false,
        Mode::Sequential => {
            let one_thread = report.trace.iter().all(|event| event.thread == "main");
            let plain = matches!(
                &report.outcome,
                Outcome::Fail(failure)
                    if matches!(failure.kind, FailureKind::Panic | FailureKind::NotImplemented)
            );
            one_thread && plain
        }
    }
}

/// `run` with every address its traces show (`@3`, see `harness::trace::address_name`) made
/// one and the same (`@`): which addresses an allocator hands out again (a freed node's, to the
/// next node) depends on timing even on a fixed schedule, so only the rest of a trace that
/// shows pointers is the same on every run. The interleaving is rebuilt from the blurred
/// values, so that what it derives from them (which write a load saw) is stable too.
fn blur_addresses(run: &mut KataRun) {
    let blur = |text: &mut Option<String>| {
        if let Some(text) = text {
            let mut blurred = String::with_capacity(text.len());
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                blurred.push(c);
                if c == '@' {
                    while chars.next_if(char::is_ascii_digit).is_some() {}
                }
            }
            *text = blurred;
        }
    };
    // Whether a load saw another address than the last one written is gone with the numbers.
    let no_longer_older = format!("{} @)", crate::explain::OLDER_WRITE);
    for check in &mut run.checks {
        for event in check.report.iter_mut().flat_map(|report| &mut report.trace) {
            blur(&mut event.detail);
            blur(&mut event.saw);
            blur(&mut event.left);
            if event.saw.as_deref() == Some("@") {
                if let Some(detail) = &mut event.detail {
                    *detail = detail.replace(&no_longer_older, "");
                }
            }
        }
    }
}

/// The first line (1-based) where two texts differ, with both versions of it.
fn first_difference(expected: &str, got: &str) -> Option<(usize, String, String)> {
    let mut expected_lines = expected.lines();
    let mut got_lines = got.lines();
    for line in 1.. {
        match (expected_lines.next(), got_lines.next()) {
            (None, None) => return None,
            (want, have) if want == have => continue,
            (want, have) => {
                let text = |side: Option<&str>| side.unwrap_or("(end of text)").to_owned();
                return Some((line, text(want), text(have)));
            }
        }
    }
    None
}

/// The variants of one kata: solution, alternatives, mutants, starting code.
fn cases_of<'a>(catalog: &Catalog, kata: &'a Kata) -> Result<Vec<Case<'a>>> {
    let solutions = kata.solutions_dir();
    let solution = solutions.join("lib.rs");
    if !solution.is_file() {
        bail!(
            "{}: missing (every kata needs a reference solution)",
            catalog.display(&solution)
        );
    }
    let mut cases = vec![Case {
        kata,
        label: "solution".into(),
        source: solution,
        expect: Expect::Exactly(Verdict::Pass),
        snapshot: None,
        only: None,
    }];
    for source in rust_files(&solutions.join("alternatives"))? {
        cases.push(Case {
            kata,
            label: label(&solutions, &source),
            source,
            expect: Expect::Exactly(Verdict::Pass),
            snapshot: None,
            only: None,
        });
    }
    for source in rust_files(&solutions.join("mutants"))? {
        let verdict = mutant_verdict(catalog, kata, &source)?;
        let under_miri = miri_verdict(catalog, &source)?;
        let snapshot = source.file_stem().map(|stem| {
            solutions
                .join("explanations")
                .join(stem)
                .with_extension("txt")
        });
        cases.push(Case {
            kata,
            label: label(&solutions, &source),
            source: source.clone(),
            expect: Expect::Exactly(verdict),
            snapshot,
            only: None,
        });
        if let Some(verdict) = under_miri {
            cases.push(Case {
                kata,
                label: format!("{} (miri only)", label(&solutions, &source)),
                source,
                expect: Expect::Exactly(verdict),
                snapshot: None,
                only: Some(Mode::Miri),
            });
        }
    }
    cases.push(Case {
        kata,
        label: "starting code".into(),
        source: crate::learner::starting_code(catalog, kata)?,
        expect: Expect::NotPass,
        snapshot: None,
        only: None,
    });
    Ok(cases)
}

/// The verdict the mutant `source` of `kata` must come to; an error when the kata has no hint
/// for a learner whose check ends in it.
fn mutant_verdict(catalog: &Catalog, kata: &Kata, source: &Path) -> Result<Verdict> {
    let shown = catalog.display(source);
    let text = std::fs::read_to_string(source).with_context(|| format!("cannot read {shown}"))?;
    let verdict =
        expected_verdict(&text).map_err(|problem| anyhow::anyhow!("{shown}: {problem}"))?;
    if !kata.meta.verdict_hints.contains_key(&verdict) {
        bail!(
            "{shown} expects `{verdict}`, but {} has no hint for it: add `{verdict} = \"...\"` \
             under `[verdict_hints]` (what a learner whose check ends in `{verdict}` should look \
             for)",
            catalog.display(&kata.dir.join("kata.toml"))
        );
    }
    Ok(verdict)
}

/// The verdict Miri's checks alone must come to, when the mutant `source` names one with a
/// `//! Expect under Miri: <verdict>` header line (a use after free that the other checks
/// catch by its effects, say: this proves that Miri sees the access itself).
fn miri_verdict(catalog: &Catalog, source: &Path) -> Result<Option<Verdict>> {
    let shown = catalog.display(source);
    let text = std::fs::read_to_string(source).with_context(|| format!("cannot read {shown}"))?;
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix("//!"))
        .find_map(|doc| doc.trim().strip_prefix("Expect under Miri:"))
        .map(|word| word.trim().parse())
        .transpose()
        .map_err(|problem| anyhow::anyhow!("{shown}: {problem}"))
}

/// The verdict named by a mutant's `//! Expect: <verdict>` header line.
fn expected_verdict(text: &str) -> Result<Verdict, String> {
    let word = text
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("//!"))
        .find_map(|doc| doc.trim().strip_prefix("Expect:"))
        .ok_or("no `//! Expect: <verdict>` header line")?;
    word.trim().parse()
}

/// The `.rs` files directly in `dir`, sorted; none if `dir` does not exist.
pub(super) fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", dir.display())),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    files.sort();
    Ok(files)
}

pub(super) fn label(solutions: &Path, source: &Path) -> String {
    source
        .strip_prefix(solutions)
        .unwrap_or(source)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A learner's check fails the way one of the kata's mutants does: `hint` has words for it.
    #[test]
    fn every_kata_has_a_hint_for_each_verdict_its_mutants_expect() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let catalog = Catalog::at(root).unwrap();
        let mut missing = Vec::new();
        for kata in catalog.all().unwrap() {
            let mutants = kata.solutions_dir().join("mutants");
            for source in rust_files(&mutants).unwrap() {
                if let Err(err) = mutant_verdict(&catalog, &kata, &source) {
                    missing.push(err.to_string());
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    #[test]
    fn reads_the_expect_line() {
        let text = "//! Mutant: loads and stores separately.\n//! Expect: race\n\nuse x;\n";
        assert_eq!(expected_verdict(text), Ok(Verdict::Race));
        assert_eq!(
            expected_verdict("//!   Expect:   deadlock  \n"),
            Ok(Verdict::Deadlock)
        );
    }

    #[test]
    fn reads_the_miri_expectation_apart_from_the_expect_line() {
        let path = std::env::temp_dir().join(format!("xtask-miri-{}.rs", std::process::id()));
        let catalog = Catalog::at(Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).unwrap();
        std::fs::write(
            &path,
            "//! Mutant: freed early\n//! Expect: race\n//! Expect under Miri: undefined-behavior\n",
        )
        .unwrap();
        assert_eq!(
            miri_verdict(&catalog, &path).unwrap(),
            Some(Verdict::UndefinedBehavior)
        );
        std::fs::write(&path, "//! Mutant: plain\n//! Expect: race\n").unwrap();
        assert_eq!(miri_verdict(&catalog, &path).unwrap(), None);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_missing_or_unknown_verdict_is_an_error() {
        let missing = expected_verdict("//! Mutant: no expectation\nfn main() {}\n").unwrap_err();
        assert!(missing.contains("Expect"), "{missing}");
        let unknown = expected_verdict("//! Expect: racy\n").unwrap_err();
        assert!(unknown.contains("unknown verdict `racy`"), "{unknown}");
    }

    #[test]
    fn the_first_difference_names_the_line_and_both_versions() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
        assert_eq!(
            first_difference("a\nb\n", "a\nc\n"),
            Some((2, "b".into(), "c".into()))
        );
        assert_eq!(
            first_difference("a\n", "a\nextra\n"),
            Some((2, "(end of text)".into(), "extra".into()))
        );
    }

    #[test]
    fn the_starting_code_must_merely_fail() {
        assert!(Expect::NotPass.met_by(Verdict::NotStarted));
        assert!(!Expect::NotPass.met_by(Verdict::Pass));
        assert!(!Expect::Exactly(Verdict::Race).met_by(Verdict::Deadlock));
    }
}
