//! The cigarette smokers. Read `README.md` beside this folder's `src/` first.
//!
//! The table's state and the agent are written for you; the agent's code may not change. Write the
//! smokers' side, `smoker`, with the table's `harness::sync::{Mutex, Condvar}` (the same API as
//! `std::sync`).

use harness::sync::{Condvar, Mutex};

/// One of the three ingredients of a cigarette.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ingredient {
    /// Tobacco.
    Tobacco,
    /// Rolling paper.
    Paper,
    /// Matches.
    Matches,
}

impl Ingredient {
    /// Every ingredient, in a fixed order.
    pub const ALL: [Ingredient; 3] = [Ingredient::Tobacco, Ingredient::Paper, Ingredient::Matches];

    fn index(self) -> usize {
        self as usize
    }
}

/// The table between the agent and the three smokers.
///
/// ```no_run
/// use cigarette_smokers::{Ingredient, Table};
/// use harness::sync::Arc;
/// use harness::thread;
///
/// let table = Arc::new(Table::new());
/// let smoker = {
///     let table = Arc::clone(&table);
///     thread::spawn(move || table.smoker(Ingredient::Matches, || println!("smoking")))
/// };
/// table.agent(Ingredient::Matches, |put| println!("the agent puts {put:?}"));
/// smoker.join().unwrap();
/// ```
pub struct Table {
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    /// Which ingredients lie on the table.
    on_table: [bool; 3],
    /// Cigarettes made so far.
    cigarettes: u64,
}

impl Default for Table {
    fn default() -> Self {
        Table::new()
    }
}

impl Table {
    /// An empty table.
    pub fn new() -> Self {
        Table {
            state: Mutex::new(State {
                on_table: [false; 3],
                cigarettes: 0,
            })
            .named("the table"),
            changed: Condvar::new().named("table changed"),
        }
    }

    /// One round of the agent: puts the two ingredients other than `missing` on the table, one
    /// at a time, running `put` as each lands (while nobody else touches the table), then waits
    /// until a smoker has taken them to make a cigarette.
    pub fn agent(&self, missing: Ingredient, mut put: impl FnMut(Ingredient)) {
        let mut made = None;
        for ingredient in Ingredient::ALL {
            if ingredient == missing {
                continue;
            }
            let mut state = self.lock();
            made.get_or_insert(state.cigarettes);
            state.on_table[ingredient.index()] = true;
            put(ingredient);
            drop(state);
            self.changed.notify_all();
        }
        let before = made.expect("two ingredients were put");
        let state = self.lock();
        drop(
            self.changed
                .wait_while(state, |state| state.cigarettes == before)
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
    }

    /// One cigarette of the smoker who holds `has`: waits until the two other ingredients lie on
    /// the table, takes both at once, running `take` at that moment (while nobody else touches
    /// the table), and lets the agent go on.
    pub fn smoker(&self, has: Ingredient, take: impl FnOnce()) {
        // TODO: wait until this smoker can make a cigarette, take what it needs off the table
        // (running `take` at that moment, still holding the lock), count the cigarette and
        // wake whoever waits for it.
        let _ = take;
        todo!("the smoker with {has:?} makes a cigarette")
    }

    fn lock(&self) -> harness::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
