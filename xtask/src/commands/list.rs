//! `list`: the katas by track, with the learner's progress on each.

use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use anyhow::Result;
use serde::Serialize;

use crate::catalog::{Catalog, Kata};
use crate::cli::{Format, List};
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

impl List {
    /// Prints every kata, sorted by (track, difficulty, name).
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let format = self.format;
        let katas = catalog.all()?;
        let state = State::load(&catalog.root);
        let progress: Vec<Progress> = katas.iter().map(|kata| state.progress_of(kata)).collect();
        match format {
            Format::Json => println!("{}", json(&katas, &progress)),
            Format::Human => anstream::print!("{}", human(&katas, &progress)),
        }
        Ok(ExitCode::SUCCESS)
    }
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
    for (kata, state) in katas.iter().zip(progress) {
        if track != Some(kata.meta.track) {
            track = Some(kata.meta.track);
            let bold = Style::new().bold();
            let (passing, total) = tally(
                katas
                    .iter()
                    .zip(progress)
                    .filter(|(other, _)| other.meta.track == kata.meta.track)
                    .map(|(_, state)| state),
            );
            out.push_str(&format!(
                "{bold}Track {}: {}{bold:#}  {}\n",
                kata.meta.track,
                kata.track_name,
                bar(passing, total)
            ));
        }
        let style = match state {
            Progress::NotStarted => Style::new().dimmed(),
            Progress::Passing => AnsiColor::Green.on_default(),
            Progress::Failing(_) => AnsiColor::Red.on_default(),
        };
        let stars = "★".repeat(kata.meta.difficulty as usize);
        let dim = Style::new().dimmed();
        let (name, title, summary) = (kata.name(), &kata.meta.title, &kata.meta.summary);
        out.push_str(&format!(
            "  {name:<name_width$}  {title:<title_width$}  {stars:<5}  {style}{state}{style:#}\n"
        ));
        out.push_str(&format!("    {dim}{summary}{dim:#}\n"));
    }
    let (passing, total) = tally(progress.iter());
    out.push_str(&format!("\nAll tracks  {}\n", bar(passing, total)));
    out.push_str(
        "Run `cargo xtask next` for where to go on, `cargo xtask check <kata>` to check one, \
         `cargo xtask hint <kata>` for a hint.\n",
    );
    out
}

/// How many of `progress` pass, and how many there are.
fn tally<'a>(progress: impl Iterator<Item = &'a Progress>) -> (usize, usize) {
    progress.fold((0, 0), |(passing, total), progress| {
        (
            passing + usize::from(*progress == Progress::Passing),
            total + 1,
        )
    })
}

/// "[##--] 2/4": one mark per item (a kata, a mutant), up to [`BAR_WIDTH`] marks, full only
/// when every item is done.
pub(super) fn bar(passing: usize, total: usize) -> String {
    let width = total.min(BAR_WIDTH);
    let filled = match total {
        0 => 0,
        _ if passing == total => width,
        _ => (passing * width / total).min(width - 1),
    };
    format!(
        "[{}{}] {passing}/{total}",
        "#".repeat(filled),
        "-".repeat(width - filled)
    )
}

/// The widest progress bar.
const BAR_WIDTH: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_has_one_mark_per_kata_and_is_full_only_when_all_pass() {
        assert_eq!(bar(2, 4), "[##--] 2/4");
        assert_eq!(bar(0, 3), "[---] 0/3");
        assert_eq!(bar(0, 0), "[] 0/0");
        assert_eq!(bar(39, 40), format!("[{}-] 39/40", "#".repeat(19)));
        assert_eq!(bar(40, 40), format!("[{}] 40/40", "#".repeat(20)));
    }
}
