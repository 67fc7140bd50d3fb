//! Alternative: one slot per key, each with its own `Mutex` and `Condvar`. The map's lock is held
//! only to find or create a key's slot (an `Arc`); callers of the same key then meet at the slot:
//! the first one to find it empty marks it taken and computes, the others sleep on the slot's
//! own condvar, so a finished computation wakes only the callers of its own key. If the
//! computation panics, the slot goes back to empty and its waiters try again.

use std::collections::HashMap;
use std::hash::Hash;

use harness::sync::{Arc, Condvar, Mutex};

/// A memoizer shared between threads that runs at most one computation per key at a time, and
/// remembers every result.
pub struct SingleFlight<K, V> {
    slots: Mutex<HashMap<K, Arc<Slot<V>>>>,
}

/// One key's meeting point.
struct Slot<V> {
    state: Mutex<SlotState<V>>,
    changed: Condvar,
}

enum SlotState<V> {
    Empty,
    Taken,
    Filled(V),
}

impl<K: Eq + Hash + Clone, V: Clone> SingleFlight<K, V> {
    /// An empty memoizer.
    pub fn new() -> Self {
        SingleFlight {
            slots: Mutex::new(HashMap::new()).named("slots"),
        }
    }

    fn slot(&self, key: &K) -> Arc<Slot<V>> {
        let mut slots = self.slots.lock().unwrap();
        let slot = slots.entry(key.clone()).or_insert_with(|| {
            Arc::new(Slot {
                state: Mutex::new(SlotState::Empty).named("slot"),
                changed: Condvar::new().named("slot changed"),
            })
        });
        Arc::clone(slot)
    }

    /// The stored value of `key`, if its computation has finished. Never computes, never waits.
    pub fn get(&self, key: &K) -> Option<V> {
        let slot = self.slots.lock().unwrap().get(key).cloned()?;
        let state = slot.state.lock().unwrap();
        match &*state {
            SlotState::Filled(value) => Some(value.clone()),
            _ => None,
        }
    }

    /// The value of `key`, computed at most once at a time and stored; see the kata's README.
    pub fn get_or_compute(&self, key: K, compute: impl FnOnce(&K) -> V) -> V {
        let slot = self.slot(&key);
        {
            let mut state = slot.state.lock().unwrap();
            loop {
                match &*state {
                    SlotState::Filled(value) => return value.clone(),
                    SlotState::Taken => state = slot.changed.wait(state).unwrap(),
                    SlotState::Empty => break,
                }
            }
            *state = SlotState::Taken;
        }
        let reset = Reset(&slot);
        let value = compute(&key);
        std::mem::forget(reset);
        *slot.state.lock().unwrap() = SlotState::Filled(value.clone());
        slot.changed.notify_all();
        value
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Default for SingleFlight<K, V> {
    /// The same as [`SingleFlight::new`].
    fn default() -> Self {
        SingleFlight::new()
    }
}

/// Empties a taken slot again when the computation panics, and wakes its waiters.
struct Reset<'a, V>(&'a Slot<V>);

impl<V> Drop for Reset<'_, V> {
    fn drop(&mut self) {
        *self
            .0
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = SlotState::Empty;
        self.0.changed.notify_all();
    }
}
