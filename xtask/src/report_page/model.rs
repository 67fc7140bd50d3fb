//! What the report page shows of one failing check, worked out from its trace: a row per step
//! with the state after it (who holds which lock, who waits for what, each atomic's last value),
//! which step woke a condvar waiter, and for a deadlock the wait-for graph with its cycle.

use std::collections::BTreeMap;
use std::path::Path;

use harness::analysis;
use harness::protocol::{Event, Op};
use harness::verdict::Verdict;
use serde::Serialize;

use super::history::{self, History};
use crate::explain;
use crate::results::{CheckResult, KataRun};

/// The most steps a page shows; the rest are counted.
pub const MOST_STEPS: usize = 2_000;

/// Lines shown above and below a step's source line.
const CONTEXT_LINES: usize = 3;

/// Everything the page's script draws, as JSON.
#[derive(Serialize, Debug)]
pub struct Page {
    pub kata: String,
    pub source: String,
    pub check: String,
    pub mode: String,
    pub verdict: String,
    pub message: String,
    pub location: Option<String>,
    /// The verdict's one-line meaning and its "What this means" paragraph.
    pub meaning: String,
    pub advice: String,
    pub replay: Option<String>,
    pub threads: Vec<String>,
    /// The locks of the trace (short names), one bar column each.
    pub locks: Vec<String>,
    pub steps: Vec<Step>,
    /// Steps of the trace not shown ([`MOST_STEPS`]).
    pub left_out: usize,
    /// The step where the check failed, if one marks it.
    pub failing_step: Option<usize>,
    /// For a deadlock: who holds and who waits, as a graph.
    pub graph: Option<Graph>,
    /// For a starvation: the waiter passed over most, by whom and how often.
    pub overtaken: Option<Overtaken>,
    /// For results no one-call-at-a-time order explains: the calls, as intervals.
    pub history: Option<History>,
    /// Each `file:line` of a step, with the lines around it.
    pub sources: BTreeMap<String, Excerpt>,
}

/// One step, and the state right after it.
#[derive(Serialize, Debug)]
pub struct Step {
    /// Index into [`Page::threads`].
    pub thread: usize,
    /// "lock fork 1", "load AtomicU64 #1 saw 3".
    pub text: String,
    pub location: Option<String>,
    /// A step to look at: the failure, or a step at the failure's line.
    pub marked: bool,
    /// For a wake from a condvar wait: the step of the notify before it on that condvar.
    pub woken_by: Option<usize>,
    /// A condvar wait, or a park, that nothing ended before the trace does: the notify (or
    /// unpark) never came.
    pub never_woken: bool,
    /// For a condvar wait: the step of the last notify on that condvar before the wait began,
    /// which it missed (a notify wakes only threads already waiting).
    pub missed_notify: Option<usize>,
    /// A load that saw another value than the last write the steps show (the model checker
    /// lets a thread that does not synchronise read an older write).
    pub older_write: bool,
    /// One of the accesses a race names, which nothing orders (the model checker's report).
    pub conflicting: bool,
    /// For each of [`Page::locks`], the thread holding it after this step.
    pub holders: Vec<Option<usize>>,
    /// Per thread, what it waits for after this step.
    pub waiting: Vec<Option<String>>,
    /// Each atomic's last known value after this step.
    pub atomics: Vec<(String, String)>,
}

/// Threads and locks, with who holds and who waits for what.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Node {
    pub label: String,
    pub lock: bool,
    pub in_cycle: bool,
}

/// From a thread to the lock it waits for ("waits for"), or from a lock to its holder ("held
/// by").
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub label: String,
    pub in_cycle: bool,
}

/// One waiter and the threads that went in while it waited (a starvation).
#[derive(Serialize, Debug, PartialEq, Eq, Clone)]
pub struct Overtaken {
    pub waiter: String,
    pub resource: String,
    /// Each thread that went in ahead of it, and how often.
    pub by: Vec<(String, usize)>,
    /// How many times in all a waiter may be passed over, when the failure says.
    pub bound: Option<usize>,
}

