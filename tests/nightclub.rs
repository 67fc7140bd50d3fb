//! Checks of the `nightclub` kata: a counting semaphore with a capacity.
//!
//! The promises: never more than `capacity` guests inside at once, `try_enter` on a full club
//! returns `None` (and only then, unless guests queue at the door), a guest waiting at the door
//! gets in once someone leaves (no lost wakeup) and never waits while there is room, `inside()`
//! counts the guests, what a guest did inside is seen by the guest who takes its place, and
//! capacity 0 is refused.

use checks::refusal::assert_refused;
use checks::threads::spawn_named;
use checks::together::Together;
use harness::cell::UnsafeCell;
use harness::check::{mode, Checks, Mode};
use harness::detect::Gauge;
use harness::sync::Arc;
use nightclub::{Nightclub, Wristband};

fn main() {
    Checks::new()
        .sequential("a new club is empty", new_club_is_empty)
        .sequential(
            "entering and leaving change inside()",
            entering_and_leaving_count,
        )
        .sequential("try_enter on a full club returns None", full_club_refuses)
        .sequential(
            "capacity 0 panics with a clear message",
            capacity_zero_panics,
        )
        .concurrent("never more guests inside than the capacity", never_overfull)
        .concurrent(
            "a waiting guest gets in when someone leaves",
            waiting_guest_gets_in,
        )
        .concurrent(
            "a club with room lets a guest in while another enters or is inside",
            room_lets_in,
        )
        .concurrent(
            "what a guest did inside a club of capacity 1, the next guest sees",
            work_inside_is_seen_by_the_next,
        )
        .only(
            "places come free while as many guests wait: all get in, and stay together",
            &[Mode::Explore, Mode::Stress],
            free_places_for_waiting_guests,
        )
        .run();
}

fn new_club_is_empty() {
    let club = Nightclub::new(3);
    assert_eq!(
        club.inside(),
        0,
        "a new club should be empty, but inside() is {}",
        club.inside()
    );
}

fn entering_and_leaving_count() {
    let club = Nightclub::new(3);
    let first = club.enter();
    assert_eq!(club.inside(), 1, "after one enter(), inside() should be 1");
    let second = club.enter();
    assert_eq!(
        club.inside(),
        2,
        "after two enter() calls, inside() should be 2"
    );
    drop(first);
    assert_eq!(
        club.inside(),
        1,
        "two guests entered and one wristband was dropped, but inside() is not 1"
    );
    drop(second);
    assert_eq!(
        club.inside(),
        0,
        "every wristband was dropped, but inside() is not 0"
    );
}

fn full_club_refuses() {
    let club = Nightclub::new(2);
    let first = club.try_enter();
    assert!(
        first.is_some(),
        "try_enter() on an empty club of capacity 2 returned None"
    );
    let second = club.enter();
    assert_eq!(
        club.inside(),
        2,
        "two guests are inside, but inside() is {}",
        club.inside()
    );
    assert!(
        club.try_enter().is_none(),
        "the club (capacity 2) is full, but try_enter() let a third guest in"
    );
    assert_eq!(
        club.inside(),
        2,
        "a refused try_enter() changed inside() to {}",
        club.inside()
    );
    drop(second);
    let third = club.try_enter();
    assert!(
        third.is_some(),
        "a guest left a full club of capacity 2, but try_enter() still returned None"
    );
    assert_eq!(
        club.inside(),
        2,
        "two guests are inside, but inside() is {}",
        club.inside()
    );
    drop(first);
    drop(third);
    assert_eq!(
        club.inside(),
        0,
        "every wristband was dropped, but inside() is not 0"
    );
}

fn capacity_zero_panics() {
    // A club of capacity 1 must open normally (an unfinished `new` fails here, not below).
    let smallest = Nightclub::new(1);
    assert_eq!(
        smallest.inside(),
        0,
        "a new club of capacity 1 should be empty"
    );
    assert_refused(
        "Nightclub::new(0)",
        "Nightclub::new(0) returned a club nobody can ever enter; it should panic",
        || Nightclub::new(0),
    );
}

/// What a guest does inside: shows up on the gauge and sees a plausible head count.
fn stay_inside(club: &Nightclub, gauge: &Gauge, capacity: usize) {
    let _counted = gauge.enter();
    let inside = club.inside();
    assert!(
        (1..=capacity).contains(&inside),
        "a guest inside a club of capacity {capacity} saw inside() = {inside}"
    );
}

fn never_overfull() {
    // Model mode explores every interleaving, so it gets the smallest scenario that still has
    // a waiting guest, a newcomer, and a guest leaving.
    let (capacity, guests, rounds) = match mode() {
        Mode::Model => (1, 2, 1),
        _ => (2, 4, 3),
    };
    let club = Arc::new(Nightclub::new(capacity));
    let gauge = Arc::new(Gauge::new("guests inside", capacity));
    // The club starts full, so the first guests find the door shut.
    let regulars: Vec<Wristband<'_>> = (0..capacity).map(|_| club.enter()).collect();
    let handles: Vec<_> = (0..guests)
        .map(|id| {
            let club = Arc::clone(&club);
            let gauge = Arc::clone(&gauge);
            spawn_named(format!("guest {id}"), move || {
                for round in 0..rounds {
                    // Half of the visits wait at the door, the other half try once.
                    if (id + round) % 2 == 0 {
                        let _band = club.enter();
                        stay_inside(&club, &gauge, capacity);
                    } else if let Some(_band) = club.try_enter() {
                        stay_inside(&club, &gauge, capacity);
                    }
                }
            })
        })
        .collect();
    drop(regulars);
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(
        club.inside(),
        0,
        "every guest has left, but inside() is {}",
        club.inside()
    );
}

