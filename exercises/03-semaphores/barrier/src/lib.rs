//! A reusable barrier: `n` threads meet, round after round. Read `README.md` beside this
//! folder's `src/` first.
//!
//! Build it from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`).

/// A meeting point for `n` threads that can be used again and again: every call of
/// [`wait`](Barrier::wait) returns only once `n` threads have called it in the same round.
///
/// Share it between threads (for example in an [`Arc`](harness::sync::Arc)).
///
/// ```no_run
/// use barrier::Barrier;
///
/// // A barrier of 1 never waits: the single thread is always the whole round.
/// let barrier = Barrier::new(1);
/// assert!(barrier.wait());
/// assert!(barrier.wait());
/// ```
pub struct Barrier {
    // TODO: n, the state of the current round (behind a `Mutex`), and a `Condvar` to wait on.
}

impl Barrier {
    /// A barrier for rounds of `n` threads.
    ///
    /// # Panics
    ///
    /// If `n` is 0: a round of nobody makes no sense.
    pub fn new(n: usize) -> Self {
        // TODO: refuse 0 with a clear panic message.
        todo!("make a barrier for rounds of {n} threads")
    }

    /// Arrives at the barrier and waits until `n` threads have arrived in this round; then all
    /// of them go on, and the barrier is ready for the next round.
    ///
    /// Returns `true` for exactly one thread of each round (the leader) and `false` for the
    /// others. Everything the threads did before the barrier is visible to all of them after it.
    pub fn wait(&self) -> bool {
        // TODO: the last thread to arrive lets the round go; the others wait for that. Careful
        // with the next round: a fast thread may arrive again before the slow ones have left.
        todo!("wait for the whole round")
    }
}
