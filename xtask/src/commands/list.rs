//! `list`: the katas by track, with the learner's progress on each.

use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use anyhow::Result;
use serde::Serialize;

use crate::catalog::{Catalog, Kata};
use crate::cli::Format;
use crate::state::{Progress, State};

/// One kata as `list --format json` shows it.
#[derive(Serialize)]
struct Entry<'a> {
    name: &'a str,
    title: &'a str,
    track: u32,
    track_name: &'a str,
    difficulty: u32,
    points: u32,
    state: String,
    verdict: Option<harness::verdict::Verdict>,
    summary: &'a str,
}

/// Prints every kata, sorted by (track, difficulty, name).
pub fn list(catalog: &Catalog, format: Format) -> Result<ExitCode> {
    let katas = catalog.all()?;
    let state = State::load(&catalog.root);
    let progress: Vec<Progress> = katas
        .iter()
        .map(|kata| {
            let source = std::fs::read(kata.learner_source()).unwrap_or_default();
            state.progress(kata.name(), &source)
        })
        .collect();
    match format {
        Format::Json => println!("{}", json(&katas, &progress)),
        Format::Human => anstream::print!("{}", human(&katas, &progress)),
    }
    Ok(ExitCode::SUCCESS)
}

fn json(katas: &[Kata], progress: &[Progress]) -> String {
    let entries: Vec<Entry> = katas
        .iter()
        .zip(progress)
        .map(|(kata, &progress)| Entry {
            name: kata.name(),
            title: &kata.meta.title,
            track: kata.meta.track,
            track_name: &kata.track_name,
            difficulty: kata.meta.difficulty,
            points: kata.meta.points,
            state: progress.to_string(),
            verdict: match progress {
                Progress::NotStarted => None,
                Progress::Passing => Some(harness::verdict::Verdict::Pass),
                Progress::Failing(verdict) => Some(verdict),
            },
            summary: &kata.meta.summary,
        })
        .collect();
    serde_json::to_string(&entries).expect("the kata list always serializes")
}

fn human(katas: &[Kata], progress: &[Progress]) -> String {
    let name_width = katas.iter().map(|k| k.name().len()).max().unwrap_or(0);
    let title_width = katas
        .iter()
        .map(|k| k.meta.title.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let mut track = None;
    for (kata, progress) in katas.iter().zip(progress) {
        if track != Some(kata.meta.track) {
            track = Some(kata.meta.track);
            let bold = Style::new().bold();
            out.push_str(&format!(
                "{bold}Track {}: {}{bold:#}\n",
                kata.meta.track, kata.track_name
            ));
        }
        let style = match progress {
            Progress::NotStarted => Style::new().dimmed(),
            Progress::Passing => AnsiColor::Green.on_default(),
            Progress::Failing(_) => AnsiColor::Red.on_default(),
        };
        let stars = "★".repeat(kata.meta.difficulty as usize);
        let dim = Style::new().dimmed();
        let (name, title, summary) = (kata.name(), &kata.meta.title, &kata.meta.summary);
        out.push_str(&format!(
            "  {name:<name_width$}  {title:<title_width$}  {stars:<5}  {style}{progress}{style:#}\n"
        ));
        out.push_str(&format!("    {dim}{summary}{dim:#}\n"));
    }
    out.push_str(
        "\nRun `cargo xtask check <kata>` to check one, `cargo xtask hint <kata>` for a hint.\n",
    );
    out
}
