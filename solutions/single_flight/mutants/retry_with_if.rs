//! Mutant: a caller waits (in a `while` loop) for the very flight it found in the air to end, but when that flight crashed it retries with `if` instead of looking at the key again: all the callers that waited for the crash wake up, and each one that finds a newer flight already in the air starts yet another computation of the same key.
//! Expect: race

use std::collections::HashMap;
use std::hash::Hash;

use harness::sync::atomic::{AtomicU64, Ordering};
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
    /// Numbers the flights.
    flights: AtomicU64,
    /// Notified whenever a computation ends, with a value or with a panic.
    landed: Condvar,
}

/// Where a key stands.
enum State<V> {
    /// A caller is running its computation right now; the number tells the flights apart.
    Computing(u64),
    /// The computation finished with this value.
    Done(V),
}

impl<K: Eq + Hash + Clone, V: Clone> SingleFlight<K, V> {
    /// An empty memoizer.
    pub fn new() -> Self {
        SingleFlight {
            map: Mutex::new(HashMap::new()).named("flights"),
            flights: AtomicU64::new(0),
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
        match map.get(&key) {
            Some(State::Done(value)) => return value.clone(),
            Some(State::Computing(flight)) => {
                let flight = *flight;
                // Wait for the flight found in the air to end.
                while matches!(map.get(&key), Some(State::Computing(f)) if *f == flight) {
                    map = self.landed.wait(map).unwrap();
                }
                if let Some(State::Done(value)) = map.get(&key) {
                    return value.clone();
                }
                // That flight crashed: compute the key ourselves.
            }
            None => {}
        }
        let id = self.flights.fetch_add(1, Ordering::Relaxed);
        map.insert(key.clone(), State::Computing(id));
        drop(map);

        let flight = Flight {
            owner: self,
            key: &key,
        };
        let value = compute(&key);
        flight.land(value.clone());
        value
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Default for SingleFlight<K, V> {
    /// The same as [`SingleFlight::new`].
    fn default() -> Self {
        SingleFlight::new()
    }
}

/// A computation in flight. Landing it stores the value; dropping it without landing (the
/// computation panicked) removes the `Computing` mark, so that a waiter can compute instead.
struct Flight<'a, K: Eq + Hash + Clone, V: Clone> {
    owner: &'a SingleFlight<K, V>,
    key: &'a K,
}

impl<K: Eq + Hash + Clone, V: Clone> Flight<'_, K, V> {
    fn land(self, value: V) {
        let mut map = self.owner.map.lock().unwrap();
        map.insert(self.key.clone(), State::Done(value));
        drop(map);
        self.owner.landed.notify_all();
        // The key is done: nothing left for `drop` to undo.
        std::mem::forget(self);
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Drop for Flight<'_, K, V> {
    fn drop(&mut self) {
        // Only reached when the computation panicked: `land` forgets the flight.
        let mut map = self
            .owner
            .map
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.remove(self.key);
        drop(map);
        self.owner.landed.notify_all();
    }
}
