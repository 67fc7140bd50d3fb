//! What the facade records: one [`Event`] per step a thread takes on a facade object.
//!
//! Recording is off unless a check is running, so plain builds pay one relaxed load per operation
//! (its switches are in [`crate::context`]).
//! The recorder itself uses std's primitives, never the engine's, so it adds no scheduling points.
//! It keeps each step as it was given ([`Step`]: a thread by its number, an object by its
//! identity, a call by its [`Location`]) and puts it into words only when a snapshot is taken:
//! the engines run a model thousands of times, and almost every execution passes unread.

use std::collections::{HashMap, VecDeque};
use std::panic::Location;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use crate::backend::{self, ThreadKey};
use crate::context::{ATOMICS_IN_FULL, RECORDING};
use crate::protocol::{Event, Op};

/// The most events kept: the newest ones, which lead to the failure.
const CAPACITY: usize = 4096;

/// Steps of the current execution, recorded or only counted.
static STEPS: AtomicUsize = AtomicUsize::new(0);
static STATE: LazyLock<Mutex<State>> = LazyLock::new(|| Mutex::new(State::new()));

struct State {
    events: VecDeque<Step>,
    /// The threads the steps were taken by, and their names, in order of their first step.
    threads: Vec<(ThreadKey, String)>,
    /// The value each atomic was last seen to hold, by the trace's order of steps.
    atomics: HashMap<Named, String>,
    /// The addresses atomic pointers held, numbered in the order the trace first saw them.
    addresses: HashMap<usize, usize>,
    next_resource: u32,
    next_thread: u32,
}

impl State {
    fn new() -> Self {
        State {
            events: VecDeque::new(),
            threads: Vec::new(),
            atomics: HashMap::new(),
            addresses: HashMap::new(),
            next_resource: 1,
            next_thread: 1,
        }
    }

    /// Forgets everything recorded, keeping the memory it took.
    fn clear(&mut self) {
        self.events.clear();
        self.threads.clear();
        self.atomics.clear();
        self.addresses.clear();
        self.next_resource = 1;
        self.next_thread = 1;
    }

    /// Keeps `step`, forgetting the oldest one when [`CAPACITY`] are kept already.
    fn keep(&mut self, step: Step) {
        if self.events.len() == CAPACITY {
            self.events.pop_front();
        }
        self.events.push_back(step);
    }

    /// The number of the calling thread in [`State::threads`], given one if it has none.
    fn thread_number(&mut self) -> usize {
        let key = backend::thread_key();
        match self.threads.iter().position(|(known, _)| *known == key) {
            Some(number) => number,
            None => {
                self.threads.push((key, thread_name()));
                self.threads.len() - 1
            }
        }
    }

    /// The steps in words, oldest first.
    fn events(&self) -> Vec<Event> {
        self.events
            .iter()
            .map(|step| step.in_words(&self.threads))
            .collect()
    }
}

/// One step as recorded, to be put into words by [`Step::in_words`].
struct Step {
    /// The thread's number in [`State::threads`].
    thread: usize,
    op: Op,
    resource: Option<Named>,
    detail: Option<Detail>,
    location: Option<Place>,
    saw: Option<String>,
    left: Option<String>,
}

impl Step {
    fn in_words(&self, threads: &[(ThreadKey, String)]) -> Event {
        Event {
            thread: threads[self.thread].1.clone(),
            op: self.op,
            resource: self.resource.as_ref().map(Named::to_string),
            detail: self.detail.as_ref().map(|detail| match detail {
                Detail::Fixed(text) => (*text).to_owned(),
                Detail::Text(text) => text.clone(),
                Detail::Object(named) => named.to_string(),
            }),
            location: self.location.as_ref().map(|place| match place {
                Place::Call(location) => format!("{}:{}", location.file(), location.line()),
                Place::Text(text) => text.clone(),
            }),
            saw: self.saw.clone(),
            left: self.left.clone(),
        }
    }
}

/// What a step was taken on, as the trace names it (see [`Named::to_string`]).
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Named {
    /// A facade object without a label: its kind, number and the place it was made.
    Object {
        kind: &'static str,
        number: u32,
        site: &'static Location<'static>,
    },
    /// A facade object with a label, or something a check watches, by the name it was given.
    Given(Arc<str>),
}

impl std::hash::Hash for Named {
    /// By number alone for an object (numbers are unique within an execution): cheaper than the
    /// source file's path, and equality still compares everything.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            Named::Object { number, .. } => number.hash(state),
            Named::Given(name) => name.hash(state),
        }
    }
}

