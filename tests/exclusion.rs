//! The exclusion scenario for a lock kata: threads named `thread 0`, `thread 1`... each add 1 to
//! the lock's value `rounds` times, reading it, pausing, then writing it back, while a gauge
//! counts the threads holding the lock. A second thread inside fills the gauge (`race`, with
//! both threads named); an update lost in between shows in the total.
//!
//! ```no_run
//! use checks::exclusion::add_one_at_a_time;
//! use harness::sync::{Arc, Mutex};
//!
//! let lock = Arc::new(Mutex::new(0_usize));
//! let total = add_one_at_a_time(2, 3, true, &lock, |lock, add| add(&mut lock.lock().unwrap()));
//! assert_eq!(total, 6);
//! ```

use harness::detect::Gauge;
use harness::sync::Arc;
use harness::thread;

use crate::threads::spawn_named;

/// How the scenario reaches the value: takes the lock, does what it is given to the value
/// under it, and lets go (`|lock, add| add(&mut lock.lock())`).
pub type WithLock<L> = fn(&L, &mut dyn FnMut(&mut usize));

/// Runs the scenario on `lock` with `threads` threads of `rounds` rounds each, then returns the
/// value's total, reaching the value with `with_lock`. With `pause`, each thread yields between
/// its read and its write, inviting another inside. The threads' spawns and joins are recorded
/// at the caller's line.
#[track_caller]
pub fn add_one_at_a_time<L: Send + Sync + 'static>(
    threads: usize,
    rounds: usize,
    pause: bool,
    lock: &Arc<L>,
    with_lock: WithLock<L>,
) -> usize {
    let inside = Arc::new(Gauge::new("threads holding the lock", 1));
    let mut handles = Vec::with_capacity(threads);
    for id in 0..threads {
        let (lock, inside) = (Arc::clone(lock), Arc::clone(&inside));
        handles.push(spawn_named(format!("thread {id}"), move || {
            for _ in 0..rounds {
                with_lock(&lock, &mut |value| {
                    let counted = inside.enter();
                    // Read, pause, write: a second thread inside would lose an update.
                    let seen = *value;
                    if pause {
                        thread::yield_now();
                    }
                    *value = seen + 1;
                    drop(counted);
                });
            }
        }));
    }
    for handle in handles {
        handle.join().unwrap();
    }
    let mut total = 0;
    with_lock(lock, &mut |value| total = *value);
    total
}
