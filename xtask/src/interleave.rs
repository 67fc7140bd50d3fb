//! An interleaving of whole steps for a trace that needs none of weak memory to explain it.
//!
//! The model checker (loom) explores weak memory: a load may see an older write than the last
//! one its trace shows, even between `SeqCst` atomics (loom models them more weakly). Its trace
//! then reads as if a thread failed to see a write that happened long before, although most
//! such failures also happen with every step taken whole, one at a time: a lost update is two
//! loads of one value, then two stores. [`in_whole_steps`] looks for such an order of the same
//! steps (each thread's steps in its own order, a spawned thread after its spawn, a joiner
//! after the joined thread's end, one holder per lock, every load and read-modify-write seeing
//! the last value written before it), closest to the engine's order; the explanation shows it,
//! and the weak-memory note stays only for the failures that need weak memory.

use std::collections::{HashMap, HashSet};

use harness::protocol::{Event, Op};

use crate::explain::{self, OLDER_WRITE};

/// The longest trace searched (longer ones are shown as the engine gave them).
const LONGEST: usize = 400;

/// How many partial orders the search may try before it gives up.
const BUDGET: usize = 200_000;

/// The steps of `events` in an order where each is taken whole and every read sees the last
/// write before it, closest to the order given; `None` when there is none (the failure needs
/// weak memory), when the trace has steps whose order this cannot judge (condvars, parking,
/// tasks), or when the search is too long.
///
/// ```ignore
/// // thread 1: load 0, store 1; thread 2 (shown after it): load 0 (last write shown: 1), store 1
/// let whole = in_whole_steps(&events).unwrap();
/// // thread 1: load 0; thread 2: load 0; thread 1: store 1; thread 2: store 1
/// ```
pub fn in_whole_steps(events: &[Event]) -> Option<Vec<Event>> {
    let judged = events.iter().all(|event| {
        !matches!(
            event.op,
            Op::Wait | Op::Woken | Op::NotifyOne | Op::NotifyAll | Op::Park | Op::Poll | Op::Wake
        )
    });
    if !judged || events.len() > LONGEST {
        return None;
    }
    let threads = explain::threads(events);
    let by_thread: Vec<Vec<usize>> = threads
        .iter()
        .map(|thread| {
            (0..events.len())
                .filter(|&i| &events[i].thread == thread)
                .collect()
        })
        .collect();
    let mut place = vec![(0, 0); events.len()];
    for (thread, steps) in by_thread.iter().enumerate() {
        for (position, &index) in steps.iter().enumerate() {
            place[index] = (thread, position);
        }
    }
    let step = |is: &dyn Fn(&Event) -> bool| events.iter().position(is);
    let spawns = threads
        .iter()
        .map(|thread| step(&|e| e.op == Op::Spawn && e.detail.as_ref() == Some(thread)))
        .collect();
    let exits = threads
        .iter()
        .map(|thread| step(&|e| e.op == Op::Exit && &e.thread == thread))
        .collect();
    let mut search = Search {
        events,
        threads: &threads,
        by_thread: &by_thread,
        place,
        spawns,
        exits,
        seen: HashSet::new(),
        tries: 0,
    };
    let mut state = State {
        next: vec![0; threads.len()],
        values: initial_values(events),
        holders: HashMap::new(),
        order: Vec::with_capacity(events.len()),
    };
    search.extend(&mut state).then(|| {
        state
            .order
            .iter()
            .map(|&i| {
                let mut event = events[i].clone();
                if let Some(detail) = &mut event.detail {
                    if let Some(mark) = detail.find(OLDER_WRITE) {
                        detail.truncate(mark);
                    }
                }
                event
            })
            .collect()
    })
}

/// What an atomic holds, as far as the steps placed tell.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Value {
    /// This value.
    Known(String),
    /// A value the trace does not say (a `fetch_update` left it): any read may see it.
    Any,
    /// The value before the trace's first write, which no step read: no read may see it.
    Unseen,
}

