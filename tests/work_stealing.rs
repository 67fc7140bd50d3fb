//! Checks of the `work_stealing` kata: workers with crossbeam deques that steal from each
//! other, and end the run exactly when the work is over.
//!
//! The promises: every item (seeded or spawned) is processed exactly once and the count returned
//! is right; the run ends (no worker waits for ever, none leaves while a busy worker may still
//! spawn); exactly `workers` threads are started and all have finished when `run_all` returns;
//! idle workers take the items a busy worker spawned; 0 workers is refused.
//!
//! The deques are crossbeam's, which the model checkers cannot see, so the concurrent checks run
//! in stress mode only, on real threads.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use checks::property::{self, proptest::prelude::*};
use checks::refusal::refusal_message;
use harness::check::{Checks, Mode};
use harness::sync::{Arc, Condvar, Mutex};
use harness::thread;
use work_stealing::{run_all, Spawner};

fn main() {
    Checks::new()
        .sequential(
            "one worker processes a whole tree of items, each once",
            one_worker_tree,
        )
        .sequential("no seeds: nothing to process", no_seeds)
        .sequential("0 workers panics with a clear message", zero_workers_panics)
        .sequential(
            "exactly `workers` threads, all finished when run_all returns",
            exactly_workers_threads,
        )
        .only(
            "a chain of items, each spawned by the one before: the run ends after the last",
            &[Mode::Stress],
            chain_of_items,
        )
        .only(
            "every item is processed exactly once",
            &[Mode::Stress],
            every_item_once,
        )
        .only(
            "idle workers take the items a busy worker spawned",
            &[Mode::Stress],
            idle_workers_steal,
        )
        .only(
            "every item of a generated tree is processed exactly once",
            &[Mode::Stress],
            generated_trees,
        )
        .run();
}

/// A property over generated trees of items (last, so that a failure the other checks explain
/// is reported by them): item 0 is the seed, and processing item `i` spawns its children, so
/// the workers must find items spawned anywhere, and stop only when the whole tree is done.
fn generated_trees() {
    let trees = (1usize..80).prop_flat_map(|items| {
        (
            prop::collection::vec(any::<prop::sample::Index>(), items - 1),
            1usize..5,
        )
    });
    property::check(
        "every item is processed exactly once and counted",
        4,
        trees,
        |(parents, workers)| {
            let items = parents.len() + 1;
            let mut children = vec![Vec::new(); items];
            for (index, parent) in parents.iter().enumerate() {
                children[parent.index(index + 1)].push(index + 1);
            }
            let children = Arc::new(children);
            let processed: Arc<Vec<AtomicUsize>> =
                Arc::new((0..items).map(|_| AtomicUsize::new(0)).collect());
            let count = {
                let processed = Arc::clone(&processed);
                run_all(workers, vec![0usize], move |item, spawner| {
                    processed[item].fetch_add(1, Ordering::SeqCst);
                    for &child in &children[item] {
                        spawner.spawn(child);
                    }
                })
            };
            for (item, times) in processed.iter().enumerate() {
                let times = times.load(Ordering::SeqCst);
                prop_assert_eq!(times, 1, "item {} was processed {} times", item, times);
            }
            prop_assert_eq!(count, items, "run_all counted {} of {} items", count, items);
            Ok(())
        },
    );
}

/// Items of a binary tree in heap order: item `n` has children `2n + 1` and `2n + 2`, as long as
/// they are below `size`; items from `size` on are loose seeds without children. Every item is
/// counted in `counts`.
#[derive(Clone)]
struct Tree {
    size: usize,
    counts: Arc<Vec<AtomicUsize>>,
}

impl Tree {
    fn new(size: usize, loose: usize) -> Self {
        Tree {
            size,
            counts: Arc::new((0..size + loose).map(|_| AtomicUsize::new(0)).collect()),
        }
    }

    /// The root and the loose items.
    fn seeds(&self) -> Vec<usize> {
        std::iter::once(0)
            .chain(self.size..self.counts.len())
            .collect()
    }

