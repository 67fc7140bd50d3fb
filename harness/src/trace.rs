//! What the facade records: one [`Event`] per step a thread takes on a facade object.
//!
//! Recording is off unless a check is running, so plain builds pay one relaxed load per operation
//! (its switches are in [`crate::context`]).
//! The recorder itself uses std's primitives, never the engine's, so it adds no scheduling points.

use std::collections::{HashMap, VecDeque};
use std::panic::Location;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard};

use crate::backend;
use crate::context::{ATOMICS_IN_FULL, RECORDING};
use crate::protocol::{Event, Op};

/// The most events kept: the newest ones, which lead to the failure.
const CAPACITY: usize = 4096;

/// Steps of the current execution, recorded or only counted.
static STEPS: AtomicUsize = AtomicUsize::new(0);
static STATE: LazyLock<Mutex<State>> = LazyLock::new(|| Mutex::new(State::new()));

struct State {
    events: VecDeque<Event>,
    /// The value each atomic was last seen to hold, by the trace's order of steps.
    atomics: HashMap<String, String>,
    /// The addresses atomic pointers held, numbered in the order the trace first saw them.
    addresses: HashMap<usize, usize>,
    next_resource: u32,
    next_thread: u32,
}

impl State {
    fn new() -> Self {
        State {
            events: VecDeque::new(),
            atomics: HashMap::new(),
            addresses: HashMap::new(),
            next_resource: 1,
            next_thread: 1,
        }
    }

