//! Checks of the `philosophers` kata: philosophers around a table share a fork with each
//! neighbour.
//!
//! The promises: `dine` runs the meal once and returns what it returned, neighbours never eat at
//! the same time (they would share a fork), a full table of hungry philosophers never deadlocks,
//! and a hungry philosopher is not passed over by a neighbour without bound (no starvation).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

use checks::threads::spawn_named;
use checks::together::Together;
use harness::check::{mode, Checks, Mode};
use harness::detect::{Bypass, Gauge};
use harness::sync::Arc;
use harness::thread;
use philosophers::Table;

fn main() {
    Checks::new()
        .sequential(
            "dine() returns what the meal returns",
            dine_returns_the_meal,
        )
        .sequential(
            "every seat can dine, again and again",
            every_seat_dines_again,
        )
        .sequential("a table of fewer than 2 seats panics", too_few_seats_panic)
        .sequential("a seat that does not exist panics", missing_seat_panics)
        .concurrent(
            "two philosophers at a table for two take turns",
            two_at_a_table_for_two,
        )
        .concurrent(
            "neighbours never eat at the same time",
            neighbours_never_eat_together,
        )
        .concurrent(
            "two philosophers at one seat of a table for two take turns with a third",
            two_share_a_seat,
        )
        .concurrent(
            "philosophers who share no fork eat at the same time",
            strangers_eat_together,
        )
        .only(
            "when two philosophers stand up at once, two waiting ones who share no fork eat together",
            &[Mode::Explore, Mode::Stress],
            two_stand_up_at_once,
        )
        .only(
            "a full table of hungry philosophers all get to eat",
            &[Mode::Explore, Mode::Stress],
            full_table_all_eat,
        )
        .only(
            "a hungry philosopher is not passed over without bound",
            &[Mode::Explore],
            nobody_starves,
        )
        .run();
}

/// One gauge per fork: a philosopher eating at seat `i` is counted in on forks `i` and
/// `(i + 1) % seats`, so two neighbours eating at once fill a fork's gauge twice.
struct Forks {
    gauges: Vec<Gauge>,
}

impl Forks {
    fn new(seats: usize) -> Self {
        Forks {
            gauges: (0..seats)
                .map(|i| Gauge::new(&format!("philosophers eating with fork {i}"), 1))
                .collect(),
        }
    }

    /// Philosopher `seat` eats: counted in on both forks, a pause mid-meal, counted out.
    fn eat(&self, seat: usize) {
        let seats = self.gauges.len();
        let left = self.gauges[seat].enter();
        let right = self.gauges[(seat + 1) % seats].enter();
        // Chew a while, so that a neighbour wrongly let in meets this one at the table.
        thread::yield_now();
        drop(right);
        drop(left);
    }
}

