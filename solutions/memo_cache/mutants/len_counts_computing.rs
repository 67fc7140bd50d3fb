//! Mutant: single flight, but `len()` counts the slots, and a slot is made the moment a thread starts computing its key: a key still being computed is counted although `get` finds no value for it, so `len()` says 1 while `get` says the cache is empty.
//! Expect: race

use std::collections::HashMap;
use std::hash::Hash;

use harness::sync::{Arc, Condvar, Mutex};

/// A cache of computed values, shared between threads.
pub struct Cache<K, V> {
    slots: Mutex<HashMap<K, Arc<Slot<V>>>>,
}

/// The value of one key: `None` while its first caller computes it.
struct Slot<V> {
    value: Mutex<Option<V>>,
    filled: Condvar,
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    /// An empty cache.
    pub fn new() -> Self {
        Cache {
            slots: Mutex::new(HashMap::new()).named("slots"),
        }
    }

    /// The stored value of `key`, if there is one. Never computes anything, never waits for a
    /// computation.
    pub fn get(&self, key: &K) -> Option<V> {
        let slot = self.slots.lock().unwrap().get(key).cloned()?;
        let value = slot.value.lock().unwrap().clone();
        value
    }

    /// The stored value of `key`; if there is none, runs `compute`, stores its result and
    /// returns it. If another thread is computing `key` right now, waits for its result.
    pub fn get_or_compute(&self, key: K, compute: impl FnOnce(&Self) -> V) -> V {
        let mut slots = self.slots.lock().unwrap();
        if let Some(slot) = slots.get(&key).cloned() {
            drop(slots);
            let value = slot.value.lock().unwrap();
            let value = slot
                .filled
                .wait_while(value, |value| value.is_none())
                .unwrap();
            return value.clone().expect("the slot is filled");
        }
        let slot = Arc::new(Slot {
            value: Mutex::new(None).named("slot"),
            filled: Condvar::new().named("slot_filled"),
        });
        slots.insert(key, Arc::clone(&slot));
        drop(slots);
        let value = compute(self);
        *slot.value.lock().unwrap() = Some(value.clone());
        slot.filled.notify_all();
        value
    }

    /// How many keys have a stored value.
    pub fn len(&self) -> usize {
        self.slots.lock().unwrap().len()
    }

    /// Whether no key has a stored value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K: Eq + Hash, V: Clone> Default for Cache<K, V> {
    /// The same as [`Cache::new`].
    fn default() -> Self {
        Cache::new()
    }
}