fn waiting_guest_gets_in() {
    // Capacity 1 and 2: with room for two, two places can come free while two guests wait,
    // and the second in line needs its own wake when the first has gone in.
    let capacities: &[usize] = match mode() {
        Mode::Model => &[1],
        _ => &[1, 2],
    };
    for &capacity in capacities {
        let (guests, visits) = match mode() {
            Mode::Model => (1, 1),
            _ => (capacity + 2, 2),
        };
        let club = Arc::new(Nightclub::new(capacity));
        let regulars: Vec<Wristband<'_>> = (0..capacity).map(|_| club.enter()).collect();
        let handles: Vec<_> = (0..guests)
            .map(|id| {
                let club = Arc::clone(&club);
                spawn_named(format!("guest {id}"), move || {
                    for _ in 0..visits {
                        let _band = club.enter();
                    }
                })
            })
            .collect();
        // The regulars leave; every guest waiting at the door must get in eventually.
        drop(regulars);
        for handle in handles {
            handle.join().unwrap();
        }
        assert_eq!(
            club.inside(),
            0,
            "every guest has left a club of capacity {capacity}, but inside() is {}",
            club.inside()
        );
    }
}

/// A club of capacity 2 (then 3), full; as many guests wait at the door; every regular leaves.
/// Each guest stays inside until all of them are in: the free places must let every one in,
/// the second in line as well as the first (a wake spent before the first went in, or one
/// that reached the wrong guest, must not leave another asleep by a free place).
fn free_places_for_waiting_guests() {
    for capacity in [2, 3] {
        places_free_at_once(capacity);
    }
}

fn places_free_at_once(capacity: usize) {
    let club = Arc::new(Nightclub::new(capacity));
    let together = Arc::new(Together::new(capacity, "guests"));
    let regulars: Vec<Wristband<'_>> = (0..capacity).map(|_| club.enter()).collect();
    let handles: Vec<_> = (0..capacity)
        .map(|id| {
            let (club, together) = (Arc::clone(&club), Arc::clone(&together));
            spawn_named(format!("guest {id}"), move || {
                let _band = club.enter();
                together.arrive_and_stay();
            })
        })
        .collect();
    drop(regulars);
    for handle in handles {
        handle.join().unwrap();
    }
}

/// A club of capacity 2 and two guests, so the club always has room for both. One guest goes
/// in while the other arrives, once with `enter()` and `try_enter()`, once the other way round;
/// both stay until both are in. Whenever the second arrives (before, during or after the
/// first's entry), `try_enter()` must let it in and `enter()` must not wait: nobody else
/// queues, and a guest half-way through the door must not count as a queue.
fn room_lets_in() {
    for first_waits in [true, false] {
        let club = Arc::new(Nightclub::new(2));
        let together = Arc::new(Together::new(2, "guests"));
        let first = {
            let (club, together) = (Arc::clone(&club), Arc::clone(&together));
            spawn_named("first guest", move || {
                let _band = walk_in(&club, first_waits, "first guest");
                together.arrive_and_stay();
            })
        };
        let _band = walk_in(&club, !first_waits, "second guest");
        together.arrive_and_stay();
        first.join().unwrap();
    }
}

/// Enters a club of capacity 2 that nobody else but one other guest visits: with `enter()` if
/// `waits`, else with `try_enter()`, which must succeed.
fn walk_in<'a>(club: &'a Nightclub, waits: bool, who: &str) -> Wristband<'a> {
    if waits {
        return club.enter();
    }
    club.try_enter().unwrap_or_else(|| {
        panic!(
            "the {who}'s try_enter() returned None, but the club has capacity 2 and only one \
             other guest, who did not wait at the door: there was room and no queue"
        )
    })
}

/// What the guests of a club of capacity 1 write inside. The cell is the engine's: under the
/// model checker, a guest reading it without the club ordering the previous guest's stay
/// before its own is a data race.
struct Visits(UnsafeCell<usize>);

// SAFETY: the cell is touched only by a guest inside a club of capacity 1, one at a time; that
// their accesses are also ordered is the promise under test (and the checker verifies it).
unsafe impl Sync for Visits {}
// SAFETY: see above.
unsafe impl Send for Visits {}

/// "A lock is just a nightclub of capacity 1": two guests each add one to a count inside the
/// club, so the second reads what the first wrote. The club must order the first guest's stay
/// before the second's, the way a lock orders its holders, whether the second found the club
/// full and waited or walked in after the first had left.
fn work_inside_is_seen_by_the_next() {
    let club = Arc::new(Nightclub::new(1));
    let visits = Arc::new(Visits(UnsafeCell::new(0)));
    let visit = |club: &Nightclub, visits: &Visits| {
        let _band = club.enter();
        // SAFETY: only a guest inside the club touches the count.
        visits.0.with_mut(|count| unsafe { *count += 1 });
    };
    let other = {
        let (club, visits) = (Arc::clone(&club), Arc::clone(&visits));
        spawn_named("guest 1", move || visit(&club, &visits))
    };
    visit(&club, &visits);
    other.join().unwrap();
    // SAFETY: both guests have left and been joined.
    let count = visits.0.with(|count| unsafe { *count });
    assert_eq!(
        count, 2,
        "two guests each added 1 to a count while inside a club of capacity 1, but it reads \
         {count}"
    );
}
