//! Reading a trace: which locks each thread holds, and what it waits for.
//!
//! ```
//! use harness::analysis::{all_blocked, threads};
//! use harness::protocol::{Event, Op};
//!
//! let step = |thread: &str, op, resource: &str| Event {
//!     thread: thread.into(),
//!     op,
//!     resource: Some(resource.into()),
//!     detail: None,
//!     location: None,
//!     saw: None,
//!     left: None,
//! };
//! let events = [
//!     step("thread 1", Op::Locked, "fork 0"),
//!     step("thread 2", Op::Locked, "fork 1"),
//!     step("thread 1", Op::Lock, "fork 1"),
//!     step("thread 2", Op::Lock, "fork 0"),
//! ];
//! let threads = threads(&events);
//! assert_eq!(threads[0].holds, ["fork 0"]);
//! assert!(all_blocked(&threads));
//! ```

use crate::protocol::{Event, Op};

/// What one thread was doing when the trace ends.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ThreadState {
    /// The thread's name.
    pub thread: String,
    /// Locks it holds, in the order it took them.
    pub holds: Vec<String>,
    /// What it is blocked on, if its last step was to start waiting.
    pub waits: Option<Blocked>,
    /// Whether the thread has ended.
    pub finished: bool,
}

/// What a thread is blocked on.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Blocked {
    /// [`Op::Lock`], [`Op::Wait`], [`Op::Join`] or [`Op::Park`].
    pub op: Op,
    /// The lock or condvar, or the thread being joined.
    pub on: String,
    /// Where the thread started waiting.
    pub location: Option<String>,
    /// For a condvar wait: the step (numbered from 1, as in the trace's table) of the last
    /// notify on that condvar before the wait began, which the wait therefore missed.
    pub missed_notify: Option<usize>,
}

/// Every thread of the trace, in order of first appearance.
pub fn threads(events: &[Event]) -> Vec<ThreadState> {
    let mut states = Vec::new();
    for step in 0..events.len() {
        apply(&mut states, events, step);
    }
    states
}

/// Calls `visit` with each step's number (from 0) and the threads right after it: what
/// [`threads`] gives for `&events[..=step]`, in one pass over the trace.
///
/// ```
/// # use harness::protocol::{Event, Op};
/// # let step = |op, lock: &str| Event { thread: "t".into(), op, resource: Some(lock.into()),
/// #     detail: None, location: None, saw: None, left: None };
/// let events = [step(Op::Locked, "a"), step(Op::Unlock, "a")];
/// let mut held = Vec::new();
/// harness::analysis::each_step(&events, |_, threads| held.push(threads[0].holds.len()));
/// assert_eq!(held, [1, 0]);
/// ```
pub fn each_step(events: &[Event], mut visit: impl FnMut(usize, &[ThreadState])) {
    let mut states = Vec::new();
    for step in 0..events.len() {
        apply(&mut states, events, step);
        visit(step, &states);
    }
}

/// Updates `states` with `events[step]`, the events before it already applied.
fn apply(states: &mut Vec<ThreadState>, events: &[Event], step: usize) {
    let event = &events[step];
    let index = match states.iter().position(|s| s.thread == event.thread) {
        Some(index) => index,
        None => {
            states.push(ThreadState {
                thread: event.thread.clone(),
                holds: Vec::new(),
                waits: None,
                finished: false,
            });
            states.len() - 1
        }
    };
    let state = &mut states[index];
    let resource = event.resource.clone().unwrap_or_default();
    let detail = event.detail.clone().unwrap_or_default();
    state.waits = None;
    match event.op {
        Op::Locked => state.holds.push(resource),
        Op::Woken => state.holds.push(detail),
        Op::Unlock => remove(&mut state.holds, &resource),
        Op::Lock => state.waits = Some(blocked(Op::Lock, resource, event)),
        Op::Wait => {
            remove(&mut state.holds, &detail);
            let on_it = |earlier: &Event| earlier.resource.as_deref() == Some(&resource);
            let last_woken = events[..step].iter().rposition(|earlier| {
                earlier.op == Op::Woken && earlier.thread == event.thread && on_it(earlier)
            });
            let missed_notify = events[..step]
                .iter()
                .rposition(|earlier| {
                    matches!(earlier.op, Op::NotifyOne | Op::NotifyAll) && on_it(earlier)
                })
                .filter(|&notify| last_woken.is_none_or(|woken| notify > woken))
                .map(|notify| notify + 1);
            state.waits = Some(Blocked {
                missed_notify,
                ..blocked(Op::Wait, resource, event)
            });
        }
        Op::Join => state.waits = Some(blocked(Op::Join, detail, event)),
        Op::Park => state.waits = Some(blocked(Op::Park, String::new(), event)),
        Op::Exit => state.finished = true,
        _ => {}
    }
}

fn blocked(op: Op, on: String, event: &Event) -> Blocked {
    Blocked {
        op,
        on,
        location: event.location.clone(),
        missed_notify: None,
    }
}

fn remove(holds: &mut Vec<String>, resource: &str) {
    if let Some(index) = holds.iter().rposition(|held| held == resource) {
        holds.remove(index);
    }
}

/// Whether every thread that has not ended is blocked (and there is at least one).
pub fn all_blocked(threads: &[ThreadState]) -> bool {
    let mut live = threads.iter().filter(|state| !state.finished).peekable();
    live.peek().is_some() && live.all(|state| state.waits.is_some())
}