impl std::fmt::Display for Named {
    /// The label if there is one, else `Mutex #2 (src/lib.rs:14)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Named::Object { kind, number, site } => {
                write!(f, "{kind} #{number} ({}:{})", site.file(), site.line())
            }
            Named::Given(name) => f.write_str(name),
        }
    }
}

/// The extra words of a step: text, or another object (the lock a condvar wait releases).
pub(crate) enum Detail {
    Fixed(&'static str),
    Text(String),
    Object(Named),
}

impl From<&'static str> for Detail {
    fn from(text: &'static str) -> Self {
        Detail::Fixed(text)
    }
}

impl From<String> for Detail {
    fn from(text: String) -> Self {
        Detail::Text(text)
    }
}

/// Where a step was taken: a call in the code, or a place given in words (a panic's).
enum Place {
    Call(&'static Location<'static>),
    Text(String),
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
/// same schedule names things the same way every time. The memory stays, for the next one.
pub(crate) fn begin_execution() {
    state().clear();
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
    state().events()
}

/// Like [`snapshot`], but never waits: for a panic hook, which may run while the recorder is busy.
pub(crate) fn try_snapshot() -> Vec<Event> {
    match STATE.try_lock() {
        Ok(state) => state.events(),
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
    detail: Option<Detail>,
    location: Option<&'static Location<'static>>,
) {
    if enabled() {
        push(op, resource.map(Resource::named), detail, location);
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
    let name = resource.named();
    match &now {
        Some(value) => state().atomics.insert(name.clone(), value.clone()),
        None => state().atomics.remove(&name),
    };
    push_step(Step {
        thread: 0,
        op,
        resource: Some(name),
        detail: Some(Detail::Text(detail)),
        location: Some(Place::Call(location)),
        saw: read,
        left: now,
    });
}

/// Records a load of an atomic, noting when it returned another value than the last write in
/// the trace left (the model checker explores such reads: without a happens-before edge between
/// them, threads need not see each other's writes in the order the trace shows).
pub(crate) fn record_load(resource: &Resource, seen: String, location: &'static Location<'static>) {
    let name = resource.named();
    let last = state().atomics.get(&name).cloned();
    let detail = match last {
        Some(last) if last != seen => format!("load -> {seen} (last write shown: {last})"),
        _ => format!("load -> {seen}"),
    };
    push_step(Step {
        thread: 0,
        op: Op::Load,
        resource: Some(name),
        detail: Some(Detail::Text(detail)),
        location: Some(Place::Call(location)),
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
        push(
            op,
            Some(Named::Given(resource.into())),
            detail.map(Detail::Text),
            location,
        );
    }
}

#[cold]
#[inline(never)]
fn push(
    op: Op,
    resource: Option<Named>,
    detail: Option<Detail>,
    location: Option<&'static Location<'static>>,
) {
    push_step(Step {
        thread: 0,
        op,
        resource,
        detail,
        location: location.map(Place::Call),
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
    if let Ok(mut state) = STATE.try_lock() {
        let thread = state.thread_number();
        state.keep(Step {
            thread,
            op: Op::Fail,
            resource: None,
            detail: Some(Detail::Text(what.to_owned())),
            location: location.map(Place::Text),
            saw: None,
            left: None,
        });
    }
}

/// Appends `step`, taken by the calling thread, to the trace, dropping the oldest when it is
/// full.
#[cold]
#[inline(never)]
fn push_step(mut step: Step) {
    crate::noise::point(thread_name);
    let mut state = state();
    step.thread = state.thread_number();
    state.keep(step);
    drop(state);
    STEPS.fetch_add(1, Ordering::Relaxed);
}

/// Identity of a facade object in the trace: its kind, a number in creation order, and where it
/// was created.
#[derive(Debug)]
pub(crate) struct Resource {
    kind: &'static str,
    number: u32,
    site: &'static Location<'static>,
    label: Option<Arc<str>>,
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
        self.label = Some(label.into());
    }

    /// How the trace names it, put into words only when shown.
    pub(crate) fn named(&self) -> Named {
        match &self.label {
            Some(label) => Named::Given(Arc::clone(label)),
            None => Named::Object {
                kind: self.kind,
                number: self.number,
                site: self.site,
            },
        }
    }

    /// The label if there is one, else `Mutex #2 (src/lib.rs:14)`.
    pub(crate) fn name(&self) -> String {
        self.named().to_string()
    }
}
