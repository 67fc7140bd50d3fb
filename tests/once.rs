//! Checks for the `once` kata: a cell initialised once, by whichever thread asks first.
//!
//! The promises: `get` is `None` until a `get_or_init` finished, then the value; of all the
//! callers of `get_or_init`, on all threads, exactly one `f` runs to completion and every caller
//! gets a reference to the one value it made (the same address); a panicking `f` reaches its
//! caller and leaves the cell empty, and a caller that was waiting for it, or comes later, runs
//! its own `f`; the value is dropped exactly once, with the cell; cells are independent.

use std::any::Any;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize as Counter, Ordering as CounterOrdering};
use std::time::Duration;

use checks::linearizable::{History, Model, Outcome};
use checks::threads::spawn_named;
use harness::check::{deliberate_panic, mode, Checks, Mode};
use harness::sync::{Arc, Condvar, Mutex};
use harness::thread;
use once::OnceLock;

fn main() {
    Checks::new()
        .sequential(
            "get is None before get_or_init, then the value; f runs once",
            runs_once_in_one_thread,
        )
        .sequential(
            "a panicking f reaches its caller and leaves the cell empty for the next f",
            panic_leaves_the_cell_empty,
        )
        .sequential(
            "the value is dropped exactly once, with the cell",
            value_dropped_once,
        )
        .sequential("cells are independent of each other", cells_are_independent)
        .concurrent(
            "callers on several threads at once: one f runs, all get its value",
            one_f_for_all_callers,
        )
        .concurrent(
            "get polled while another thread initialises sees None or the whole value",
            get_sees_nothing_or_everything,
        )
        .concurrent(
            "callers waiting for an f that panics: one of them runs its own f",
            waiters_of_a_panic_run_their_own_f,
        )
        .concurrent(
            "two threads initialising two cells in opposite orders",
            two_cells_two_threads,
        )
        .concurrent(
            "every result is one a cell keeping the first value gives, one call at a time",
            results_explained_by_a_cell,
        )
        .run();
}

/// A value that says which caller's `f` made it, is long enough on the heap that a read of a
/// half-written cell shows, and counts its drops.
#[derive(Debug)]
struct Made {
    by: u64,
    words: Vec<String>,
    drops: std::sync::Arc<Counter>,
}

impl Made {
    fn new(by: u64, drops: &std::sync::Arc<Counter>) -> Self {
        Made {
            by,
            words: vec![format!("made by caller {by}"), String::from("whole")],
            drops: std::sync::Arc::clone(drops),
        }
    }

    /// Whether this is the whole value caller `by` made.
    fn is_whole(&self) -> bool {
        self.words == [format!("made by caller {}", self.by), String::from("whole")]
    }
}

impl Drop for Made {
    fn drop(&mut self) {
        self.drops.fetch_add(1, CounterOrdering::SeqCst);
    }
}

/// Counts of side effects: `f`s started, `f`s in flight (and the most at once), drops.
#[derive(Default)]
struct Tally {
    started: Counter,
    in_flight: Counter,
    most_in_flight: Counter,
    drops: std::sync::Arc<Counter>,
}

/// One `f` in flight; dropping it (at its end, or while its panic unwinds) lands it.
struct Flight<'a>(&'a Tally);

impl Tally {
    fn new() -> std::sync::Arc<Self> {
        std::sync::Arc::new(Tally::default())
    }

    fn start(&self) -> Flight<'_> {
        self.started.fetch_add(1, CounterOrdering::SeqCst);
        let now = self.in_flight.fetch_add(1, CounterOrdering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, CounterOrdering::SeqCst);
        Flight(self)
    }

    fn started(&self) -> usize {
        self.started.load(CounterOrdering::SeqCst)
    }

    fn drops(&self) -> usize {
        self.drops.load(CounterOrdering::SeqCst)
    }
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, CounterOrdering::SeqCst);
    }
}

