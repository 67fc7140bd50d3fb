//! Alternative: lock-free and spinning: arrivals count with `fetch_add` on an atomic, and each
//! thread first reads the generation; the last one in resets the count and bumps the generation
//! with Release, while the others spin (with `hint::spin_loop`) on an Acquire load until the
//! generation differs from the one they read.

use harness::hint;
use harness::sync::atomic::{AtomicUsize, Ordering};

/// A meeting point for `n` threads that can be used again and again: every call of
/// [`wait`](Barrier::wait) returns only once `n` threads have called it in the same round.
pub struct Barrier {
    n: usize,
    /// Threads that have arrived in this round.
    arrived: AtomicUsize,
    /// The round's number (wrapping: only compared for equality).
    generation: AtomicUsize,
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
            arrived: AtomicUsize::new(0).named("arrived"),
            generation: AtomicUsize::new(0).named("generation"),
        }
    }

    /// Arrives at the barrier and waits (spinning) until `n` threads have arrived in this
    /// round.
    ///
    /// Returns `true` for exactly one thread of each round (the last to arrive).
    pub fn wait(&self) -> bool {
        // Read the round's number *before* arriving: the round cannot end until this thread
        // has arrived, so this is the number of this thread's round. Relaxed: it only remembers
        // the round (what others wrote arrives through the Acquire loads below, or through the
        // last arrival's fetch_add on `arrived`).
        let generation = self.generation.load(Ordering::Relaxed);
        // Release publishes this thread's work to the last arrival; Acquire lets the last
        // arrival see the work of all earlier ones (the fetch_adds form one release sequence).
        if self.arrived.fetch_add(1, Ordering::AcqRel) + 1 == self.n {
            // The last one in. Nobody can arrive for the next round before the generation
            // moves on, so resetting the count first cannot lose an arrival; Relaxed is enough
            // because the Release below publishes it along with everything else.
            self.arrived.store(0, Ordering::Relaxed);
            self.generation.fetch_add(1, Ordering::Release);
            return true;
        }
        // Acquire pairs with the leader's Release: seeing the new generation means seeing
        // everything every thread did before the barrier, and the reset count.
        while self.generation.load(Ordering::Acquire) == generation {
            hint::spin_loop();
        }
        false
    }
}
