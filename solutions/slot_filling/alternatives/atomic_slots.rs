//! Alternative: one atomic per slot, so threads never wait for each other; joining makes every store visible.

use harness::sync::atomic::{AtomicU64, Ordering};
use harness::sync::Arc;
use harness::thread;

/// Computes `f(0), ..., f(n - 1)` with one thread per slot and returns them in slot order.
pub fn fill_slots<F>(n: usize, f: F) -> Vec<u64>
where
    F: Fn(usize) -> u64 + Send + Sync + 'static,
{
    let f = Arc::new(f);
    let slots: Arc<Vec<AtomicU64>> = Arc::new((0..n).map(|_| AtomicU64::new(0)).collect());
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let f = Arc::clone(&f);
            let slots = Arc::clone(&slots);
            // Relaxed is enough: `join` orders the store before the read below.
            thread::spawn(move || slots[i].store(f(i), Ordering::Relaxed))
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    slots
        .iter()
        .map(|slot| slot.load(Ordering::Relaxed))
        .collect()
}