    /// Keeps `event`, forgetting the oldest one when [`CAPACITY`] are kept already.
    fn keep(&mut self, event: Event) {
        if self.events.len() == CAPACITY {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }
}

fn state() -> MutexGuard<'static, State> {
    STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether an atomic operation should be recorded in full; if not, it is counted as a step.
#[inline]
pub(crate) fn atomics_in_full() -> bool {
    enabled() && atomics_in_full_while_recording()
}

#[cold]
fn atomics_in_full_while_recording() -> bool {
    let in_full = ATOMICS_IN_FULL.load(Ordering::Relaxed);
    if !in_full {
        STEPS.fetch_add(1, Ordering::Relaxed);
    }
    in_full
}

/// Whether a check is recording (the run context turns it on).
#[inline]
pub(crate) fn enabled() -> bool {
    RECORDING.load(Ordering::Relaxed)
}

/// Forgets the previous execution: events, and the numbering of threads and resources, so the
/// same schedule names things the same way every time.
pub(crate) fn begin_execution() {
    let mut state = state();
    *state = State::new();
    STEPS.store(0, Ordering::Relaxed);
}

/// How a trace shows the address `address` an atomic pointer held: `null`, or `@N` for the
/// N-th address this execution's trace saw. Real addresses change from run to run; these stay
/// the same on every replay of a schedule, and an address used again (a node freed and
/// allocated again: the ABA problem) keeps its number.
pub(crate) fn address_name(address: usize) -> String {
    if address == 0 {
        return "null".to_owned();
    }
    let mut state = state();
    let next = state.addresses.len() + 1;
    format!("@{}", state.addresses.entry(address).or_insert(next))
}

/// The events of the current execution, oldest first.
pub(crate) fn snapshot() -> Vec<Event> {
    state().events.iter().cloned().collect()
}

/// Like [`snapshot`], but never waits: for a panic hook, which may run while the recorder is busy.
pub(crate) fn try_snapshot() -> Vec<Event> {
    match STATE.try_lock() {
        Ok(state) => state.events.iter().cloned().collect(),
        Err(_) => Vec::new(),
    }
}

/// How many steps the current execution has recorded, including those no longer kept (to tell a
/// busy thread from a stuck one, and to measure how long a thread waited).
pub(crate) fn steps() -> usize {
    STEPS.load(Ordering::Relaxed)
}

/// The name of the thread calling, as the trace shows it ("a thread" when nothing is being
/// recorded: outside a check run, the engines may not be there to ask).
pub(crate) fn thread_name() -> String {
    if !enabled() {
        return "a thread".to_owned();
    }
    let current = backend::thread::current();
    match current.name() {
        None => "main".to_owned(),
        Some(name) if name == backend::MAIN_THREAD => "main".to_owned(),
        Some(name) => name.to_owned(),
    }
}

/// The name for the next thread spawned without one: `thread 1`, `thread 2`, ... in spawn order.
pub(crate) fn next_thread_name() -> String {
    let mut state = state();
    let number = state.next_thread;
    state.next_thread += 1;
    format!("thread {number}")
}

/// Records one step of the calling thread on a facade object.
#[inline]
pub(crate) fn record(
    op: Op,
    resource: Option<&Resource>,
    detail: Option<String>,
    location: Option<&'static Location<'static>>,
) {
    if enabled() {
        push(op, resource.map(Resource::name), detail, location);
    }
}

/// Records a write to an atomic (a read-modify-write with the value it `read`), remembering the
/// value it left (`now`; `None`: unknown).
pub(crate) fn record_write(
    op: Op,
    resource: &Resource,
    detail: String,
    read: Option<String>,
    now: Option<String>,
    location: &'static Location<'static>,
) {
    let name = resource.name();
    match &now {
        Some(value) => state().atomics.insert(name.clone(), value.clone()),
        None => state().atomics.remove(&name),
    };
    push_event(Event {
        thread: thread_name(),
        op,
        resource: Some(name),
        detail: Some(detail),
        location: Some(at(location)),
        saw: read,
        left: now,
    });
}

/// Records a load of an atomic, noting when it returned another value than the last write in
/// the trace left (the model checker explores such reads: without a happens-before edge between
/// them, threads need not see each other's writes in the order the trace shows).
pub(crate) fn record_load(resource: &Resource, seen: String, location: &'static Location<'static>) {
    let name = resource.name();
    let last = state().atomics.get(&name).cloned();
    let detail = match last {
        Some(last) if last != seen => format!("load -> {seen} (last write shown: {last})"),
        _ => format!("load -> {seen}"),
    };
    push_event(Event {
        thread: thread_name(),
        op: Op::Load,
        resource: Some(name),
        detail: Some(detail),
        location: Some(at(location)),
        saw: Some(seen),
        left: None,
    });
}

/// Records one step of the calling thread on something a check watches, named by the check.
#[inline]
pub(crate) fn record_named(
    op: Op,
    resource: &str,
    detail: Option<String>,
    location: Option<&'static Location<'static>>,
) {
    if enabled() {
        push(op, Some(resource.to_owned()), detail, location);
    }
}

#[cold]
#[inline(never)]
fn push(
    op: Op,
    resource: Option<String>,
    detail: Option<String>,
    location: Option<&'static Location<'static>>,
) {
    push_event(Event {
        thread: thread_name(),
        op,
        resource,
        detail,
        location: location.map(at),
        saw: None,
        left: None,
    });
}

/// Records that the calling thread fails here (`what`: "the check fails", "panics"), from a
/// panic hook: skipped if the recorder is busy (the panic may have come from inside it), or if
/// nothing is being recorded.
pub(crate) fn record_failure(what: &str, location: Option<String>) {
    if !enabled() {
        return;
    }
    let thread = thread_name();
    if let Ok(mut state) = STATE.try_lock() {
        state.keep(Event {
            thread,
            op: Op::Fail,
            resource: None,
            detail: Some(what.to_owned()),
            location,
            saw: None,
            left: None,
        });
    }
}

/// `file:line` of a call.
fn at(location: &'static Location<'static>) -> String {
    format!("{}:{}", location.file(), location.line())
}

/// Appends `event` to the trace, dropping the oldest when it is full.
#[cold]
#[inline(never)]
fn push_event(event: Event) {
    crate::noise::point(&event.thread);
    state().keep(event);
    STEPS.fetch_add(1, Ordering::Relaxed);
}

/// Identity of a facade object in the trace: its kind, a number in creation order, and where it
/// was created.
#[derive(Debug)]
pub(crate) struct Resource {
    kind: &'static str,
    number: u32,
    site: &'static Location<'static>,
    label: Option<String>,
}

impl Resource {
    #[track_caller]
    pub(crate) fn new(kind: &'static str) -> Self {
        let number = if enabled() {
            let mut state = state();
            let number = state.next_resource;
            state.next_resource += 1;
            number
        } else {
            0
        };
        Resource {
            kind,
            number,
            site: Location::caller(),
            label: None,
        }
    }

    /// Gives the resource a name of the code's choosing, such as `fork 0`.
    pub(crate) fn label(&mut self, label: String) {
        self.label = Some(label);
    }

    /// The label if there is one, else `Mutex #2 (src/lib.rs:14)`.
    pub(crate) fn name(&self) -> String {
        if let Some(label) = &self.label {
            return label.clone();
        }
        format!(
            "{} #{} ({}:{})",
            self.kind,
            self.number,
            self.site.file(),
            self.site.line()
        )
    }
}