/// Each atomic's value before the trace: what its first access read, or [`Value::Unseen`]
/// when that access is a store.
fn initial_values(events: &[Event]) -> HashMap<String, Value> {
    let mut values = HashMap::new();
    for event in events {
        let Some(resource) = &event.resource else {
            continue;
        };
        let value = match (event.op, &event.saw) {
            (Op::Load | Op::Update, Some(saw)) => Value::Known(saw.clone()),
            (Op::Store, _) => Value::Unseen,
            _ => continue,
        };
        values.entry(resource.clone()).or_insert(value);
    }
    values
}

/// A partial order as the search remembers it: where each thread is, what each atomic holds.
type Tried = (Vec<usize>, Vec<(String, Value)>);

/// The search's fixed inputs and bookkeeping.
struct Search<'a> {
    events: &'a [Event],
    threads: &'a [String],
    /// Each thread's steps, as indices into `events`.
    by_thread: &'a [Vec<usize>],
    /// Each step's thread and position in that thread's list.
    place: Vec<(usize, usize)>,
    /// Each thread's spawn and end, as indices into `events`, where the trace has them.
    spawns: Vec<Option<usize>>,
    exits: Vec<Option<usize>>,
    /// Partial orders already tried, by where each thread is and what each atomic holds.
    seen: HashSet<Tried>,
    tries: usize,
}

/// A partial order.
#[derive(Clone)]
struct State {
    /// Each thread's next step, as a position in its list.
    next: Vec<usize>,
    /// Each atomic's last value.
    values: HashMap<String, Value>,
    /// Each lock's holder.
    holders: HashMap<String, usize>,
    /// The steps placed, as indices into `events`.
    order: Vec<usize>,
}

