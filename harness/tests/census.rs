//! The thread census on real threads, alone in its process so no other test's threads count.
#![cfg(not(any(feature = "model", feature = "explore")))]

use harness::sync::mpsc;
use harness::thread;

#[test]
fn the_census_counts_threads_spawned_and_alive() {
    let before = thread::census();
    let (release, wait) = mpsc::channel::<()>();
    let handle = thread::spawn(move || wait.recv().unwrap_or(()));
    assert_eq!(thread::census().spawned, before.spawned + 1);
    assert!(thread::census().alive > before.alive);
    drop(release);
    handle.join().unwrap();
    let panicked = thread::spawn(|| harness::check::deliberate_panic("on purpose"));
    assert!(panicked.join().is_err());
    assert_eq!(thread::census().spawned, before.spawned + 2);
}
