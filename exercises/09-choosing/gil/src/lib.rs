//! A global interpreter lock that takes turns fairly. Read `README.md` beside this folder's
//! `src/` first.
//!
//! One thread at a time holds the GIL and runs "bytecode": one [`GilGuard::tick`] per
//! instruction. Every `switch_interval` ticks the holder lets a waiting thread have a turn, and it
//! must really hand the GIL over: the waiting thread gets it first, the holder waits for its next
//! turn. Use `harness::sync` (`Mutex`, `Condvar`, atomics), never `std::sync` directly. The
//! facade's `Mutex` may let a thread that just unlocked take the lock straight back: fairness has
//! to come from your state.

// The starting code does not use all of its parts yet; delete this line when it does.
#![allow(dead_code)]

/// A global interpreter lock: one thread at a time runs, and the running thread lets a waiting
/// one take over every `switch_interval` ticks.
///
/// `&Gil` is shared between threads (put it in an `Arc`).
///
/// ```no_run
/// use gil::Gil;
///
/// let gil = Gil::new(100);
/// let mut guard = gil.acquire();
/// for _ in 0..1_000 {
///     guard.tick(); // one bytecode instruction
/// }
/// drop(guard); // releases the GIL
/// ```
pub struct Gil {
    // TODO: the state shared by the threads (for example, behind a `Mutex`, with a `Condvar` to
    // wait on): who holds the GIL, who waits, whose turn it is next.
    switch_interval: u32,
}

/// Proof that this thread holds the GIL; dropping it releases the GIL.
#[must_use = "dropping the guard releases the GIL at once"]
pub struct GilGuard<'a> {
    gil: &'a Gil,
    // TODO: what this thread needs to know about its turn (for example, its ticks so far).
}

impl Gil {
    /// A GIL that makes the running thread hand over every `switch_interval` ticks.
    ///
    /// # Panics
    ///
    /// If `switch_interval` is 0: a thread could not run a single tick.
    pub fn new(switch_interval: u32) -> Self {
        // TODO: refuse 0 with a clear message, and set up your state.
        todo!("a new GIL switching every {switch_interval} ticks")
    }

    /// Waits until this thread holds the GIL.
    pub fn acquire(&self) -> GilGuard<'_> {
        // TODO: wait for a turn; a thread that is already waiting must not be overtaken again
        // and again.
        todo!("wait for the GIL")
    }
}

impl GilGuard<'_> {
    /// One bytecode tick. After `switch_interval` ticks, if another thread waits, hand the GIL
    /// over and wait for a turn again (no barging: the waiter gets it first).
    ///
    /// With nobody waiting, the holder keeps running: it must not block or hand over to nobody.
    pub fn tick(&mut self) {
        // TODO: count the tick; once this thread has run `switch_interval` ticks and another
        // thread waits, let that thread run, and come back only when it is this thread's turn.
        todo!("one tick")
    }
}

impl Drop for GilGuard<'_> {
    fn drop(&mut self) {
        // TODO: release the GIL and let the next waiting thread run.
    }
}
