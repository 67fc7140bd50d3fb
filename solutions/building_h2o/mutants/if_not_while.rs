//! Mutant: in `hydrogen` an atom waits for a free hydrogen place with `if` instead of `while`, so a hydrogen woken when the two places went to the other hydrogen woken with it (a new molecule wakes every waiting hydrogen), or woken spuriously before any molecule formed, does not look again and takes a place that is not there: the count of free places goes below zero (a panic in a debug build) and a third hydrogen bonds.
//! Expect: race

use harness::sync::{Condvar, Mutex, MutexGuard};

/// The gate where hydrogen and oxygen threads meet to form water molecules.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): hydrogen threads
/// call [`hydrogen`](H2o::hydrogen), oxygen threads call [`oxygen`](H2o::oxygen).
///
/// ```
/// use building_h2o::H2o;
/// use harness::sync::Arc;
/// use harness::thread;
///
/// let gate = Arc::new(H2o::new());
/// let hydrogens: Vec<_> = (0..2)
///     .map(|_| {
///         let gate = Arc::clone(&gate);
///         thread::spawn(move || gate.hydrogen(|| "H"))
///     })
///     .collect();
/// assert_eq!(gate.oxygen(|| "O"), "O");
/// for h in hydrogens {
///     assert_eq!(h.join().unwrap(), "H");
/// }
/// ```
pub struct H2o {
    state: Mutex<State>,
    hydrogen_turn: Condvar,
    oxygen_turn: Condvar,
}

/// The gate's bookkeeping, guarded by its lock.
struct State {
    /// Hydrogen threads that arrived and have no place in a molecule yet.
    waiting_hydrogen: usize,
    /// Oxygen threads that arrived and have no place in a molecule yet.
    waiting_oxygen: usize,
    /// Whether a molecule is being formed: places handed out, not every atom done bonding.
    forming: bool,
    /// Free hydrogen places in the molecule being formed.
    hydrogen_places: usize,
    /// Free oxygen places in the molecule being formed.
    oxygen_places: usize,
    /// Atoms of the molecule being formed that have finished bonding.
    bonded: usize,
}

impl H2o {
    /// Opens an empty gate.
    pub fn new() -> Self {
        H2o {
            state: Mutex::new(State {
                waiting_hydrogen: 0,
                waiting_oxygen: 0,
                forming: false,
                hydrogen_places: 0,
                oxygen_places: 0,
                bonded: 0,
            })
            .named("the gate"),
            hydrogen_turn: Condvar::new().named("hydrogen's turn"),
            oxygen_turn: Condvar::new().named("oxygen's turn"),
        }
    }

    /// A hydrogen atom arrives: waits for one more hydrogen and one oxygen, then calls `bond`
    /// as part of their molecule and returns what `bond` returned.
    pub fn hydrogen<R>(&self, bond: impl FnOnce() -> R) -> R {
        let mut state = self.state.lock().unwrap();
        state.waiting_hydrogen += 1;
        self.form_molecule(&mut state);
        if state.hydrogen_places == 0 {
            state = self.hydrogen_turn.wait(state).unwrap();
        }
        state.hydrogen_places -= 1;
        drop(state);
        let made = bond();
        self.done_bonding();
        made
    }

    /// An oxygen atom arrives: waits for two hydrogen, then calls `bond` as part of their
    /// molecule and returns what `bond` returned.
    pub fn oxygen<R>(&self, bond: impl FnOnce() -> R) -> R {
        let mut state = self.state.lock().unwrap();
        state.waiting_oxygen += 1;
        self.form_molecule(&mut state);
        while state.oxygen_places == 0 {
            state = self.oxygen_turn.wait(state).unwrap();
        }
        state.oxygen_places -= 1;
        drop(state);
        let made = bond();
        self.done_bonding();
        made
    }

    /// If no molecule is being formed and two hydrogen and one oxygen are waiting, opens the
    /// places of a new molecule and wakes the atoms that may take them.
    fn form_molecule(&self, state: &mut MutexGuard<'_, State>) {
        if state.forming || state.waiting_hydrogen < 2 || state.waiting_oxygen < 1 {
            return;
        }
        state.waiting_hydrogen -= 2;
        state.waiting_oxygen -= 1;
        state.forming = true;
        state.hydrogen_places = 2;
        state.oxygen_places = 1;
        state.bonded = 0;
        // Two hydrogen places: one notify_one could wake only one of the two.
        self.hydrogen_turn.notify_all();
        self.oxygen_turn.notify_one();
    }

    /// One atom of the current molecule has bonded; the last one closes the molecule, so that
    /// the next one can form.
    fn done_bonding(&self) {
        let mut state = self.state.lock().unwrap();
        state.bonded += 1;
        if state.bonded == 3 {
            state.forming = false;
            self.form_molecule(&mut state);
        }
    }
}

impl Default for H2o {
    fn default() -> Self {
        H2o::new()
    }
}
