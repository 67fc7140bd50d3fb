//! Mutant: the first worker that finds every queue empty declares the run finished and all workers stop, although another worker is still processing an item and spawns more: those items are never processed.
//! Expect: race

use std::iter;
use std::panic;

use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use harness::sync::atomic::{AtomicBool, Ordering};
use harness::sync::Arc;
use harness::thread;

/// What `process` gets besides its item: a way to add new items to the run.
pub struct Spawner<'a, T> {
    local: &'a Worker<T>,
}

impl<T> Spawner<'_, T> {
    /// Adds `item` to the run: some worker (this one, or one that steals it) will process it
    /// before [`run_all`] returns.
    pub fn spawn(&self, item: T) {
        self.local.push(item);
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
    assert!(
        workers > 0,
        "run_all needs at least one worker: with 0 workers no item would ever be processed"
    );
    let injector = Arc::new(Injector::new());
    for seed in seeds {
        injector.push(seed);
    }
    let finished = Arc::new(AtomicBool::new(false).named("finished"));
    let deques: Vec<Worker<T>> = (0..workers).map(|_| Worker::new_lifo()).collect();
    let stealers: Arc<Vec<Stealer<T>>> = Arc::new(deques.iter().map(Worker::stealer).collect());
    let process = Arc::new(process);

    let handles: Vec<_> = deques
        .into_iter()
        .enumerate()
        .map(|(id, local)| {
            let injector = Arc::clone(&injector);
            let finished = Arc::clone(&finished);
            let stealers = Arc::clone(&stealers);
            let process = Arc::clone(&process);
            thread::Builder::new()
                .name(format!("worker {id}"))
                .spawn(move || {
                    let mut processed = 0;
                    // Stop as soon as anyone saw that the work is over.
                    while !finished.load(Ordering::SeqCst) {
                        match find_task(&local, &injector, &stealers) {
                            Some(item) => {
                                process(item, &Spawner { local: &local });
                                processed += 1;
                            }
                            // Every queue is empty: the work is over, tell everyone.
                            None => finished.store(true, Ordering::SeqCst),
                        }
                    }
                    processed
                })
                .expect("a worker thread starts")
        })
        .collect();

    let mut total = 0;
    for handle in handles {
        match handle.join() {
            Ok(processed) => total += processed,
            Err(payload) => panic::resume_unwind(payload),
        }
    }
    total
}

/// An item from the worker's own deque, else a batch from the injector, else one stolen from
/// another worker. `Steal::Retry` means "lost a race, look again", never "empty".
fn find_task<T>(local: &Worker<T>, injector: &Injector<T>, stealers: &[Stealer<T>]) -> Option<T> {
    local.pop().or_else(|| {
        iter::repeat_with(|| {
            injector
                .steal_batch_and_pop(local)
                .or_else(|| stealers.iter().map(Stealer::steal).collect::<Steal<T>>())
        })
        .find(|steal| !steal.is_retry())
        .and_then(Steal::success)
    })
}
