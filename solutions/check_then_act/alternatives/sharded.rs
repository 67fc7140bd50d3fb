//! Alternative: the names are split over several shards by hash, each with its own lock, so registrations of names in different shards never wait for each other.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use harness::sync::Mutex;

/// How many shards; a name always lives in the same one.
const SHARDS: usize = 4;

/// A set of registered names, shared between threads.
pub struct Registry {
    shards: Vec<Mutex<HashSet<String>>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry {
            shards: (0..SHARDS)
                .map(|i| Mutex::new(HashSet::new()).named(format!("shard {i}")))
                .collect(),
        }
    }

    /// The shard `name` belongs to.
    fn shard(&self, name: &str) -> &Mutex<HashSet<String>> {
        let mut hasher = DefaultHasher::new();
        name.hash(&mut hasher);
        &self.shards[hasher.finish() as usize % SHARDS]
    }

    /// Registers `name`; `true` if this call registered it.
    pub fn register(&self, name: &str) -> bool {
        // Every call for one name locks the same shard, and checks and acts under one guard.
        self.shard(name).lock().unwrap().insert(name.to_owned())
    }

    /// Whether `name` has been registered.
    pub fn contains(&self, name: &str) -> bool {
        self.shard(name).lock().unwrap().contains(name)
    }

    /// How many different names have been registered.
    pub fn len(&self) -> usize {
        // One shard at a time: a count taken while registrations run may lag, but a name never
        // moves between shards, so no name is counted twice.
        self.shards
            .iter()
            .map(|shard| shard.lock().unwrap().len())
            .sum()
    }

    /// Whether no name has been registered yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for Registry {
    /// Same as [`Registry::new`].
    fn default() -> Self {
        Self::new()
    }
}
