//! Work spread over a few threads, its results kept in the order of the work: the katas of a
//! grading run, the mutants of `mutate`, the variants of `verify` (reported as they are done);
//! work in stages that stops after the first stage with a failure: a variant's checks, mode by
//! mode; and [`Slots`], which bound how many checks run at once across variants.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};

use anyhow::Result;

/// `work(worker, item)` for every item, on up to `workers` threads (at least one) that each
/// take the next item not yet taken; the results in the order of `items`. `worker` numbers the
/// thread (0, 1, ...), for work that needs files of its own. A panic in `work` reaches the
/// caller once every thread has stopped.
///
/// ```text
/// let squares = map_in_order(&[1, 2, 3], 2, |_, n| n * n);
/// assert_eq!(squares, [1, 4, 9]);
/// ```
pub fn map_in_order<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    work: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let mut results = Vec::with_capacity(items.len());
    in_order_as_done(items, workers, work, |_, result| results.push(result));
    results
}

/// `work(worker, item)` for every item, on up to `workers` threads (at least one) that each
/// take the next item not yet taken, and `report(index, result)` on the calling thread in the
/// order of `items`, each as soon as it and every item before it are done. `worker` numbers the
/// thread (0, 1, ...), for work that needs files of its own. A panic in `work` reaches the
/// caller once every thread has stopped.
///
/// ```text
/// in_order_as_done(&[1, 2, 3], 2, |_, n| n * n, |i, square| println!("{i}: {square}"));
/// ```
pub fn in_order_as_done<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    work: impl Fn(usize, &T) -> R + Sync,
    mut report: impl FnMut(usize, R),
) {
    let next = AtomicUsize::new(0);
    let (done, results) = mpsc::channel();
    std::thread::scope(|scope| {
        for worker in 0..workers.clamp(1, items.len().max(1)) {
            let (next, work, done) = (&next, &work, done.clone());
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(i) else { break };
                if done.send((i, work(worker, item))).is_err() {
                    break;
                }
            });
        }
        drop(done);
        let mut waiting = BTreeMap::new();
        let mut to_report = 0;
        for (i, result) in results {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&to_report) {
                report(to_report, result);
                to_report += 1;
            }
        }
    });
}

/// At most so many holders at once: the check processes of several variants checked side by
/// side share the machine's cores through one `Slots`.
///
/// ```text
/// let slots = Slots::new(2);
/// let _slot = slots.take(); // waits while two are taken
/// ```
pub struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

/// One of [`Slots`], given back when dropped.
pub struct Slot<'a>(&'a Slots);

impl Slots {
    pub fn new(count: usize) -> Slots {
        Slots {
            free: Mutex::new(count.max(1)),
            freed: Condvar::new(),
        }
    }

    /// A slot, once one is free.
    pub fn take(&self) -> Slot<'_> {
        let free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        let mut free = self
            .freed
            .wait_while(free, |free| *free == 0)
            .unwrap_or_else(|e| e.into_inner());
        *free -= 1;
        Slot(self)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

/// What [`in_stages`] came to: the results of each stage, in the order of its items, up to
/// and with the first stage that had a failure (`failed`), or of every stage.
#[derive(Debug, PartialEq, Eq)]
pub struct Staged<R> {
    pub results: Vec<Vec<R>>,
    pub failed: Option<usize>,
}

/// When [`in_stages`] opens a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opening {
    /// As soon as a thread is idle: once every item of a stage has been handed out, an idle
    /// thread opens the next stage and starts its items while the last items of the stage
    /// before are still under way. Quickest for one run that is expected to pass.
    Ahead,
    /// Only once every item of the stage before is done (and none failed): nothing is opened
    /// for nothing when a stage fails, which is what most runs of `verify` and `mutate` come to,
    /// while other runs share the cores.
    AfterStage,
}

