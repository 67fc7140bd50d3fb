//! Alternative: no count of pending items. Workers that find nothing go to sleep on a `Condvar`
//! and count themselves idle; every spawn bumps an epoch number under the same lock and wakes
//! the sleepers. The run is over when all `workers` workers went idle during one epoch: each of
//! them looked everywhere after that epoch began and found nothing, and nobody spawned since.

use std::iter;
use std::panic;

use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use harness::sync::{Arc, Condvar, Mutex};
use harness::thread;

/// The idle bookkeeping, under one lock.
struct Idle {
    /// Spawns so far.
    epoch: u64,
    /// The epoch `idle` counts for: a worker idle in an older epoch has not looked since.
    idle_epoch: u64,
    /// Workers that went idle during `idle_epoch`.
    idle: usize,
    finished: bool,
}

struct Team {
    idle: Mutex<Idle>,
    wake: Condvar,
}

/// What `process` gets besides its item: a way to add new items to the run.
pub struct Spawner<'a, T> {
    local: &'a Worker<T>,
    team: &'a Team,
}

impl<T> Spawner<'_, T> {
    /// Adds `item` to the run: some worker (this one, or one that steals it) will process it
    /// before [`run_all`] returns.
    pub fn spawn(&self, item: T) {
        self.local.push(item);
        let mut idle = self.team.idle.lock().unwrap();
        idle.epoch += 1;
        drop(idle);
        self.team.wake.notify_all();
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
    assert!(workers > 0, "run_all needs at least one worker");
    let injector = Arc::new(Injector::new());
    for seed in seeds {
        injector.push(seed);
    }
    let deques: Vec<Worker<T>> = (0..workers).map(|_| Worker::new_fifo()).collect();
    let stealers: Arc<Vec<Stealer<T>>> = Arc::new(deques.iter().map(Worker::stealer).collect());
    let team = Arc::new(Team {
        idle: Mutex::new(Idle {
            epoch: 0,
            idle_epoch: 0,
            idle: 0,
            finished: false,
        })
        .named("idle workers"),
        wake: Condvar::new().named("new work or the end"),
    });
    let process = Arc::new(process);

    let handles: Vec<_> = deques
        .into_iter()
        .enumerate()
        .map(|(id, local)| {
            let injector = Arc::clone(&injector);
            let stealers = Arc::clone(&stealers);
            let team = Arc::clone(&team);
            let process = Arc::clone(&process);
            thread::Builder::new()
                .name(format!("worker {id}"))
                .spawn(move || {
                    let mut processed = 0;
                    loop {
                        let epoch = team.idle.lock().unwrap().epoch;
                        if let Some(item) = find_task(&local, &injector, &stealers) {
                            process(
                                item,
                                &Spawner {
                                    local: &local,
                                    team: &team,
                                },
                            );
                            processed += 1;
                            continue;
                        }
                        let mut idle = team.idle.lock().unwrap();
                        if idle.finished {
                            return processed;
                        }
                        if idle.epoch != epoch {
                            // Somebody spawned while we looked: look again.
                            continue;
                        }
                        if idle.idle_epoch != epoch {
                            idle.idle_epoch = epoch;
                            idle.idle = 0;
                        }
                        idle.idle += 1;
                        if idle.idle == workers {
                            idle.finished = true;
                            drop(idle);
                            team.wake.notify_all();
                            return processed;
                        }
                        while !idle.finished && idle.epoch == epoch {
                            idle = team.wake.wait(idle).unwrap();
                        }
                        if idle.finished {
                            return processed;
                        }
                    }
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