/// `seats` philosophers, one per seat, each dine `meals` times, counted in on the forks while
/// eating. Returns how many meals were eaten at each seat.
fn dinner(seats: usize, meals: usize) -> Vec<usize> {
    let table = Arc::new(Table::new(seats));
    let forks = Arc::new(Forks::new(seats));
    let handles: Vec<_> = (0..seats)
        .map(|seat| {
            let (table, forks) = (Arc::clone(&table), Arc::clone(&forks));
            spawn_named(format!("philosopher {seat}"), move || {
                let mut eaten = 0;
                for _ in 0..meals {
                    eaten += table.dine(seat, || {
                        forks.eat(seat);
                        1
                    });
                }
                eaten
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect()
}

fn dine_returns_the_meal() {
    let table = Table::new(5);
    let meal = table.dine(2, || 42);
    assert_eq!(
        meal, 42,
        "dine(2, || 42) should return 42, but it returned {meal}"
    );
    let meal = table.dine(4, || String::from("soup"));
    assert_eq!(
        meal, "soup",
        "dine(4, || \"soup\") should return \"soup\", but it returned {meal:?}"
    );
    let runs = AtomicUsize::new(0);
    table.dine(0, || runs.fetch_add(1, Ordering::SeqCst));
    let runs = runs.into_inner();
    assert_eq!(
        runs, 1,
        "dine(0, meal) should run the meal exactly once, but it ran {runs} time(s)"
    );
}

fn every_seat_dines_again() {
    // Forks that are not put down after a meal block the next meal at either neighbour's seat.
    for seats in 2..=6 {
        let table = Table::new(seats);
        for round in 0..2 {
            for seat in 0..seats {
                let meal = table.dine(seat, || seat * 10 + round);
                assert_eq!(
                    meal,
                    seat * 10 + round,
                    "at a table of {seats}, meal {round} at seat {seat} returned {meal}"
                );
            }
        }
    }
}

/// Whether `f` panics (its message is shown anyway, which is what a learner sees too).
fn panics(f: impl FnOnce()) -> bool {
    catch_unwind(AssertUnwindSafe(f)).is_err()
}

fn too_few_seats_panic() {
    for seats in [0, 1] {
        assert!(
            panics(|| drop(Table::new(seats))),
            "Table::new({seats}) should panic: a philosopher needs two forks, but it returned a \
             table"
        );
    }
}

fn missing_seat_panics() {
    let table = Table::new(3);
    for seat in [3, 4, usize::MAX] {
        let mut ate = false;
        let panicked = panics(|| table.dine(seat, || ate = true));
        assert!(
            panicked && !ate,
            "a table of 3 has no seat {seat}, so dine({seat}, ..) should panic without eating, \
             but it {}",
            if ate { "served the meal" } else { "returned" }
        );
    }
}

fn two_at_a_table_for_two() {
    // Both philosophers need both forks: fork 0 and fork 1, in opposite order around the table.
    let meals = match mode() {
        Mode::Model => 1,
        Mode::Explore => 5,
        _ => 100,
    };
    let eaten = dinner(2, meals);
    assert_eq!(
        eaten,
        vec![meals; 2],
        "two philosophers each dined {meals} time(s) at a table for two, but the meals eaten \
         per seat were {eaten:?}"
    );
}

fn neighbours_never_eat_together() {
    // Seats 0 and 1 share fork 1; seats 1 and 2 share fork 2; fork 0 lies between seats 3 and 0.
    let (seats, philosophers, meals) = match mode() {
        Mode::Model => (4, 2, 1),
        Mode::Explore => (4, 3, 3),
        _ => (4, 3, 100),
    };
    let table = Arc::new(Table::new(seats));
    let forks = Arc::new(Forks::new(seats));
    let handles: Vec<_> = (0..philosophers)
        .map(|seat| {
            let (table, forks) = (Arc::clone(&table), Arc::clone(&forks));
            spawn_named(format!("philosopher {seat}"), move || {
                for _ in 0..meals {
                    table.dine(seat, || forks.eat(seat));
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}

/// Three philosophers at a table for two: two of them at seat 0, who share both forks and so
/// must never eat together, and one at seat 1. Every fork is wanted by three threads at once, so
/// a philosopher who puts the forks down (or stands up) must let the right one of two waiting
/// philosophers go on, and the two at one seat are counted in on the same gauges.
fn two_share_a_seat() {
    let meals = match mode() {
        Mode::Model => 1,
        Mode::Explore => 4,
        _ => 100,
    };
    let table = Arc::new(Table::new(2));
    let forks = Arc::new(Forks::new(2));
    let handles: Vec<_> = [0, 1, 0]
        .into_iter()
        .map(|seat| {
            let (table, forks) = (Arc::clone(&table), Arc::clone(&forks));
            spawn_named(format!("philosopher {seat}"), move || {
                let mut eaten = 0;
                for _ in 0..meals {
                    eaten += table.dine(seat, || {
                        forks.eat(seat);
                        1
                    });
                }
                eaten
            })
        })
        .collect();
    let eaten: Vec<usize> = handles
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect();
    assert_eq!(
        eaten,
        vec![meals; 3],
        "three philosophers (two at seat 0, one at seat 1) each dined {meals} time(s) at a table \
         for two, but the meals eaten were {eaten:?}"
    );
}

/// Philosophers at seats 0, 2 and 4 of a table for six share no fork, so `dine` has no reason to
/// keep any of them waiting while the others eat: each meal stays until all three are eating
/// (a meeting point of the facade's lock and condvar). A table that lets one of them wait for
/// something else than a fork (a wakeup that never comes, a lock around the whole table) leaves
/// the other two eating for ever: a deadlock. Several rounds, so that the second meal's wait
/// follows the first meal's end.
fn strangers_eat_together() {
    const SEATS: [usize; 3] = [0, 2, 4];
    let rounds = match mode() {
        Mode::Model => 1,
        Mode::Explore => 3,
        _ => 50,
    };
    let table = Arc::new(Table::new(6));
    let forks = Arc::new(Forks::new(6));
    let meetings: Arc<Vec<Together>> = Arc::new(
        (0..rounds)
            .map(|_| Together::new(SEATS.len(), "philosophers who share no fork"))
            .collect(),
    );
    let handles: Vec<_> = SEATS
        .into_iter()
        .map(|seat| {
            let (table, forks, meetings) = (
                Arc::clone(&table),
                Arc::clone(&forks),
                Arc::clone(&meetings),
            );
            spawn_named(format!("philosopher {seat}"), move || {
                for meeting in meetings.iter() {
                    table.dine(seat, || {
                        forks.eat(seat);
                        meeting.arrive_and_stay();
                    });
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}

/// At a table for four, philosophers at seats 1 and 3 eat (they share no fork) and stay until
/// the check lets them go; meanwhile three more get hungry: two at seat 0, then one at seat 2.
/// Then both eaters stand up at once. The first at seat 0 and the one at seat 2 share no fork
/// either, and each of their meals stays until both are eating (a meeting point). A table that
/// leaves one of them asleep once its forks are free (a wakeup spent on the wrong waiter, or not
/// sent when someone in front of it went in) leaves the other eating for ever: a deadlock. Whether
/// the two waiting philosophers queue before the eaters stand up is up to the schedule, which
/// explore varies.
fn two_stand_up_at_once() {
    let table = Arc::new(Table::new(4));
    let forks = Arc::new(Forks::new(4));
    // The eaters and this thread: the eaters are eating; then, they may stand up.
    let eating = Arc::new(Together::new(3, "first eaters"));
    let stand_up = Arc::new(Together::new(3, "first eaters and the check"));
    let meet = Arc::new(Together::new(2, "philosophers at seats 0 and 2"));
    let mut handles = Vec::new();
    for seat in [1, 3] {
        let (table, forks, eating, stand_up) = (
            Arc::clone(&table),
            Arc::clone(&forks),
            Arc::clone(&eating),
            Arc::clone(&stand_up),
        );
        handles.push(spawn_named(format!("philosopher {seat}"), move || {
            table.dine(seat, || {
                forks.eat(seat);
                eating.arrive_and_stay();
                stand_up.arrive_and_stay();
            })
        }));
    }
    eating.arrive_and_stay();
    // Seat 0 twice: the first one meets seat 2 at the table, the second one only eats. No more:
    // with the first eaters gone, all three fit at a footman's door (three of four seats).
    for (seat, meets) in [(0, true), (0, false), (2, true)] {
        let (table, forks, meet) = (Arc::clone(&table), Arc::clone(&forks), Arc::clone(&meet));
        handles.push(spawn_named(format!("philosopher {seat}"), move || {
            table.dine(seat, || {
                forks.eat(seat);
                if meets {
                    meet.arrive_and_stay();
                }
            })
        }));
        // Let them line up in this order.
        for _ in 0..3 {
            thread::yield_now();
        }
    }
    stand_up.arrive_and_stay();
    for handle in handles {
        handle.join().unwrap();
    }
}

fn full_table_all_eat() {
    // Every seat is taken and everyone is hungry at once: the setting of the classic deadlock.
    let (seats, meals) = match mode() {
        Mode::Explore => (5, 3),
        _ => (5, 100),
    };
    let eaten = dinner(seats, meals);
    assert_eq!(
        eaten,
        vec![meals; seats],
        "{seats} philosophers each dined {meals} time(s), but the meals eaten per seat were \
         {eaten:?}"
    );
}

/// Five philosophers dine again and again. Each philosopher has a starvation detector for the
/// forks beside their plate: they start waiting when hungry and are counted in when their meal
/// begins, and every meal of a neighbour (who eats with one of those forks) while they wait is one
/// bypass.
///
/// Each meal starts with a pause (`yield_now`): between meals a philosopher thinks. It also keeps
/// the check fair under the PCT scheduler, which runs only its highest-priority thread: a yield
/// moves the thread to the back.
fn nobody_starves() {
    const SEATS: usize = 5;
    const MEALS: usize = 12;
    let table = Arc::new(Table::new(SEATS));
    let beside: Arc<Vec<Bypass>> = Arc::new(
        (0..SEATS)
            .map(|i| Bypass::new(&format!("philosopher {i}'s forks")))
            .collect(),
    );
    let handles: Vec<_> = (0..SEATS)
        .map(|seat| {
            let (table, beside) = (Arc::clone(&table), Arc::clone(&beside));
            spawn_named(format!("philosopher {seat}"), move || {
                let neighbours = [(seat + SEATS - 1) % SEATS, (seat + 1) % SEATS];
                for _ in 0..MEALS {
                    thread::yield_now();
                    let hungry = beside[seat].wait();
                    table.dine(seat, || {
                        let eating = hungry.enter();
                        // This meal uses a fork beside each neighbour: it passes them by if they
                        // are hungry.
                        for neighbour in neighbours {
                            drop(beside[neighbour].wait().enter());
                        }
                        thread::yield_now();
                        drop(eating);
                    });
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}
