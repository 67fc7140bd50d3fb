//! Alternative: the smokers poll instead of sleeping: each one locks the table, takes its two
//! ingredients if both lie there, and otherwise unlocks and calls `thread::yield_now` before
//! looking again. Only the agent sleeps, on a condition variable the smokers notify once the
//! round's cigarette is made.

use harness::sync::{Condvar, Mutex};
use harness::thread;

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
/// ```
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
    /// The agent sleeps on it until the round's cigarette is made.
    smoked: Condvar,
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
            smoked: Condvar::new().named("smoked"),
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
            // No notify: the smokers look for themselves.
        }
        let before = made.expect("two ingredients were put");
        let state = self.lock();
        drop(
            self.smoked
                .wait_while(state, |state| state.cigarettes == before)
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
    }

    /// One cigarette of the smoker who holds `has`: waits (polling) until the two other
    /// ingredients lie on the table, takes both at once, running `take` at that moment (while
    /// nobody else touches the table), and lets the agent go on.
    pub fn smoker(&self, has: Ingredient, take: impl FnOnce()) {
        loop {
            let mut state = self.lock();
            let both_there = Ingredient::ALL
                .iter()
                .filter(|&&i| i != has)
                .all(|&i| state.on_table[i.index()]);
            if both_there {
                // Both in one step, under the lock: nobody ever holds just one.
                state.on_table = [false; 3];
                take();
                state.cigarettes += 1;
                drop(state);
                self.smoked.notify_all();
                return;
            }
            // Not yet: let go of the table, so the agent can put, and look again later.
            drop(state);
            thread::yield_now();
        }
    }

    fn lock(&self) -> harness::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
