//! Checks of the `manual_reset_event` kata: an event that stays set until reset.
//!
//! The promises: a new event is not set, `set()`/`reset()` change `is_set()`, `wait()` on a set
//! event returns at once and on a reset one only after a `set()`, `set()` releases every waiting
//! thread (no lost wakeup), a thread waiting when `set()` is called stays released even if
//! `reset()` follows at once, `waiters()` counts the threads inside `wait()`, and what the setter
//! did before `set()` is visible after `wait()`.

use checks::threads::spawn_named;
use harness::cell::UnsafeCell;
use harness::check::{mode, Checks, Mode};
use harness::sync::atomic::{AtomicBool, Ordering};
use harness::sync::Arc;
use harness::thread;
use manual_reset_event::Event;

fn main() {
    Checks::new()
        .sequential("a new event is not set", new_event_is_not_set)
        .sequential("set() and reset() change is_set()", set_and_reset)
        .sequential("wait() on a set event returns at once", wait_when_set)
        .concurrent("wait() returns only after set()", wait_until_set)
        .concurrent("set() releases every waiting thread", set_releases_everyone)
        .concurrent(
            "a thread waiting when set() is called is released even if reset() follows at once",
            released_stays_released,
        )
        .concurrent(
            "what the setter did before set() is seen after wait()",
            work_is_seen,
        )
        .concurrent(
            "a thread that starts waiting after reset() is released only by a later set()",
            late_waiter_needs_a_later_set,
        )
        .run();
}

fn new_event_is_not_set() {
    let event = Event::new();
    assert!(!event.is_set(), "Event::new() should not be set");
    assert_eq!(
        event.waiters(),
        0,
        "nobody waits on a new event, but waiters() is {}",
        event.waiters()
    );
    let event = Event::default();
    assert!(!event.is_set(), "Event::default() should not be set");
}

fn set_and_reset() {
    let event = Event::new();
    event.set();
    assert!(event.is_set(), "after set(), is_set() should be true");
    event.set();
    assert!(event.is_set(), "after set() twice, is_set() should be true");
    event.reset();
    assert!(!event.is_set(), "after reset(), is_set() should be false");
    event.reset();
    assert!(
        !event.is_set(),
        "after reset() twice, is_set() should be false"
    );
    event.set();
    assert!(
        event.is_set(),
        "set() after a reset() should set the event again"
    );
}

fn wait_when_set() {
    let event = Event::new();
    event.set();
    event.wait();
    event.wait();
    assert!(
        event.is_set(),
        "wait() must not change the event: after set() and two wait() calls, is_set() is false"
    );
    assert_eq!(
        event.waiters(),
        0,
        "every wait() has returned, but waiters() is {}",
        event.waiters()
    );
    event.reset();
    event.set();
    event.wait();
}

/// How many threads wait at once in a concurrent check.
fn waiters(model: usize) -> usize {
    match mode() {
        Mode::Model => model,
        _ => 3,
    }
}

fn wait_until_set() {
    let event = Arc::new(Event::new());
    // Whether set() has been called, kept by the check.
    let set_called = Arc::new(AtomicBool::new(false).named("set() called"));
    let handles: Vec<_> = (0..waiters(1))
        .map(|id| {
            let (event, set_called) = (Arc::clone(&event), Arc::clone(&set_called));
            spawn_named(format!("waiter {id}"), move || {
                event.wait();
                assert!(
                    set_called.load(Ordering::SeqCst),
                    "wait() returned although set() had not been called"
                );
            })
        })
        .collect();
    set_called.store(true, Ordering::SeqCst);
    event.set();
    for handle in handles {
        handle.join().unwrap();
    }
}

