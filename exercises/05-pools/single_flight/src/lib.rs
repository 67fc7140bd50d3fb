//! A single-flight memoizer: every key is computed once, even when many threads ask for it at the
//! same time. Read `README.md` beside this folder's `src/` first.
//!
//! Build it from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`) and a
//! `std::collections::HashMap`.

use std::collections::HashMap;
use std::hash::Hash;

use harness::sync::{Condvar, Mutex};

/// A memoizer shared between threads (for example in an [`Arc`](harness::sync::Arc)) that runs
/// at most one computation per key at a time, and remembers every result.
///
/// ```no_run
/// use single_flight::SingleFlight;
///
/// let flights = SingleFlight::new();
/// assert_eq!(flights.get_or_compute(3_u64, |n| n * n), 9);
/// // Stored: the second computation never runs.
/// assert_eq!(flights.get_or_compute(3, |_| unreachable!()), 9);
/// assert_eq!(flights.get(&3), Some(9));
/// ```
pub struct SingleFlight<K, V> {
    // TODO: a map from each key to its state (being computed, or its value), behind a `Mutex`,
    // and a `Condvar` that callers waiting for a computation sleep on. Change these freely.
    map: Mutex<HashMap<K, V>>,
    done: Condvar,
}

impl<K: Eq + Hash + Clone, V: Clone> SingleFlight<K, V> {
    /// An empty memoizer.
    pub fn new() -> Self {
        SingleFlight {
            map: Mutex::new(HashMap::new()),
            done: Condvar::new(),
        }
    }

    /// The stored value of `key`, if its computation has finished. Never computes, never waits.
    pub fn get(&self, key: &K) -> Option<V> {
        // TODO: a key that is being computed right now has no value yet.
        let _ = (key, &self.map, &self.done);
        todo!("look up a finished value")
    }

    /// The value of `key`: the stored one, or the result of the computation another thread is
    /// running for `key` right now (wait for it), or else the result of `compute`, which this
    /// call runs, stores and returns.
    ///
    /// - `compute` runs with no lock of the memoizer held, so different keys compute in
    ///   parallel, and a computation may use the memoizer for other keys.
    /// - At most one computation of a key is in flight at a time, and once one has finished
    ///   the key is never computed again.
    ///
    /// # Panics
    ///
    /// If `compute` panics, its panic propagates to this caller and nothing is stored. Callers
    /// that were waiting for that computation do not wait for ever: they try again, and one of
    /// them runs its own `compute`.
    pub fn get_or_compute(&self, key: K, compute: impl FnOnce(&K) -> V) -> V {
        // TODO: look the key up under the lock: stored -> return it; being computed -> wait for
        // it (and look again when you wake up); absent -> mark it as being computed, let go of
        // the lock, compute, store, wake the waiters. And think about what happens when
        // `compute` panics halfway.
        let _ = (key, compute);
        todo!("compute each key once")
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Default for SingleFlight<K, V> {
    /// The same as [`SingleFlight::new`].
    fn default() -> Self {
        SingleFlight::new()
    }
}
