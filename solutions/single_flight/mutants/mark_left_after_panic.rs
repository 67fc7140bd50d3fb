//! Mutant: when the computation panics, its `Computing` mark is never removed, so the callers waiting for it (and every later caller of that key) wait for ever for a value that never comes.
//! Expect: deadlock

use std::collections::HashMap;
use std::hash::Hash;

use harness::sync::{Condvar, Mutex};

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
    map: Mutex<HashMap<K, State<V>>>,
    /// Notified whenever a computation ends, with a value or with a panic.
    landed: Condvar,
}

/// Where a key stands.
enum State<V> {
    /// A caller is running its computation right now.
    Computing,
    /// The computation finished with this value.
    Done(V),
}

impl<K: Eq + Hash + Clone, V: Clone> SingleFlight<K, V> {
    /// An empty memoizer.
    pub fn new() -> Self {
        SingleFlight {
            map: Mutex::new(HashMap::new()).named("flights"),
            landed: Condvar::new().named("a flight landed"),
        }
    }

    /// The stored value of `key`, if its computation has finished. Never computes, never waits.
    pub fn get(&self, key: &K) -> Option<V> {
        match self.map.lock().unwrap().get(key) {
            Some(State::Done(value)) => Some(value.clone()),
            _ => None,
        }
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
        let mut map = self.map.lock().unwrap();
        // Look again after every wake-up: the wake-up may be for another key, or the
        // computation we waited for may have panicked.
        loop {
            match map.get(&key) {
                Some(State::Done(value)) => return value.clone(),
                Some(State::Computing) => map = self.landed.wait(map).unwrap(),
                None => break,
            }
        }
        map.insert(key.clone(), State::Computing);
        drop(map);

        // If `compute` panics, we never get past this line.
        let value = compute(&key);
        let mut map = self.map.lock().unwrap();
        map.insert(key, State::Done(value.clone()));
        drop(map);
        self.landed.notify_all();
        value
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Default for SingleFlight<K, V> {
    /// The same as [`SingleFlight::new`].
    fn default() -> Self {
        SingleFlight::new()
    }
}
