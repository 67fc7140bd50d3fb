//! Fill a results vector with one thread per slot.
//!
//! Reference solution: a shared, pre-sized `Vec` behind a Mutex; thread `i` writes slot `i`,
//! and every thread is joined before the results are read.

use harness::sync::{Arc, Mutex};
use harness::thread;

/// Computes `f(0), f(1), ..., f(n - 1)` with one thread per slot, all running at once, and
/// returns them in slot order: `fill_slots(n, f)[i] == f(i)`.
///
/// - `f` is called exactly once for every index in `0..n`, each time on a thread of its own
///   (never on the calling thread), and all `n` threads are started before any is waited for,
///   so the calls may run at the same time.
/// - Every thread has finished when `fill_slots` returns: no call of `f` is still running.
/// - `fill_slots(0, f)` returns an empty `Vec` and never calls `f`.
///
/// ```
/// use slot_filling::fill_slots;
///
/// let squares = fill_slots(4, |i| (i * i) as u64);
/// assert_eq!(squares, vec![0, 1, 4, 9]);
/// ```
pub fn fill_slots<F>(n: usize, f: F) -> Vec<u64>
where
    F: Fn(usize) -> u64 + Send + Sync + 'static,
{
    let f = Arc::new(f);
    // Every slot exists before any thread starts, so each thread only writes its own index:
    // where a value lands does not depend on when its thread finishes.
    let slots = Arc::new(Mutex::new(vec![0; n]).named("slots"));
    // Start them all first, keeping the handles: joining inside this loop would run the
    // threads one after another.
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let f = Arc::clone(&f);
            let slots = Arc::clone(&slots);
            thread::spawn(move || {
                // Compute outside the lock, so the threads really run at the same time.
                let value = f(i);
                slots.lock().unwrap()[i] = value;
            })
        })
        .collect();
    // Only after every thread has finished is every slot filled.
    for handle in handles {
        handle.join().unwrap();
    }
    let filled = slots.lock().unwrap().clone();
    filled
}
