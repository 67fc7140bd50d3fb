//! Progress of long work (`verify`, `grade`, `mutate`, `bench`'s comparison): on a terminal, an `indicatif` bar on
//! stderr (done / total, the item under way, elapsed and remaining time) with each finished
//! item's line printed above it; elsewhere (a CI log, a pipe) the same lines, one per item, as
//! plain text and nothing else.
//!
//! ```text
//! let progress = Progress::new(katas.len());
//! for kata in katas {
//!     progress.working_on(kata.name());
//!     progress.done(&format!("{}: pass", kata.name()));
//! }
//! ```

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over a known number of items, drawn only where stderr is a terminal.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Progress over `total` items.
    pub fn new(total: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let style = ProgressStyle::with_template(
                "[{bar:20}] {pos}/{len}  {elapsed} elapsed, about {eta} left  {wide_msg}",
            )
            .expect("the template is valid")
            .progress_chars("#>-");
            let bar = ProgressBar::new(total as u64).with_style(style);
            bar.enable_steady_tick(Duration::from_millis(250));
            bar
        });
        Progress { bar }
    }

    /// Whether the bar is drawn (a line need not say how far the work is).
    pub fn drawn(&self) -> bool {
        self.bar.is_some()
    }

    /// Names the item under way.
    pub fn working_on(&self, item: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(item.to_owned());
        }
    }

    /// One item done, its `line` on stderr (above the bar).
    pub fn done(&self, line: &str) {
        match &self.bar {
            Some(bar) => {
                bar.println(line);
                bar.inc(1);
            }
            None => eprintln!("{line}"),
        }
    }

    /// A line on stderr (above the bar) that finishes no item.
    pub fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// One item done, its line printed elsewhere (see [`Progress::stdout`]).
    pub fn advance(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Prints `text` and a newline on stdout without tearing the bar.
    pub fn stdout(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| anstream::println!("{text}")),
            None => anstream::println!("{text}"),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
