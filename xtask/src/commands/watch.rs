//! `watch`: re-check a kata every time its file is saved (writing a failure's report page as
//! `check` does), say when it passes and move on.
//!
//! On a terminal, keys act at once: n next kata, h hint, l list, r re-check, q quit. Without
//! one (a pipe, a test), it only re-checks on each save, until it is stopped. Every check ends
//! with a marker line, `[watch] checked <kata>: <verdict>`, that scripts can wait for.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver};

use anstyle::{AnsiColor, Style};
use anyhow::{bail, Result};
use harness::verdict::Verdict;

use crate::catalog::{Catalog, Kata};
use crate::checker::Options;
use crate::cli::{Format, Hint, List, Watch};
use crate::keys::Keys;
use crate::output::Detail;
use crate::report_page;
use crate::state::State;
use crate::watcher::FileWatch;

/// What the watch loop reacts to.
enum Event {
    /// The watched file was saved.
    Saved,
    /// Watching the file failed.
    WatchFailed(String),
    /// A key was pressed.
    Key(u8),
}

/// How watching one kata ended.
enum Leave {
    Quit,
    Switch(Box<Kata>),
}

impl Watch {
    /// Watches `name`, or the first kata that does not pass yet.
    pub fn run(self, catalog: &Catalog) -> Result<ExitCode> {
        let (name, poll) = (self.kata.as_deref(), self.poll);
        let katas = catalog.all()?;
        if katas.is_empty() {
            bail!("there are no katas to watch (none under exercises/)");
        }
        let mut kata = match name {
            Some(name) => catalog.find(name)?,
            None => {
                let state = State::load(&catalog.root);
                match super::next::first_unsolved(&katas, &state, None) {
                    Some(kata) => kata.clone(),
                    None => {
                        println!(
                            "Every kata passes. To watch one anyway: cargo xtask watch <kata>"
                        );
                        return Ok(ExitCode::SUCCESS);
                    }
                }
            }
        };
        let (send, events) = mpsc::channel();
        let keys = match std::io::stdin().is_terminal() {
            true => {
                let send = send.clone();
                Some(Keys::start(move |key| send.send(Event::Key(key)).is_ok())?)
            }
            false => None,
        };
        let interactive = keys.is_some();
        loop {
            let send = send.clone();
            let file_watch = FileWatch::start(&kata.learner_source(), poll, move |saved| {
                let _ = send.send(match saved {
                    Ok(()) => Event::Saved,
                    Err(message) => Event::WatchFailed(message),
                });
            })?;
            let mut session = Session {
                catalog,
                katas: &katas,
                kata: &kata,
                file_watch: &file_watch,
                interactive,
                checked: None,
            };
            match session.run(&events)? {
                Leave::Quit => return Ok(ExitCode::SUCCESS),
                Leave::Switch(next) => kata = *next,
            }
        }
    }
}

/// Watching one kata.
struct Session<'a> {
    catalog: &'a Catalog,
    katas: &'a [Kata],
    kata: &'a Kata,
    file_watch: &'a FileWatch,
    interactive: bool,
    /// The file's content at the last check.
    checked: Option<Vec<u8>>,
}

impl Session<'_> {
    fn run(&mut self, events: &Receiver<Event>) -> Result<Leave> {
        self.check()?;
        while let Ok(event) = events.recv() {
            match event {
                Event::Saved => {
                    let now = std::fs::read(self.kata.learner_source()).ok();
                    if now.is_some() && now != self.checked {
                        self.check()?;
                    }
                }
                Event::WatchFailed(message) => {
                    anstream::eprintln!("watch: {message}");
                }
                Event::Key(b'r') => self.check()?,
                Event::Key(b'n') => {
                    let state = State::load(&self.catalog.root);
                    match super::next::first_unsolved(self.katas, &state, Some(self.kata.name())) {
                        Some(next) => return Ok(Leave::Switch(Box::new(next.clone()))),
                        None => println!("Every other kata passes already."),
                    }
                }
                Event::Key(b'h') => {
                    println!();
                    Hint {
                        kata: self.kata.name().to_owned(),
                    }
                    .run(self.catalog)?;
                    self.help();
                }
                Event::Key(b'l') => {
                    println!();
                    List {
                        format: Format::Human,
                    }
                    .run(self.catalog)?;
                    self.help();
                }
                Event::Key(b'q' | b'Q' | 4) => return Ok(Leave::Quit),
                Event::Key(b'\n' | b'\r' | b' ') => {}
                Event::Key(_) => self.help(),
            }
        }
        Ok(Leave::Quit)
    }

    /// Checks the file, prints the verdict with its explanation, and what to do next.
    fn check(&mut self) -> Result<()> {
        let name = self.kata.name();
        let shown = self.catalog.display(&self.kata.learner_source());
        if std::io::stdout().is_terminal() {
            // Clear the screen: only the latest check matters.
            print!("\x1b[2J\x1b[H");
        }
        println!("[watch] checking {name} ({shown})...");
        self.checked = std::fs::read(self.kata.learner_source()).ok();
        let options = Options {
            progress: true,
            ..Options::default()
        };
        let verdict = match super::check::check_learner(self.catalog, self.kata, options) {
            Ok(run) => {
                let report = super::check::human(self.catalog, &run, Detail::default());
                anstream::print!("{report}");
                match report_page::write(&run, &self.catalog.root) {
                    Ok(Some(page)) => {
                        anstream::print!("{}", super::check::page_line(self.catalog, &page));
                    }
                    Ok(None) => {}
                    Err(err) => anstream::println!("(no report page: {err:#})"),
                }
                if run.verdict == Verdict::Pass {
                    anstream::print!("{}", self.passed());
                } else if let Some(line) = super::hint::pointer(self.kata, run.verdict) {
                    anstream::print!("{line}");
                }
                run.verdict.to_string()
            }
            Err(err) => {
                let message = format!("{err:#}").replace('\n', " ");
                anstream::println!("error: {message}");
                "error".to_owned()
            }
        };
        println!("[watch] checked {name}: {verdict}");
        self.help();
        Ok(())
    }

    /// What to do once the kata passes: compare with the solution, go on to the next one.
    fn passed(&self) -> String {
        let name = self.kata.name();
        let good = AnsiColor::Green.on_default().bold();
        let solution = self.kata.solutions_dir().join("lib.rs");
        let mut out = format!(
            "\n{good}{name} passes. Well done!{good:#}\n\
             \x20 compare with the reference solution ({}): cargo xtask solution {name}\n",
            self.catalog.display(&solution)
        );
        let state = State::load(&self.catalog.root);
        match super::next::first_unsolved(self.katas, &state, Some(name)) {
            Some(next) if self.interactive => out.push_str(&format!(
                "  next: {} ({}): press n\n",
                next.name(),
                next.meta.title
            )),
            Some(next) => out.push_str(&format!(
                "  next: {} ({}): cargo xtask watch {}\n",
                next.name(),
                next.meta.title,
                next.name()
            )),
            None => out.push_str("  That was the last kata: every kata passes!\n"),
        }
        out
    }

    fn help(&self) {
        let dim = Style::new().dimmed();
        let shown = self.catalog.display(&self.kata.learner_source());
        let keys = match self.interactive {
            true => "keys: n next · h hint · l list · r re-check · q quit",
            false => "Ctrl-C to stop",
        };
        anstream::println!(
            "{dim}Watching {shown} ({}): save it to re-check; {keys}{dim:#}",
            self.file_watch.how
        );
        std::io::stdout().flush().ok();
    }
}
