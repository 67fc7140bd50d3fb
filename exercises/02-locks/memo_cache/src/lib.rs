//! A get-or-compute cache whose computations may use the cache themselves. Read `README.md`
//! beside this folder's `src/` first.
//!
//! Build it from `harness::sync::Mutex` (the same API as `std::sync::Mutex`) and a
//! `std::collections::HashMap`.

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
/// ```no_run
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
            map: Mutex::new(HashMap::new()),
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
        // TODO: this looks right and works for simple computations, but it hangs as soon as
        // `compute` uses the cache, and it breaks a promise when two threads compute the same
        // key at once. Find out why (the README explains the first one), and fix both.
        match self.map.lock().unwrap().get(&key) {
            Some(value) => value.clone(),
            None => {
                let value = compute(self);
                self.map.lock().unwrap().insert(key, value.clone());
                value
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
