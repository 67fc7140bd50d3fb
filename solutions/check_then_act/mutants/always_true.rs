//! Mutant: `register` inserts the name and returns true whether or not it was already there, so a name can be claimed twice even by one thread.
//! Expect: wrong-result

use std::collections::HashSet;

use harness::sync::Mutex;

/// A set of registered names, shared between threads.
pub struct Registry {
    names: Mutex<HashSet<String>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry {
            names: Mutex::new(HashSet::new()),
        }
    }

    /// Registers `name`; `true` if this call registered it.
    pub fn register(&self, name: &str) -> bool {
        // The answer of `insert` is thrown away.
        self.names.lock().unwrap().insert(name.to_owned());
        true
    }

    /// Whether `name` has been registered.
    pub fn contains(&self, name: &str) -> bool {
        self.names.lock().unwrap().contains(name)
    }

    /// How many different names have been registered.
    pub fn len(&self) -> usize {
        self.names.lock().unwrap().len()
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
