//! Mutant: every thread pushes its value onto one shared Vec when it finishes, so the values come out in finishing order and slot `i` may hold another thread's value.
//! Expect: race

use harness::sync::{Arc, Mutex};
use harness::thread;

/// Computes `f(0), ..., f(n - 1)` with one thread per slot and returns them in slot order.
pub fn fill_slots<F>(n: usize, f: F) -> Vec<u64>
where
    F: Fn(usize) -> u64 + Send + Sync + 'static,
{
    let f = Arc::new(f);
    let results = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let f = Arc::clone(&f);
            let results = Arc::clone(&results);
            thread::spawn(move || {
                let value = f(i);
                // Nothing is lost, but the position is decided by who gets the lock first.
                results.lock().unwrap().push(value);
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let results = results.lock().unwrap().clone();
    results
}
