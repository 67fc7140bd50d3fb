//! Building H2O: atom threads pass a gate in molecules of two hydrogen and one oxygen. Read
//! `README.md` beside this folder's `src/` first.
//!
//! Build it from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`).

/// The gate where hydrogen and oxygen threads meet to form water molecules.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): hydrogen threads
/// call [`hydrogen`](H2o::hydrogen), oxygen threads call [`oxygen`](H2o::oxygen).
///
/// ```no_run
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
    // TODO: the gate's bookkeeping (who waits, which places of the molecule being formed are
    // still free, how many of its atoms have bonded) behind a `Mutex`, and `Condvar`s that
    // waiting atoms sleep on.
}

impl H2o {
    /// Opens an empty gate.
    pub fn new() -> Self {
        // TODO
        todo!("open an empty gate")
    }

    /// A hydrogen atom arrives: waits for one more hydrogen and one oxygen, then calls `bond`
    /// as part of their molecule and returns what `bond` returned.
    ///
    /// The three `bond` calls of a molecule may run at the same time, but every one of them
    /// must have returned before any atom of the next molecule calls its `bond`.
    pub fn hydrogen<R>(&self, bond: impl FnOnce() -> R) -> R {
        // TODO: wait for a hydrogen place in a molecule, bond, and tell the gate you are done.
        let _ = bond;
        todo!("let a hydrogen atom through in a molecule")
    }

    /// An oxygen atom arrives: waits for two hydrogen, then calls `bond` as part of their
    /// molecule and returns what `bond` returned.
    pub fn oxygen<R>(&self, bond: impl FnOnce() -> R) -> R {
        // TODO: wait for the oxygen place in a molecule, bond, and tell the gate you are done.
        let _ = bond;
        todo!("let an oxygen atom through in a molecule")
    }
}

impl Default for H2o {
    fn default() -> Self {
        H2o::new()
    }
}