fn set_releases_everyone() {
    let count = waiters(2);
    let event = Arc::new(Event::new());
    let handles: Vec<_> = (0..count)
        .map(|id| {
            let event = Arc::clone(&event);
            spawn_named(format!("waiter {id}"), move || event.wait())
        })
        .collect();
    event.set();
    for handle in handles {
        handle.join().unwrap();
    }
    assert!(
        event.is_set(),
        "the event was set and never reset, but is_set() is false"
    );
    assert_eq!(
        event.waiters(),
        0,
        "every wait() has returned, but waiters() is {}",
        event.waiters()
    );
}

fn released_stays_released() {
    let count = waiters(1);
    let event = Arc::new(Event::new());
    let handles: Vec<_> = (0..count)
        .map(|id| {
            let event = Arc::clone(&event);
            spawn_named(format!("waiter {id}"), move || event.wait())
        })
        .collect();
    // Wait until every waiter is inside wait(); then a set() must release them all, whatever
    // happens after it.
    while event.waiters() < count {
        thread::yield_now();
    }
    event.set();
    event.reset();
    for handle in handles {
        handle.join().unwrap();
    }
    assert!(
        !event.is_set(),
        "the event was set and then reset, but is_set() is true"
    );
    assert_eq!(
        event.waiters(),
        0,
        "every wait() has returned, but waiters() is {}",
        event.waiters()
    );
}

/// A note the setter writes before set(). The cell is the engine's: under the model checker,
/// reading it without wait() having ordered the read after the write is a data race.
struct Note(UnsafeCell<usize>);

// SAFETY: the note is written only before set() and read only after wait() returned; the kata's
// promise is that these accesses are ordered (the checker verifies it).
unsafe impl Sync for Note {}
// SAFETY: see above.
unsafe impl Send for Note {}

fn work_is_seen() {
    let event = Arc::new(Event::new());
    let note = Arc::new(Note(UnsafeCell::new(0)));
    let handles: Vec<_> = (0..waiters(1))
        .map(|id| {
            let (event, note) = (Arc::clone(&event), Arc::clone(&note));
            spawn_named(format!("waiter {id}"), move || {
                event.wait();
                // SAFETY: the setter wrote the note before set(), and nobody writes it after.
                let seen = note.0.with(|note| unsafe { *note });
                assert_eq!(
                    seen, 7,
                    "the setter wrote 7 before set(), but after wait() the note reads {seen}"
                );
            })
        })
        .collect();
    // SAFETY: nobody reads the note before set().
    note.0.with_mut(|note| unsafe { *note = 7 });
    event.set();
    for handle in handles {
        handle.join().unwrap();
    }
}

/// A setter races a reset, with a thread that may already be waiting (released by that set,
/// whatever follows); a thread that starts waiting once the reset has returned may be
/// released by that set only if the set came after the reset, and then the event is still set
/// when everything is over. Released while the event ends up not set, it took a pass that set()
/// gave before the reset: latecomers wait for a later set.
fn late_waiter_needs_a_later_set() {
    let event = Arc::new(Event::new());
    // A thread that may be waiting when the set comes: that set releases it, whatever follows.
    let early = {
        let event = Arc::clone(&event);
        spawn_named("early waiter", move || event.wait())
    };
    let setter = {
        let event = Arc::clone(&event);
        spawn_named("setter", move || event.set())
    };
    event.reset();
    let last_set_begun = Arc::new(AtomicBool::new(false).named("the last set() has begun"));
    let late = {
        let (event, last_set_begun) = (Arc::clone(&event), Arc::clone(&last_set_begun));
        spawn_named("late waiter", move || {
            event.wait();
            !last_set_begun.load(Ordering::SeqCst)
        })
    };
    setter.join().unwrap();
    let set_at_the_end = event.is_set();
    last_set_begun.store(true, Ordering::SeqCst);
    event.set();
    let released_early = late.join().unwrap();
    early.join().unwrap();
    assert!(
        !released_early || set_at_the_end,
        "a thread started waiting after reset() had returned, and was released although the \
         event was not set once the setter was done: the set() it took ran before the reset(), \
         and a thread that starts waiting after a reset waits for a later set()"
    );
}