/// A source line and the lines around it.
#[derive(Serialize, Debug)]
pub struct Excerpt {
    /// The number of the first line shown.
    pub first: usize,
    pub lines: Vec<String>,
    /// The step's own line.
    pub line: usize,
}

/// The page of `run`'s first failing check, or `None` when it passed or left no trace to show.
/// Source lines are read from files under `root` only.
pub fn of_run(run: &KataRun, root: &Path) -> Option<Page> {
    let check = run.checks.iter().find(|c| c.verdict != Verdict::Pass)?;
    let report = check.report.as_ref()?;
    if report.trace.is_empty() {
        return None;
    }
    Some(of_check(run, check, &report.trace, root))
}

fn of_check(run: &KataRun, check: &CheckResult, trace: &[Event], root: &Path) -> Page {
    let failure = check.failure();
    let whole = trace;
    let (trace, left_out) = match trace.len() > MOST_STEPS {
        true => (&trace[..MOST_STEPS], trace.len() - MOST_STEPS),
        false => (trace, 0),
    };
    let threads = explain::threads(trace);
    let locks = locks(trace);
    let failing_step = failure.and_then(|failure| {
        let (upto, after) = explain::up_to_failure(trace, failure);
        (after > 0 || upto.last().is_some_and(|e| e.op == Op::Fail)).then(|| upto.len() - 1)
    });
    let failure_line = failure.and_then(|f| f.location.clone());
    let conflicting = conflicting_steps(trace, &check.message, failing_step);
    let mut atomics: BTreeMap<String, String> = BTreeMap::new();
    let mut steps = Vec::with_capacity(trace.len());
    analysis::each_step(trace, |at, state| {
        let event = &trace[at];
        if let (Some(resource), Some(value)) =
            (&event.resource, event.left.as_ref().or(event.saw.as_ref()))
        {
            atomics.insert(explain::short_name(resource).to_owned(), value.clone());
        }
        let holder = |lock: &String| {
            state.iter().position(|thread| {
                thread
                    .holds
                    .iter()
                    .any(|held| explain::short_name(held) == lock)
            })
        };
        let blocked = |name: &String| {
            let thread = state.iter().find(|t| &t.thread == name)?;
            thread.waits.as_ref()
        };
        let waiting = threads
            .iter()
            .map(|name| {
                let blocked = blocked(name)?;
                Some(format!(
                    "{} {}",
                    blocked.op.verb(),
                    explain::short_name(&blocked.on)
                ))
            })
            .collect();
        let missed_notify = (event.op == Op::Wait)
            .then(|| blocked(&event.thread)?.missed_notify)
            .flatten()
            .map(|step| step - 1);
        steps.push(Step {
            thread: threads.iter().position(|t| *t == event.thread).unwrap_or(0),
            text: explain::describe(event),
            location: event.location.clone(),
            marked: Some(at) == failing_step
                || (event.location.is_some() && event.location == failure_line),
            woken_by: woken_by(trace, at),
            never_woken: never_woken(whole, at),
            missed_notify,
            older_write: event
                .detail
                .as_deref()
                .is_some_and(|detail| detail.contains(explain::OLDER_WRITE)),
            conflicting: conflicting.contains(&at),
            holders: locks.iter().map(holder).collect(),
            waiting,
            atomics: atomics
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        });
    });
    let graph = (check.verdict == Verdict::Deadlock).then(|| graph(trace));
    let overtaken = (check.verdict == Verdict::Starvation)
        .then(|| overtaken(trace, &check.message))
        .flatten();
    let sources = steps
        .iter()
        .filter_map(|step| step.location.clone())
        .chain(failure_line.clone())
        .filter_map(|location| Some((location.clone(), excerpt(root, &location)?)))
        .collect();
    Page {
        kata: run.kata.clone(),
        source: run.source.clone(),
        check: check.name.clone(),
        mode: check.mode.to_string(),
        verdict: check.verdict.to_string(),
        message: check.message.clone(),
        location: failure_line,
        meaning: check.verdict.meaning().to_owned(),
        advice: crate::output::advice_of(check).to_owned(),
        replay: check.replay.clone(),
        threads,
        locks,
        steps,
        left_out,
        failing_step,
        graph: graph.filter(|graph| !graph.nodes.is_empty()),
        overtaken,
        history: history::read(&check.message),
        sources,
    }
}

