//! Checks of the `async_semaphore` kata: the nightclub, awaiting.
//!
//! The promises: never more guests inside than places; `acquire` is ready at once when a place
//! is free and nobody waits, otherwise it waits in line and its most recent waker is woken when
//! its turn comes; a freed place goes to the guest that has waited longest (a newcomer never
//! overtakes a waiting guest); a cancelled acquire (dropped while waiting) leaves the line, and a
//! place already meant for it goes on to the next guest or back to the free places: no place is
//! ever lost, nobody waits forever. Most checks poll the futures by hand, so that the order of
//! events is exact; the concurrent checks let the model checker and the explorer choose it.

use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};

use async_semaphore::{Acquire, Semaphore};
use checks::threads::spawn_named;
use checks::waker::{counting_waker, WakeCount};
use harness::check::{mode, Checks, Mode};
use harness::detect::Gauge;
use harness::future::{block_on, Signal};
use harness::sync::Arc;

fn main() {
    Checks::new()
        .sequential("available counts the free places", available_counts)
        .sequential(
            "acquire waits when the club is full and is ready when a place frees",
            waits_when_full,
        )
        .sequential(
            "a waiting guest is served before a newcomer",
            waiter_before_newcomer,
        )
        .sequential(
            "waiting guests are served in the order they came",
            served_in_order,
        )
        .sequential(
            "the waker of the most recent poll is the one woken",
            most_recent_waker_is_woken,
        )
        .sequential(
            "a cancelled waiter leaves the line",
            cancelled_waiter_leaves_line,
        )
        .sequential(
            "a place handed to a cancelled waiter goes to the next guest",
            handed_place_goes_to_next,
        )
        .sequential(
            "a place handed to a cancelled waiter is not lost",
            handed_place_not_lost,
        )
        .concurrent("never more guests inside than places", capacity_holds)
        .concurrent(
            "a waiter cancelled while a place frees loses no place",
            cancel_while_place_frees,
        )
        .concurrent(
            "a covered waiter cancelled while another place frees: both places reach a guest",
            cancel_while_other_place_frees,
        )
        .concurrent(
            "two waiters cancelled at once both leave the line",
            two_cancelled_at_once,
        )
        .run();
}

/// An acquire polled by hand, with a waker of its own that counts its wakes.
struct Guest<'a> {
    name: &'static str,
    acquire: Pin<Box<Acquire<'a>>>,
    counter: std::sync::Arc<WakeCount>,
    waker: Waker,
}

impl<'a> Guest<'a> {
    fn new(name: &'static str, semaphore: &'a Semaphore) -> Self {
        let (waker, counter) = counting_waker();
        Guest {
            name,
            acquire: Box::pin(semaphore.acquire()),
            counter,
            waker,
        }
    }

    fn poll(&mut self) -> Poll<async_semaphore::Permit<'a>> {
        self.acquire
            .as_mut()
            .poll(&mut Context::from_waker(&self.waker))
    }

    /// Polls, expecting `Pending` (the club is full or others wait first).
    fn waits(&mut self, why: &str) {
        assert!(
            self.poll().is_pending(),
            "guest {}'s acquire was ready, but {why}",
            self.name
        );
    }

    fn wakes(&self) -> usize {
        self.counter.wakes()
    }
}

fn available_counts() {
    let club = Semaphore::new(2);
    assert_eq!(
        club.available(),
        2,
        "a new Semaphore::new(2) should have 2 places available"
    );
    let first = club.try_acquire();
    assert!(
        first.is_some(),
        "try_acquire failed on an empty club of 2 places"
    );
    assert_eq!(
        club.available(),
        1,
        "one guest of 2 inside, but available() is {}",
        club.available()
    );
    let second = block_on(club.acquire());
    assert_eq!(
        club.available(),
        0,
        "two guests of 2 inside, but available() is {}",
        club.available()
    );
    assert!(
        club.try_acquire().is_none(),
        "try_acquire succeeded although both places are taken"
    );
    drop(first);
    assert_eq!(
        club.available(),
        1,
        "a guest left, but available() is {}, not 1",
        club.available()
    );
    drop(second);
    assert_eq!(
        club.available(),
        2,
        "both guests left, but available() is {}, not 2",
        club.available()
    );
}

fn waits_when_full() {
    let club = Semaphore::new(1);
    let inside = club
        .try_acquire()
        .expect("try_acquire failed on an empty club");
    let mut guest = Guest::new("A", &club);
    guest.waits("the only place is taken");
    drop(inside);
    assert!(
        guest.wakes() > 0,
        "guest A waited, then the only place freed, but A's waker was never woken: A would \
         wait forever"
    );
    let permit = guest.poll();
    assert!(
        permit.is_ready(),
        "the place freed for guest A, but A's acquire is still Pending"
    );
    assert_eq!(
        club.available(),
        0,
        "guest A is inside the club of 1, but available() is {}",
        club.available()
    );
    drop(permit);
    assert_eq!(
        club.available(),
        1,
        "everybody left, but available() is {}, not 1",
        club.available()
    );
}

