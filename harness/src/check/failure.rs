//! Turning panics into [`Failure`]s: every panic of a check run passes through one hook, which
//! remembers it, tells where it came from, and leaves a provisional report behind in case the
//! engine aborts the process next (loom does, on a deadlock).

use std::any::Any;
use std::panic::{self, Location, PanicHookInfo};

use crate::analysis;
use crate::detect::Detection;
use crate::protocol::{Event, Failure, FailureKind, Origin};
use crate::trace;

/// The payload of [`deliberate_panic`](super::deliberate_panic): a panic the check itself causes
/// inside the code under test (a job that fails on purpose), which that code may contain.
#[derive(Debug)]
pub(crate) struct Deliberate(pub(crate) String);

/// Installs the hook. `check_file` is the file the checks were declared in; `on_failure` runs
/// after each panic is recorded, with the failure the run would report now.
pub(crate) fn install(check_file: &'static str, on_failure: fn(&Failure)) {
    panic::set_hook(Box::new(move |info| {
        // The code under test may catch it, as it should; if it escapes, the engine reports it.
        if info.payload().is::<Deliberate>() {
            return;
        }
        let failure = from_panic(info, check_file);
        mark_in_trace(&failure);
        let chosen = {
            let mut panics = crate::context::panics();
            panics.push(failure);
            choose(&panics)
        };
        if let Some(chosen) = chosen {
            on_failure(&chosen);
        }
    }));
}

/// Records the step where a thread of the kata or of the check panicked, so that the
/// interleaving can show where the promise broke and leave out what unwinding did after it.
/// Failures of the whole execution (a deadlock, a leak) and the engines' own panics, which may
/// come from outside any thread of the run, mark nothing.
fn mark_in_trace(failure: &Failure) {
    let what = match (failure.kind, failure.origin) {
        (FailureKind::Deadlock | FailureKind::Livelock | FailureKind::Leak, _) => return,
        (FailureKind::Hang | FailureKind::Exhausted, _) => return,
        (_, Origin::Other) => return,
        (_, Origin::Kata) => "panics",
        (_, Origin::Check) => "the check fails",
    };
    trace::record_failure(what, failure.location.clone());
}

/// The failure that explains the execution: the first panic where one thread runs at a time;
/// with real threads, the first panic of a thread other than `main` (whose own panic is usually
/// a `join().unwrap()` of it), else the last one.
pub(crate) fn current() -> Option<Failure> {
    choose(&crate::context::panics())
}

fn choose(panics: &[Failure]) -> Option<Failure> {
    let engine_schedules = crate::protocol::Backend::current() != crate::protocol::Backend::Std;
    if engine_schedules {
        return panics.first().cloned();
    }
    panics
        .iter()
        .find(|failure| {
            failure
                .thread
                .as_deref()
                .is_some_and(|thread| thread != "main")
        })
        .or(panics.last())
        .cloned()
}

fn from_panic(info: &PanicHookInfo<'_>, check_file: &str) -> Failure {
    let (kind, message) = kind_and_message(info.payload());
    let message = in_plain_words(kind, message, &trace::try_snapshot());
    let origin = info
        .location()
        .map_or(Origin::Other, |at| origin(at, check_file));
    // An engine's own source line tells a learner nothing.
    let location = info
        .location()
        .filter(|_| origin != Origin::Other)
        .map(|at| format!("{}:{}", at.file(), at.line()));
    Failure {
        kind,
        message,
        location,
        origin,
        // Only real threads can be asked safely from inside a panic; under the engines the
        // trace's last step shows which thread was running.
        thread: match crate::protocol::Backend::current() {
            crate::protocol::Backend::Std => std::thread::current().name().map(str::to_owned),
            _ => None,
        },
    }
}

/// Why the model checker gave up on a thread that overflowed its stack: an engine's limit, not
/// a verdict on the kata, so it is a [`FailureKind::Hang`], which later modes set aside.
#[cfg(feature = "model")]
const STACK_OVERFLOW: &str = "a thread overflowed the small stack loom runs it on (32 KiB \
    unless it was spawned with a larger one), so the model checker could not go on; a \
    collector that runs now and then on whichever thread (crossbeam-epoch's) can need more";

/// The failure kind and message a panic payload stands for.
pub(crate) fn kind_and_message(payload: &(dyn Any + Send)) -> (FailureKind, String) {
    if let Some(detected) = payload.downcast_ref::<Detection>() {
        return (detected.kind, detected.message.clone());
    }
    if let Some(Deliberate(what)) = payload.downcast_ref::<Deliberate>() {
        return (
            FailureKind::Panic,
            format!(
                "the check made a job panic on purpose ({what}) and that panic was not contained: \
                 it ended a thread the code under test still needed"
            ),
        );
    }
    #[cfg(feature = "model")]
    if let Some(generator::Error::StackErr) = payload.downcast_ref::<generator::Error>() {
        return (FailureKind::Hang, STACK_OVERFLOW.to_owned());
    }
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    (kind_of_message(&message), message)
}