/// The locks taken in `trace` (short names), in order of first appearance.
fn locks(trace: &[Event]) -> Vec<String> {
    let mut locks: Vec<String> = Vec::new();
    for event in trace {
        let lock = match event.op {
            Op::Lock | Op::Locked | Op::Unlock => event.resource.as_deref(),
            Op::Wait | Op::Woken => event.detail.as_deref(),
            _ => None,
        };
        if let Some(lock) = lock.map(explain::short_name) {
            if !locks.iter().any(|known| known == lock) {
                locks.push(lock.to_owned());
            }
        }
    }
    locks
}

/// For a wake from a condvar wait at `at`: the last notify on that condvar before it.
fn woken_by(trace: &[Event], at: usize) -> Option<usize> {
    let event = &trace[at];
    if event.op != Op::Woken {
        return None;
    }
    trace[..at].iter().rposition(|earlier| {
        matches!(earlier.op, Op::NotifyOne | Op::NotifyAll) && earlier.resource == event.resource
    })
}

/// Whether the condvar wait or park at `at` never ends in `trace`: its thread takes no step
/// after it (a wait that ends, even spuriously, is followed by the thread's wake).
fn never_woken(trace: &[Event], at: usize) -> bool {
    let event = &trace[at];
    matches!(event.op, Op::Wait | Op::Park)
        && !trace[at + 1..]
            .iter()
            .any(|later| later.thread == event.thread)
}

/// The steps of the accesses a race report names, each the last step at its place up to the
/// failure: loom's "Causality violation" lists them one a line, `load: thread #1 @ file:line:col`
/// (and where the memory was `created:`).
fn conflicting_steps(trace: &[Event], message: &str, failing: Option<usize>) -> Vec<usize> {
    if !message.contains("Causality violation") {
        return Vec::new();
    }
    let upto = failing.map_or(trace.len(), |at| at + 1);
    message
        .lines()
        .filter_map(|line| {
            let (kind, place) = line.trim().split_once(": ")?;
            let is_word = |c: char| c.is_ascii_lowercase() || c == '_';
            if !kind.chars().all(is_word) {
                return None;
            }
            let place = place.rsplit_once(" @ ").map_or(place, |(_, place)| place);
            let (file_line, column) = place.rsplit_once(':')?;
            column.parse::<u32>().ok()?;
            trace[..upto]
                .iter()
                .rposition(|event| event.location.as_deref() == Some(file_line))
        })
        .collect()
}

