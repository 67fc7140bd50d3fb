//! Alternative: numbered tickets. Every hydrogen takes the next hydrogen ticket and every oxygen
//! the next oxygen ticket; molecule `m` is hydrogen tickets `2m` and `2m + 1` with oxygen ticket
//! `m`. Molecules bond strictly in order, first come first served, under one lock and a single
//! Condvar that every change wakes (`notify_all`).

use harness::sync::{Condvar, Mutex, MutexGuard};

/// The gate where hydrogen and oxygen threads meet to form water molecules.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): hydrogen threads
/// call [`hydrogen`](H2o::hydrogen), oxygen threads call [`oxygen`](H2o::oxygen).
pub struct H2o {
    state: Mutex<State>,
    changed: Condvar,
}

/// The ticket counters, guarded by the gate's lock.
struct State {
    /// Hydrogen tickets handed out so far.
    hydrogen_tickets: usize,
    /// Oxygen tickets handed out so far.
    oxygen_tickets: usize,
    /// The molecule whose atoms may bond now.
    current: usize,
    /// Atoms of the current molecule that have finished bonding.
    bonded: usize,
}

impl State {
    /// Whether every atom of `molecule` has arrived and it is that molecule's turn.
    fn may_bond(&self, molecule: usize) -> bool {
        self.current == molecule
            && self.hydrogen_tickets >= 2 * molecule + 2
            && self.oxygen_tickets > molecule
    }
}

impl H2o {
    /// Opens an empty gate.
    pub fn new() -> Self {
        H2o {
            state: Mutex::new(State {
                hydrogen_tickets: 0,
                oxygen_tickets: 0,
                current: 0,
                bonded: 0,
            })
            .named("the ticket counters"),
            changed: Condvar::new().named("the counters changed"),
        }
    }

    /// A hydrogen atom arrives: waits for one more hydrogen and one oxygen, then calls `bond`
    /// as part of their molecule and returns what `bond` returned.
    pub fn hydrogen<R>(&self, bond: impl FnOnce() -> R) -> R {
        let mut state = self.state.lock().unwrap();
        let molecule = state.hydrogen_tickets / 2;
        state.hydrogen_tickets += 1;
        self.join(state, molecule, bond)
    }

    /// An oxygen atom arrives: waits for two hydrogen, then calls `bond` as part of their
    /// molecule and returns what `bond` returned.
    pub fn oxygen<R>(&self, bond: impl FnOnce() -> R) -> R {
        let mut state = self.state.lock().unwrap();
        let molecule = state.oxygen_tickets;
        state.oxygen_tickets += 1;
        self.join(state, molecule, bond)
    }

    /// Waits for `molecule`'s turn with all its atoms present, bonds, and hands the turn on
    /// when the molecule's third atom is done.
    fn join<R>(
        &self,
        mut state: MutexGuard<'_, State>,
        molecule: usize,
        bond: impl FnOnce() -> R,
    ) -> R {
        // This arrival may complete a molecule whose atoms are asleep.
        self.changed.notify_all();
        while !state.may_bond(molecule) {
            state = self.changed.wait(state).unwrap();
        }
        drop(state);
        let made = bond();
        let mut state = self.state.lock().unwrap();
        state.bonded += 1;
        if state.bonded == 3 {
            state.bonded = 0;
            state.current += 1;
            self.changed.notify_all();
        }
        made
    }
}

impl Default for H2o {
    fn default() -> Self {
        H2o::new()
    }
}
