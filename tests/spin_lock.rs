//! Checks for the `spin_lock` kata: one holder at a time, `try_lock` fails exactly while the
//! lock is held, and each holder sees everything the previous holders wrote.

use harness::check::{mode, Checks, Mode};
use harness::detect::Gauge;
use harness::sync::Arc;
use harness::thread;
use spin_lock::SpinLock;

fn main() {
    Checks::new()
        .sequential("the guard gives access to the value", guard_gives_access)
        .sequential(
            "try_lock fails while the lock is held, and succeeds once it is released",
            try_lock_while_held,
        )
        .sequential("into_inner returns the value", into_inner)
        .concurrent(
            "threads incrementing under the lock lose no update",
            no_lost_update,
        )
        .concurrent(
            "try_lock from several threads lets at most one in at a time",
            try_lock_excludes,
        )
        .concurrent(
            "what one holder writes, the next holder reads",
            writes_are_published,
        )
        .run();
}

/// How many threads, and how many increments each, scaled to the mode's engine. Few threads on
/// real cores: a spinning waiter burns the time slice its lock holder needs, so more threads
/// than cores make a spin lock crawl (that is a property of spin locks, not a bug).
fn scale() -> (usize, u64) {
    match mode() {
        Mode::Model => (2, 1),
        Mode::Explore => (3, 5),
        _ => (2, 100),
    }
}

fn guard_gives_access() {
    // One lock() per lock here: taking a lock again after a release is the next check's job.
    let lock = SpinLock::new(5);
    let mut guard = lock.lock();
    assert_eq!(*guard, 5, "SpinLock::new(5).lock() should read 5");
    *guard += 1;
    assert_eq!(
        *guard, 6,
        "after `*guard += 1` on 5, the guard should read 6"
    );
    drop(guard);
    assert_eq!(
        lock.into_inner(),
        6,
        "after `*guard += 1` on SpinLock::new(5), into_inner() should return 6"
    );
    let words = SpinLock::new(vec!["a"]);
    words.lock().push("b");
    assert_eq!(
        words.into_inner(),
        ["a", "b"],
        "after pushing \"b\" through a guard, the Vec should be [\"a\", \"b\"]"
    );
}

fn try_lock_while_held() {
    let lock = SpinLock::new(0);
    {
        let mut guard = lock
            .try_lock()
            .expect("try_lock() on a new, unlocked lock should succeed");
        *guard = 7;
        for attempt in 1..=2 {
            assert!(
                lock.try_lock().is_none(),
                "try_lock() while a guard is alive should return None (attempt {attempt})"
            );
        }
        assert_eq!(*guard, 7, "the guard should still read what it wrote");
    }
    let guard = lock
        .try_lock()
        .expect("try_lock() after the guard was dropped should succeed");
    assert_eq!(
        *guard, 7,
        "the next holder should read the 7 the previous one wrote"
    );
    drop(guard);
    let guard = lock.lock();
    assert_eq!(
        *guard, 7,
        "lock() after try_lock's guard was dropped should read 7"
    );
}

fn into_inner() {
    let lock = SpinLock::new(String::from("kept"));
    lock.lock().push('!');
    assert_eq!(
        lock.into_inner(),
        "kept!",
        "into_inner() should return the value with every change made through guards"
    );
}

fn no_lost_update() {
    let (threads, rounds) = scale();
    let lock = Arc::new(SpinLock::new(0u64));
    let inside = Arc::new(Gauge::new("holders of the spin lock", 1));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let lock = Arc::clone(&lock);
            let inside = Arc::clone(&inside);
            thread::spawn(move || {
                for _ in 0..rounds {
                    let mut guard = lock.lock();
                    let holder = inside.enter();
                    // A read and a separate write: only exclusion keeps them together.
                    let seen = *guard;
                    *guard = seen + 1;
                    drop(holder);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let total = *lock.lock();
    let expected = threads as u64 * rounds;
    assert_eq!(
        total, expected,
        "{threads} threads each added 1 under the lock {rounds} times, so the value should be \
         {expected}, but it is {total}: two threads were inside at once"
    );
}

fn try_lock_excludes() {
    let (threads, rounds) = scale();
    let lock = Arc::new(SpinLock::new(0u64));
    let inside = Arc::new(Gauge::new("holders of the spin lock", 1));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let lock = Arc::clone(&lock);
            let inside = Arc::clone(&inside);
            thread::spawn(move || {
                let mut got = 0;
                for _ in 0..rounds {
                    if let Some(mut guard) = lock.try_lock() {
                        let holder = inside.enter();
                        let seen = *guard;
                        *guard = seen + 1;
                        drop(holder);
                        got += 1;
                    }
                }
                got
            })
        })
        .collect();
    let got: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let total = *lock.lock();
    assert_eq!(
        total, got,
        "threads added 1 under the lock {got} times in all (each time try_lock succeeded), so \
         the value should be {got}, but it is {total}: two threads were inside at once"
    );
    assert!(
        got >= 1,
        "{threads} threads called try_lock() {rounds} times each and none ever succeeded, \
         though the lock was free at the start"
    );
}

fn writes_are_published() {
    // A writer fills a Vec under the lock; a reader that finds it filled must see all of it.
    let lock = Arc::new(SpinLock::new(Vec::new()));
    let writer = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            let mut guard = lock.lock();
            guard.push(1);
            guard.push(2);
        })
    };
    let seen = lock.lock().clone();
    assert!(
        seen.is_empty() || seen == [1, 2],
        "a writer pushed 1 and 2 under one guard, but another holder read {seen:?}: half \
         of the writer's work"
    );
    writer.join().unwrap();
    let seen = lock.lock().clone();
    assert_eq!(
        seen,
        [1, 2],
        "after the writer finished, a holder should read [1, 2], but it read {seen:?}"
    );
}