/// Runs the items of `stages` stages, as `work(stage, item, called_off)` on up to `workers`
/// threads, as if stage after stage, stopping after the first stage where `fails` says an item
/// failed. `open(stage)` lists a stage's items (it builds what they need), when `opening` says.
///
/// When an item fails, no item of a later stage starts, and the flag `called_off` of those under
/// way is set: their results would not count, so `work` should stop them. An error from `open`
/// or `work` stops everything (the first is returned), except an error of a stage already called
/// off.
///
/// ```text
/// let staged = in_stages(3, 2, Opening::Ahead, |stage| Ok(vec![stage; 2]), |_, item, _| Ok(*item), |_, r| *r == 1)?;
/// assert_eq!(staged, Staged { results: vec![vec![0, 0], vec![1, 1]], failed: Some(1) });
/// ```
pub fn in_stages<I: Send + Sync, R: Send>(
    stages: usize,
    workers: usize,
    opening: Opening,
    open: impl Fn(usize) -> Result<Vec<I>> + Sync,
    work: impl Fn(usize, &I, &AtomicBool) -> Result<R> + Sync,
    fails: impl Fn(usize, &R) -> bool + Sync,
) -> Result<Staged<R>> {
    let called_off: Vec<AtomicBool> = (0..stages).map(|_| AtomicBool::new(false)).collect();
    let queue = Mutex::new(Queue {
        opening,
        stage: 0,
        items: None,
        next: 0,
        under_way: 0,
        results: (0..stages).map(|_| Vec::new()).collect(),
        failed: None,
        error: None,
    });
    // Notified whenever an item is done: a thread waiting for its stage to end looks again.
    let item_done = Condvar::new();
    let call_off_after = |stage: Option<usize>| {
        let first = stage.map_or(0, |stage| stage + 1);
        for flag in called_off.iter().skip(first) {
            flag.store(true, Ordering::SeqCst);
        }
    };
    let lock = || queue.lock().unwrap_or_else(|e| e.into_inner());
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| loop {
                // Its own block: the queue's lock must not be held while the item runs.
                let next = {
                    let mut queue = lock();
                    loop {
                        match queue.take(stages, &open, call_off_after) {
                            Taken::Item(item) => break Some(item),
                            Taken::Nothing => break None,
                            Taken::Wait => {
                                queue = item_done.wait(queue).unwrap_or_else(|e| e.into_inner())
                            }
                        }
                    }
                };
                let Some((stage, items, i)) = next else { break };
                // Caught, so that the item counts as done before its panic goes on: a thread
                // waiting for the stage to end must not wait for ever.
                let result = panic::catch_unwind(AssertUnwindSafe(|| {
                    work(stage, &items[i], &called_off[stage])
                }));
                let mut queue = lock();
                queue.under_way -= 1;
                item_done.notify_all();
                let result = match result {
                    Ok(result) => result,
                    Err(payload) => {
                        drop(queue);
                        panic::resume_unwind(payload)
                    }
                };
                match result {
                    Ok(result) => {
                        let failed = fails(stage, &result);
                        queue.results[stage][i] = Some(result);
                        if failed && queue.failed.is_none_or(|first| stage < first) {
                            queue.failed = Some(stage);
                            call_off_after(Some(stage));
                        }
                    }
                    Err(err) if !called_off[stage].load(Ordering::SeqCst) => {
                        queue.error.get_or_insert(err);
                        call_off_after(None);
                    }
                    Err(_) => {}
                }
            });
        }
    });
    let queue = queue.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(err) = queue.error {
        return Err(err);
    }
    let kept = queue.failed.map_or(stages, |failed| failed + 1);
    let results = queue
        .results
        .into_iter()
        .take(kept)
        .map(|results| {
            results
                .into_iter()
                .map(|result| result.expect("every item of a stage that counts ran"))
                .collect()
        })
        .collect();
    Ok(Staged {
        results,
        failed: queue.failed,
    })
}

/// The state [`in_stages`] shares between its threads.
struct Queue<I, R> {
    opening: Opening,
    /// The stage whose items are being handed out.
    stage: usize,
    /// Its items, once opened.
    items: Option<Arc<Vec<I>>>,
    /// Its next item to hand out.
    next: usize,
    /// Items handed out and not yet done, of any stage.
    under_way: usize,
    /// Each stage's results, by item.
    results: Vec<Vec<Option<R>>>,
    /// The first stage with a failure, so far.
    failed: Option<usize>,
    error: Option<anyhow::Error>,
}

/// What [`Queue::take`] hands a thread.
enum Taken<I> {
    /// An item to work on: its stage, the stage's items and its index.
    Item((usize, Arc<Vec<I>>, usize)),
    /// Nothing yet: the next stage opens once the items under way are done.
    Wait,
    /// Nothing more to do.
    Nothing,
}

