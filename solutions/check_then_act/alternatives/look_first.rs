//! Alternative: a cheap look first that only turns callers away early; the registration itself is decided again under the lock, by `insert`'s answer, never by the stale look.

use harness::sync::Mutex;

/// A set of registered names, shared between threads.
pub struct Registry {
    /// Registered names, in registration order.
    names: Mutex<Vec<String>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Registry {
            names: Mutex::new(Vec::new()).named("names"),
        }
    }

    /// Registers `name`; `true` if this call registered it.
    pub fn register(&self, name: &str) -> bool {
        // A hint only: "taken" stays true once true, so turning away here is safe...
        if self.contains(name) {
            return false;
        }
        // ...but "free" may be stale by now, so check again under the guard that acts.
        let mut names = self.names.lock().unwrap();
        if names.iter().any(|registered| registered == name) {
            return false;
        }
        names.push(name.to_owned());
        true
    }

    /// Whether `name` has been registered.
    pub fn contains(&self, name: &str) -> bool {
        self.names
            .lock()
            .unwrap()
            .iter()
            .any(|registered| registered == name)
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
