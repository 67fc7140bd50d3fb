//! Mutant: in `wait` a thread waits for the round to end with `if` instead of `while`, so a thread woken spuriously does not look at the generation again and leaves the barrier while its round is still missing threads: it passes the barrier early.
//! Expect: race

use harness::sync::{Condvar, Mutex};

/// A meeting point for `n` threads that can be used again and again: every call of
/// [`wait`](Barrier::wait) returns only once `n` threads have called it in the same round.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)).
///
/// ```
/// use barrier::Barrier;
///
/// // A barrier of 1 never waits: the single thread is always the whole round.
/// let barrier = Barrier::new(1);
/// assert!(barrier.wait());
/// assert!(barrier.wait());
/// ```
pub struct Barrier {
    n: usize,
    state: Mutex<State>,
    round_over: Condvar,
}

/// The current round, guarded by the barrier's mutex.
struct State {
    /// Threads that have arrived in this round.
    arrived: usize,
    /// The round's number.
    generation: u64,
}

impl Barrier {
    /// A barrier for rounds of `n` threads.
    ///
    /// # Panics
    ///
    /// If `n` is 0: a round of nobody makes no sense.
    pub fn new(n: usize) -> Self {
        assert!(
            n > 0,
            "a barrier needs at least 1 thread per round: Barrier::new(0) makes no sense"
        );
        Barrier {
            n,
            state: Mutex::new(State {
                arrived: 0,
                generation: 0,
            })
            .named("round"),
            round_over: Condvar::new().named("round_over"),
        }
    }

    /// Arrives at the barrier and waits until `n` threads have arrived in this round; then all
    /// of them go on, and the barrier is ready for the next round.
    ///
    /// Returns `true` for exactly one thread of each round (the leader) and `false` for the
    /// others. Everything the threads did before the barrier is visible to all of them after it.
    pub fn wait(&self) -> bool {
        let mut state = self.state.lock().unwrap();
        let generation = state.generation;
        state.arrived += 1;
        if state.arrived == self.n {
            // The last one in: open the round and get the barrier ready for the next one.
            state.arrived = 0;
            state.generation += 1;
            self.round_over.notify_all();
            return true;
        }
        // Wait for *this* round to end: a count could already belong to the next round.
        if state.generation == generation {
            state = self.round_over.wait(state).unwrap();
        }
        false
    }
}