impl<I, R> Queue<I, R> {
    /// The next item to work on, if there is one now.
    fn take(
        &mut self,
        stages: usize,
        open: impl Fn(usize) -> Result<Vec<I>>,
        call_off_after: impl Fn(Option<usize>),
    ) -> Taken<I> {
        loop {
            let past_failure = self.failed.is_some_and(|failed| self.stage > failed);
            if self.error.is_some() || self.stage >= stages || past_failure {
                return Taken::Nothing;
            }
            match &self.items {
                None if self.opening == Opening::AfterStage && self.under_way > 0 => {
                    return Taken::Wait;
                }
                None => match open(self.stage) {
                    Ok(items) => {
                        self.results[self.stage] = items.iter().map(|_| None).collect();
                        self.items = Some(Arc::new(items));
                        self.next = 0;
                    }
                    Err(err) => {
                        self.error = Some(err);
                        call_off_after(None);
                    }
                },
                Some(items) if self.next < items.len() => {
                    self.next += 1;
                    self.under_way += 1;
                    return Taken::Item((self.stage, Arc::clone(items), self.next - 1));
                }
                Some(_) => {
                    self.stage += 1;
                    self.items = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_the_order_of_the_items_whatever_the_workers() {
        let items: Vec<u64> = (0..50).collect();
        for workers in [0, 1, 3, 100] {
            let squares = map_in_order(&items, workers, |_, n| n * n);
            assert_eq!(squares, items.iter().map(|n| n * n).collect::<Vec<_>>());
        }
        assert!(map_in_order(&[] as &[u64], 2, |_, n| *n).is_empty());
    }

    #[test]
    fn each_worker_has_its_number() {
        let workers = map_in_order(&[(); 20], 3, |worker, _| worker);
        assert!(workers.iter().all(|&worker| worker < 3));
    }

    #[test]
    fn stages_stop_after_the_first_with_a_failure_and_later_ones_are_called_off() {
        for workers in [1, 2, 4] {
            for opening in [Opening::Ahead, Opening::AfterStage] {
                let staged = in_stages(
                    4,
                    workers,
                    opening,
                    |stage| Ok(vec![stage; 3]),
                    |_, item, _| Ok(*item),
                    |_, result| *result == 1,
                )
                .unwrap();
                assert_eq!(
                    staged,
                    Staged {
                        results: vec![vec![0, 0, 0], vec![1, 1, 1]],
                        failed: Some(1)
                    }
                );
            }
        }
        let all = in_stages(
            3,
            2,
            Opening::Ahead,
            |stage| Ok(vec![stage]),
            |_, i, _| Ok(*i),
            |_, _| false,
        )
        .unwrap();
        assert_eq!(all.results, [[0], [1], [2]]);
        assert_eq!(all.failed, None);
    }

    #[test]
    fn a_later_stage_starts_while_a_long_item_runs_and_is_called_off_when_it_fails() {
        // Stage 0: a long item that fails, and a short one; the idle thread goes on to stage 1,
        // whose item waits until it is called off, and then fails to finish: no error, since
        // its result was not wanted.
        let started_later = AtomicBool::new(false);
        let staged = in_stages(
            2,
            2,
            Opening::Ahead,
            |stage| {
                Ok(if stage == 0 {
                    vec![true, false]
                } else {
                    vec![false]
                })
            },
            |stage, long, called_off| {
                if stage == 1 {
                    started_later.store(true, Ordering::SeqCst);
                    while !called_off.load(Ordering::SeqCst) {
                        std::thread::yield_now();
                    }
                    anyhow::bail!("stopped");
                }
                if *long {
                    while !started_later.load(Ordering::SeqCst) {
                        std::thread::yield_now();
                    }
                }
                Ok(*long)
            },
            |_, failed| *failed,
        )
        .unwrap();
        assert_eq!(staged.results, [[true, false]]);
        assert_eq!(staged.failed, Some(0));
    }

    #[test]
    fn after_stage_opens_a_stage_only_once_the_stage_before_is_done() {
        let under_way = AtomicUsize::new(0);
        let staged = in_stages(
            3,
            2,
            Opening::AfterStage,
            |stage| {
                assert_eq!(
                    under_way.load(Ordering::SeqCst),
                    0,
                    "stage {stage} opened early"
                );
                Ok(vec![stage; 3])
            },
            |_, item, _| {
                under_way.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(2 * (*item as u64 + 1)));
                under_way.fetch_sub(1, Ordering::SeqCst);
                Ok(*item)
            },
            |_, result| *result == 2,
        )
        .unwrap();
        assert_eq!(staged.results, [[0, 0, 0], [1, 1, 1], [2, 2, 2]]);
        assert_eq!(staged.failed, Some(2));
    }

    #[test]
    fn a_panic_in_an_item_reaches_the_caller_whatever_the_opening() {
        for opening in [Opening::Ahead, Opening::AfterStage] {
            let caught = panic::catch_unwind(|| {
                // The short item ends first, and its thread goes on to the next stage while
                // the long one is under way; then the long one panics.
                in_stages(
                    2,
                    2,
                    opening,
                    |_| Ok(vec!["long", "short"]),
                    |stage, item, _| {
                        if (stage, *item) == (0, "long") {
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            panic!("a bug in the work");
                        }
                        Ok(())
                    },
                    |_, _| false,
                )
            });
            assert!(caught.is_err(), "{opening:?}: the panic was lost");
        }
    }

    #[test]
    fn an_error_stops_the_stages() {
        let err = in_stages(
            3,
            2,
            Opening::Ahead,
            |stage| match stage {
                1 => anyhow::bail!("cannot build stage 1"),
                _ => Ok(vec![()]),
            },
            |_, _, _| Ok(()),
            |_, _| false,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "cannot build stage 1");
    }

    #[test]
    fn results_are_reported_in_order_as_they_are_done() {
        let items: Vec<u64> = (0..30).rev().collect();
        let mut reported = Vec::new();
        in_order_as_done(
            &items,
            3,
            |_, &n| {
                std::thread::sleep(std::time::Duration::from_micros(n * 50));
                n * n
            },
            |i, square| reported.push((i, square)),
        );
        let expected: Vec<(usize, u64)> = items.iter().map(|n| n * n).enumerate().collect();
        assert_eq!(reported, expected);
    }

    #[test]
    fn slots_bound_the_holders_at_once() {
        let slots = Slots::new(2);
        let holding = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        map_in_order(&[(); 40], 6, |_, _| {
            let _slot = slots.take();
            let now = holding.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::yield_now();
            holding.fetch_sub(1, Ordering::SeqCst);
        });
        assert!(most.load(Ordering::SeqCst) <= 2);
        assert!(most.load(Ordering::SeqCst) >= 1);
    }
}