/// Under stress, keeps an `f` running (or lets the threads the check has just started reach
/// their wait) a little while, so that the scenario the check sets up happens in (almost) every
/// round; the other modes try every order anyway.
fn settle() {
    if mode() == Mode::Stress {
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// How many callers ask at once (this thread included), scaled to the mode's engine: under the
/// model checker, every interleaving of two callers spinning and yielding is already thousands.
fn callers() -> u64 {
    match mode() {
        Mode::Model => 2,
        _ => 4,
    }
}

/// How many times a polling thread looks before it stops: the model checker explores every
/// interleaving of a few looks, the others look until they have seen the value.
fn looks() -> usize {
    match mode() {
        Mode::Model => 2,
        Mode::Explore => 20,
        _ => usize::MAX,
    }
}

/// The address of a reference, to compare what threads got.
fn address<T>(value: &T) -> usize {
    value as *const T as usize
}

/// Calls `get_or_init` with an `f` that panics on purpose, and returns the panic. A panic that
/// does not come from that `f` (a `todo!()`, a bug in the cell) goes on unwinding; an `f` that
/// was not run is no failure, so `None` then; a call that returns although `f` ran and panicked
/// fails the check.
/// `before_the_panic` runs first, and what it returns is held until the panic has unwound.
fn init_that_panics<T, G>(
    cell: &OnceLock<T>,
    before_the_panic: impl FnOnce() -> G,
) -> Option<Box<dyn Any + Send>> {
    let ran = Counter::new(0);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        cell.get_or_init(|| {
            ran.fetch_add(1, CounterOrdering::SeqCst);
            let _held = before_the_panic();
            deliberate_panic("f panics")
        });
    }));
    match outcome {
        Err(payload) if ran.load(CounterOrdering::SeqCst) == 0 => resume_unwind(payload),
        Err(payload) => Some(payload),
        Ok(()) => {
            assert_eq!(
                ran.load(CounterOrdering::SeqCst),
                0,
                "get_or_init(f) returned, but its f panicked: the panic should reach the caller"
            );
            None
        }
    }
}

fn runs_once_in_one_thread() {
    let tally = Tally::new();
    let cell = OnceLock::new();
    for look in 1..=2 {
        assert!(
            cell.get().is_none(),
            "get() on a new cell should be None (look {look})"
        );
    }
    let first = cell.get_or_init(|| {
        let _f = tally.start();
        Made::new(1, &tally.drops)
    });
    assert!(
        first.by == 1 && first.is_whole(),
        "the first get_or_init(f) should return what its f made, but it returned {first:?}"
    );
    for round in 2..=3 {
        let again = cell.get_or_init(|| {
            let _f = tally.start();
            Made::new(round, &tally.drops)
        });
        assert_eq!(
            again.by, 1,
            "get_or_init(f) number {round} should return the value the first f made, not run \
             its own f"
        );
        assert_eq!(
            address(again),
            address(first),
            "get_or_init(f) number {round} returned a reference to another place than the \
             first: every caller should get the one value in the cell"
        );
    }
    let got = cell.get().map(address);
    assert_eq!(
        got,
        Some(address(first)),
        "after get_or_init, get() should return the value in the cell"
    );
    assert_eq!(
        tally.started(),
        1,
        "get_or_init was called 3 times on one cell: its f should run once, but {} ran",
        tally.started()
    );
    assert_eq!(
        tally.drops(),
        0,
        "the cell is alive, yet its value (or a value an f made) was dropped"
    );
    let defaulted: OnceLock<&str> = OnceLock::default();
    assert_eq!(defaulted.get(), None, "OnceLock::default() should be empty");
    assert_eq!(
        *defaulted.get_or_init(|| "default"),
        "default",
        "get_or_init on OnceLock::default() should return what its f made"
    );
}

fn panic_leaves_the_cell_empty() {
    let tally = Tally::new();
    let cell = OnceLock::new();
    for attempt in 1..=2 {
        let panic = init_that_panics(&cell, || {});
        assert!(
            panic.is_some(),
            "the cell was empty, so get_or_init(f) should have run f (attempt {attempt})"
        );
        assert!(
            cell.get().is_none(),
            "f panicked, so get() should be None, the cell empty (attempt {attempt})"
        );
    }
    let value = cell.get_or_init(|| {
        let _f = tally.start();
        Made::new(3, &tally.drops)
    });
    assert!(
        value.by == 3 && value.is_whole(),
        "after two f panicked, the next get_or_init(f) should run its f and return what it made, \
         but it returned {value:?}"
    );
    assert_eq!(
        tally.started(),
        1,
        "after two f panicked, one more get_or_init(f) should run its f once, but {} ran",
        tally.started()
    );
    let after = init_that_panics(&cell, || {});
    assert!(
        after.is_none(),
        "the cell holds a value, so get_or_init(f) should return it without running f"
    );
    assert_eq!(
        cell.get().map(|value| value.by),
        Some(3),
        "the cell should still hold the value made after the panics"
    );
    drop(cell);
    assert_eq!(
        tally.drops(),
        1,
        "one value was made (after two f panicked), and the cell was dropped: the value should \
         be dropped once, but {} drops were counted",
        tally.drops()
    );
}

