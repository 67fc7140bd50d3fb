//! Linearizability: whether the results that threads got from one shared object can be explained
//! by the object's plain, one-thread behaviour, each operation taking effect at one instant
//! between its call and its return.
//!
//! A check records a [`History`] while its threads use the object (under the model checker, the
//! explore scheduler or real threads alike), then asks [`History::check`] whether some order of
//! the operations that keeps real time (an operation that returned before another was called
//! comes first) gives every recorded result when the operations run one by one on a [`Model`]:
//! a plain Rust value such as a `VecDeque` for a queue or a `u64` for a counter. The search is
//! Wing and Gong's, with Lowe's memoisation (as in Porcupine, Knossos and Lincheck): a state of
//! the search is the set of operations already placed and the model's value, and none is
//! explored twice.
//!
//! ```
//! use std::collections::VecDeque;
//! use checks::linearizable::{History, Model, Outcome};
//!
//! #[derive(Clone, PartialEq, Eq, Hash, Default)]
//! struct Queue(VecDeque<u32>);
//!
//! #[derive(Debug, Clone)]
//! enum Op { Push(u32), Pop }
//!
//! impl Model for Queue {
//!     type Op = Op;
//!     type Ret = Option<u32>;
//!     fn step(&mut self, op: &Op) -> Option<u32> {
//!         match op {
//!             Op::Push(value) => { self.0.push_back(*value); None }
//!             Op::Pop => self.0.pop_front(),
//!         }
//!     }
//! }
//!
//! let history = History::new();
//! history.call("thread 1", Op::Push(1), || None);
//! history.call("thread 2", Op::Pop, || Some(2)); // 2 was never pushed
//! assert!(matches!(history.check(Queue::default()), Outcome::NotLinearizable(_)));
//! ```

use std::collections::HashSet;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Mutex;

/// The object as one thread sees it: applying an operation changes the value and gives the
/// operation's result.
pub trait Model: Clone + Eq + Hash {
    /// An operation with its arguments, e.g. `Push(3)`.
    type Op: Debug + Clone;
    /// What an operation returns.
    type Ret: Debug + Clone + PartialEq;
    /// Applies `op` and returns its result.
    fn step(&mut self, op: &Self::Op) -> Self::Ret;
}

/// One recorded call: who made it, with what, what it returned, and when (positions in the
/// history's one order of calls and returns).
#[derive(Debug, Clone)]
pub struct Operation<M: Model> {
    /// The calling thread's name.
    pub thread: String,
    /// The operation and its arguments.
    pub op: M::Op,
    /// Its result; `None` while it has not returned (its thread blocked or panicked): such an
    /// operation may or may not have taken effect, with any result.
    pub ret: Option<M::Ret>,
    /// When it was called.
    pub called: usize,
    /// When it returned.
    pub returned: Option<usize>,
}

/// The operations threads made on one object, recorded in the order the run made them.
///
/// Recording takes a `std` lock, never the engine's, so it adds no scheduling point: under the
/// model checker and the explore scheduler one thread runs at a time and the order is the run's;
/// on real threads a call is recorded before it starts and its return after it ended, so every
/// recorded interval contains the real one.
pub struct History<M: Model> {
    record: Mutex<Record<M>>,
}

struct Record<M: Model> {
    operations: Vec<Operation<M>>,
    clock: usize,
}

/// What [`History::check`] found.
#[derive(Debug)]
pub enum Outcome {
    /// Some order explains every result.
    Linearizable,
    /// No order does: the history up to the first result none explains, in words and a table.
    NotLinearizable(String),
    /// The search took more than its budget of steps without deciding.
    Undecided,
}

/// Steps [`History::check`] may take before it gives up: far more than the histories of a check
/// need (a few threads, a few operations each), far less than a stuck check would take.
pub const STEP_BUDGET: usize = 1_000_000;

impl<M: Model> Default for History<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Model> History<M> {
    /// An empty history.
    pub fn new() -> Self {
        History {
            record: Mutex::new(Record {
                operations: Vec::new(),
                clock: 0,
            }),
        }
    }

    /// Records `op` by `thread` around `call`, which performs it on the real object and returns
    /// its result.
    pub fn call(&self, thread: &str, op: M::Op, call: impl FnOnce() -> M::Ret) -> M::Ret {
        let index = {
            let mut record = self.lock();
            let called = record.tick();
            record.operations.push(Operation {
                thread: thread.to_owned(),
                op,
                ret: None,
                called,
                returned: None,
            });
            record.operations.len() - 1
        };
        let ret = call();
        let mut record = self.lock();
        let returned = record.tick();
        let operation = &mut record.operations[index];
        operation.ret = Some(ret.clone());
        operation.returned = Some(returned);
        ret
    }

