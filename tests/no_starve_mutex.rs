//! Checks of the `no_starve_mutex` kata: a mutex that never starves a waiting thread, built from
//! locks that may let newcomers barge in.
//!
//! The promises: the value is reached through the guard, one thread at a time holds the lock, a
//! thread waiting for the lock gets it when it is unlocked, and a waiting thread is overtaken only
//! a bounded number of times (no starvation), although the facade's own locks hand over in no
//! particular order in this kata.

use checks::exclusion::add_one_at_a_time;
use checks::threads::spawn_named;
use harness::check::{mode, Checks, Mode};
use harness::detect::Bypass;
use harness::sync::Arc;
use harness::thread;
use no_starve_mutex::NoStarveMutex;

fn main() {
    Checks::new()
        .sequential("a new mutex holds its value", new_mutex_holds_value)
        .sequential(
            "a change through the guard is seen by the next lock",
            change_is_seen,
        )
        .concurrent(
            "a waiting thread gets the lock when it is unlocked",
            waiter_gets_the_lock,
        )
        .concurrent("one thread at a time holds the lock", mutual_exclusion)
        .only(
            "a waiting thread is not overtaken without bound",
            &[Mode::Explore],
            nobody_starves,
        )
        .run();
}

fn new_mutex_holds_value() {
    let lock = NoStarveMutex::new(5);
    assert_eq!(
        *lock.lock(),
        5,
        "NoStarveMutex::new(5), then lock() does not see 5"
    );
    let lock = NoStarveMutex::new(String::from("hello"));
    assert_eq!(
        lock.lock().as_str(),
        "hello",
        "NoStarveMutex::new(\"hello\"), then lock() does not see \"hello\""
    );
}

fn change_is_seen() {
    let lock = NoStarveMutex::new(vec![1]);
    lock.lock().push(2);
    assert_eq!(
        *lock.lock(),
        [1, 2],
        "a value changed through one guard is not seen through the next"
    );
    for round in 3..=6 {
        lock.lock().push(round);
    }
    let seen = lock.lock().clone();
    assert_eq!(
        seen,
        [1, 2, 3, 4, 5, 6],
        "after six changes, each under its own lock(), the value is {seen:?}"
    );
}

fn waiter_gets_the_lock() {
    let lock = Arc::new(NoStarveMutex::new(0));
    let mut held = lock.lock();
    let waiter = {
        let lock = Arc::clone(&lock);
        spawn_named("waiter", move || *lock.lock())
    };
    // The waiter may already be waiting: unlocking must let it in, and it must see our write.
    *held = 1;
    drop(held);
    let seen = waiter.join().unwrap();
    assert_eq!(
        seen, 1,
        "a thread that waited for the lock saw {seen}, not the 1 written before the unlock"
    );
    let end = *lock.lock();
    assert_eq!(end, 1, "the value should still be 1, but it is {end}");
}

fn mutual_exclusion() {
    let (threads, rounds) = match mode() {
        Mode::Model => (2, 2),
        Mode::Explore => (3, 5),
        _ => (3, 200),
    };
    let lock = Arc::new(NoStarveMutex::new(0_usize));
    let total = add_one_at_a_time(threads, rounds, true, &lock, |lock, add| {
        add(&mut lock.lock())
    });
    assert_eq!(
        total,
        threads * rounds,
        "{threads} threads each added 1 {rounds} times under the lock, but the value is {total}"
    );
}

/// Threads lock again and again; every time one goes in while another waits, the waiting one has
/// been overtaken once. Each visit starts with a pause (`yield_now`), as a real thread does other
/// work between visits; it also keeps the PCT scheduler, which runs only its highest-priority
/// thread, from counting a thread that has not asked yet as overtaken.
fn nobody_starves() {
    const THREADS: usize = 3;
    const ROUNDS: usize = 10;
    let lock = Arc::new(NoStarveMutex::new(0_usize));
    let bypass = Arc::new(Bypass::new("the lock"));
    let handles: Vec<_> = (0..THREADS)
        .map(|id| {
            let (lock, bypass) = (Arc::clone(&lock), Arc::clone(&bypass));
            spawn_named(format!("thread {id}"), move || {
                for _ in 0..ROUNDS {
                    thread::yield_now();
                    let waiting = bypass.wait();
                    let mut guard = lock.lock();
                    let inside = waiting.enter();
                    *guard += 1;
                    drop(inside);
                    drop(guard);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let total = *lock.lock();
    assert_eq!(
        total,
        THREADS * ROUNDS,
        "the threads added {} in all, but the value is {total}",
        THREADS * ROUNDS
    );
}
