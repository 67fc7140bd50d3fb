//! `verify`: prove a kata's checks. The reference solution and every alternative pass, every
//! mutant gets the verdict its `//! Expect:` line names, and the starting code does not pass.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use anyhow::{bail, Context, Result};
use harness::verdict::Verdict;

use crate::catalog::{Catalog, Kata};
use crate::checker::{Checker, Options};

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

    /// One row: kata, variant, expected, got, seconds, ok/MISMATCH.
    fn row(&self, [kata, label, expected, got, seconds, ok]: [&str; 6]) -> String {
        let (kata_width, label_width) = (self.kata, self.label);
        let row = format!(
            "{kata:<kata_width$}  {label:<label_width$}  {expected:<13}  {got:<13}  \
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
}

/// Verifies one kata, or all of them; exit 1 on any mismatch.
pub fn verify(catalog: &Catalog, only: Option<&str>) -> Result<ExitCode> {
    let katas = match only {
        Some(name) => vec![catalog.find(name)?],
        None => catalog.all()?,
    };
    let mut cases = Vec::new();
    for kata in &katas {
        cases.extend(cases_of(catalog, kata)?);
    }

    let table = Table::for_cases(&cases);
    println!(
        "{}",
        table.row(["kata", "variant", "expected", "got", "seconds", ""])
    );
    let mut mismatches = Vec::new();
    for case in &cases {
        let mut checker = Checker::new(catalog, case.kata, &case.source, Options::default())?;
        let run = checker.check_all()?;
        let ok = case.expect.met_by(run.verdict);
        let mark = if ok {
            let green = AnsiColor::Green.on_default();
            format!("{green}ok{green:#}")
        } else {
            let red = AnsiColor::Red.on_default().bold();
            format!("{red}MISMATCH{red:#}")
        };
        let seconds = format!("{:.1}", run.duration.as_secs_f64());
        anstream::println!(
            "{}",
            table.row([
                case.kata.name(),
                &case.label,
                case.expect.word(),
                run.verdict.as_str(),
                &seconds,
                &mark,
            ])
        );
        std::io::stdout().flush().ok();
        if !ok {
            let mut mismatch = format!("{} {}: {}", case.kata.name(), case.label, run.summary);
            let first_failure = run.checks.iter().find(|c| c.verdict != Verdict::Pass);
            if let Some(reason) = first_failure.and_then(|c| c.message.lines().next()) {
                mismatch.push_str(&format!("\n    {reason}"));
            }
            mismatches.push(mismatch);
        }
    }
    if !mismatches.is_empty() {
        let bold = Style::new().bold();
        anstream::println!("\n{bold}{} mismatch(es){bold:#}", mismatches.len());
        for mismatch in &mismatches {
            println!("  {mismatch}");
        }
    }
    Ok(super::status(mismatches.is_empty()))
}

/// The variants of one kata: solution, alternatives, mutants, starting code.
fn cases_of<'a>(catalog: &Catalog, kata: &'a Kata) -> Result<Vec<Case<'a>>> {
    let solutions = kata.solutions_dir(&catalog.root);
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
    }];
    for source in rust_files(&solutions.join("alternatives"))? {
        cases.push(Case {
            kata,
            label: label(&solutions, &source),
            source,
            expect: Expect::Exactly(Verdict::Pass),
        });
    }
    for source in rust_files(&solutions.join("mutants"))? {
        let shown = catalog.display(&source);
        let text =
            std::fs::read_to_string(&source).with_context(|| format!("cannot read {shown}"))?;
        let verdict =
            expected_verdict(&text).map_err(|problem| anyhow::anyhow!("{shown}: {problem}"))?;
        cases.push(Case {
            kata,
            label: label(&solutions, &source),
            source,
            expect: Expect::Exactly(verdict),
        });
    }
    cases.push(Case {
        kata,
        label: "starting code".into(),
        source: kata.learner_source(),
        expect: Expect::NotPass,
    });
    Ok(cases)
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
fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
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

fn label(solutions: &Path, source: &Path) -> String {
    source
        .strip_prefix(solutions)
        .unwrap_or(source)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_missing_or_unknown_verdict_is_an_error() {
        let missing = expected_verdict("//! Mutant: no expectation\nfn main() {}\n").unwrap_err();
        assert!(missing.contains("Expect"), "{missing}");
        let unknown = expected_verdict("//! Expect: racy\n").unwrap_err();
        assert!(unknown.contains("unknown verdict `racy`"), "{unknown}");
    }

    #[test]
    fn the_starting_code_must_merely_fail() {
        assert!(Expect::NotPass.met_by(Verdict::NotStarted));
        assert!(!Expect::NotPass.met_by(Verdict::Pass));
        assert!(!Expect::Exactly(Verdict::Race).met_by(Verdict::Deadlock));
    }
}