    /// The operations recorded so far.
    pub fn operations(&self) -> Vec<Operation<M>> {
        self.lock().operations.clone()
    }

    /// Whether the recorded results can be explained by `initial` (the object's value before the
    /// first call), within [`STEP_BUDGET`].
    pub fn check(&self, initial: M) -> Outcome {
        check(&initial, &self.operations(), STEP_BUDGET)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Record<M>> {
        self.record.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<M: Model> Record<M> {
    fn tick(&mut self) -> usize {
        self.clock += 1;
        self.clock
    }
}

/// Whether `operations` can be explained by `initial`, within `budget` steps; when they cannot,
/// the explanation shows them up to the first result no order explains.
pub fn check<M: Model>(initial: &M, operations: &[Operation<M>], budget: usize) -> Outcome {
    match search(initial, operations, budget) {
        Some(true) => Outcome::Linearizable,
        None => Outcome::Undecided,
        Some(false) => {
            let (prefix, culprit) = first_failing_prefix(initial, operations, budget);
            Outcome::NotLinearizable(explain::explain(&prefix, culprit))
        }
    }
}

/// A history in which thread `t` makes the calls `per_thread[t]` one after another, each call
/// taking effect on `initial` at one instant between its call and its return, the threads'
/// steps interleaved at random (by `seed`): linearizable by construction, for testing and
/// measuring the search.
///
/// ```
/// use checks::linearizable::{check, simulate, Model, Outcome, STEP_BUDGET};
///
/// #[derive(Clone, PartialEq, Eq, Hash, Default)]
/// struct Counter(u64);
///
/// impl Model for Counter {
///     type Op = ();
///     type Ret = u64;
///     fn step(&mut self, _: &()) -> u64 {
///         self.0 += 1;
///         self.0
///     }
/// }
///
/// let history = simulate(Counter::default(), &[vec![(); 3], vec![(); 3]], 7);
/// assert_eq!(history.len(), 6);
/// assert!(matches!(check(&Counter::default(), &history, STEP_BUDGET), Outcome::Linearizable));
/// ```
pub fn simulate<M: Model>(
    mut initial: M,
    per_thread: &[Vec<M::Op>],
    seed: u64,
) -> Vec<Operation<M>> {
    let mut random = seed;
    let mut below = move |n: usize| {
        random = random
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (random >> 33) as usize % n
    };
    // Each call is three steps of its thread: the call, its effect, its return.
    let mut steps_taken = vec![0usize; per_thread.len()];
    let mut current: Vec<usize> = vec![0; per_thread.len()];
    let mut operations: Vec<Operation<M>> = Vec::new();
    let mut clock = 0;
    loop {
        let live: Vec<usize> = (0..per_thread.len())
            .filter(|&t| steps_taken[t] < per_thread[t].len() * 3)
            .collect();
        if live.is_empty() {
            return operations;
        }
        let t = live[below(live.len())];
        clock += 1;
        match steps_taken[t] % 3 {
            0 => {
                operations.push(Operation {
                    thread: format!("thread {t}"),
                    op: per_thread[t][steps_taken[t] / 3].clone(),
                    ret: None,
                    called: clock,
                    returned: None,
                });
                current[t] = operations.len() - 1;
            }
            1 => {
                let operation = &mut operations[current[t]];
                operation.ret = Some(initial.step(&operation.op));
            }
            _ => operations[current[t]].returned = Some(clock),
        }
        steps_taken[t] += 1;
    }
}

/// A call or a return in the history's order.
#[derive(Clone, Copy)]
struct Event {
    operation: usize,
    is_call: bool,
}

/// Wing and Gong's search with Lowe's memoisation: `Some(true)` if an order exists, `Some(false)`
/// if none does, `None` if `budget` steps did not decide.
fn search<M: Model>(initial: &M, operations: &[Operation<M>], budget: usize) -> Option<bool> {
    let mut events: Vec<(usize, Event)> = Vec::new();
    for (index, operation) in operations.iter().enumerate() {
        let call = Event {
            operation: index,
            is_call: true,
        };
        events.push((operation.called, call));
        let ret = Event {
            operation: index,
            is_call: false,
        };
        events.push((operation.returned.unwrap_or(usize::MAX), ret));
    }
    events.sort_by_key(|(time, event)| (*time, !event.is_call));
    let events: Vec<Event> = events.into_iter().map(|(_, event)| event).collect();

    let completed = operations.iter().filter(|o| o.ret.is_some()).count();
    let mut placed = Placed::new(operations.len());
    let mut placed_completed = 0;
    let mut state = initial.clone();
    // (operation placed, the state before it, where the cursor was)
    let mut stack: Vec<(usize, M, usize)> = Vec::new();
    // Lowe's memo, filled as the search undoes a configuration (which operations are placed,
    // the state they lead to): every continuation of it failed. A configuration on the current
    // path cannot come again (each step places one more operation), so this rejects what
    // filling it on entry would, and a history explained without undoing anything never
    // hashes or copies a state for it.
    let mut failed: HashSet<(Vec<u64>, M)> = HashSet::new();
    let mut cursor = 0;
    for _ in 0..budget {
        if placed_completed == completed {
            return Some(true);
        }
        while placed.has(events[cursor].operation) {
            cursor += 1;
        }
        let event = events[cursor];
        let operation = &operations[event.operation];
        if event.is_call {
            let mut next = state.clone();
            let ret = next.step(&operation.op);
            let explains = operation.ret.as_ref().is_none_or(|want| *want == ret);
            if explains {
                placed.set(event.operation, true);
                let configuration = (std::mem::take(&mut placed.bits), next);
                let known_to_fail = failed.contains(&configuration);
                let next;
                (placed.bits, next) = configuration;
                if !known_to_fail {
                    stack.push((event.operation, std::mem::replace(&mut state, next), cursor));
                    placed_completed += usize::from(operation.ret.is_some());
                    cursor = 0;
                    continue;
                }
                placed.set(event.operation, false);
            }
            cursor += 1;
        } else {
            // An operation returned that no order placed yet: undo the last placement.
            let Some((undone, before, at)) = stack.pop() else {
                return Some(false);
            };
            failed.insert((placed.bits.clone(), std::mem::replace(&mut state, before)));
            placed.set(undone, false);
            placed_completed -= usize::from(operations[undone].ret.is_some());
            cursor = at + 1;
        }
    }
    None
}

/// Which operations the search has placed, as bits (hashable, for the memo).
struct Placed {
    bits: Vec<u64>,
}

impl Placed {
    fn new(count: usize) -> Self {
        Placed {
            bits: vec![0; count.div_ceil(64)],
        }
    }

    fn has(&self, index: usize) -> bool {
        self.bits[index / 64] & (1 << (index % 64)) != 0
    }

    fn set(&mut self, index: usize, on: bool) {
        let bit = 1 << (index % 64);
        match on {
            true => self.bits[index / 64] |= bit,
            false => self.bits[index / 64] &= !bit,
        }
    }
}

/// The shortest prefix of a failing history that still fails: the operations called before the
/// first return that no order can explain, those still running then made pending (they may or
/// may not have taken effect). A prefix of an explainable history is explainable, so the first
/// failing prefix is found by bisection over the returns.
fn first_failing_prefix<M: Model>(
    initial: &M,
    operations: &[Operation<M>],
    budget: usize,
) -> (Vec<Operation<M>>, usize) {
    let mut returns: Vec<usize> = operations.iter().filter_map(|o| o.returned).collect();
    returns.sort_unstable();
    let prefix = |until: usize| -> Vec<Operation<M>> {
        operations
            .iter()
            .filter(|o| o.called < until)
            .map(|o| match o.returned {
                Some(returned) if returned > until => Operation {
                    ret: None,
                    returned: None,
                    ..o.clone()
                },
                _ => o.clone(),
            })
            .collect()
    };
    // The whole history fails; find the first return at which the prefix does.
    let (mut low, mut high) = (0, returns.len() - 1);
    while low < high {
        let middle = (low + high) / 2;
        match search(initial, &prefix(returns[middle]), budget) {
            Some(false) => high = middle,
            _ => low = middle + 1,
        }
    }
    let until = returns[low];
    let kept = prefix(until);
    let culprit = kept
        .iter()
        .position(|o| o.returned == Some(until))
        .expect("the prefix ends with a return");
    (kept, culprit)
}

mod explain;
#[cfg(test)]
mod tests;
