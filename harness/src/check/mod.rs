//! A kata's checks, and the process that runs one of them.
//!
//! A kata's `tests/<kata>.rs` declares its checks once, against the facade, and hands control to
//! [`Checks::run`]. `cargo xtask` builds that file once per backend and starts the binary once per
//! check (see [`crate::protocol`]); the check runs in the engine of its mode and reports back.
//!
//! ```no_run
//! use harness::check::{Checks, Mode};
//! use harness::sync::{atomic::{AtomicUsize, Ordering}, Arc};
//! use harness::thread;
//!
//! fn two_threads_count_two() {
//!     let hits = Arc::new(AtomicUsize::new(0));
//!     let other = Arc::clone(&hits);
//!     let handle = thread::spawn(move || other.fetch_add(1, Ordering::SeqCst));
//!     hits.fetch_add(1, Ordering::SeqCst);
//!     handle.join().unwrap();
//!     assert_eq!(hits.load(Ordering::SeqCst), 2, "a hit was lost");
//! }
//!
//! fn main() {
//!     Checks::new()
//!         .concurrent("no hit is lost", two_threads_count_two)
//!         .run();
//! }
//! ```

mod engine;
mod execution;
#[cfg(feature = "explore")]
mod explore;
mod failure;
#[cfg(feature = "model")]
mod model;
#[cfg(not(any(feature = "model", feature = "explore")))]
mod real_threads;
mod report;

use std::panic::Location;

use crate::context::{self, ReportTo};
use crate::protocol::{
    Backend, CheckInfo, RunConfig, CONFIG_ENV, INLINE_FLAG, PING_FLAG, REPORT_ENV,
};

pub use crate::protocol::Mode;

/// The mode of the check being run (sequential outside a check run): lets a check scale its
/// scenario, e.g. fewer rounds under [`Mode::Model`].
pub fn mode() -> Mode {
    context::mode()
}

/// Panics on purpose from inside the code under test, e.g. in a job handed to a pool whose
/// promise is that a failing job does not take a worker away. The panic is not a failure of
/// the check when the code under test contains it; when it escapes (ends a thread or the
/// run), the check fails with a `panic` verdict that says so.
///
/// ```
/// use harness::check::deliberate_panic;
///
/// let contained = std::panic::catch_unwind(|| deliberate_panic("job 3 fails"));
/// assert!(contained.is_err());
/// ```
pub fn deliberate_panic(what: &str) -> ! {
    std::panic::panic_any(failure::Deliberate(what.to_owned()))
}

/// Fails the running check because something it waited for never came: a signal, a message or
/// a wakeup the code under test should have sent (the verdict is `deadlock`, with `what` as the
/// reason). For a check that gives up waiting when nothing more can be said of who waits for
/// what, see [`process::hang`](crate::process::hang) (`timeout`).
///
/// ```
/// use harness::check::never_came;
///
/// let gave_up = std::panic::catch_unwind(|| never_came("the shutdown never reached the worker"));
/// assert!(gave_up.is_err());
/// ```
#[track_caller]
pub fn never_came(what: impl std::fmt::Display) -> ! {
    crate::detect::raise(crate::protocol::FailureKind::Deadlock, what.to_string())
}

/// One declared check.
struct Check {
    name: &'static str,
    modes: Vec<Mode>,
    body: fn(),
}