/// The wait-for graph at the end of `trace`: each thread that waits for a lock points to the
/// lock, each held lock to its holder; the edges and nodes of a cycle are marked.
pub fn graph(trace: &[Event]) -> Graph {
    let state = analysis::threads(trace);
    let mut nodes: Vec<Node> = Vec::new();
    let node = |label: &str, lock: bool, nodes: &mut Vec<Node>| -> usize {
        match nodes
            .iter()
            .position(|n| n.label == label && n.lock == lock)
        {
            Some(at) => at,
            None => {
                nodes.push(Node {
                    label: label.to_owned(),
                    lock,
                    in_cycle: false,
                });
                nodes.len() - 1
            }
        }
    };
    let mut edges = Vec::new();
    for thread in &state {
        let Some(blocked) = &thread.waits else {
            continue;
        };
        if blocked.op != Op::Lock {
            continue;
        }
        let waiter = node(&thread.thread, false, &mut nodes);
        let lock = node(explain::short_name(&blocked.on), true, &mut nodes);
        edges.push((waiter, lock, "waits for"));
        let holder = state.iter().find(|other| other.holds.contains(&blocked.on));
        if let Some(holder) = holder {
            let holder = node(&holder.thread, false, &mut nodes);
            edges.push((lock, holder, "held by"));
        }
    }
    // A node is on a cycle when following the edges from it leads back to it.
    let next = |from: usize| edges.iter().filter(move |e| e.0 == from).map(|e| e.1);
    let on_cycle = |start: usize| {
        let mut seen = vec![false; nodes.len()];
        let mut stack: Vec<usize> = next(start).collect();
        while let Some(at) = stack.pop() {
            if at == start {
                return true;
            }
            if !std::mem::replace(&mut seen[at], true) {
                stack.extend(next(at));
            }
        }
        false
    };
    let cycle: Vec<bool> = (0..nodes.len()).map(on_cycle).collect();
    for (node, in_cycle) in nodes.iter_mut().zip(&cycle) {
        node.in_cycle = *in_cycle;
    }
    Graph {
        edges: edges
            .iter()
            .map(|&(from, to, label)| Edge {
                from,
                to,
                label: label.to_owned(),
                in_cycle: cycle[from] && cycle[to],
            })
            .collect(),
        nodes,
    }
}

/// The waiter passed over most in `trace`, counted as the bypass detector counts: while a thread
/// waits for a watched resource (from its `arrive` to its `enter`), every other thread that
/// enters it passes it over once. The bound is the one `message` states ("at most 3").
pub fn overtaken(trace: &[Event], message: &str) -> Option<Overtaken> {
    let mut waiting: Vec<Overtaken> = Vec::new();
    let mut worst: Option<Overtaken> = None;
    for event in trace {
        let Some(resource) = event.resource.as_deref().map(explain::short_name) else {
            continue;
        };
        match event.op {
            Op::Arrive => waiting.push(Overtaken {
                waiter: event.thread.clone(),
                resource: resource.to_owned(),
                by: Vec::new(),
                bound: None,
            }),
            Op::Enter => {
                waiting.retain(|w| !(w.resource == resource && w.waiter == event.thread));
                for waiter in waiting.iter_mut().filter(|w| w.resource == resource) {
                    match waiter.by.iter_mut().find(|(t, _)| *t == event.thread) {
                        Some((_, times)) => *times += 1,
                        None => waiter.by.push((event.thread.clone(), 1)),
                    }
                }
                for waiter in &waiting {
                    if worst.as_ref().is_none_or(|w| waiter.times() > w.times()) {
                        worst = Some(waiter.clone());
                    }
                }
            }
            _ => {}
        }
    }
    let bound = message.split("at most ").nth(1).and_then(|rest| {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    });
    worst
        .filter(|w| w.times() > 0)
        .map(|worst| Overtaken { bound, ..worst })
}

impl Overtaken {
    /// How often the waiter was passed over, in all.
    fn times(&self) -> usize {
        self.by.iter().map(|(_, times)| times).sum()
    }
}

