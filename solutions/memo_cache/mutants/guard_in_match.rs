//! Mutant: the key is looked up in the head of a `match`, whose temporary guard lives until the end of the whole `match`, so the computation runs with the cache locked, and a computation that uses the cache waits for a lock its own thread holds.
//! Expect: deadlock

use std::collections::HashMap;
use std::hash::Hash;

use harness::sync::Mutex;

/// A cache of computed values, shared between threads (for example in an
/// [`Arc`](harness::sync::Arc)).
///
/// [`get_or_compute`](Cache::get_or_compute) returns the stored value of a key, or computes,
/// stores and returns it. The computation gets the cache itself, so it can use other cached
/// values (a recursive computation memoizes itself):
///
/// ```
/// use memo_cache::Cache;
///
/// fn fib(cache: &Cache<u64, u64>, n: u64) -> u64 {
///     cache.get_or_compute(n, |cache| {
///         if n < 2 { n } else { fib(cache, n - 1) + fib(cache, n - 2) }
///     })
/// }
///
/// let cache = Cache::new();
/// assert_eq!(fib(&cache, 50), 12_586_269_025);
/// assert_eq!(cache.len(), 51);
/// assert_eq!(cache.get(&10), Some(55));
/// ```
pub struct Cache<K, V> {
    map: Mutex<HashMap<K, V>>,
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    /// An empty cache.
    pub fn new() -> Self {
        Cache {
            map: Mutex::new(HashMap::new()).named("map"),
        }
    }

    /// The stored value of `key`, if there is one. Never computes anything.
    pub fn get(&self, key: &K) -> Option<V> {
        self.map.lock().unwrap().get(key).cloned()
    }

    /// The stored value of `key`; if there is none, runs `compute`, stores its result and
    /// returns it.
    ///
    /// `compute` runs without any lock of the cache held, and gets the cache: it may call
    /// [`get`](Cache::get) and `get_or_compute` for *other* keys (never for `key` itself, which
    /// would recurse for ever), and other threads use the cache meanwhile.
    ///
    /// Once a value is stored for a key, it never changes: if two threads compute the same key at
    /// the same time, the value stored first is kept, and both calls return it.
    pub fn get_or_compute(&self, key: K, compute: impl FnOnce(&Self) -> V) -> V {
        match self.map.lock().unwrap().get(&key) {
            Some(value) => value.clone(),
            None => {
                let value = compute(self);
                // Someone may have stored a value meanwhile: the first one stored wins.
                self.map.lock().unwrap().entry(key).or_insert(value).clone()
            }
        }
    }

    /// How many keys have a stored value.
    pub fn len(&self) -> usize {
        self.map.lock().unwrap().len()
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