fn waiter_before_newcomer() {
    let club = Semaphore::new(1);
    let inside = club
        .try_acquire()
        .expect("try_acquire failed on an empty club");
    let mut guest = Guest::new("A", &club);
    guest.waits("the only place is taken");
    drop(inside);
    // The place is A's: A waited, the newcomer did not.
    assert!(
        club.try_acquire().is_none(),
        "guest A was waiting when the only place freed, yet a newcomer's try_acquire took it \
         before A could: a newcomer must not overtake a waiting guest"
    );
    let mut newcomer = Guest::new("N", &club);
    newcomer.waits("guest A was waiting when the only place freed: the place is A's");
    assert!(
        guest.poll().is_ready(),
        "the place freed for guest A, but A's acquire is still Pending"
    );
}

fn served_in_order() {
    let club = Semaphore::new(1);
    let inside = club
        .try_acquire()
        .expect("try_acquire failed on an empty club");
    let mut first = Guest::new("A", &club);
    let mut second = Guest::new("B", &club);
    first.waits("the only place is taken");
    second.waits("the only place is taken");
    drop(inside);
    second.waits("guest A waited before B: the freed place is A's");
    let permit = first.poll();
    assert!(
        permit.is_ready(),
        "guests A then B waited; the place freed, but A's acquire is still Pending"
    );
    drop(permit);
    assert!(
        second.wakes() > 0,
        "guest A left the club, but guest B, waiting next, was never woken"
    );
    assert!(
        second.poll().is_ready(),
        "guest A left, but guest B's acquire is still Pending"
    );
}

fn most_recent_waker_is_woken() {
    let club = Semaphore::new(1);
    let inside = club
        .try_acquire()
        .expect("try_acquire failed on an empty club");
    let mut guest = Guest::new("A", &club);
    guest.waits("the only place is taken");
    // The task moved (say, to another executor thread): it is polled with another waker.
    let (second_waker, counter) = counting_waker();
    assert!(
        guest
            .acquire
            .as_mut()
            .poll(&mut Context::from_waker(&second_waker))
            .is_pending(),
        "guest A's acquire was ready, but the only place is taken"
    );
    drop(inside);
    assert!(
        counter.wakes() > 0,
        "guest A's acquire was polled with waker 1, then with waker 2, then the place freed: \
         waker 2 must be woken (it is the one the executor listens to now), but it was not \
         (waker 1 was woken {} time(s))",
        guest.wakes()
    );
}

fn cancelled_waiter_leaves_line() {
    let club = Semaphore::new(1);
    let inside = club
        .try_acquire()
        .expect("try_acquire failed on an empty club");
    let mut first = Guest::new("A", &club);
    let mut second = Guest::new("B", &club);
    first.waits("the only place is taken");
    second.waits("the only place is taken");
    drop(first); // A gives up (say, a timeout fired) before its turn.
    drop(inside);
    assert!(
        second.wakes() > 0,
        "guests A then B waited; A gave up (its acquire was dropped), then the place freed: B, \
         now first in line, was never woken"
    );
    assert!(
        second.poll().is_ready(),
        "guests A then B waited; A gave up, then the place freed, but B's acquire is still Pending"
    );
}

fn handed_place_goes_to_next() {
    let club = Semaphore::new(1);
    let inside = club
        .try_acquire()
        .expect("try_acquire failed on an empty club");
    let mut first = Guest::new("A", &club);
    let mut second = Guest::new("B", &club);
    first.waits("the only place is taken");
    second.waits("the only place is taken");
    drop(inside); // The place is A's now...
    drop(first); // ...but A gives up before it polls again.
    assert!(
        second.wakes() > 0,
        "guests A then B waited; the place freed for A, but A gave up before taking it: B, next \
         in line, was never woken"
    );
    assert!(
        second.poll().is_ready(),
        "guests A then B waited; the place freed for A, A gave up before taking it, but B's \
         acquire is still Pending: the place was lost"
    );
}

fn handed_place_not_lost() {
    let club = Semaphore::new(1);
    let inside = club
        .try_acquire()
        .expect("try_acquire failed on an empty club");
    let mut guest = Guest::new("A", &club);
    guest.waits("the only place is taken");
    drop(inside); // The place is A's now...
    drop(guest); // ...but A gives up before it polls again.
    assert_eq!(
        club.available(),
        1,
        "guest A waited; the place freed for A, but A gave up before taking it: the club of 1 \
         is empty, yet available() is {}",
        club.available()
    );
    assert!(
        club.try_acquire().is_some(),
        "guest A gave up the place it was handed; the club is empty, yet try_acquire failed"
    );
}

