//! `grade`: one submission into a grade in the format a CI system reads, or a class into a
//! gradebook.
//!
//! A class folder's entries are graded only when they are real directories (not symbolic links)
//! with a plain name; every other entry, and a folder that cannot be opened as a submission, is
//! skipped and listed with why, on stderr and in the gradebook.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::catalog::{Catalog, Kata};
use crate::cli::{self, GradeFormat};
use crate::formats;
use crate::gradebook::{self, Skipped};
use crate::grading::{self, Grade, Settings};
use crate::report_page;
use crate::sanitize;
use crate::shard::Shard;
use crate::submission::Submission;

/// The environment variable naming the GitHub Actions job summary file.
const STEP_SUMMARY_ENV: &str = "GITHUB_STEP_SUMMARY";

/// The characters a student folder's name may have besides letters and digits.
const NAME_PUNCTUATION: [char; 6] = ['-', '_', '.', '@', '+', ' '];

impl cli::Grade {
    /// `cargo xtask grade`: exit status 0 for full marks (with `--class`: for a gradebook written),
    /// 1 for less, 2 when a kata could not be graded at all (the grade is still written).
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        if !self.merge.is_empty() {
            return merge(catalog, &self.merge, self.output.as_deref());
        }
        let katas = select(catalog, &self.katas)?;
        let settings = Settings {
            jobs: usize::from(self.jobs),
            time_limit: self.time_limit.map(Duration::from_secs),
            memory_mb: self.memory_limit,
            build_time_limit: self.build_time_limit.map(Duration::from_secs),
            progress: true,
        };
        match (&self.submission, &self.class) {
            (Some(dir), None) => submission(catalog, &katas, dir, &self, settings),
            (None, Some(dir)) => class(catalog, &katas, dir, &self, settings),
            _ => bail!("give either --submission DIR, --class DIR or --merge DIR..."),
        }
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
    args: &cli::Grade,
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
    args: &cli::Grade,
    settings: Settings,
) -> Result<ExitCode> {
    let (submissions, skipped) = students(catalog, dir, args.shard)?;
    for entry in &skipped {
        eprintln!("skipped {}: {}", entry.name, entry.reason);
    }
    // A part of a class may hold no submission (more parts than students): its gradebook is
    // then empty, for `--merge`.
    if submissions.is_empty() && args.shard.is_none() {
        bail!(
            "the class directory {} has no submissions to grade (subdirectories; {} entries \
             skipped)",
            dir.display(),
            skipped.len()
        );
    }
    let grades = grading::grade(catalog, katas, &submissions, settings);
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| catalog.root.join("target/xtask/gradebook"));
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let csv = gradebook::csv(&grades);
    let json = gradebook::json(&grades, &skipped);
    write(&out.join("gradebook.csv"), &csv)?;
    write(&out.join("gradebook.json"), &json)?;
    let report = report_page::write_class(&out, &json)?;
    print!("{csv}");
    eprintln!(
        "graded {} submissions ({} entries skipped): {} and {}; charts in {}",
        grades.len(),
        skipped.len(),
        catalog.display(&out.join("gradebook.csv")),
        catalog.display(&out.join("gradebook.json")),
        catalog.display(&report)
    );
    // A class's grades are in the gradebook; only a kata that could not be graded fails the run.
    Ok(match exit_status(&grades) {
        code if code == ExitCode::from(2) => code,
        _ => ExitCode::SUCCESS,
    })
}

/// The submissions of the class directory `dir`, in name order, and its entries that are not
/// graded, with why (in the order of their names as shown); with `shard`, only its part of the
/// entries, dealt out in name order.
fn students(
    catalog: &Catalog,
    dir: &Path,
    shard: Option<Shard>,
) -> Result<(Vec<Submission>, Vec<Skipped>)> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the class directory {}", dir.display()))?;
    let mut names: Vec<_> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.file_name()))
        .collect();
    names.sort();
    if let Some(shard) = shard {
        names = shard.dealt(names);
    }
    let (mut submissions, mut skipped) = (Vec::new(), Vec::new());
    for name in names {
        match open_student(catalog, &dir.join(&name)) {
            Ok(submission) => submissions.push(submission),
            Err(reason) => skipped.push(Skipped {
                name: sanitize::one_line(&name.to_string_lossy()),
                reason: sanitize::one_line(&reason),
            }),
        }
    }
    // The order `--merge` can rebuild from the gradebooks alone.
    skipped.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((submissions, skipped))
}

