//! Explaining a failing execution from its trace: the interleaving as a table with one column per
//! thread, and, for deadlocks, who holds what and waits for what.

use harness::analysis;
use harness::protocol::{Event, Failure, Op};

/// Rows of the interleaving shown by default; `--full-trace` shows all.
pub const DEFAULT_ROWS: usize = 25;

/// Widest a table cell gets before it is cut.
const MAX_CELL: usize = 48;

/// The interleaving of `events` as a table: a step column, one column per thread (in order of
/// first appearance) and the source location. With `limit`, only the last `limit` steps are
/// shown, after a line saying how many were left out.
pub fn interleaving(events: &[Event], limit: Option<usize>) -> String {
    let threads = threads(events);
    let skipped = limit.map_or(0, |limit| events.len().saturating_sub(limit));
    let shown = &events[skipped..];

    let mut widths: Vec<usize> = threads.iter().map(|t| width(t)).collect();
    let cells: Vec<(usize, String)> = shown
        .iter()
        .map(|event| {
            let column = threads.iter().position(|t| *t == event.thread).unwrap_or(0);
            let text = cut(&describe(event));
            widths[column] = widths[column].max(width(&text));
            (column, text)
        })
        .collect();
    let step_width = width(&events.len().to_string()).max(4);

    let mut out = String::new();
    if skipped > 0 {
        out.push_str(&format!(
            "({skipped} earlier steps left out; --full-trace shows all)\n"
        ));
    }
    let mut header = vec![String::new(); threads.len()];
    header.clone_from_slice(&threads);
    push_row(
        &mut out,
        &format!("{:>step_width$}", "step"),
        &header,
        &widths,
        "at",
    );
    for (offset, (event, (column, text))) in shown.iter().zip(cells).enumerate() {
        let mut row = vec![String::new(); threads.len()];
        row[column] = text;
        let step = format!("{:>step_width$}", skipped + offset + 1);
        push_row(
            &mut out,
            &step,
            &row,
            &widths,
            event.location.as_deref().unwrap_or(""),
        );
    }
    out
}

/// `events` up to the step where `failure` was raised (a row `✗ the check fails` or `✗ panics`
/// in the failing thread's column), and how many steps came after it: what the failing thread
/// did while its panic unwound, and what others did meanwhile, which only hides the breaking
/// step. All of `events` when no step marks this failure (a deadlock is a state of the whole
/// execution, not a step).
pub fn up_to_failure<'e>(events: &'e [Event], failure: &Failure) -> (&'e [Event], usize) {
    let marks = |event: &Event| {
        event.op == Op::Fail
            && event.location == failure.location
            && failure
                .thread
                .as_ref()
                .is_none_or(|thread| *thread == event.thread)
    };
    match events.iter().position(marks) {
        Some(at) => (&events[..=at], events.len() - at - 1),
        None => (events, 0),
    }
}

/// For each thread that holds a lock or waits: "`t` holds `A` and waits for `B`".
///
/// A thread holds a lock it got (`locked`, `woken`) and has not given back since (`unlock`,
/// `wait`; a condvar event names its lock in its detail). It waits for the resource of its last
/// event if that is a `lock` or a `wait`, and for a thread to finish if it is a `join`.
pub fn who_waits(events: &[Event]) -> Vec<String> {
    analysis::threads(events)
        .iter()
        .filter_map(analysis::describe)
        .collect()
}

/// Thread names in order of first appearance.
pub fn threads(events: &[Event]) -> Vec<String> {
    let mut threads: Vec<String> = Vec::new();
    for event in events {
        if !threads.contains(&event.thread) {
            threads.push(event.thread.clone());
        }
    }
    threads
}