fn value_dropped_once() {
    // A cell never initialised drops nothing.
    let tally = Tally::new();
    let empty: OnceLock<Made> = OnceLock::new();
    drop(empty);
    assert_eq!(
        tally.drops(),
        0,
        "an empty cell was dropped and dropped a value"
    );
    // A cell with a value drops it once, when it is dropped, however often it was asked.
    for asks in 1..=3 {
        let tally = Tally::new();
        let cell = OnceLock::new();
        for ask in 0..asks {
            cell.get_or_init(|| Made::new(ask, &tally.drops));
            assert_eq!(
                tally.drops(),
                0,
                "the cell is alive, yet {} values were dropped after {} get_or_init calls",
                tally.drops(),
                ask + 1
            );
        }
        drop(cell);
        assert_eq!(
            tally.drops(),
            1,
            "a cell asked {asks} times holds one value: dropping it should drop the value once, \
             but {} drops were counted",
            tally.drops()
        );
    }
}

fn cells_are_independent() {
    let tally = Tally::new();
    let cells: Vec<OnceLock<Made>> = (0..3).map(|_| OnceLock::new()).collect();
    let second = cells[1].get_or_init(|| Made::new(1, &tally.drops));
    assert_eq!(second.by, 1, "cell 1 should hold what its f made");
    assert!(
        cells[0].get().is_none() && cells[2].get().is_none(),
        "only cell 1 was initialised, yet get() on cell 0 or 2 returned a value"
    );
    for (index, cell) in cells.iter().enumerate() {
        let value = cell.get_or_init(|| Made::new(index as u64, &tally.drops));
        assert_eq!(
            value.by, index as u64,
            "cell {index} should hold the value its own first f made, but it holds {value:?}"
        );
    }
    let addresses: Vec<usize> = cells
        .iter()
        .map(|cell| cell.get().map_or(0, address))
        .collect();
    assert!(
        addresses[0] != addresses[1] && addresses[1] != addresses[2],
        "three cells should hold three values in three places"
    );
    drop(cells);
    assert_eq!(
        tally.drops(),
        3,
        "three cells held a value each: dropping them should drop 3 values, but {} drops were \
         counted",
        tally.drops()
    );
}

/// What a caller got: which caller made it, whether it was whole, and where it is.
type Got = (u64, bool, usize);

fn got(value: &Made) -> Got {
    (value.by, value.is_whole(), address(value))
}

fn one_f_for_all_callers() {
    let callers = callers();
    let tally = Tally::new();
    let cell = Arc::new(OnceLock::new());
    let ask = |cell: &OnceLock<Made>, tally: &Tally, id: u64| {
        got(cell.get_or_init(|| {
            let _f = tally.start();
            settle();
            Made::new(id, &tally.drops)
        }))
    };
    let handles: Vec<_> = (1..callers)
        .map(|id| {
            let (cell, tally) = (Arc::clone(&cell), std::sync::Arc::clone(&tally));
            spawn_named(format!("caller {id}"), move || ask(&cell, &tally, id))
        })
        .collect();
    let mut results = vec![ask(&cell, &tally, 0)];
    results.extend(handles.into_iter().map(|handle| handle.join().unwrap()));
    let ran = tally.started();
    assert_eq!(
        ran,
        1,
        "{callers} threads called get_or_init(f) on one empty cell at once and {ran} of their f \
         ran (the callers got values made by {:?}): exactly one f should run, the others \
         waiting for its value",
        results.iter().map(|result| result.0).collect::<Vec<_>>()
    );
    let stored = cell.get().map(got);
    for (id, result) in results.iter().enumerate() {
        assert!(
            result.1,
            "caller {id} got a value that was not whole: {result:?}"
        );
        assert_eq!(
            Some(*result),
            stored,
            "{callers} threads called get_or_init(f) at once; caller {id} got the value made by \
             caller {} at {:#x}, but the cell holds {stored:?} (made by, whole, address): every \
             caller should get a reference to the one value in the cell",
            result.0,
            result.2
        );
    }
    drop(cell);
    assert_eq!(
        tally.drops(),
        1,
        "one value was made and the cell was dropped: it should be dropped once, but {} drops \
         were counted",
        tally.drops()
    );
}

