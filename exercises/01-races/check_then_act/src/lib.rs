//! A registry of names in which each name can be claimed exactly once, by many threads at once.
//!
//! Read `README.md` beside this crate for the lesson. Run `cargo xtask check check_then_act` to
//! see what the checks think of this file.

use std::collections::HashSet;

use harness::sync::Mutex;

/// A set of registered names, shared between threads (put it in an `Arc`).
///
/// Registering is first come, first served: of all the calls that register one name, exactly
/// one wins.
///
/// ```
/// use check_then_act::Registry;
///
/// let registry = Registry::new();
/// assert!(registry.register("alice"));
/// assert!(!registry.register("alice")); // taken
/// assert!(registry.register("bob"));
/// assert!(registry.contains("alice"));
/// assert_eq!(registry.len(), 2);
/// ```
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

    /// Registers `name`. Returns `true` if this call registered it, `false` if it was already
    /// registered.
    ///
    /// Many threads may register at the same time, the same name or different ones: for each
    /// name, exactly one call ever returns `true`, and a name is registered as soon as that
    /// call returns.
    pub fn register(&self, name: &str) -> bool {
        // TODO: this is right with one thread and wrong with two. The check ("is it taken?")
        // and the act ("take it") each lock the set, but the lock is released in between: two
        // threads can both see the name free, and both return true. The check and the act
        // must happen under one lock acquisition.
        if self.names.lock().unwrap().contains(name) {
            return false;
        }
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
