//! Mutant: a worker counts itself busy only after it has taken its item, and the first worker that finds no item while nobody is busy ends the run for everyone: between the take and the count, the item is nowhere to be seen, so the run can end with that item's spawns never processed.
//! Expect: race

use std::iter;
use std::panic;

use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use harness::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
    let busy = Arc::new(AtomicUsize::new(0).named("busy workers"));
    let over = Arc::new(AtomicBool::new(false).named("the run is over"));
    let injector = Arc::new(Injector::new());
    for seed in seeds {
        injector.push(seed);
    }
    let deques: Vec<Worker<T>> = (0..workers).map(|_| Worker::new_lifo()).collect();
    let stealers: Arc<Vec<Stealer<T>>> = Arc::new(deques.iter().map(Worker::stealer).collect());
    let process = Arc::new(process);

    let handles: Vec<_> = deques
        .into_iter()
        .enumerate()
        .map(|(id, local)| {
            let busy = Arc::clone(&busy);
            let over = Arc::clone(&over);
            let injector = Arc::clone(&injector);
            let stealers = Arc::clone(&stealers);
            let process = Arc::clone(&process);
            thread::Builder::new()
                .name(format!("worker {id}"))
                .spawn(move || {
                    let mut processed = 0;
                    while !over.load(Ordering::SeqCst) {
                        match find_task(&local, &injector, &stealers) {
                            Some(item) => {
                                // Too late: since the take, nobody can see this item.
                                busy.fetch_add(1, Ordering::SeqCst);
                                process(item, &Spawner { local: &local });
                                processed += 1;
                                busy.fetch_sub(1, Ordering::SeqCst);
                            }
                            None if busy.load(Ordering::SeqCst) == 0 => {
                                over.store(true, Ordering::SeqCst);
                            }
                            None => thread::yield_now(),
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