fn get_sees_nothing_or_everything() {
    let tally = Tally::new();
    let cell = Arc::new(OnceLock::new());
    let maker = {
        let (cell, tally) = (Arc::clone(&cell), std::sync::Arc::clone(&tally));
        spawn_named("initialiser", move || {
            got(cell.get_or_init(|| Made::new(1, &tally.drops)))
        })
    };
    let mut seen = None;
    for _ in 0..looks() {
        if let Some(value) = cell.get() {
            seen = Some(got(value));
            break;
        }
        thread::yield_now();
    }
    let made = maker.join().unwrap();
    if let Some(seen) = seen {
        assert_eq!(
            seen, made,
            "get() returned a value (made by, whole, address) while another thread \
             initialised the cell, but not the one get_or_init returned: {seen:?} against \
             {made:?}"
        );
    }
    assert_eq!(
        cell.get().map(got),
        Some(made),
        "after the initialising thread was joined, get() should return its value"
    );
    drop(cell);
    assert_eq!(
        tally.drops(),
        1,
        "one value was made and the cell was dropped: it should be dropped once, but {} drops \
         were counted",
        tally.drops()
    );
}

/// A one-way signal between the check's own threads.
struct Flag {
    raised: Mutex<bool>,
    changed: Condvar,
}

impl Flag {
    fn new(name: &str) -> Arc<Self> {
        Arc::new(Flag {
            raised: Mutex::new(false).named(name),
            changed: Condvar::new().named(name),
        })
    }

    fn raise(&self) {
        *self.raised.lock().unwrap() = true;
        self.changed.notify_all();
    }

    fn wait(&self) {
        let mut raised = self.raised.lock().unwrap();
        while !*raised {
            raised = self.changed.wait(raised).unwrap();
        }
    }
}

fn waiters_of_a_panic_run_their_own_f() {
    let waiters = match mode() {
        Mode::Model => 1,
        _ => 3,
    };
    let tally = Tally::new();
    let cell: Arc<OnceLock<Made>> = Arc::new(OnceLock::new());
    let panic_started = Flag::new("the f that panics started");
    let failing = {
        let (cell, tally) = (Arc::clone(&cell), std::sync::Arc::clone(&tally));
        let panic_started = Arc::clone(&panic_started);
        spawn_named("caller whose f panics", move || {
            init_that_panics(&cell, || {
                // In flight until the panic has unwound.
                let f = tally.start();
                panic_started.raise();
                // Under stress, the waiters reach their wait before the panic.
                settle();
                f
            })
            .is_some()
        })
    };
    // The waiters ask while the f that panics runs (or, under the model checker and the
    // explorer, at any point after it started).
    panic_started.wait();
    let ask = |cell: &OnceLock<Made>, tally: &Tally, id: u64| {
        got(cell.get_or_init(|| {
            let _f = tally.start();
            settle();
            Made::new(id, &tally.drops)
        }))
    };
    let handles: Vec<_> = (1..waiters)
        .map(|id| {
            let (cell, tally) = (Arc::clone(&cell), std::sync::Arc::clone(&tally));
            spawn_named(format!("waiter {id}"), move || ask(&cell, &tally, id))
        })
        .collect();
    let mut results = vec![ask(&cell, &tally, 0)];
    results.extend(handles.into_iter().map(|handle| handle.join().unwrap()));
    let panicked = failing.join().unwrap();
    assert!(
        panicked,
        "the caller whose f panics ran it first, on an empty cell, but did not get the panic"
    );
    let ran = tally.started();
    let most = tally.most_in_flight.load(CounterOrdering::SeqCst);
    assert_eq!(
        most, 1,
        "an f panicked while {waiters} callers waited, and then {most} f ran at the same time \
         on one cell: one waiter should run its f while the others wait for it"
    );
    assert_eq!(
        ran, 2,
        "an f panicked while {waiters} callers waited, and {ran} f ran in all: the one that \
         panicked and exactly one more should run"
    );
    let stored = cell.get().map(got);
    for (id, result) in results.iter().enumerate() {
        assert!(
            result.1 && Some(*result) == stored,
            "an f panicked while {waiters} callers waited; caller {id} got {result:?} (made \
             by, whole, address), but the cell holds {stored:?}: every waiter should get the one \
             value made after the panic"
        );
    }
    // After the value is in, an f that would panic is not run.
    let late = init_that_panics(&cell, || {});
    assert!(
        late.is_none(),
        "the cell holds a value, so get_or_init(f) should return it without running f"
    );
    drop(cell);
    assert_eq!(
        tally.drops(),
        1,
        "one value was made after the panic and the cell was dropped: it should be dropped \
         once, but {} drops were counted",
        tally.drops()
    );
}