/// The lines around `location` (`path:line`) of a file under `root`.
fn excerpt(root: &Path, location: &str) -> Option<Excerpt> {
    let (path, line) = location.rsplit_once(':')?;
    let line: usize = line.parse().ok()?;
    let path = Path::new(path);
    if path.is_absolute() || path.components().any(|c| c.as_os_str() == "..") {
        return None;
    }
    let text = std::fs::read_to_string(root.join(path)).ok()?;
    let all: Vec<&str> = text.lines().collect();
    let first = line.saturating_sub(CONTEXT_LINES).max(1);
    let last = (line + CONTEXT_LINES).min(all.len());
    (line >= 1 && line <= all.len()).then(|| Excerpt {
        first,
        lines: all[first - 1..last].iter().map(|l| l.to_string()).collect(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(thread: &str, op: Op, resource: &str) -> Event {
        Event {
            thread: thread.into(),
            op,
            resource: Some(resource.into()),
            detail: None,
            location: None,
            saw: None,
            left: None,
        }
    }

    #[test]
    fn a_wait_nothing_ends_is_marked_and_a_race_names_its_steps() {
        let mut trace = vec![
            step("waiter", Op::Wait, "changed"),
            step("other", Op::Wait, "changed"),
            step("waker", Op::NotifyOne, "changed"),
            step("other", Op::Woken, "changed"),
        ];
        assert!(never_woken(&trace, 0) && !never_woken(&trace, 1));
        trace[2].location = Some("src/lib.rs:40".into());
        trace[3].location = Some("src/lib.rs:12".into());
        let message = "a data race. Causality violation: Concurrent load and mut accesses.\n    \
                       created: src/lib.rs:7:19\n       load: thread #1 @ src/lib.rs:12:30\n   \
                       with_mut: thread #0 @ src/lib.rs:40:9";
        assert_eq!(conflicting_steps(&trace, message, Some(3)), [3, 2]);
        assert!(conflicting_steps(&trace, "assertion failed: a: b", Some(3)).is_empty());
    }

    #[test]
    fn a_lock_cycle_is_drawn_with_both_locks_on_it() {
        let trace = [
            step("philosopher 0", Op::Locked, "fork 0"),
            step("philosopher 1", Op::Locked, "fork 1"),
            step("philosopher 0", Op::Lock, "fork 1"),
            step("philosopher 1", Op::Lock, "fork 0"),
        ];
        let graph = graph(&trace);
        let labels: Vec<&str> = graph.nodes.iter().map(|n| n.label.as_str()).collect();
        assert_eq!(
            labels,
            ["philosopher 0", "fork 1", "philosopher 1", "fork 0"]
        );
        assert!(graph.nodes.iter().all(|n| n.in_cycle));
        assert_eq!(graph.edges.len(), 4);
        assert!(graph.edges.iter().all(|e| e.in_cycle));
    }

    #[test]
    fn a_waiter_behind_a_cycle_is_not_on_it() {
        let trace = [
            step("a", Op::Locked, "x"),
            step("b", Op::Locked, "y"),
            step("a", Op::Lock, "y"),
            step("b", Op::Lock, "x"),
            step("c", Op::Lock, "x"),
        ];
        let graph = graph(&trace);
        let c = graph.nodes.iter().find(|n| n.label == "c").unwrap();
        assert!(!c.in_cycle);
        let x = graph.nodes.iter().find(|n| n.label == "x").unwrap();
        assert!(x.in_cycle);
    }

    #[test]
    fn the_waiter_passed_over_most_is_counted_by_overtaker() {
        let trace = [
            step("w", Op::Arrive, "the lock"),
            step("a", Op::Arrive, "the lock"),
            step("a", Op::Enter, "the lock"),
            step("b", Op::Arrive, "the lock"),
            step("b", Op::Enter, "the lock"),
            step("a", Op::Arrive, "the lock"),
            step("a", Op::Enter, "the lock"),
            step("x", Op::Enter, "another lock"),
        ];
        let found = overtaken(&trace, "... went in 3 times; at most 2 are allowed").unwrap();
        assert_eq!(found.waiter, "w");
        assert_eq!(found.by, [("a".to_owned(), 2), ("b".to_owned(), 1)]);
        assert_eq!(found.bound, Some(2));
    }

    #[test]
    fn a_wake_names_the_notify_before_it_and_the_holders_follow_the_steps() {
        let mut wait = step("waiter", Op::Wait, "cv");
        wait.detail = Some("m".into());
        let mut woken = step("waiter", Op::Woken, "cv");
        woken.detail = Some("m".into());
        let trace = [
            step("waiter", Op::Locked, "m"),
            wait,
            step("setter", Op::Locked, "m"),
            step("setter", Op::NotifyOne, "cv"),
            step("setter", Op::Unlock, "m"),
            woken,
        ];
        assert_eq!(woken_by(&trace, 5), Some(3));
        assert_eq!(locks(&trace), ["m"]);
        let state = analysis::threads(&trace[..=2]);
        assert_eq!(state[1].holds, ["m"]);
    }
}
