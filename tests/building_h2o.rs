//! Checks of the `building_h2o` kata: atom threads pass a gate in water molecules.
//!
//! The promises: atoms bond in molecules of exactly two hydrogen and one oxygen; an atom bonds
//! only once its two partners are waiting at the gate; all three atoms of a molecule finish
//! bonding before any atom of the next molecule begins; every atom gets through when the numbers
//! add up (no lost wakeup); `hydrogen`/`oxygen` return what `bond` returned. Every atom thread
//! (one thread, one atom) logs its arrival and when its `bond` begins and ends; the log is
//! judged by `checks::validators::building_h2o`, during the run and once more at the end.

use std::sync::Mutex as StdMutex;

use building_h2o::H2o;
use checks::threads::spawn_named;
use checks::validators::building_h2o::{validate, validate_so_far, Atom, Event, Step};
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread::{self, JoinHandle};

fn main() {
    Checks::new()
        .sequential("a gate can be opened with new() and default()", gate_opens)
        .concurrent("two hydrogen and one oxygen make a molecule", one_molecule)
        // A crowd that forms several molecules is too big for model mode; the checks above and
        // below try every interleaving of one molecule there.
        .only(
            "atoms pass in molecules of two hydrogen and one oxygen, one molecule at a time",
            &[Mode::Explore, Mode::Stress],
            molecules_one_at_a_time,
        )
        .concurrent(
            "atoms arriving in any order all get through",
            any_arrival_order,
        )
        .run();
}

/// The log every atom writes to: plain std bookkeeping, held only for an instant.
type Log = Arc<StdMutex<Vec<Event>>>;

fn new_log() -> Log {
    Arc::new(StdMutex::new(Vec::new()))
}

/// Appends one line to the log and judges the log so far; a broken promise fails the check at
/// once, in the thread that saw it.
fn record(log: &Log, thread: &str, atom: Atom, step: Step) {
    let verdict = {
        let mut log = log.lock().unwrap();
        log.push(Event::new(thread, atom, step));
        validate_so_far(&log)
    };
    if let Err(problem) = verdict {
        panic!("{problem}");
    }
}

/// One atom passes the gate: it logs its arrival, its `bond` logs its begin and end (with a
/// pause between, so that other atoms can run meanwhile), and the gate must hand back what
/// `bond` returned.
fn pass(gate: &H2o, log: &Log, name: &str, atom: Atom) {
    record(log, name, atom, Step::Arrive);
    let bond = || {
        record(log, name, atom, Step::Begin);
        thread::yield_now();
        record(log, name, atom, Step::End);
        format!("{name} bonded")
    };
    let made = match atom {
        Atom::Hydrogen => gate.hydrogen(bond),
        Atom::Oxygen => gate.oxygen(bond),
    };
    assert!(
        made == format!("{name} bonded"),
        "{name} called {atom}(bond), but got back {made:?} instead of what its bond returned"
    );
}

/// Starts an atom thread: one thread is one atom, and passes the gate once.
fn atom_thread(gate: &Arc<H2o>, log: &Log, name: String, atom: Atom) -> JoinHandle<()> {
    let (gate, log) = (Arc::clone(gate), Arc::clone(log));
    spawn_named(name.clone(), move || pass(&gate, &log, &name, atom))
}

/// Joins every atom thread, then judges the whole log: every molecule finished, and every atom
/// bonded exactly once.
fn finish(handles: Vec<JoinHandle<()>>, log: &Log, atoms: usize) {
    for handle in handles {
        handle.join().unwrap();
    }
    let log = log.lock().unwrap();
    if let Err(problem) = validate(&log) {
        panic!("{problem}");
    }
    let begun = log.iter().filter(|e| e.step == Step::Begin).count();
    assert!(
        begun == atoms,
        "{atoms} atoms passed the gate, but {begun} calls of bond were logged: every atom must \
         call its bond exactly once"
    );
}

fn gate_opens() {
    // Every call waits for other threads, so this is all one thread can try.
    let _gate = H2o::new();
    let _gate = H2o::default();
}

fn one_molecule() {
    let gate = Arc::new(H2o::new());
    let log = new_log();
    let handles = vec![
        atom_thread(&gate, &log, "hydrogen 0".into(), Atom::Hydrogen),
        atom_thread(&gate, &log, "hydrogen 1".into(), Atom::Hydrogen),
    ];
    pass(&gate, &log, "oxygen 0", Atom::Oxygen);
    finish(handles, &log, 3);
}

/// A crowd of `molecules` molecules' worth of atom threads, oxygen or hydrogen started first.
fn crowd(molecules: usize, oxygen_first: bool) {
    let gate = Arc::new(H2o::new());
    let log = new_log();
    let mut handles = Vec::new();
    let hydrogen = |handles: &mut Vec<JoinHandle<()>>| {
        for id in 0..2 * molecules {
            handles.push(atom_thread(
                &gate,
                &log,
                format!("hydrogen {id}"),
                Atom::Hydrogen,
            ));
        }
    };
    if !oxygen_first {
        hydrogen(&mut handles);
    }
    for id in 0..molecules {
        handles.push(atom_thread(
            &gate,
            &log,
            format!("oxygen {id}"),
            Atom::Oxygen,
        ));
    }
    if oxygen_first {
        hydrogen(&mut handles);
    }
    finish(handles, &log, 3 * molecules);
}

fn molecules_one_at_a_time() {
    crowd(2, false);
}

fn any_arrival_order() {
    match mode() {
        Mode::Model => {
            // This thread is a hydrogen; the oxygen may come before or after either hydrogen.
            let gate = Arc::new(H2o::new());
            let log = new_log();
            let handles = vec![
                atom_thread(&gate, &log, "oxygen 0".into(), Atom::Oxygen),
                atom_thread(&gate, &log, "hydrogen 1".into(), Atom::Hydrogen),
            ];
            pass(&gate, &log, "hydrogen 0", Atom::Hydrogen);
            finish(handles, &log, 3);
        }
        _ => crowd(3, true),
    }
}
