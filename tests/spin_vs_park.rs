//! Checks of the `spin_vs_park` kata: a lock whose waiters spin a while, then park.
//!
//! The promises: the value is reached through the guard, whatever the spin limit (0 parks at
//! once, `u32::MAX` practically never parks); one thread at a time holds the lock, and the next
//! holder sees what the previous one wrote; a parked thread is woken when the lock is released
//! (no lost wakeup), also with several threads parked at once.

use checks::exclusion::add_one_at_a_time;
use checks::threads::spawn_named;
use harness::check::{mode, Checks, Mode};
use harness::sync::Arc;
use spin_vs_park::HybridLock;

fn main() {
    Checks::new()
        .sequential("a new lock holds its value", new_lock_holds_value)
        .sequential(
            "a change through the guard is seen by the next lock, whatever the spin limit",
            change_is_seen,
        )
        .concurrent(
            "a parked thread is woken when the lock is released",
            parked_waiter_is_woken,
        )
        .concurrent("one thread at a time holds the lock", mutual_exclusion)
        .concurrent(
            "every waiter gets the lock when several park at once",
            several_parked_waiters,
        )
        .run();
}

const SPIN_LIMITS: [u32; 4] = [0, 1, 100, u32::MAX];

fn new_lock_holds_value() {
    let lock = HybridLock::new(5, 100);
    assert_eq!(
        *lock.lock(),
        5,
        "HybridLock::new(5, 100), then lock() does not see 5"
    );
    for spin_limit in SPIN_LIMITS {
        let lock = HybridLock::new(String::from("hello"), spin_limit);
        assert_eq!(
            lock.lock().as_str(),
            "hello",
            "HybridLock::new(\"hello\", {spin_limit}), then lock() does not see \"hello\""
        );
    }
}

fn change_is_seen() {
    for spin_limit in SPIN_LIMITS {
        let lock = HybridLock::new(vec![1], spin_limit);
        lock.lock().push(2);
        for round in 3..=6 {
            lock.lock().push(round);
        }
        let seen = lock.lock().clone();
        assert_eq!(
            seen,
            [1, 2, 3, 4, 5, 6],
            "with spin limit {spin_limit}, after five changes, each under its own lock(), the \
             value is {seen:?}"
        );
    }
}

/// With spin limit 0 the waiter parks at once: releasing the lock must wake it.
fn parked_waiter_is_woken() {
    let lock = Arc::new(HybridLock::new(0, 0));
    let mut held = lock.lock();
    let waiter = {
        let lock = Arc::clone(&lock);
        spawn_named("waiter", move || *lock.lock())
    };
    // The waiter may already be asleep: unlocking must wake it, and it must see our write.
    *held = 1;
    drop(held);
    let seen = waiter.join().unwrap();
    assert_eq!(
        seen, 1,
        "a thread that waited for the lock saw {seen}, not the 1 written before the unlock"
    );
}

fn mutual_exclusion() {
    // (threads, rounds, spin limit): some tries spin, the rest park.
    let (threads, rounds, spin_limit) = match mode() {
        Mode::Model => (2, 2, 1),
        Mode::Explore => (3, 5, 2),
        _ => (4, 300, 50),
    };
    let lock = Arc::new(HybridLock::new(0_usize, spin_limit));
    let pause = mode() != Mode::Model;
    let total = add_one_at_a_time(threads, rounds, pause, &lock, |lock, add| {
        add(&mut lock.lock())
    });
    assert_eq!(
        total,
        threads * rounds,
        "{threads} threads each added 1 {rounds} times under the lock (spin limit {spin_limit}), \
         but the value is {total}"
    );
}

/// Threads that park at once (spin limit 0) pile up behind the holder; each release must wake
/// one of them, even when another thread took the lock first.
fn several_parked_waiters() {
    let (threads, rounds) = match mode() {
        Mode::Model => (3, 1),
        Mode::Explore => (4, 4),
        _ => (4, 200),
    };
    let lock = Arc::new(HybridLock::new(0_usize, 0));
    let handles: Vec<_> = (0..threads)
        .map(|id| {
            let lock = Arc::clone(&lock);
            spawn_named(format!("thread {id}"), move || {
                for _ in 0..rounds {
                    *lock.lock() += 1;
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
        threads * rounds,
        "{threads} threads each added 1 {rounds} times under the lock, but the value is {total}"
    );
}