    fn visit(&self, item: usize, spawner: &Spawner<'_, usize>, work: u32) {
        self.counts[item].fetch_add(1, Ordering::SeqCst);
        if item < self.size {
            for child in [2 * item + 1, 2 * item + 2] {
                if child < self.size {
                    spawner.spawn(child);
                }
            }
        }
        // A little work, so that the workers overlap.
        let mut x = item as u64;
        for _ in 0..work {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
    }

    /// Fails unless every item was processed exactly once.
    fn assert_each_once(&self, workers: usize, returned: usize) {
        let counts: Vec<usize> = self
            .counts
            .iter()
            .map(|c| c.load(Ordering::SeqCst))
            .collect();
        let total = counts.len();
        let missed: Vec<usize> = (0..total).filter(|&i| counts[i] == 0).collect();
        let twice: Vec<usize> = (0..total).filter(|&i| counts[i] > 1).collect();
        let processed: usize = counts.iter().sum();
        assert!(
            missed.is_empty(),
            "{workers} workers processed a tree of {} items (each item spawns its children) and \
             {} loose seeds, but {} of the {total} items were never processed (e.g. item {}); \
             run_all returned {returned}",
            self.size,
            total - self.size,
            missed.len(),
            missed.first().copied().unwrap_or_default()
        );
        assert!(
            twice.is_empty(),
            "{workers} workers processed {total} items, but {} items were processed more than \
             once (e.g. item {}, {} times)",
            twice.len(),
            twice.first().copied().unwrap_or_default(),
            twice.first().map_or(0, |&i| counts[i])
        );
        assert_eq!(
            returned, processed,
            "{workers} workers processed {processed} items, but run_all returned {returned}"
        );
    }
}

fn zero_workers_panics() {
    let message = refusal_message(
        || run_all(0, vec![1_u32], |_, _| {}),
        "run_all(0, ..) returned; with no worker nothing can be processed, so it should panic",
    );
    assert!(
        !message.trim().is_empty(),
        "run_all(0, ..) panicked, but without a message saying why (got {message:?})"
    );
}

fn no_seeds() {
    let returned = run_all(3, Vec::<u32>::new(), |_, _| {
        panic!("process was called although there were no seeds")
    });
    assert_eq!(
        returned, 0,
        "with no seeds nothing is processed, but run_all returned {returned}"
    );
}

fn one_worker_tree() {
    let tree = Tree::new(200, 3);
    let visitor = tree.clone();
    let returned = run_all(1, tree.seeds(), move |item, spawner| {
        visitor.visit(item, spawner, 0)
    });
    tree.assert_each_once(1, returned);
}

fn exactly_workers_threads() {
    for workers in [1, 3] {
        let before = thread::census();
        let tree = Tree::new(100, 0);
        let visitor = tree.clone();
        run_all(workers, tree.seeds(), move |item, spawner| {
            visitor.visit(item, spawner, 10)
        });
        let after = thread::census();
        let started = after.spawned - before.spawned;
        assert_eq!(
            started, workers,
            "run_all({workers}, ..) should start exactly {workers} threads, but it started {started}"
        );
        assert_eq!(
            after.alive,
            before.alive,
            "run_all({workers}, ..) returned while {} of its threads were still running: it \
             should join them all",
            after.alive - before.alive
        );
    }
}

/// A chain: item `n` spawns item `n + 1` as its processing ends, so there is never more than
/// one item anywhere, and at every take every queue is empty while the other workers look for
/// work. A worker that can be seen as neither busy nor holding an item between its take and
/// its next step lets the others conclude that the work is over.
fn chain_of_items() {
    let (workers, length) = (3, 200);
    let counts: Arc<Vec<AtomicUsize>> =
        Arc::new((0..length).map(|_| AtomicUsize::new(0)).collect());
    let visited = Arc::clone(&counts);
    let returned = run_all(workers, vec![0usize], move |item, spawner| {
        visited[item].fetch_add(1, Ordering::SeqCst);
        if item + 1 < length {
            spawner.spawn(item + 1);
        }
    });
    let counts: Vec<usize> = counts.iter().map(|c| c.load(Ordering::SeqCst)).collect();
    if let Some(first_missed) = counts.iter().position(|&c| c == 0) {
        panic!(
            "{workers} workers processed a chain of {length} items (each spawns the next), but \
             the run ended after item {}: items {first_missed} to {} were never processed; \
             run_all returned {returned}",
            first_missed.saturating_sub(1),
            length - 1
        );
    }
    assert!(
        counts.iter().all(|&c| c == 1),
        "{workers} workers processed a chain of {length} items, but some were processed more \
         than once"
    );
    assert_eq!(
        returned, length,
        "{workers} workers processed a chain of {length} items, but run_all returned {returned}"
    );
}

fn every_item_once() {
    let workers = 4;
    let tree = Tree::new(600, 8);
    let visitor = tree.clone();
    let returned = run_all(workers, tree.seeds(), move |item, spawner| {
        visitor.visit(item, spawner, 200)
    });
    tree.assert_each_once(workers, returned);
}

/// How many children of the root other workers processed, and a signal for the root.
struct Stolen {
    by_others: Mutex<usize>,
    signal: Condvar,
}

fn idle_workers_steal() {
    let workers = 3;
    let children = 8;
    let stolen = Arc::new(Stolen {
        by_others: Mutex::new(0).named("children processed by other workers"),
        signal: Condvar::new().named("another worker took a child"),
    });
    let shared = Arc::clone(&stolen);
    // An item is its number and the thread that spawned it.
    let returned = run_all(workers, vec![(0, None)], move |(item, parent), spawner| {
        let me = std::thread::current().id();
        if item == 0 {
            // Busy for a while before spawning: the other workers are up and find nothing.
            let start = Instant::now();
            while start.elapsed() < Duration::from_millis(3) {
                std::hint::spin_loop();
            }
            for child in 1..=children {
                spawner.spawn((child, Some(me)));
            }
            // The root waits until another worker took one of its children: it can finish only
            // if idle workers take work from a busy one.
            let mut by_others = shared.by_others.lock().unwrap();
            while *by_others == 0 {
                by_others = shared.signal.wait(by_others).unwrap();
            }
        } else if parent != Some(me) {
            *shared.by_others.lock().unwrap() += 1;
            shared.signal.notify_all();
        }
    });
    assert_eq!(
        returned,
        children + 1,
        "a root and its {children} children were processed, but run_all returned {returned}"
    );
    let by_others = *stolen.by_others.lock().unwrap();
    assert!(
        by_others > 0,
        "the root waited until another worker took one of its children, yet none did"
    );
}