fn two_cells_two_threads() {
    let tally = Tally::new();
    let cells: Arc<[OnceLock<Made>; 2]> = Arc::new([OnceLock::new(), OnceLock::new()]);
    // Caller `id` makes values 10 * id + cell, asking for the cells in its own order.
    let ask = |cells: &[OnceLock<Made>; 2], tally: &Tally, id: u64, order: [usize; 2]| {
        order.map(|index| {
            (
                index,
                got(cells[index].get_or_init(|| {
                    let _f = tally.start();
                    Made::new(10 * id + index as u64, &tally.drops)
                })),
            )
        })
    };
    let other = {
        let (cells, tally) = (Arc::clone(&cells), std::sync::Arc::clone(&tally));
        spawn_named("caller 1", move || ask(&cells, &tally, 1, [1, 0]))
    };
    let mine = ask(&cells, &tally, 0, [0, 1]);
    let theirs = other.join().unwrap();
    assert_eq!(
        tally.started(),
        2,
        "two threads each asked for two cells: each cell's f should run once, 2 in all, but {} \
         ran",
        tally.started()
    );
    for (index, result) in mine.iter().chain(&theirs) {
        let stored = cells[*index].get().map(got);
        assert!(
            result.1 && Some(*result) == stored && result.0 % 10 == *index as u64,
            "cell {index} holds {stored:?} (made by, whole, address), but a caller got \
             {result:?} from it: each cell should hold a value its own f made, and give it to \
             every caller"
        );
    }
    drop(cells);
    assert_eq!(
        tally.drops(),
        2,
        "two cells held a value each: dropping them should drop 2 values, but {} drops were \
         counted",
        tally.drops()
    );
}

/// The cell as one thread at a time sees it: empty, or the value the first `get_or_init` made.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
struct CellModel(Option<u64>);

#[derive(Debug, Clone)]
enum CellOp {
    /// `get_or_init(f)` whose `f` would make `makes`.
    GetOrInit {
        makes: u64,
    },
    Get,
}

impl Model for CellModel {
    type Op = CellOp;
    type Ret = Option<u64>;
    fn step(&mut self, op: &CellOp) -> Option<u64> {
        match op {
            CellOp::GetOrInit { makes } => Some(*self.0.get_or_insert(*makes)),
            CellOp::Get => self.0,
        }
    }
}

/// One call of a thread's script.
#[derive(Clone, Copy)]
enum Call {
    GetOrInit,
    Get,
}

/// Threads call `get` and `get_or_init` at once, every call recorded (an `f` makes a value of
/// its caller's own): some order of the calls, each taking effect at one instant between its
/// call and its return, must give every result on a plain `Option` that keeps the first value
/// (so `get` sees every value a `get_or_init` returned before it was called, and a value never
/// changes).
fn results_explained_by_a_cell() {
    use Call::{Get, GetOrInit};
    let scripts: Vec<Vec<Call>> = match mode() {
        // thread 0 is this thread
        Mode::Model => vec![vec![Get, GetOrInit], vec![GetOrInit, Get]],
        _ => vec![
            vec![Get, GetOrInit, Get],
            vec![GetOrInit, Get, Get],
            vec![Get, Get, GetOrInit],
        ],
    };
    let cell: Arc<OnceLock<u64>> = Arc::new(OnceLock::new());
    let history: Arc<History<CellModel>> = Arc::new(History::new());
    let recorded = |history: &History<CellModel>, cell: &OnceLock<u64>, id: u64, call: Call| {
        let thread = format!("thread {id}");
        match call {
            Call::GetOrInit => {
                let makes = 100 + id;
                history.call(&thread, CellOp::GetOrInit { makes }, || {
                    Some(*cell.get_or_init(|| makes))
                });
            }
            Call::Get => {
                history.call(&thread, CellOp::Get, || cell.get().copied());
            }
        }
    };
    let handles: Vec<_> = scripts
        .iter()
        .enumerate()
        .skip(1)
        .map(|(id, script)| {
            let (cell, history, script) = (Arc::clone(&cell), Arc::clone(&history), script.clone());
            spawn_named(format!("thread {id}"), move || {
                for call in script {
                    recorded(&history, &cell, id as u64, call);
                }
            })
        })
        .collect();
    for &call in &scripts[0] {
        recorded(&history, &cell, 0, call);
    }
    for handle in handles {
        handle.join().unwrap();
    }
    let calls = history.operations().len();
    match history.check(CellModel::default()) {
        Outcome::Linearizable => {}
        Outcome::NotLinearizable(why) => panic!(
            "{} threads called get() and get_or_init(f) on one cell at once (thread n's f makes \
             100 + n), but no cell that keeps the first value, taking one call at a time, gives \
             these results: {why}",
            scripts.len()
        ),
        Outcome::Undecided => panic!(
            "the history of {calls} calls on the cell was too long to decide whether a cell \
             explains it: make the check's scripts shorter"
        ),
    }
}
