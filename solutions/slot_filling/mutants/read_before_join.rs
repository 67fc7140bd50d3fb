//! Mutant: the results are read as soon as every thread is started, before joining them, so a slot whose thread has not run yet is still 0.
//! Expect: race

use harness::sync::{Arc, Mutex};
use harness::thread;

/// Computes `f(0), ..., f(n - 1)` with one thread per slot and returns them in slot order.
pub fn fill_slots<F>(n: usize, f: F) -> Vec<u64>
where
    F: Fn(usize) -> u64 + Send + Sync + 'static,
{
    let f = Arc::new(f);
    let slots = Arc::new(Mutex::new(vec![0; n]));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let f = Arc::clone(&f);
            let slots = Arc::clone(&slots);
            thread::spawn(move || {
                let value = f(i);
                slots.lock().unwrap()[i] = value;
            })
        })
        .collect();
    // Read first, join later: started is not finished.
    let filled = slots.lock().unwrap().clone();
    for handle in handles {
        handle.join().unwrap();
    }
    filled
}
