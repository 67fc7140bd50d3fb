//! Checks for the `check_then_act` kata: each name is registered by exactly one call, however
//! many threads try at once, and registering one name never stands in the way of another.

use check_then_act::Registry;
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use harness::thread::{self, JoinHandle};

fn main() {
    Checks::new()
        .sequential("a new registry is empty", new_registry_is_empty)
        .sequential("a default registry is empty", default_registry_is_empty)
        .sequential(
            "a name is registered once, then refused",
            register_once_then_refused,
        )
        .sequential(
            "different names are registered independently",
            different_names,
        )
        .concurrent(
            "of threads registering one name at once, exactly one wins",
            one_winner,
        )
        .concurrent(
            "threads registering different names at once all win",
            different_names_at_once,
        )
        .concurrent(
            "threads registering overlapping names: each name is won exactly once",
            overlapping_names,
        )
        .run();
}

/// How many threads compete, scaled to the mode's engine.
fn threads() -> usize {
    match mode() {
        Mode::Model => 2,
        _ => 4,
    }
}

/// Spawns a thread that registers `names` in order and returns what each call returned.
fn spawn_registering(registry: &Arc<Registry>, names: Vec<String>) -> JoinHandle<Vec<bool>> {
    let registry = Arc::clone(registry);
    thread::spawn(move || names.iter().map(|name| registry.register(name)).collect())
}

fn assert_empty(registry: &Registry, what: &str) {
    assert_eq!(registry.len(), 0, "{what} should have len() 0");
    assert!(registry.is_empty(), "{what} should be is_empty()");
    assert!(
        !registry.contains("alice"),
        "{what} should not contain \"alice\""
    );
}

fn new_registry_is_empty() {
    assert_empty(&Registry::new(), "Registry::new()");
}

fn default_registry_is_empty() {
    assert_empty(&Registry::default(), "Registry::default()");
}

fn register_once_then_refused() {
    let registry = Registry::new();
    assert!(
        registry.register("alice"),
        "register(\"alice\") on an empty registry should return true"
    );
    assert!(
        registry.contains("alice"),
        "after register(\"alice\"), contains(\"alice\") should be true"
    );
    for attempt in 2..=3 {
        assert!(
            !registry.register("alice"),
            "\"alice\" is already registered, so register(\"alice\") should return false (call \
             number {attempt})"
        );
    }
    assert_eq!(
        registry.len(),
        1,
        "one name registered (and refused twice): len() should be 1"
    );
    assert!(
        !registry.is_empty(),
        "after a registration, is_empty() should be false"
    );
}

fn different_names() {
    let registry = Registry::new();
    for (count, name) in ["alice", "bob", "", "alice2"].into_iter().enumerate() {
        assert!(
            !registry.contains(name),
            "{name:?} was not registered yet, but contains({name:?}) is true"
        );
        assert!(
            registry.register(name),
            "{name:?} was not registered yet, so register({name:?}) should return true"
        );
        assert_eq!(
            registry.len(),
            count + 1,
            "after registering {} different names, len() should be {}",
            count + 1,
            count + 1
        );
    }
    assert!(
        !registry.register("bob"),
        "\"bob\" was registered earlier, so register(\"bob\") should return false"
    );
}

fn one_winner() {
    let threads = threads();
    let registry = Arc::new(Registry::new());
    let handles: Vec<_> = (0..threads)
        .map(|_| spawn_registering(&registry, vec!["alice".to_owned()]))
        .collect();
    let results: Vec<bool> = handles
        .into_iter()
        .map(|handle| handle.join().unwrap()[0])
        .collect();
    let winners = results.iter().filter(|&&won| won).count();
    assert_eq!(
        winners, 1,
        "{threads} threads each called register(\"alice\") at once: exactly one should get \
         true, but the calls returned {results:?}"
    );
    assert!(
        registry.contains("alice"),
        "after the race for \"alice\", contains(\"alice\") should be true"
    );
    let len = registry.len();
    assert_eq!(
        len, 1,
        "one name was registered, so len() should be 1, but it is {len}"
    );
}

fn different_names_at_once() {
    let threads = threads();
    let registry = Arc::new(Registry::new());
    let handles: Vec<_> = (0..threads)
        .map(|i| spawn_registering(&registry, vec![format!("user {i}")]))
        .collect();
    for (i, handle) in handles.into_iter().enumerate() {
        let won = handle.join().unwrap()[0];
        assert!(
            won,
            "{threads} threads each registered a different name at once; nobody else wanted \
             \"user {i}\", yet register(\"user {i}\") returned false"
        );
    }
    let len = registry.len();
    assert_eq!(
        len, threads,
        "{threads} different names were registered, so len() should be {threads}, but it is {len}"
    );
}

fn overlapping_names() {
    let threads = threads();
    let names: Vec<String> = match mode() {
        Mode::Model => vec!["a".into(), "b".into()],
        _ => (0..5).map(|i| format!("name {i}")).collect(),
    };
    let registry = Arc::new(Registry::new());
    // Every thread registers every name, each starting at another point of the list.
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let mut order = names.clone();
            order.rotate_left(t % names.len());
            let handle = spawn_registering(&registry, order.clone());
            (order, handle)
        })
        .collect();
    let mut wins = vec![0; names.len()];
    for (order, handle) in handles {
        for (name, won) in order.iter().zip(handle.join().unwrap()) {
            if won {
                wins[names.iter().position(|n| n == name).unwrap()] += 1;
            }
        }
    }
    for (name, won) in names.iter().zip(&wins) {
        assert_eq!(
            *won, 1,
            "{threads} threads each registered {names:?}: register({name:?}) should return true \
             exactly once in all, but it returned true {won} times"
        );
    }
    let len = registry.len();
    assert_eq!(
        len,
        names.len(),
        "{} different names were registered, so len() should be {}, but it is {len}",
        names.len(),
        names.len()
    );
}
