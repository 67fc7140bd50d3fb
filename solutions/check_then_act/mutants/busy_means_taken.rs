//! Mutant: `register` gives up with false when the lock is busy (`try_lock`), so a thread registering a free name can be refused just because another thread was registering a different one.
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
        // "Busy" is read as "taken": wrong whenever the holder is registering another name.
        match self.names.try_lock() {
            Ok(mut names) => names.insert(name.to_owned()),
            Err(_) => false,
        }
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
