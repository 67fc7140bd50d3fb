//! Mutant: `get_or_compute` keeps the map's lock while `compute` runs, so only one computation runs at a time, for any key: two computations that need each other to make progress wait for ever.
//! Expect: deadlock

use std::collections::HashMap;
use std::hash::Hash;

use harness::sync::Mutex;

/// A memoizer shared between threads (for example in an [`Arc`](harness::sync::Arc)) that runs
/// at most one computation per key at a time, and remembers every result.
///
/// ```
/// use single_flight::SingleFlight;
///
/// let flights = SingleFlight::new();
/// assert_eq!(flights.get_or_compute(3_u64, |n| n * n), 9);
/// // Stored: the second computation never runs.
/// assert_eq!(flights.get_or_compute(3, |_| unreachable!()), 9);
/// assert_eq!(flights.get(&3), Some(9));
/// ```
pub struct SingleFlight<K, V> {
    map: Mutex<HashMap<K, V>>,
}

impl<K: Eq + Hash + Clone, V: Clone> SingleFlight<K, V> {
    /// An empty memoizer.
    pub fn new() -> Self {
        SingleFlight {
            map: Mutex::new(HashMap::new()).named("flights"),
        }
    }

    /// The stored value of `key`, if its computation has finished. Never computes, never waits.
    pub fn get(&self, key: &K) -> Option<V> {
        self.map
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(key)
            .cloned()
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
        let mut map = self
            .map
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(value) = map.get(&key) {
            return value.clone();
        }
        // Simple and safe, it seems: nobody else can compute while we hold the lock.
        let value = compute(&key);
        map.insert(key, value.clone());
        value
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Default for SingleFlight<K, V> {
    /// The same as [`SingleFlight::new`].
    fn default() -> Self {
        SingleFlight::new()
    }
}
