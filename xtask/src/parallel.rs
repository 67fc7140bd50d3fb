//! Work spread over a few threads, its results kept in the order of the work: the checks of a
//! mode, the katas of a grading run, the mutants of `mutate`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

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
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for worker in 0..workers.clamp(1, items.len().max(1)) {
            let (next, slots, work) = (&next, &slots, &work);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(i) else { break };
                let result = work(worker, item);
                slots.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(result);
            });
        }
    });
    slots
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|slot| slot.expect("every item was taken by a worker that returned"))
        .collect()
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
}
