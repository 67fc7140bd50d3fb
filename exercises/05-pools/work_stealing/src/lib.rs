//! Work stealing with `crossbeam-deque`, and knowing when the work is over. Read `README.md`
//! beside this folder's `src/` first.
//!
//! Build it from `crossbeam_deque::{Injector, Worker, Stealer, Steal}`, threads from
//! `harness::thread` and atomics (or a `Mutex` and `Condvar`) from `harness::sync`.

#[allow(unused_imports)] // TODO: you will need these.
use crossbeam_deque::{Injector, Steal, Stealer, Worker};

/// What `process` gets besides its item: a way to add new items to the run.
pub struct Spawner<'a, T> {
    // TODO: whatever `spawn` needs, e.g. the worker's own deque, and the bookkeeping that tells
    // the workers when the work is over. Change these freely.
    local: &'a Worker<T>,
}

impl<T> Spawner<'_, T> {
    /// Adds `item` to the run: some worker (this one, or one that steals it) will process it
    /// before [`run_all`] returns.
    pub fn spawn(&self, item: T) {
        // TODO: push it where other workers can steal it, and keep the end-of-work bookkeeping
        // right.
        let _ = (item, self.local);
        todo!("add an item to the run")
    }
}

/// Processes every item of `seeds`, and every item that processing spawns, on `workers`
/// threads that steal work from each other, and returns how many items were processed.
///
/// - Exactly `workers` threads are started, and all of them have finished when it returns.
/// - Every item is processed exactly once. `process(item, spawner)` may call `spawner.spawn`
///   any number of times; the run ends when no item is left anywhere and no worker is still
///   processing one (which could spawn more).
/// - An idle worker takes work from the others, so items spawned by a busy worker get processed
///   by idle ones.
///
/// `process` must not panic.
///
/// # Panics
///
/// If `workers` is 0.
pub fn run_all<T, F>(workers: usize, seeds: Vec<T>, process: F) -> usize
where
    T: Send + 'static,
    F: Fn(T, &Spawner<'_, T>) + Send + Sync + 'static,
{
    // TODO: put the seeds in an `Injector`, give every worker thread a `Worker` deque (and
    // everyone the `Stealer`s of the others), start the workers with `harness::thread`, and let
    // each one loop: find an item (own deque, injector, other deques), process it, and leave
    // only when no item is left anywhere AND no worker is busy. Join them all and add up.
    let _ = (workers, seeds, process);
    todo!("run every item on a team of work-stealing workers")
}