/// "`<verb> <resource> <detail>`", with short resource names and without repeating the verb
/// when the detail starts with it.
pub fn describe(event: &Event) -> String {
    let verb = event.op.verb();
    let detail = event.detail.as_deref().map(|detail| {
        let detail = detail
            .strip_prefix(verb)
            .filter(|rest| rest.starts_with(' '))
            .map_or(detail, str::trim_start);
        if names_a_resource(event.op) {
            short_name(detail)
        } else {
            detail
        }
    });
    [
        Some(verb),
        event.resource.as_deref().map(short_name),
        detail,
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

/// Whether the event's detail is a resource too: the lock a condvar wait releases and retakes.
fn names_a_resource(op: Op) -> bool {
    matches!(op, Op::Wait | Op::Woken)
}

/// A resource's name without the `(file:line)` where it was created.
pub fn short_name(resource: &str) -> &str {
    match resource.strip_suffix(')').and_then(|r| r.rsplit_once(" (")) {
        Some((short, _)) if !short.is_empty() => short,
        _ => resource,
    }
}

/// Where each resource of the trace whose short name in the table hides it was created:
/// "`AtomicU64 #1` is created at src/lib.rs:28", in order of appearance. Resources created at
/// one place (one per element of a `Vec`, say) share a line that gives their order, so that
/// `Mutex #1` can be told from `Mutex #3`.
pub fn resources(events: &[Event]) -> Vec<String> {
    let mut seen: Vec<&str> = Vec::new();
    let named = events.iter().flat_map(|event| {
        let detail = event
            .detail
            .as_deref()
            .filter(|_| names_a_resource(event.op));
        [event.resource.as_deref(), detail].into_iter().flatten()
    });
    for resource in named {
        if short_name(resource) != resource && !seen.contains(&resource) {
            seen.push(resource);
        }
    }
    // (place, short names created there), places in order of first appearance.
    let mut places: Vec<(&str, Vec<&str>)> = Vec::new();
    for resource in seen {
        let short = short_name(resource);
        let place = &resource[short.len() + 2..resource.len() - 1];
        match places.iter_mut().find(|(at, _)| *at == place) {
            Some((_, shorts)) => shorts.push(short),
            None => places.push((place, vec![short])),
        }
    }
    places
        .into_iter()
        .map(|(place, mut shorts)| {
            if let [short] = shorts[..] {
                return format!("`{short}` is created at {place}");
            }
            shorts.sort_by_key(|short| number(short));
            let names: Vec<String> = shorts.iter().map(|short| format!("`{short}`")).collect();
            format!(
                "{} are created at {place}, in this order (`.named(..)` gives each a name of \
                 your own)",
                names.join(", ")
            )
        })
        .collect()
}

/// The number of a short name such as `Mutex #3`, which counts resources in creation order.
fn number(short: &str) -> u32 {
    short
        .rsplit_once('#')
        .and_then(|(_, number)| number.parse().ok())
        .unwrap_or(u32::MAX)
}

/// Whether some load of `events` saw another value than the last write before it in the trace
/// (marked so by `harness::trace::record_load`): an interleaving with weak memory, which the
/// model checker explores.
pub fn reads_an_older_write(events: &[Event]) -> bool {
    events.iter().any(|event| {
        event
            .detail
            .as_deref()
            .is_some_and(|d| d.contains(OLDER_WRITE))
    })
}

/// How `harness::trace::record_load` marks, at the end of a load's detail, a load that saw
/// another value than the last write the trace shows.
pub const OLDER_WRITE: &str = " (last write shown:";

/// Notes on marks that appear in the table, for the steps of `events`: first a key to the
/// words whose meaning is not plain ("key: lock = asks, locked = got it"), for those it uses.
pub fn legend(events: &[Event]) -> Vec<String> {
    let mut notes = Vec::new();
    notes.extend(key(events));
    notes.extend(spurious_wakeups(events));
    if reads_an_older_write(events) {
        notes.push(
            "a load marked (last write shown: N) returned another value than the last write in \
             the table left: threads that do not synchronise need not see each other's writes \
             in the order shown"
                .to_owned(),
        );
    }
    notes
}

/// "key: lock = asks for the lock, locked = got it, ...", for the words of `events` that need it.
fn key(events: &[Event]) -> Option<String> {
    const KEY: [(&[Op], &str); 8] = [
        (
            &[Op::Lock, Op::Locked],
            "lock = asks for the lock, locked = got it",
        ),
        (
            &[Op::Refused],
            "try_lock refused = found the lock held and did not wait",
        ),
        (
            &[Op::Wait, Op::Woken],
            "wait = lets go of the lock and sleeps, woken = awake with the lock again",
        ),
        (&[Op::Update], "update = read and write as one step"),
        (&[Op::Park], "park = sleeps until unparked"),
        (
            &[Op::Arrive],
            "arrive = the check notes that a thread starts waiting",
        ),
        (
            &[Op::Enter, Op::Leave],
            "enter, leave = the check counts a thread in (just after it got in) and out (just \
             before it leaves)",
        ),
        (&[Op::Fail], "✗ = the step where it failed"),
    ];
    let used: Vec<&str> = KEY
        .iter()
        .filter(|(ops, _)| events.iter().any(|event| ops.contains(&event.op)))
        .map(|(_, words)| *words)
        .collect();
    (!used.is_empty()).then(|| format!("key: {}", used.join("; ")))
}

/// Notes on threads that woke from a condvar with no notify on it since they began waiting:
/// the engines, like the real thing, let a wait end spuriously.
fn spurious_wakeups(events: &[Event]) -> Vec<String> {
    let mut notes = Vec::new();
    for (woke, event) in events.iter().enumerate() {
        if event.op != Op::Woken {
            continue;
        }
        let same_condvar = |other: &Event| other.resource == event.resource;
        let began = events[..woke]
            .iter()
            .rposition(|e| e.op == Op::Wait && e.thread == event.thread && same_condvar(e));
        let Some(began) = began else { continue };
        let notified = events[began..woke]
            .iter()
            .any(|e| matches!(e.op, Op::NotifyOne | Op::NotifyAll) && same_condvar(e));
        if !notified {
            let condvar = event.resource.as_deref().map_or("its condvar", short_name);
            notes.push(format!(
                "step {}: `{}` woke on `{condvar}` though nothing notified it after it began \
                 waiting (step {}): a wait may end spuriously, so a woken thread must check its \
                 condition again",
                woke + 1,
                event.thread,
                began + 1
            ));
        }
    }
    notes
}

fn push_row(out: &mut String, step: &str, cells: &[String], widths: &[usize], location: &str) {
    out.push_str(step);
    for (cell, &cell_width) in cells.iter().zip(widths) {
        out.push_str("  ");
        out.push_str(cell);
        out.push_str(&" ".repeat(cell_width - width(cell)));
    }
    out.push_str("  ");
    out.push_str(location);
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
}

fn cut(text: &str) -> String {
    if width(text) <= MAX_CELL {
        return text.to_owned();
    }
    let kept: String = text.chars().take(MAX_CELL - 1).collect();
    format!("{kept}…")
}

fn width(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(thread: &str, op: Op, resource: &str, location: &str) -> Event {
        Event {
            thread: thread.into(),
            op,
            resource: Some(resource.into()),
            detail: None,
            location: Some(location.into()),
            saw: None,
            left: None,
        }
    }

    fn lost_update() -> Vec<Event> {
        let mut load = event("thread 1", Op::Load, "hits", "src/lib.rs:40");
        load.detail = Some("= 0".into());
        let mut other = load.clone();
        other.thread = "thread 2".into();
        let mut store = event("thread 1", Op::Store, "hits", "src/lib.rs:41");
        store.detail = Some("= 1".into());
        let mut other_store = store.clone();
        other_store.thread = "thread 2".into();
        vec![load, other, store, other_store]
    }

    #[test]
    fn one_column_per_thread_in_order_of_appearance() {
        let table = interleaving(&lost_update(), None);
        let expected = "\
step  thread 1        thread 2        at
   1  load hits = 0                   src/lib.rs:40
   2                  load hits = 0   src/lib.rs:40
   3  store hits = 1                  src/lib.rs:41
   4                  store hits = 1  src/lib.rs:41
";
        assert_eq!(table, expected, "\n{table}");
    }

    #[test]
    fn a_long_trace_keeps_the_last_steps() {
        let events: Vec<Event> = (0..30)
            .map(|i| event(if i % 2 == 0 { "a" } else { "b" }, Op::Load, "x", "l:1"))
            .collect();
        let table = interleaving(&events, Some(DEFAULT_ROWS));
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "(5 earlier steps left out; --full-trace shows all)"
        );
        assert_eq!(lines.len(), 1 + 1 + 25);
        assert!(lines[2].trim_start().starts_with("6 "), "{table}");
        assert!(lines[26].trim_start().starts_with("30 "), "{table}");
        assert_eq!(interleaving(&events, None).lines().count(), 31);
    }

    #[test]
    fn resources_show_short_names_and_a_legend() {
        let mut load = event(
            "t",
            Op::Load,
            "AtomicU64 #1 (src/lib.rs:28)",
            "src/lib.rs:39",
        );
        load.detail = Some("load -> 0".into());
        let table = interleaving(std::slice::from_ref(&load), None);
        assert!(
            table.contains("  load AtomicU64 #1 -> 0  src/lib.rs:39"),
            "{table}"
        );
        let plain = event("t", Op::Lock, "fork 0", "src/lib.rs:3");
        let mut wait = event("t", Op::Wait, "Condvar #2 (src/lib.rs:9)", "src/lib.rs:40");
        wait.detail = Some("Mutex #1 (src/lib.rs:8)".into());
        assert!(
            interleaving(std::slice::from_ref(&wait), None).contains("wait Condvar #2 Mutex #1")
        );
        assert_eq!(
            resources(&[load.clone(), load, plain, wait]),
            vec![
                "`AtomicU64 #1` is created at src/lib.rs:28",
                "`Condvar #2` is created at src/lib.rs:9",
                "`Mutex #1` is created at src/lib.rs:8",
            ]
        );
    }

    #[test]
    fn resources_made_at_one_place_are_listed_together_in_creation_order() {
        let account = |n: u32| {
            event(
                "t",
                Op::Lock,
                &format!("Mutex #{n} (src/lib.rs:44)"),
                "src/lib.rs:60",
            )
        };
        let condvar = event("t", Op::NotifyOne, "Condvar #2 (src/lib.rs:9)", "");
        assert_eq!(
            resources(&[account(10), account(3), condvar, account(1)]),
            vec![
                "`Mutex #1`, `Mutex #3`, `Mutex #10` are created at src/lib.rs:44, in this order \
                 (`.named(..)` gives each a name of your own)",
                "`Condvar #2` is created at src/lib.rs:9",
            ]
        );
    }

    #[test]
    fn a_load_of_another_write_is_explained_below_the_table() {
        let mut load = event(
            "thread 2",
            Op::Load,
            "AtomicU64 #1 (src/lib.rs:3)",
            "src/lib.rs:9",
        );
        load.detail = Some("load -> 0 (last write shown: 2)".into());
        assert_eq!(legend(&[load.clone()]).len(), 1);
        load.detail = Some("load -> 2".into());
        assert!(legend(&[load]).is_empty());
    }

    #[test]
    fn a_wakeup_without_a_notify_is_pointed_out() {
        let wait = event(
            "guest 0",
            Op::Wait,
            "Condvar #2 (src/lib.rs:5)",
            "src/lib.rs:9",
        );
        let woken = event(
            "guest 0",
            Op::Woken,
            "Condvar #2 (src/lib.rs:5)",
            "src/lib.rs:9",
        );
        let notify = event(
            "guest 1",
            Op::NotifyOne,
            "Condvar #2 (src/lib.rs:5)",
            "src/lib.rs:12",
        );
        let key = "key: wait = lets go of the lock and sleeps, woken = awake with the lock again";
        let spurious = legend(&[wait.clone(), woken.clone()]);
        assert_eq!(spurious.len(), 2);
        assert_eq!(spurious[0], key);
        assert!(
            spurious[1].starts_with("step 2: `guest 0` woke on `Condvar #2`"),
            "{spurious:?}"
        );
        assert_eq!(legend(&[wait, notify, woken]), [key]);
    }

    #[test]
    fn the_key_explains_only_the_words_the_table_uses() {
        let lock = event("t", Op::Lock, "M", "l:1");
        let locked = event("t", Op::Locked, "M", "l:1");
        assert_eq!(
            legend(&[lock, locked]),
            ["key: lock = asks for the lock, locked = got it"]
        );
        assert!(legend(&[event("t", Op::Load, "A", "l:2")]).is_empty());
    }

    #[test]
    fn long_cells_are_cut() {
        let long = "x".repeat(100);
        let table = interleaving(&[event("t", Op::Lock, &long, "l:1")], None);
        assert!(table.contains('…'));
        assert!(!table.contains(&long));
    }

    #[test]
    fn a_lock_cycle_reads_as_holds_and_waits() {
        let events = vec![
            event("philosopher 0", Op::Lock, "fork 0", "src/lib.rs:10"),
            event("philosopher 0", Op::Locked, "fork 0", "src/lib.rs:10"),
            event("philosopher 1", Op::Lock, "fork 1", "src/lib.rs:10"),
            event("philosopher 1", Op::Locked, "fork 1", "src/lib.rs:10"),
            event("philosopher 0", Op::Lock, "fork 1", "src/lib.rs:11"),
            event("philosopher 1", Op::Lock, "fork 0", "src/lib.rs:11"),
        ];
        assert_eq!(
            who_waits(&events),
            vec![
                "`philosopher 0` holds `fork 0` and waits for `fork 1`",
                "`philosopher 1` holds `fork 1` and waits for `fork 0`",
            ]
        );
    }

    #[test]
    fn released_locks_are_not_held_and_a_condvar_wait_is_waiting() {
        let events = vec![
            event("main", Op::Spawn, "worker", "t.rs:1"),
            event("worker", Op::Locked, "queue", "src/lib.rs:5"),
            event("worker", Op::Unlock, "queue", "src/lib.rs:6"),
            event("worker", Op::Locked, "gate", "src/lib.rs:7"),
            event("worker", Op::Locked, "queue", "src/lib.rs:8"),
            event("worker", Op::Wait, "not empty", "src/lib.rs:9"),
        ];
        let mut events = events;
        events[5].detail = Some("queue".into());
        assert_eq!(
            who_waits(&events),
            vec!["`worker` holds `gate` and waits on `not empty` for a notify that never comes"]
        );
    }

    #[test]
    fn threads_that_wait_holding_nothing_say_what_they_wait_for() {
        let mut join = event("main", Op::Join, "unused", "t.rs:9");
        join.resource = None;
        join.detail = Some("thread 1".into());
        let events = vec![join, event("reader", Op::Lock, "state", "src/lib.rs:3")];
        assert_eq!(
            who_waits(&events),
            vec![
                "`main` waits for `thread 1` to finish",
                "`reader` waits for `state`"
            ]
        );
    }
}
