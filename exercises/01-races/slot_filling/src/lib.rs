//! Fill a results vector with one thread per slot.
//!
//! Read `README.md` beside this crate for the lesson. Run `cargo xtask check slot_filling` to
//! see what the checks think of this file.

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
/// ```no_run
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
    let results = Arc::new(Mutex::new(Vec::new()));
    for i in 0..n {
        let f = Arc::clone(&f);
        let results = Arc::clone(&results);
        thread::spawn(move || {
            let value = f(i);
            results.lock().unwrap().push(value);
        });
    }
    // TODO: two bugs. Each thread pushes its value when it finishes, so the values come out in
    // finishing order, not slot order; and nobody waits for the threads, so the values read
    // here are whatever happened to be pushed so far. Make thread `i` fill slot `i`, and wait
    // for every thread before reading the results.
    let results = results.lock().unwrap().clone();
    results
}
