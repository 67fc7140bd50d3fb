//! Mutant: in `smoker` the smoker waits for its two ingredients with `if` instead of `wait_while`,
//! so a smoker woken by a change that was not for it (the first ingredient of a round, or a round
//! meant for another smoker: every change wakes all smokers), or woken spuriously, does not look at
//! the table again: it takes what lies there and makes a cigarette without both of the ingredients
//! it lacks.
//! Expect: race

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
        let state = self.lock();
        let needs = |state: &State| {
            Ingredient::ALL
                .iter()
                .filter(|&&i| i != has)
                .all(|&i| state.on_table[i.index()])
        };
        let mut state = if !needs(&state) {
            self.changed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        } else {
            state
        };
        state.on_table = [false; 3];
        take();
        state.cigarettes += 1;
        drop(state);
        self.changed.notify_all();
    }

    fn lock(&self) -> harness::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
