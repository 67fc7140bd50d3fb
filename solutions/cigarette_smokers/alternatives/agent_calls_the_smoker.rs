//! Alternative: the agent decides who smokes. Each smoker sleeps on its own condition variable;
//! when the agent puts the second ingredient down it names the smoker who holds the third (like
//! Downey's "pushers"), wakes exactly that smoker, and then sleeps until the smoker is done.

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
}

/// The table between the agent and the three smokers.
pub struct Table {
    state: Mutex<State>,
    /// One per smoker, by the ingredient it holds.
    your_turn: [Condvar; 3],
    smoked: Condvar,
}

struct State {
    /// Ingredients on the table.
    on_table: Vec<Ingredient>,
    /// The smoker whose two ingredients lie on the table.
    called: Option<Ingredient>,
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
                on_table: Vec::new(),
                called: None,
            })
            .named("the table"),
            your_turn: Ingredient::ALL
                .map(|i| Condvar::new().named(format!("{i:?} smoker's turn"))),
            smoked: Condvar::new().named("smoked"),
        }
    }

    /// One round of the agent: puts the two ingredients other than `missing` on the table, one
    /// at a time, running `put` as each lands, then waits until a smoker has taken them.
    pub fn agent(&self, missing: Ingredient, mut put: impl FnMut(Ingredient)) {
        for ingredient in Ingredient::ALL {
            if ingredient == missing {
                continue;
            }
            let mut state = self.lock();
            state.on_table.push(ingredient);
            put(ingredient);
        }
        let mut state = self.lock();
        // Both are down: call the one smoker who can use them.
        state.called = Some(missing);
        self.your_turn[missing as usize].notify_one();
        drop(
            self.smoked
                .wait_while(state, |state| state.called.is_some())
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
    }

    /// One cigarette of the smoker who holds `has`: waits until called, takes both ingredients
    /// (running `take`), and lets the agent go on.
    pub fn smoker(&self, has: Ingredient, take: impl FnOnce()) {
        let state = self.lock();
        let mut state = self.your_turn[has as usize]
            .wait_while(state, |state| state.called != Some(has))
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.on_table.clear();
        take();
        state.called = None;
        drop(state);
        self.smoked.notify_one();
    }

    fn lock(&self) -> harness::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
