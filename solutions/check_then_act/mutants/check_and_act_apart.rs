//! Mutant: `register` checks whether the name is free under one lock acquisition and inserts it under another, so two threads can both see the name free and both return true.
//! Expect: race

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
        // Each guard is a temporary, dropped at the end of its statement: the answer of the
        // check can be stale by the time the insert runs.
        let free = !self.names.lock().unwrap().contains(name);
        if free {
            self.names.lock().unwrap().insert(name.to_owned());
        }
        free
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