/// `grade --merge DIR...`: the gradebooks of a class's parts, joined into the one a single run
/// would have written (its students and skipped entries in name order).
fn merge(
    catalog: &Catalog,
    dirs: &[std::path::PathBuf],
    output: Option<&Path>,
) -> Result<ExitCode> {
    let mut parts = Vec::with_capacity(dirs.len());
    for dir in dirs {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {} (a part's gradebook)", path.display()))
        };
        parts.push(gradebook::Part {
            csv: read("gradebook.csv")?,
            json: read("gradebook.json")?,
        });
    }
    let merged = gradebook::merge(&parts)?;
    let out = output.map_or_else(
        || catalog.root.join("target/xtask/gradebook"),
        Path::to_path_buf,
    );
    write(&out.join("gradebook.csv"), &merged.csv)?;
    write(&out.join("gradebook.json"), &merged.json)?;
    let report = report_page::write_class(&out, &merged.json)?;
    print!("{}", merged.csv);
    eprintln!(
        "merged {} gradebooks: {} and {}; charts in {}",
        parts.len(),
        catalog.display(&out.join("gradebook.csv")),
        catalog.display(&out.join("gradebook.json")),
        catalog.display(&report)
    );
    Ok(ExitCode::SUCCESS)
}

/// Why the class folder's entry at `path` is not a student's submission, if it is not: only a
/// real directory (a symbolic link is not followed), not hidden, with a plain name.
fn not_a_student(path: &Path) -> Option<String> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(err) => return Some(format!("cannot be read: {err}")),
    };
    if meta.is_symlink() {
        return Some("a symbolic link: not followed".into());
    }
    if !meta.is_dir() {
        return Some("not a directory".into());
    }
    let Some(name) = path.file_name().unwrap_or_default().to_str() else {
        return Some("its name is not valid UTF-8".into());
    };
    if name.starts_with('.') {
        return Some("a hidden folder (its name starts with `.`)".into());
    }
    let plain = |c: char| c.is_alphanumeric() || NAME_PUNCTUATION.contains(&c);
    if !name.chars().all(plain) {
        return Some(
            "its name has characters other than letters, digits, space and `-_.@+`".into(),
        );
    }
    None
}

/// The student's submission at `path` in a class folder, or why it is not graded.
fn open_student(catalog: &Catalog, path: &Path) -> Result<Submission, String> {
    if let Some(reason) = not_a_student(path) {
        return Err(reason);
    }
    Submission::open(catalog, path).map_err(|err| format!("{err:#}"))
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

#[cfg(test)]
mod tests {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn only_plain_real_directories_are_students() {
        let class = std::env::temp_dir().join(format!("xtask-class-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&class);
        let repository = class.join("instructor");
        for folder in [
            "ada",
            "Zoë Müller-Smith",
            "bo.b@uni+1",
            ".git",
            "eve\n",
            "=cmd",
        ] {
            std::fs::create_dir_all(class.join(folder)).unwrap();
        }
        std::fs::create_dir_all(&repository).unwrap();
        std::fs::create_dir_all(class.join(OsString::from_vec(b"mal\xffory".to_vec()))).unwrap();
        std::fs::write(class.join("notes.txt"), "").unwrap();
        symlink("ada", class.join("copycat")).unwrap();
        symlink("..", class.join("parent")).unwrap();
        symlink(&repository, class.join("grader")).unwrap();
        let catalog = Catalog::at(std::fs::canonicalize(&repository).unwrap()).unwrap();

        let (submissions, skipped) = students(&catalog, &class, None).unwrap();
        let graded: Vec<String> = submissions.iter().map(Submission::name).collect();
        assert_eq!(graded, ["Zoë Müller-Smith", "ada", "bo.b@uni+1"]);
        let skipped: Vec<(&str, &str)> = skipped
            .iter()
            .map(|entry| (entry.name.as_str(), entry.reason.as_str()))
            .collect();
        let other_characters = "its name has characters other than letters, digits, space and \
                                `-_.@+`";
        let link = "a symbolic link: not followed";
        assert_eq!(
            skipped,
            [
                (".git", "a hidden folder (its name starts with `.`)"),
                ("=cmd", other_characters),
                ("copycat", link),
                ("eve\\n", other_characters),
                ("grader", link),
                (
                    "instructor",
                    "the submission is this repository itself: grade a copy of it (e.g. a clone \
                     in another directory)"
                ),
                ("mal\u{fffd}ory", "its name is not valid UTF-8"),
                ("notes.txt", "not a directory"),
                ("parent", link),
            ]
        );
        // Three parts hold every entry once, graded or skipped as in one run.
        let (mut graded_parts, mut skipped_parts) = (Vec::new(), Vec::new());
        for index in 1..=3 {
            let shard = Some(Shard { index, count: 3 });
            let (submissions, skipped) = students(&catalog, &class, shard).unwrap();
            graded_parts.extend(submissions.iter().map(Submission::name));
            skipped_parts.extend(skipped.into_iter().map(|entry| entry.name));
        }
        graded_parts.sort();
        skipped_parts.sort();
        assert_eq!(graded_parts, graded);
        let everyone_skipped: Vec<&str> = skipped.iter().map(|(name, _)| *name).collect();
        assert_eq!(skipped_parts, everyone_skipped);
        std::fs::remove_dir_all(&class).unwrap();
    }
}
