//! Checks of the `river_crossing` kata: hackers and serfs share a boat of four.
//!
//! The promises: every boatload is safe (four hackers, four serfs, or two of each); a passenger
//! boards only once a safe boatload including it has gathered on the dock; exactly one of the
//! four is the captain, rows only after all four are aboard, and says so by returning `true`;
//! nobody boards the next boat before the boat has been rowed away (the captain's `row_boat`
//! returned); everyone crosses when the numbers allow it (no lost wakeup). Every passenger
//! thread logs its arrival, its boarding and its rowing (begun and over); the log is judged by
//! `checks::validators::river_crossing`, during the run and once more at the end.

use std::cell::Cell;
use std::sync::Mutex as StdMutex;

use checks::threads::spawn_named;
use checks::validators::river_crossing::{validate, validate_so_far, Event, Kind, Step};
use harness::check::{Checks, Mode};
use harness::sync::Arc;
use harness::thread::{self, JoinHandle};
use river_crossing::Dock;

fn main() {
    Checks::new()
        .sequential("a dock can be opened with new() and default()", dock_opens)
        .concurrent("two hackers and two serfs cross together", two_and_two)
        .only(
            "four hackers and four serfs cross in safe boatloads, one boat at a time",
            &[Mode::Explore, Mode::Stress],
            four_and_four,
        )
        .only(
            "six hackers and two serfs all cross in safe boatloads",
            &[Mode::Explore, Mode::Stress],
            six_and_two,
        )
        .run();
}

/// The log every passenger writes to: plain std bookkeeping, held only for an instant.
type Log = Arc<StdMutex<Vec<Event>>>;

fn new_log() -> Log {
    Arc::new(StdMutex::new(Vec::new()))
}

/// Appends one line to the log and judges the log so far; a broken promise fails the check at
/// once, in the thread that saw it.
fn record(log: &Log, thread: &str, kind: Kind, step: Step) {
    let verdict = {
        let mut log = log.lock().unwrap();
        log.push(Event::new(thread, kind, step));
        validate_so_far(&log)
    };
    if let Err(problem) = verdict {
        panic!("{problem}");
    }
}

/// One passenger crosses: it logs its arrival, its `board` and `row_boat` closures log what
/// they do (`row_boat` when it begins and when it ends), and the returned captain flag must say
/// whether `row_boat` was called.
fn cross(dock: &Dock, log: &Log, name: &str, kind: Kind) {
    record(log, name, kind, Step::Arrive);
    let rowed = Cell::new(false);
    let board = || {
        record(log, name, kind, Step::Board);
        // A pause aboard, so that others can run meanwhile.
        thread::yield_now();
    };
    let row_boat = || {
        assert!(
            !rowed.get(),
            "{name} ({kind}) was asked to row twice in one crossing"
        );
        rowed.set(true);
        record(log, name, kind, Step::Row);
        // Rowing away takes a moment, so that others can run meanwhile: nobody may board the
        // next boat before it is over.
        thread::yield_now();
        record(log, name, kind, Step::Rowed);
    };
    let captain = match kind {
        Kind::Hacker => dock.hacker(board, row_boat),
        Kind::Serf => dock.serf(board, row_boat),
    };
    assert!(
        captain == rowed.get(),
        "{name} ({kind}) returned {captain} (\"I was the captain\"), but its row_boat was {}called",
        if rowed.get() { "" } else { "not " }
    );
}

/// Starts a passenger thread: one thread is one passenger, and crosses once.
fn passenger(dock: &Arc<Dock>, log: &Log, name: String, kind: Kind) -> JoinHandle<()> {
    let (dock, log) = (Arc::clone(dock), Arc::clone(log));
    spawn_named(name.clone(), move || cross(&dock, &log, &name, kind))
}

/// Joins every passenger, then judges the whole log: every boat left and nobody is left on
/// the dock.
fn finish(handles: Vec<JoinHandle<()>>, log: &Log) {
    for handle in handles {
        handle.join().unwrap();
    }
    if let Err(problem) = validate(&log.lock().unwrap()) {
        panic!("{problem}");
    }
}

fn dock_opens() {
    // Every call waits for a boatload of four, so this is all one thread can try.
    let _dock = Dock::new();
    let _dock = Dock::default();
}

fn two_and_two() {
    let dock = Arc::new(Dock::new());
    let log = new_log();
    let handles = vec![
        passenger(&dock, &log, "hacker 0".into(), Kind::Hacker),
        passenger(&dock, &log, "hacker 1".into(), Kind::Hacker),
        passenger(&dock, &log, "serf 0".into(), Kind::Serf),
    ];
    cross(&dock, &log, "serf 1", Kind::Serf);
    finish(handles, &log);
}

/// A crowd of passenger threads, spawned in the order given.
fn crowd(kinds: &[Kind]) {
    let dock = Arc::new(Dock::new());
    let log = new_log();
    let mut counts = [0, 0];
    let handles = kinds
        .iter()
        .map(|&kind| {
            let count = &mut counts[usize::from(kind == Kind::Serf)];
            let name = format!("{kind} {count}");
            *count += 1;
            passenger(&dock, &log, name, kind)
        })
        .collect();
    finish(handles, &log);
}

fn four_and_four() {
    use Kind::{Hacker as H, Serf as S};
    // Three hackers and a serf come first: the boat must not take them.
    crowd(&[H, H, H, S, S, H, S, S]);
}

fn six_and_two() {
    use Kind::{Hacker as H, Serf as S};
    crowd(&[H, S, H, H, H, S, H, H]);
}
