//! `grade`: one submission into a grade in the format a CI system reads, or a class into a
//! gradebook.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::catalog::{Catalog, Kata};
use crate::cli::{GradeArgs, GradeFormat};
use crate::formats;
use crate::gradebook;
use crate::grading::{self, Grade, Settings};
use crate::submission::Submission;

/// The environment variable naming the GitHub Actions job summary file.
const STEP_SUMMARY_ENV: &str = "GITHUB_STEP_SUMMARY";

/// `cargo xtask grade`: exit status 0 for full marks (with `--class`: for a gradebook written),
/// 1 for less, 2 when a kata could not be graded at all (the grade is still written).
pub fn grade(catalog: &Catalog, args: &GradeArgs) -> Result<ExitCode> {
    let katas = select(catalog, &args.katas)?;
    let settings = Settings {
        jobs: usize::from(args.jobs),
        time_limit: args.time_limit.map(Duration::from_secs),
        memory_mb: args.memory_limit,
        build_time_limit: args.build_time_limit.map(Duration::from_secs),
        progress: true,
    };
    match (&args.submission, &args.class) {
        (Some(dir), None) => submission(catalog, &katas, dir, args, settings),
        (None, Some(dir)) => class(catalog, &katas, dir, args, settings),
        _ => bail!("give either --submission DIR or --class DIR"),
    }
}

/// The katas named by `--kata`, in catalog order; every kata when none is named.
fn select(catalog: &Catalog, names: &[String]) -> Result<Vec<Kata>> {
    for name in names {
        catalog.find(name)?;
    }
    let all = catalog.all()?;
    Ok(all
        .into_iter()
        .filter(|kata| names.is_empty() || names.iter().any(|n| n == kata.name()))
        .collect())
}

fn submission(
    catalog: &Catalog,
    katas: &[Kata],
    dir: &Path,
    args: &GradeArgs,
    settings: Settings,
) -> Result<ExitCode> {
    let submission = Submission::open(catalog, dir)?;
    let start = Instant::now();
    let mut grades = grading::grade(catalog, katas, &[submission], settings);
    let mut grade = grades.pop().context("grading produced no grade")?;
    grade.duration = start.elapsed();
    let text = match args.format {
        GradeFormat::Json => formats::json(&grade),
        GradeFormat::Gradescope => formats::gradescope(&grade),
        GradeFormat::Junit => formats::junit(&grade)?,
        GradeFormat::Classroom => formats::classroom(&grade),
        GradeFormat::Markdown => formats::markdown(&grade),
    };
    match &args.output {
        Some(path) => write(path, &text)?,
        None => println!("{}", text.trim_end()),
    }
    if args.format == GradeFormat::Markdown {
        if let Some(summary) = std::env::var_os(STEP_SUMMARY_ENV).filter(|s| !s.is_empty()) {
            append(Path::new(&summary), &text)?;
        }
    }
    eprintln!(
        "graded {}: {} / {} points ({:.1} s)",
        grade.student,
        grade.total(),
        grade.max(),
        grade.duration.as_secs_f64()
    );
    Ok(exit_status(&[grade]))
}

fn class(
    catalog: &Catalog,
    katas: &[Kata],
    dir: &Path,
    args: &GradeArgs,
    settings: Settings,
) -> Result<ExitCode> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the class directory {}", dir.display()))?;
    let mut students: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_dir())
        .filter(|path| {
            !path
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with('.'))
        })
        .collect();
    students.sort();
    if students.is_empty() {
        bail!(
            "the class directory {} has no submissions (subdirectories)",
            dir.display()
        );
    }
    let submissions = students
        .iter()
        .map(|path| Submission::open(catalog, path))
        .collect::<Result<Vec<_>>>()?;
    let grades = grading::grade(catalog, katas, &submissions, settings);
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| catalog.root.join("target/xtask/gradebook"));
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let csv = gradebook::csv(&grades);
    write(&out.join("gradebook.csv"), &csv)?;
    write(&out.join("gradebook.json"), &gradebook::json(&grades))?;
    print!("{csv}");
    eprintln!(
        "graded {} submissions: {} and {}",
        grades.len(),
        catalog.display(&out.join("gradebook.csv")),
        catalog.display(&out.join("gradebook.json"))
    );
    // A class's grades are in the gradebook; only a kata that could not be graded fails the run.
    Ok(match exit_status(&grades) {
        code if code == ExitCode::from(2) => code,
        _ => ExitCode::SUCCESS,
    })
}

/// 2 when a kata could not be graded, else 0 for full marks everywhere and 1 for less.
fn exit_status(grades: &[Grade]) -> ExitCode {
    let errors: usize = grades
        .iter()
        .map(|grade| {
            grade
                .katas
                .iter()
                .filter(|k| matches!(k.outcome, grading::Outcome::Error(_)))
                .count()
        })
        .sum();
    if errors > 0 {
        eprintln!("error: {errors} kata(s) could not be graded (see the grade for why)");
        return ExitCode::from(2);
    }
    super::status(grades.iter().all(|grade| grade.total() == grade.max()))
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Appends `text` to the job summary file at `path`.
fn append(path: &Path, text: &str) -> Result<()> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| writeln!(file, "{text}"))
        .with_context(|| format!("cannot append to ${STEP_SUMMARY_ENV} ({})", path.display()))
}