impl Search<'_> {
    /// Places the remaining steps after `state`, trying first the thread whose next step comes
    /// earliest in the given order; true when every step is placed.
    fn extend(&mut self, state: &mut State) -> bool {
        if state.order.len() == self.events.len() {
            return true;
        }
        self.tries += 1;
        if self.tries > BUDGET || !self.seen.insert(self.key(state)) {
            return false;
        }
        let mut candidates: Vec<(usize, usize)> = (0..self.threads.len())
            .filter_map(|thread| Some((*self.by_thread[thread].get(state.next[thread])?, thread)))
            .collect();
        candidates.sort_unstable();
        for (index, thread) in candidates {
            if let Some(mut after) = self.take(state, thread, index) {
                if self.extend(&mut after) {
                    *state = after;
                    return true;
                }
            }
        }
        false
    }

    /// `state` with step `index` of `thread` taken next, if it may be.
    fn take(&self, state: &State, thread: usize, index: usize) -> Option<State> {
        let event = &self.events[index];
        if !self.started(state, thread) || !self.joined_before(state, thread) {
            return None;
        }
        let mut after = state.clone();
        let resource = event.resource.clone().unwrap_or_default();
        match event.op {
            Op::Load | Op::Update => {
                if let Some(saw) = &event.saw {
                    match state.values.get(&resource) {
                        Some(Value::Known(last)) if last != saw => return None,
                        Some(Value::Unseen) => return None,
                        _ => {}
                    }
                }
                let value = match event.op {
                    Op::Load => event.saw.clone(),
                    _ => event.left.clone(),
                };
                after
                    .values
                    .insert(resource, value.map_or(Value::Any, Value::Known));
            }
            Op::Store => {
                let value = event.left.clone().map_or(Value::Any, Value::Known);
                after.values.insert(resource, value);
            }
            Op::Locked => {
                if state
                    .holders
                    .get(&resource)
                    .is_some_and(|&holder| holder != thread)
                {
                    return None;
                }
                after.holders.insert(resource, thread);
            }
            Op::Unlock => {
                after.holders.remove(&resource);
            }
            Op::Refused
                if state
                    .holders
                    .get(&resource)
                    .is_none_or(|&holder| holder == thread) =>
            {
                return None;
            }
            _ => {}
        }
        after.next[thread] += 1;
        after.order.push(index);
        Some(after)
    }

    /// Whether `thread` has been spawned, if its spawn is in the trace.
    fn started(&self, state: &State, thread: usize) -> bool {
        self.spawns[thread].is_none_or(|spawn| self.placed(state, spawn))
    }

    /// Whether step `index` is among those placed in `state`.
    fn placed(&self, state: &State, index: usize) -> bool {
        let (thread, position) = self.place[index];
        state.next[thread] > position
    }

    /// Whether the thread a `thread`'s last step joined (if it was a join) has ended.
    fn joined_before(&self, state: &State, thread: usize) -> bool {
        let Some(previous) = state.next[thread].checked_sub(1) else {
            return true;
        };
        let join = &self.events[self.by_thread[thread][previous]];
        if join.op != Op::Join {
            return true;
        }
        let joined = join.detail.as_deref().unwrap_or_default();
        let exit = self
            .threads
            .iter()
            .position(|thread| thread == joined)
            .and_then(|joined| self.exits[joined]);
        exit.is_none_or(|exit| self.placed(state, exit))
    }

    fn key(&self, state: &State) -> Tried {
        let mut values: Vec<(String, Value)> = state
            .values
            .iter()
            .map(|(resource, value)| (resource.clone(), value.clone()))
            .collect();
        values.sort();
        (state.next.clone(), values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(thread: &str, op: Op, detail: &str, saw: Option<&str>, left: Option<&str>) -> Event {
        Event {
            thread: thread.into(),
            op,
            resource: matches!(op, Op::Load | Op::Store | Op::Update).then(|| "hits".into()),
            detail: Some(detail.into()),
            location: None,
            saw: saw.map(Into::into),
            left: left.map(Into::into),
        }
    }

    fn load(thread: &str, saw: &str, shown: Option<&str>) -> Event {
        let detail = match shown {
            Some(last) => format!("load -> {saw} (last write shown: {last})"),
            None => format!("load -> {saw}"),
        };
        step(thread, Op::Load, &detail, Some(saw), None)
    }

    fn store(thread: &str, value: &str) -> Event {
        step(
            thread,
            Op::Store,
            &format!("store {value}"),
            None,
            Some(value),
        )
    }

    fn shape(events: &[Event]) -> Vec<String> {
        events
            .iter()
            .map(|event| {
                format!(
                    "{}: {}",
                    event.thread,
                    event.detail.as_deref().unwrap_or("")
                )
            })
            .collect()
    }

    /// The model checker's lost update (hit_counter): thread 1 hits twice, then thread 2 reads
    /// 0, as if it had missed both.
    #[test]
    fn a_lost_update_is_two_loads_of_one_value_then_two_stores() {
        let events = vec![
            step("main", Op::Spawn, "thread 1", None, None),
            step("main", Op::Spawn, "thread 2", None, None),
            step("main", Op::Join, "thread 1", None, None),
            load("thread 1", "0", None),
            store("thread 1", "1"),
            load("thread 1", "1", None),
            store("thread 1", "2"),
            step("thread 1", Op::Exit, "", None, None),
            step("main", Op::Join, "thread 2", None, None),
            load("thread 2", "0", Some("2")),
            store("thread 2", "1"),
            load("thread 2", "2", Some("1")),
            store("thread 2", "3"),
            step("thread 2", Op::Exit, "", None, None),
            load("main", "3", None),
        ];
        let whole = in_whole_steps(&events).expect("an interleaving of whole steps");
        assert_eq!(
            shape(&whole),
            [
                "main: thread 1",
                "main: thread 2",
                "main: thread 1",
                "thread 1: load -> 0",
                "thread 2: load -> 0",
                "thread 1: store 1",
                "thread 1: load -> 1",
                "thread 2: store 1",
                "thread 1: store 2",
                "thread 1: ",
                "main: thread 2",
                "thread 2: load -> 2",
                "thread 2: store 3",
                "thread 2: ",
                "main: load -> 3",
            ]
        );
        assert!(!crate::explain::reads_an_older_write(&whole));
    }

    /// Message passing gone wrong: the flag is seen set, the data it announced is not. No order
    /// of whole steps gives both reads their values.
    #[test]
    fn a_failure_that_needs_weak_memory_has_none() {
        let data = |event: Event| Event {
            resource: Some("data".into()),
            ..event
        };
        let events = vec![
            data(store("writer", "1")),
            store("writer", "1"),
            load("reader", "1", None),
            data(load("reader", "0", Some("1"))),
        ];
        assert!(in_whole_steps(&events).is_none());
    }
}
