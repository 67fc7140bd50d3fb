//! Mutant: Santa calls the team before he runs his closure, so the reindeer are hitched while he is still preparing the sleigh (and elves get help before he is ready to help): the eager reindeer.
//! Expect: wrong-result

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
    /// Santa sleeps here until a team is ready, then until the team is served.
    santa: Condvar,
    /// Reindeer and elves sleep here until Santa calls their ticket.
    called: Condvar,
}

/// Tickets of one kind (reindeer, or elves).
#[derive(Default)]
struct Queue {
    /// Tickets handed out: everyone who ever arrived.
    arrived: usize,
    /// Tickets below this one have been called by Santa.
    called: usize,
    /// Called ones whose closure has returned.
    done: usize,
}

impl Queue {
    /// How many have arrived and wait to be called.
    fn waiting(&self) -> usize {
        self.arrived - self.called
    }
}

/// The workshop's bookkeeping, guarded by its lock.
struct State {
    reindeer: Queue,
    elves: Queue,
}

impl Workshop {
    /// Builds a workshop with `reindeer` reindeer, whose elves are helped in groups of
    /// `elves_per_group`.
    ///
    /// # Panics
    ///
    /// If `reindeer` or `elves_per_group` is 0: Santa would have nobody to wait for.
    pub fn new(reindeer: usize, elves_per_group: usize) -> Self {
        assert!(
            reindeer > 0,
            "a workshop needs at least 1 reindeer: with 0, Santa would prepare the sleigh for nobody"
        );
        assert!(
            elves_per_group > 0,
            "elves are helped in groups of at least 1: a group of 0 elves is no group"
        );
        Workshop {
            reindeer,
            elves_per_group,
            state: Mutex::new(State {
                reindeer: Queue::default(),
                elves: Queue::default(),
            })
            .named("the workshop"),
            santa: Condvar::new().named("Santa's bed"),
            called: Condvar::new().named("Santa calls"),
        }
    }

    /// A reindeer is back from vacation: it waits until Santa has prepared the sleigh (which he
    /// does once all the reindeer are back), calls `hitch` during that round, and returns.
    pub fn reindeer_back(&self, hitch: impl FnOnce()) {
        let mut state = self.state.lock().unwrap();
        let ticket = state.reindeer.arrived;
        state.reindeer.arrived += 1;
        if state.reindeer.waiting() >= self.reindeer {
            self.santa.notify_one();
        }
        while ticket >= state.reindeer.called {
            state = self.called.wait(state).unwrap();
        }
        drop(state);
        hitch();
        let mut state = self.state.lock().unwrap();
        state.reindeer.done += 1;
        self.santa.notify_one();
    }

    /// An elf needs help: it waits until it is one of a group of exactly `elves_per_group`
    /// elves that Santa helps, calls `get_help` during that round, and returns.
    pub fn elf_needs_help(&self, get_help: impl FnOnce()) {
        let mut state = self.state.lock().unwrap();
        let ticket = state.elves.arrived;
        state.elves.arrived += 1;
        if state.elves.waiting() >= self.elves_per_group {
            self.santa.notify_one();
        }
        while ticket >= state.elves.called {
            state = self.called.wait(state).unwrap();
        }
        drop(state);
        get_help();
        let mut state = self.state.lock().unwrap();
        state.elves.done += 1;
        self.santa.notify_one();
    }

    /// How many reindeer and how many elves have arrived and wait for Santa to call them:
    /// `(reindeer, elves)`. Lets a caller see that everyone is in line.
    pub fn waiting(&self) -> (usize, usize) {
        let state = self.state.lock().unwrap();
        (state.reindeer.waiting(), state.elves.waiting())
    }

    /// Santa serves one round. He sleeps until all the reindeer are back or a whole group of
    /// elves asks for help. If the reindeer are all back (they go first, even if elves wait
    /// too), he calls `prepare_sleigh`, then lets the reindeer hitch and returns once every one
    /// of them is hitched. Otherwise he calls `help_elves`, then lets the group of elves get
    /// help and returns once each of them has. Only one thread plays Santa.
    pub fn santa_round(&self, prepare_sleigh: impl FnOnce(), help_elves: impl FnOnce()) {
        let mut state = self.state.lock().unwrap();
        while state.reindeer.waiting() < self.reindeer
            && state.elves.waiting() < self.elves_per_group
        {
            state = self.santa.wait(state).unwrap();
        }
        let sleigh = state.reindeer.waiting() >= self.reindeer;
        let (team, size) = if sleigh {
            (&mut state.reindeer, self.reindeer)
        } else {
            (&mut state.elves, self.elves_per_group)
        };
        team.called += size;
        self.called.notify_all();
        let called = team.called;
        drop(state);
        if sleigh {
            prepare_sleigh();
        } else {
            help_elves();
        }
        let mut state = self.state.lock().unwrap();
        loop {
            let team = if sleigh {
                &state.reindeer
            } else {
                &state.elves
            };
            if team.done == called {
                break;
            }
            state = self.santa.wait(state).unwrap();
        }
    }
}