/// Rewrites an engine's message about the whole execution in terms of the kata's threads and
/// locks, as the trace shows them.
fn in_plain_words(kind: FailureKind, message: String, events: &[Event]) -> String {
    let threads = analysis::threads(events);
    match kind {
        FailureKind::Deadlock if analysis::all_blocked(&threads) => {
            format!(
                "every thread is stuck: {}",
                analysis::describe_blocked(&threads)
            )
        }
        FailureKind::Livelock => {
            let running: Vec<String> = threads
                .iter()
                .filter(|state| !state.finished && state.waits.is_none())
                .map(|state| format!("`{}`", state.thread))
                .collect();
            let who = match running.as_slice() {
                [] => "threads".to_owned(),
                [one] => one.clone(),
                many => many.join(", "),
            };
            format!(
                "{who} kept running for {} steps without the execution finishing: a loop waits \
                 for progress that never comes",
                trace::steps()
            )
        }
        FailureKind::Causality if message.contains("from cell") => {
            let (doing, held) = match message.contains("reading") {
                true => ("wrote to", "a read"),
                false => ("used", "a write"),
            };
            format!(
                "two threads used the same `UnsafeCell` at once: one {doing} it while another \
                 still held {held} access (a guard's `ConstPtr` or `MutPtr`): a data race"
            )
        }
        FailureKind::Causality => format!(
            "two threads touched the same memory and nothing orders one access before the \
             other: a data race. To order them, publish with a `Release` store (or a lock) \
             after writing, and read the flag with an `Acquire` load (or the same lock) before \
             reading. {}",
            message.trim()
        ),
        _ => message,
    }
}

/// Whether `file` belongs to the checks: the kata's check file, or a helper beside it in the
/// checks crate (shared scenarios, validators).
fn in_checks(file: &str, check_file: &str) -> bool {
    let file = std::path::Path::new(file);
    match std::path::Path::new(check_file).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => file.starts_with(dir),
        _ => file == std::path::Path::new(check_file),
    }
}

/// Recognises the engines' own failure messages.
pub(crate) fn kind_of_message(message: &str) -> FailureKind {
    let starts = |prefix: &str| message.trim_start().starts_with(prefix);
    if starts("not yet implemented") || starts("not implemented") {
        FailureKind::NotImplemented
    } else if starts("deadlock; threads") || starts("deadlock! blocked tasks") {
        FailureKind::Deadlock
    } else if starts("Model exceeded maximum number of branches")
        || starts("exceeded max_steps bound")
    {
        FailureKind::Livelock
    } else if message.contains("Causality violation")
        || starts("currently reading from cell")
        || starts("currently writing to cell")
    {
        FailureKind::Causality
    } else if starts("Arc leaked") || starts("Allocation leaked") {
        FailureKind::Leak
    } else {
        FailureKind::Panic
    }
}

fn origin(location: &Location<'_>, check_file: &str) -> Origin {
    let file = location.file();
    if in_checks(file, check_file) || file.contains("harness/src/") {
        Origin::Check
    } else if file.starts_with("/rustc/")
        || file.contains("/.cargo/")
        || file.starts_with("library/")
    {
        Origin::Other
    } else {
        Origin::Kata
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_messages_have_their_kinds() {
        let cases = [
            ("not yet implemented", FailureKind::NotImplemented),
            ("not implemented: hit", FailureKind::NotImplemented),
            ("deadlock; threads = [(0, Blocked)]", FailureKind::Deadlock),
            (
                "deadlock! blocked tasks: [main-thread]",
                FailureKind::Deadlock,
            ),
            (
                "Model exceeded maximum number of branches. This is often caused",
                FailureKind::Livelock,
            ),
            (
                "exceeded max_steps bound 100. this might",
                FailureKind::Livelock,
            ),
            (
                "\nCausality violation: Concurrent read and write accesses.",
                FailureKind::Causality,
            ),
            ("Arc leaked.\n  Index: 0", FailureKind::Leak),
            ("currently reading from cell", FailureKind::Causality),
            ("assertion `left == right` failed", FailureKind::Panic),
        ];
        for (message, kind) in cases {
            assert_eq!(kind_of_message(message), kind, "{message}");
        }
    }

    #[test]
    fn files_beside_the_check_file_are_the_checks() {
        let check = "/repo/tests/fair_rwlock.rs";
        assert!(in_checks("/repo/tests/fair_rwlock.rs", check));
        assert!(in_checks("/repo/tests/rwlock.rs", check));
        assert!(in_checks("/repo/tests/validators/barbershop.rs", check));
        assert!(!in_checks("/repo/solutions/fair_rwlock/lib.rs", check));
        assert!(in_checks("checks.rs", "checks.rs"));
        assert!(!in_checks("lib.rs", "checks.rs"));
    }

    #[test]
    fn detector_payloads_keep_their_kind() {
        let payload: Box<dyn Any + Send> = Box::new(Detection {
            kind: FailureKind::Starvation,
            message: "bypassed".into(),
        });
        assert_eq!(
            kind_and_message(&*payload),
            (FailureKind::Starvation, "bypassed".to_owned())
        );
        let payload: Box<dyn Any + Send> = Box::new("total is 1");
        assert_eq!(
            kind_and_message(&*payload),
            (FailureKind::Panic, "total is 1".to_owned())
        );
    }
}
