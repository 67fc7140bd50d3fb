//! Mutant: each thread is joined right after it is spawned, so the threads run one after another, never at the same time; a call of `f` that waits for another slot's call waits forever.
//! Expect: deadlock

use harness::sync::{Arc, Mutex};
use harness::thread;

/// Computes `f(0), ..., f(n - 1)` with one thread per slot and returns them in slot order.
pub fn fill_slots<F>(n: usize, f: F) -> Vec<u64>
where
    F: Fn(usize) -> u64 + Send + Sync + 'static,
{
    let f = Arc::new(f);
    let slots = Arc::new(Mutex::new(vec![0; n]));
    for i in 0..n {
        let f = Arc::clone(&f);
        let slots = Arc::clone(&slots);
        let handle = thread::spawn(move || {
            let value = f(i);
            slots.lock().unwrap()[i] = value;
        });
        // Waiting here, before the next thread even exists.
        handle.join().unwrap();
    }
    let filled = slots.lock().unwrap().clone();
    filled
}
