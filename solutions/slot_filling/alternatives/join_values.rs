//! Alternative: no shared vector at all; each thread returns its value, and joining the handles in slot order collects them.

use harness::sync::Arc;
use harness::thread;

/// Computes `f(0), ..., f(n - 1)` with one thread per slot and returns them in slot order.
pub fn fill_slots<F>(n: usize, f: F) -> Vec<u64>
where
    F: Fn(usize) -> u64 + Send + Sync + 'static,
{
    let f = Arc::new(f);
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let f = Arc::clone(&f);
            thread::spawn(move || f(i))
        })
        .collect();
    // The handles are in slot order, whatever order the threads finish in.
    handles
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect()
}