/// The checks of one kata, declared once and run in every mode they name.
pub struct Checks {
    file: &'static str,
    checks: Vec<Check>,
    roles: Vec<(&'static str, fn())>,
}

impl Checks {
    /// Starts the list; the caller's file is where check failures are recognised as such.
    #[track_caller]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Checks {
            file: Location::caller().file(),
            checks: Vec::new(),
            roles: Vec::new(),
        }
    }

    /// A check run once on real threads: plain results and edge cases. Runs before any other
    /// (and under Miri, when the kata's checks run there).
    pub fn sequential(self, name: &'static str, body: fn()) -> Self {
        self.only(name, &[Mode::Sequential, Mode::Miri], body)
    }

    /// A check run in every concurrent mode: model, explore and stress (and under Miri, when
    /// the kata's checks run there: keep its sizes small in [`Mode::Miri`]).
    pub fn concurrent(self, name: &'static str, body: fn()) -> Self {
        self.only(
            name,
            &[Mode::Model, Mode::Explore, Mode::Stress, Mode::Miri],
            body,
        )
    }

    /// A check run in exactly these modes.
    pub fn only(mut self, name: &'static str, modes: &[Mode], body: fn()) -> Self {
        self.checks.push(Check {
            name,
            modes: modes.to_vec(),
            body,
        });
        self
    }

    /// A role for child processes: `body` runs as a whole child process when a check starts this
    /// binary in the role `name` ([`crate::process::Child::spawn`], [`crate::process::command`]).
    /// The child exits with status 0 when `body` returns, 101 when it panics.
    pub fn role(mut self, name: &'static str, body: fn()) -> Self {
        assert!(
            self.roles.iter().all(|(role, _)| *role != name),
            "two roles are named `{name}`"
        );
        self.roles.push((name, body));
        self
    }

    /// The checks of `backend`, in their declared order: those whose mode it serves.
    fn entries(&self, backend: Backend) -> impl Iterator<Item = (&'static str, Mode, fn())> + '_ {
        self.checks.iter().flat_map(move |check| {
            check
                .modes
                .iter()
                .filter(move |mode| mode.backend() == backend)
                .map(move |&mode| (check.name, mode, check.body))
        })
    }

    /// Serves the runner: `--list` prints this binary's checks as JSON (`--list miri`, asked of
    /// the std build, those Miri runs: it interprets the same file on the same facade);
    /// `--run` runs the one named in the configuration and writes its report; `--ping` exits at
    /// once (the runner sees that it can start the binary); `--role NAME -- ARGS...` runs a role
    /// (a child process of a check). Never returns.
    pub fn run(self) -> ! {
        let args: Vec<String> = std::env::args().skip(1).collect();
        match args.first().map(String::as_str) {
            Some(crate::process::ROLE_FLAG) => crate::process::serve_role(&self.roles, &args[1..]),
            Some("--list") => {
                let backend = match args.get(1).map(String::as_str) {
                    None => Backend::current(),
                    Some("miri") if Backend::current() == Backend::Std => Backend::Miri,
                    Some(other) => {
                        eprintln!("this binary cannot list the checks of `{other}`");
                        std::process::exit(2)
                    }
                };
                let infos: Vec<CheckInfo> = self
                    .entries(backend)
                    .map(|(name, mode, _)| CheckInfo {
                        name: name.to_owned(),
                        mode,
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string(&infos).expect("check names serialize")
                );
                std::process::exit(0)
            }
            Some(PING_FLAG) => std::process::exit(0),
            Some("--run") => self.run_configured(&args[1..]),
            _ => {
                eprintln!(
                    "this program holds a kata's checks; run them with `cargo xtask check <kata>`"
                );
                std::process::exit(2)
            }
        }
    }

    fn run_configured(self, arguments: &[String]) -> ! {
        let (config, report_to) = match read_environment(arguments) {
            Ok(found) => found,
            Err(message) => {
                eprintln!("{message}");
                std::process::exit(2)
            }
        };
        // Found without copying every check's name: under Miri, each byte copied is
        // interpreted.
        let Some((index, (_, _, body))) = self
            .entries(Backend::current())
            .enumerate()
            .find(|(_, (name, mode, _))| *name == config.check && *mode == config.mode)
        else {
            eprintln!(
                "no {} check named `{}` in this binary",
                config.mode, config.check
            );
            std::process::exit(2)
        };
        let config = context::begin(config, report_to);
        failure::install(self.file, report::provisional);
        let result = engine::run(config, index, body);
        report::finish(result)
    }
}

/// Reads the runner's configuration and deletes its file, so the code under test cannot read
/// the nonce back (from the environment, or from `/proc/self/environ`); or, under Miri, takes it
/// from the arguments (`--inline <json>`, see [`INLINE_FLAG`]), and reports on stdout.
fn read_environment(arguments: &[String]) -> Result<(RunConfig, ReportTo), String> {
    if let [flag, json] = arguments {
        if flag == INLINE_FLAG {
            let config = serde_json::from_str(json).map_err(|e| format!("bad {flag}: {e}"))?;
            return Ok((config, ReportTo::Stdout));
        }
    }
    let from_environment =
        |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let (path, report) = (from_environment(CONFIG_ENV)?, from_environment(REPORT_ENV)?);
    std::env::remove_var(CONFIG_ENV);
    std::env::remove_var(REPORT_ENV);
    let config = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    std::fs::remove_file(&path).map_err(|e| format!("cannot remove {path}: {e}"))?;
    let config = serde_json::from_str(&config).map_err(|e| format!("bad {path}: {e}"))?;
    Ok((config, ReportTo::File(report)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nothing() {}

    #[test]
    fn each_backend_gets_the_checks_of_its_modes_in_declared_order() {
        let checks = Checks::new()
            .sequential("plain", nothing)
            .concurrent("threads", nothing)
            .only("explored", &[Mode::Explore], nothing)
            .only("interpreted", &[Mode::Miri], nothing);
        let of = |backend| {
            let entries = checks.entries(backend);
            entries
                .map(|(name, mode, _)| (name, mode))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            of(Backend::Miri),
            [
                ("plain", Mode::Miri),
                ("threads", Mode::Miri),
                ("interpreted", Mode::Miri)
            ]
        );
        assert_eq!(
            of(Backend::Std),
            [("plain", Mode::Sequential), ("threads", Mode::Stress)]
        );
    }
}