fn capacity_holds() {
    let (places, guests, rounds) = match mode() {
        Mode::Model => (1, 2, 1),
        _ => (2, 4, 3),
    };
    let club = Arc::new(Semaphore::new(places));
    let inside = Arc::new(Gauge::new("guests inside", places));
    let threads: Vec<_> = (0..guests)
        .map(|n| {
            let (club, inside) = (Arc::clone(&club), Arc::clone(&inside));
            spawn_named(format!("guest {n}"), move || {
                for _ in 0..rounds {
                    let permit = block_on(club.acquire());
                    let guard = inside.enter();
                    drop(guard);
                    drop(permit);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(
        club.available(),
        places,
        "every guest left the club of {places}, but available() is {}: the count of free \
         places went wrong",
        club.available()
    );
}

fn cancel_while_place_frees() {
    let club = Arc::new(Semaphore::new(1));
    let other = {
        let club = Arc::clone(&club);
        spawn_named("other guest", move || drop(block_on(club.acquire())))
    };
    {
        // Guest A tries once, then gives up (if it got in, it leaves at once).
        let mut acquire = pin!(club.acquire());
        let _ = acquire
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()));
    }
    // If A's place was lost, this waits forever.
    drop(block_on(club.acquire()));
    other.join().unwrap();
    assert_eq!(
        club.available(),
        1,
        "everybody left the club of 1 (guest A gave up while the other guest came and went), \
         but available() is {}",
        club.available()
    );
}

/// A club of 2 places, both taken (one by a guest on another thread); guests A, B and C wait
/// in that order. One place frees: it is A's. Then A gives up (its acquire is dropped) while the
/// other guest leaves, at the same time: the two places now belong to B and C, so both must be
/// woken and both get in. A cancelled waiter that passes its place on after looking again at the
/// free places (in a second critical section) may find the other guest's place already there and
/// hand its own to the guest that place woke, leaving B asleep.
fn cancel_while_other_place_frees() {
    let club = Arc::new(Semaphore::new(2));
    let (holding, go) = (Signal::new(), Signal::new());
    let other = {
        let (club, holding, go) = (Arc::clone(&club), holding.clone(), go.clone());
        spawn_named("other guest", move || {
            let permit = club
                .try_acquire()
                .expect("try_acquire failed on an empty club of 2");
            holding.fire();
            block_on(go.wait());
            drop(permit);
        })
    };
    block_on(holding.wait());
    let inside = club
        .try_acquire()
        .expect("try_acquire failed with one place of 2 taken");
    let mut first = Guest::new("A", &club);
    let mut second = Guest::new("B", &club);
    let mut third = Guest::new("C", &club);
    first.waits("both places are taken");
    second.waits("both places are taken");
    third.waits("both places are taken");
    drop(inside); // The place is A's...
    go.fire(); // ...the other guest leaves...
    drop(first); // ...and A gives up, at the same time.
    other.join().unwrap();
    for guest in [&second, &third] {
        assert!(
            guest.wakes() > 0,
            "guests A, B, C waited for a club of 2; a place freed for A, then A gave up while \
             the other guest left: both places are now B's and C's, but guest {} was never \
             woken: it would wait forever with a place free",
            guest.name
        );
    }
    let permits = [second.poll(), third.poll()];
    assert!(
        permits.iter().all(Poll::is_ready),
        "guests A, B, C waited for a club of 2; A gave up while both places freed, but the \
         acquires of B and C are not both ready (B: {}, C: {})",
        if permits[0].is_ready() {
            "ready"
        } else {
            "pending"
        },
        if permits[1].is_ready() {
            "ready"
        } else {
            "pending"
        },
    );
    drop(permits);
    assert_eq!(
        club.available(),
        2,
        "everybody left the club of 2, but available() is {}",
        club.available()
    );
}

/// A club of 1, full; guests A (on another thread) and B wait in line, then both give up at
/// the same moment, on their two threads. Both must leave the line: when the place frees, a
/// newcomer gets it. A cancelled waiter that finds its place in the line under the lock and
/// removes that place in a second critical section may remove nothing (the other one left
/// first and the line moved up), and stays in line for ever: the freed place is then kept for
/// a guest who is gone.
fn two_cancelled_at_once() {
    let club = Arc::new(Semaphore::new(1));
    let inside = club
        .try_acquire()
        .expect("try_acquire failed on an empty club of 1");
    let (queued, go) = (Signal::new(), Signal::new());
    let other = {
        let (club, queued, go) = (Arc::clone(&club), queued.clone(), go.clone());
        spawn_named("guest A", move || {
            let mut first = Guest::new("A", &club);
            first.waits("the club of 1 is full");
            queued.fire();
            block_on(go.wait());
            drop(first);
        })
    };
    block_on(queued.wait());
    let mut second = Guest::new("B", &club);
    second.waits("the club of 1 is full and A waits first");
    go.fire();
    drop(second);
    other.join().unwrap();
    drop(inside);
    // If a cancelled guest stayed in line, the freed place is kept for it and this waits for
    // ever.
    drop(block_on(club.acquire()));
    assert_eq!(
        club.available(),
        1,
        "guests A and B waited for a full club of 1 and gave up at once; then everybody left, \
         but available() is {}",
        club.available()
    );
}
