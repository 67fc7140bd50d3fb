//! Mutant: Santa hands out passes that any waiting elf may take, including one who asked only after Santa had begun the round, so a latecomer takes the place of an elf of the group that woke him.
//! Expect: race

use harness::sync::{Condvar, Mutex};

/// A workshop of `reindeer` reindeer and elves helped in groups of `elves_per_group`.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)): reindeer threads
/// call [`reindeer_back`](Workshop::reindeer_back), elf threads call
/// [`elf_needs_help`](Workshop::elf_needs_help), and one Santa thread calls
/// [`santa_round`](Workshop::santa_round) again and again.
pub struct Workshop {
    reindeer: usize,
    elves_per_group: usize,
    state: Mutex<State>,
    santa: Condvar,
    reindeer_wait: Condvar,
    elves_wait: Condvar,
}

struct State {
    /// Reindeer back and without a pass.
    reindeer_back: usize,
    /// Elves asking and without a pass.
    elves_asking: usize,
    /// Passes Santa handed out and nobody took yet.
    hitch_passes: usize,
    help_passes: usize,
    /// Served ones of this round whose closure has not returned yet (or not started).
    unfinished: usize,
}

impl Workshop {
    /// Builds a workshop with `reindeer` reindeer, whose elves are helped in groups of
    /// `elves_per_group`.
    ///
    /// # Panics
    ///
    /// If `reindeer` or `elves_per_group` is 0: Santa would have nobody to wait for.
    pub fn new(reindeer: usize, elves_per_group: usize) -> Self {
        assert!(reindeer > 0, "a workshop needs at least 1 reindeer");
        assert!(elves_per_group > 0, "a group of elves needs at least 1 elf");
        Workshop {
            reindeer,
            elves_per_group,
            state: Mutex::new(State {
                reindeer_back: 0,
                elves_asking: 0,
                hitch_passes: 0,
                help_passes: 0,
                unfinished: 0,
            })
            .named("the workshop"),
            santa: Condvar::new().named("Santa's bed"),
            reindeer_wait: Condvar::new().named("the stable"),
            elves_wait: Condvar::new().named("the elves' queue"),
        }
    }

    /// A reindeer is back from vacation: it waits until Santa has prepared the sleigh, calls
    /// `hitch` during that round, and returns.
    pub fn reindeer_back(&self, hitch: impl FnOnce()) {
        let mut state = self.state.lock().unwrap();
        state.reindeer_back += 1;
        self.santa.notify_one();
        while state.hitch_passes == 0 {
            state = self.reindeer_wait.wait(state).unwrap();
        }
        state.hitch_passes -= 1;
        state.reindeer_back -= 1;
        drop(state);
        hitch();
        let mut state = self.state.lock().unwrap();
        state.unfinished -= 1;
        self.santa.notify_one();
    }

    /// An elf needs help: it waits until it is one of a group Santa helps, calls `get_help`
    /// during that round, and returns.
    pub fn elf_needs_help(&self, get_help: impl FnOnce()) {
        let mut state = self.state.lock().unwrap();
        state.elves_asking += 1;
        self.santa.notify_one();
        while state.help_passes == 0 {
            state = self.elves_wait.wait(state).unwrap();
        }
        state.help_passes -= 1;
        state.elves_asking -= 1;
        drop(state);
        get_help();
        let mut state = self.state.lock().unwrap();
        state.unfinished -= 1;
        self.santa.notify_one();
    }

    /// How many reindeer and how many elves have arrived and wait for Santa to call them:
    /// `(reindeer, elves)`. Lets a caller see that everyone is in line.
    pub fn waiting(&self) -> (usize, usize) {
        let state = self.state.lock().unwrap();
        (state.reindeer_back, state.elves_asking)
    }

    /// Santa serves one round: the reindeer if all are back, else a group of elves.
    pub fn santa_round(&self, prepare_sleigh: impl FnOnce(), help_elves: impl FnOnce()) {
        let mut state = self.state.lock().unwrap();
        state = self
            .santa
            .wait_while(state, |s| {
                s.reindeer_back < self.reindeer && s.elves_asking < self.elves_per_group
            })
            .unwrap();
        let sleigh = state.reindeer_back >= self.reindeer;
        drop(state);
        if sleigh {
            prepare_sleigh();
        } else {
            help_elves();
        }
        let mut state = self.state.lock().unwrap();
        if sleigh {
            state.hitch_passes = self.reindeer;
            state.unfinished = self.reindeer;
            self.reindeer_wait.notify_all();
        } else {
            state.help_passes = self.elves_per_group;
            state.unfinished = self.elves_per_group;
            self.elves_wait.notify_all();
        }
        let _state = self.santa.wait_while(state, |s| s.unfinished > 0).unwrap();
    }
}