/// "`thread 1` holds `A` and waits for `B`; ..." for every blocked thread.
pub fn describe_blocked(threads: &[ThreadState]) -> String {
    let lines: Vec<String> = threads
        .iter()
        .filter(|state| state.waits.is_some())
        .filter_map(describe)
        .collect();
    lines.join("; ")
}

/// What one thread holds and waits for, in words; `None` for a thread that does neither.
///
/// ```
/// use harness::analysis::{describe, Blocked, ThreadState};
/// use harness::protocol::Op;
///
/// let state = ThreadState {
///     thread: "philosopher 0".into(),
///     holds: vec!["fork 0".into()],
///     waits: Some(Blocked {
///         op: Op::Lock,
///         on: "fork 1".into(),
///         location: None,
///         missed_notify: None,
///     }),
///     finished: false,
/// };
/// assert_eq!(
///     describe(&state).unwrap(),
///     "`philosopher 0` holds `fork 0` and waits for `fork 1`"
/// );
/// ```
pub fn describe(state: &ThreadState) -> Option<String> {
    let held = state
        .holds
        .iter()
        .map(|held| format!("`{held}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let Some(waits) = &state.waits else {
        return (!state.holds.is_empty())
            .then(|| format!("`{}` holds {held} and is not waiting", state.thread));
    };
    let what = match waits.op {
        Op::Lock if state.holds.contains(&waits.on) => {
            format!("waits for `{}`, which it already holds", waits.on)
        }
        Op::Lock => format!("waits for `{}`", waits.on),
        Op::Wait => match waits.missed_notify {
            Some(step) => format!(
                "waits on `{}` for a notify that never comes: the last one, at step {step}, came \
                 before this wait began, and a notify wakes only threads already waiting",
                waits.on
            ),
            None => format!("waits on `{}` for a notify that never comes", waits.on),
        },
        Op::Park => "is parked, waiting for an unpark that never comes".to_owned(),
        _ => format!("waits for `{}` to finish", waits.on),
    };
    Some(match state.holds.as_slice() {
        [] => format!("`{}` {what}", state.thread),
        _ => format!("`{}` holds {held} and {what}", state.thread),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(thread: &str, op: Op, resource: Option<&str>, detail: Option<&str>) -> Event {
        Event {
            thread: thread.into(),
            op,
            resource: resource.map(Into::into),
            detail: detail.map(Into::into),
            location: Some("src/lib.rs:9".into()),
            saw: None,
            left: None,
        }
    }

    #[test]
    fn a_lock_cycle_is_all_blocked_and_named() {
        let events = [
            event("thread 1", Op::Locked, Some("A"), None),
            event("thread 2", Op::Locked, Some("B"), None),
            event("thread 1", Op::Lock, Some("B"), None),
            event("thread 2", Op::Lock, Some("A"), None),
            event("main", Op::Join, None, Some("thread 1")),
        ];
        let threads = threads(&events);
        assert!(all_blocked(&threads));
        assert_eq!(
            describe_blocked(&threads),
            "`thread 1` holds `A` and waits for `B`; `thread 2` holds `B` and waits for `A`; \
             `main` waits for `thread 1` to finish"
        );
    }

    #[test]
    fn a_lost_wakeup_names_the_condvar() {
        let events = [
            event("thread 1", Op::Locked, Some("M"), None),
            event("thread 1", Op::Wait, Some("C"), Some("M")),
            event("thread 2", Op::Locked, Some("M"), None),
            event("thread 2", Op::Unlock, Some("M"), None),
            event("thread 2", Op::Exit, None, None),
        ];
        let threads = threads(&events);
        assert!(threads[0].holds.is_empty());
        assert!(all_blocked(&threads));
        assert_eq!(
            describe_blocked(&threads),
            "`thread 1` waits on `C` for a notify that never comes"
        );
    }

    #[test]
    fn a_notify_before_the_wait_is_named_as_missed() {
        let events = [
            event("thread 2", Op::Locked, Some("M"), None),
            event("thread 2", Op::NotifyOne, Some("C"), None),
            event("thread 2", Op::Unlock, Some("M"), None),
            event("thread 1", Op::Locked, Some("M"), None),
            event("thread 1", Op::Wait, Some("C"), Some("M")),
        ];
        let threads = threads(&events);
        let waits = threads[1].waits.as_ref().unwrap();
        assert_eq!(waits.missed_notify, Some(2));
        assert!(describe_blocked(&threads).contains("the last one, at step 2, came before"));

        // A notify the thread woke from is not one it missed.
        let again = [
            event("thread 1", Op::Wait, Some("C"), Some("M")),
            event("thread 2", Op::NotifyOne, Some("C"), None),
            event("thread 1", Op::Woken, Some("C"), Some("M")),
            event("thread 1", Op::Wait, Some("C"), Some("M")),
        ];
        let woken_first = super::threads(&again);
        assert_eq!(woken_first[0].waits.as_ref().unwrap().missed_notify, None);
    }

    #[test]
    fn a_running_thread_is_not_blocked() {
        let events = [
            event("thread 1", Op::Lock, Some("A"), None),
            event("thread 2", Op::Load, Some("flag"), None),
        ];
        assert!(!all_blocked(&threads(&events)));
        assert!(!all_blocked(&[]));
    }

    #[test]
    fn relocking_a_held_lock_says_so() {
        let events = [
            event("main", Op::Locked, Some("A"), None),
            event("main", Op::Lock, Some("A"), None),
        ];
        assert_eq!(
            describe_blocked(&threads(&events)),
            "`main` holds `A` and waits for `A`, which it already holds"
        );
    }
}
