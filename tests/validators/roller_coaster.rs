//! The log of the `roller_coaster` kata, and the promises it must keep.
//!
//! The car thread records [`Step::Start`] just before it calls `run_trip`, [`Step::Depart`] when
//! its `run` closure starts, [`Step::Return`] when it ends, and [`Step::End`] once `run_trip` has
//! returned; passenger threads record [`Step::Board`] when their `board` closure runs and
//! [`Step::Unboard`] when their `unboard` closure runs. Reading the log in order, the car is idle
//! between trips (nobody boards), and every trip goes through three phases: loading, once
//! `run_trip` is called (passengers board until every seat is taken), running (from departure to
//! return: nobody boards or gets off) and unloading (the passengers of the trip get off; nobody
//! boards, and `run_trip` does not return, until all of them are off).

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The car is about to call `run_trip` (logged just before).
    Start,
    /// A passenger's `board` ran.
    Board,
    /// The car's `run` started.
    Depart,
    /// The car's `run` ended.
    Return,
    /// A passenger's `unboard` ran.
    Unboard,
    /// The car's `run_trip` returned (logged just after).
    End,
}

/// One line of the log: `thread` (a passenger's name, or the car's) did `step`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The name of the thread.
    pub thread: String,
    /// What it did.
    pub step: Step,
}

impl Event {
    /// A log line.
    pub fn new(thread: impl Into<String>, step: Step) -> Self {
        Event {
            thread: thread.into(),
            step,
        }
    }
}

/// Checks a whole log of a car with `seats` seats: the promises of [`validate_so_far`], and the
/// log ends between trips, with nobody aboard.
pub fn validate(log: &[Event], seats: usize) -> Result<(), String> {
    check(log, seats, true)
}

/// Checks a log that is still being written: passengers board only while the car is loading
/// (once `run_trip` was called) and has a free seat, the car departs only when every seat is
/// taken, nobody boards or gets off while it runs, only its passengers get off and only after it
/// returned, `run_trip` returns only once all of them are off, and nobody boards the next trip
/// before the car calls `run_trip` again.
pub fn validate_so_far(log: &[Event], seats: usize) -> Result<(), String> {
    check(log, seats, false)
}

/// This kata's promises, for the validators' generic property suite: the setting is the car's
/// number of seats.
pub struct Promises;

impl super::Validator for Promises {
    type Event = Event;
    type Setting = usize;

    fn validate(log: &[Self::Event], seats: Self::Setting) -> Result<(), String> {
        validate(log, seats)
    }

    fn validate_so_far(log: &[Self::Event], seats: Self::Setting) -> Result<(), String> {
        validate_so_far(log, seats)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Between trips: `run_trip` not called yet, or returned.
    Idle,
    Loading,
    Running,
    /// From the return until `run_trip` returns (the passengers get off first).
    Unloading,
}

fn check(log: &[Event], seats: usize, complete: bool) -> Result<(), String> {
    let mut phase = Phase::Idle;
    let mut aboard: Vec<&str> = Vec::new();
    let mut trip = 1;
    for event in log {
        let who = &event.thread;
        match (event.step, phase) {
            (Step::Start, Phase::Idle) => phase = Phase::Loading,
            (Step::Start, _) => {
                return Err(format!(
                    "the car called run_trip again before trip {trip} was over"
                ));
            }
            (Step::Board, Phase::Loading) => {
                if aboard.len() == seats {
                    return Err(format!(
                        "{who} boarded trip {trip}, but all {seats} seats were already taken ({})",
                        aboard.join(", ")
                    ));
                }
                if aboard.contains(&who.as_str()) {
                    return Err(format!("{who} boarded trip {trip} twice"));
                }
                aboard.push(who);
            }
            (Step::Board, Phase::Running) => {
                return Err(format!(
                    "{who} boarded while the car was out on trip {trip}: nobody may board a \
                     running car"
                ));
            }
            (Step::Board, Phase::Unloading) if !aboard.is_empty() => {
                return Err(format!(
                    "{who} boarded while the passengers of trip {trip} were still getting off \
                     ({} still aboard): the next trip loads only when all of them are off",
                    aboard.join(", ")
                ));
            }
            (Step::Board, _) => {
                return Err(format!(
                    "{who} boarded before the car began loading trip {}: passengers board only \
                     while the car is loading, once run_trip is called for their trip",
                    if phase == Phase::Idle { trip } else { trip + 1 }
                ));
            }
            (Step::Depart, Phase::Loading) => {
                if aboard.len() < seats {
                    return Err(format!(
                        "the car departed on trip {trip} with {} of its {seats} seats filled by \
                         passengers done boarding ({}): it may run only when it is full",
                        aboard.len(),
                        if aboard.is_empty() {
                            "nobody aboard".to_owned()
                        } else {
                            aboard.join(", ")
                        }
                    ));
                }
                phase = Phase::Running;
            }
            (Step::Depart, Phase::Idle) => {
                return Err(format!("the car departed on trip {trip} outside run_trip"));
            }
            (Step::Depart, _) => {
                return Err(format!(
                    "the car departed again before trip {trip} was over"
                ));
            }
            (Step::Return, Phase::Running) => phase = Phase::Unloading,
            (Step::Return, _) => {
                return Err(format!(
                    "the car returned from trip {trip} without having departed"
                ));
            }
            (Step::Unboard, Phase::Unloading) => {
                let Some(at) = aboard.iter().position(|p| *p == who.as_str()) else {
                    return Err(format!(
                        "{who} got off after trip {trip}, but was not aboard it"
                    ));
                };
                aboard.remove(at);
            }
            (Step::Unboard, Phase::Running) => {
                return Err(format!(
                    "{who} got off while the car was out on trip {trip}: passengers get off \
                     only after the car returns"
                ));
            }
            (Step::Unboard, _) => {
                return Err(if aboard.contains(&who.as_str()) {
                    format!(
                        "{who} got off before trip {trip} had even started: passengers get off \
                         only after the car returns"
                    )
                } else {
                    format!("{who} got off the car without being aboard")
                });
            }
            (Step::End, Phase::Unloading) => {
                if !aboard.is_empty() {
                    return Err(format!(
                        "run_trip returned from trip {trip} while {} had not got off: it \
                         returns only when every passenger of the trip is off",
                        aboard.join(", ")
                    ));
                }
                phase = Phase::Idle;
                trip += 1;
            }
            (Step::End, _) => {
                return Err(format!(
                    "run_trip returned before the car had run trip {trip} and unloaded it"
                ));
            }
        }
    }
    if complete {
        let unfinished = match phase {
            Phase::Idle => None,
            Phase::Loading if aboard.is_empty() => Some(format!(
                "every thread has returned, but the car began loading trip {trip} and never \
                 departed"
            )),
            Phase::Loading => Some(format!(
                "every thread has returned, but {} boarded trip {trip}, which never ran",
                aboard.join(", ")
            )),
            Phase::Running => Some(format!(
                "every thread has returned, but the car never came back from trip {trip}"
            )),
            Phase::Unloading if aboard.is_empty() => Some(format!(
                "every thread has returned, but run_trip never returned from trip {trip}"
            )),
            Phase::Unloading => Some(format!(
                "every thread has returned, but {} never got off after trip {trip}",
                aboard.join(", ")
            )),
        };
        if let Some(problem) = unfinished {
            return Err(problem);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::ops::Range;

    use super::*;
    use proptest::prelude::*;

    use crate::validators::suite::{self, Dice};

    /// A good log: `trips` trips of a car with `seats` seats, each taking `seats` passengers
    /// from a pool of `seats + 2` (so passengers come back for later trips), who board once the
    /// car started loading and get off before `run_trip` returns, in random orders.
    fn good_log(seats: usize, trips: usize, seed: u64) -> Vec<Event> {
        let mut dice = Dice(seed | 1);
        let mut log = Vec::new();
        for _ in 0..trips {
            log.push(Event::new("car", Step::Start));
            let mut pool: Vec<String> = (0..seats + 2).map(|i| format!("passenger {i}")).collect();
            dice.shuffle(&mut pool);
            let mut riders = pool[..seats].to_vec();
            for rider in &riders {
                log.push(Event::new(rider.clone(), Step::Board));
            }
            log.push(Event::new("car", Step::Depart));
            log.push(Event::new("car", Step::Return));
            dice.shuffle(&mut riders);
            for rider in &riders {
                log.push(Event::new(rider.clone(), Step::Unboard));
            }
            log.push(Event::new("car", Step::End));
        }
        log
    }

    /// The index of the `nth` event with `step`.
    fn nth(log: &[Event], step: Step, nth: usize) -> usize {
        log.iter()
            .enumerate()
            .filter(|(_, e)| e.step == step)
            .nth(nth)
            .map(|(i, _)| i)
            .unwrap()
    }

    /// Good logs of cars with 1 to 4 seats making `trips` trips.
    fn good_logs(trips: Range<usize>) -> impl Strategy<Value = (usize, Vec<Event>)> {
        (1_usize..5, trips, any::<u64>())
            .prop_map(|(seats, trips, seed)| (seats, good_log(seats, trips, seed)))
    }

    #[test]
    fn good_logs_pass() {
        suite::good_logs_pass::<Promises>(good_logs(0..5));
    }

    #[test]
    fn an_unfinished_log_fails() {
        suite::an_unfinished_log_fails::<Promises>(good_logs(1..5), 3);
    }

    proptest! {
        #[test]
        fn departing_before_full_fails(seats in 1_usize..5, trips in 1_usize..5, seed in any::<u64>(), at in any::<prop::sample::Index>()) {
            // The car departs just before the last passenger of a trip boards.
            let mut log = good_log(seats, trips, seed);
            let trip = at.index(trips);
            let depart = nth(&log, Step::Depart, trip);
            let event = log.remove(depart);
            log.insert(depart - 1, event);
            let error = validate_so_far(&log, seats).unwrap_err();
            prop_assert!(error.contains("it may run only when it is full"), "{}", error);
        }

        #[test]
        fn boarding_a_running_car_fails(seats in 1_usize..5, trips in 2_usize..5, seed in any::<u64>(), at in any::<prop::sample::Index>()) {
            // A passenger of the next trip boards while the car is out.
            let mut log = good_log(seats, trips, seed);
            let trip = at.index(trips - 1);
            let ret = nth(&log, Step::Return, trip);
            let board = nth(&log, Step::Board, (trip + 1) * seats);
            let event = log.remove(board);
            log.insert(ret, event);
            let error = validate_so_far(&log, seats).unwrap_err();
            prop_assert!(error.contains("while the car was out"), "{}", error);
        }

        #[test]
        fn boarding_during_unloading_fails(seats in 2_usize..5, trips in 2_usize..5, seed in any::<u64>(), at in any::<prop::sample::Index>()) {
            // A passenger of the next trip boards before the last one of this trip got off.
            let mut log = good_log(seats, trips, seed);
            let trip = at.index(trips - 1);
            let last_off = nth(&log, Step::Unboard, trip * seats + seats - 1);
            let board = nth(&log, Step::Board, (trip + 1) * seats);
            let event = log.remove(board);
            log.insert(last_off, event);
            prop_assert!(validate_so_far(&log, seats).is_err());
        }

        #[test]
        fn getting_off_early_fails(seats in 1_usize..5, trips in 1_usize..5, seed in any::<u64>(), at in any::<prop::sample::Index>()) {
            // The first passenger to get off does so before the car returned.
            let mut log = good_log(seats, trips, seed);
            let trip = at.index(trips);
            let ret = nth(&log, Step::Return, trip);
            let event = log.remove(ret + 1);
            log.insert(ret, event);
            let error = validate_so_far(&log, seats).unwrap_err();
            prop_assert!(error.contains("while the car was out"), "{}", error);
        }

        #[test]
        fn boarding_before_the_car_loads_fails(seats in 1_usize..5, trips in 1_usize..5, seed in any::<u64>(), at in any::<prop::sample::Index>(), unloading in any::<bool>()) {
            // A passenger of a trip boards before the car called run_trip for it: while the car
            // is idle, or (after the first trip) once the last trip's passengers are off but
            // before its run_trip returned.
            let mut log = good_log(seats, trips, seed);
            let trip = at.index(trips);
            let board = nth(&log, Step::Board, trip * seats);
            let event = log.remove(board);
            let start = nth(&log, Step::Start, trip);
            let to = if unloading && trip > 0 { start - 1 } else { start };
            log.insert(to, event);
            let error = validate_so_far(&log, seats).unwrap_err();
            prop_assert!(error.contains("before the car began loading"), "{}", error);
        }

        #[test]
        fn returning_before_everyone_is_off_fails(seats in 1_usize..5, trips in 1_usize..5, seed in any::<u64>(), at in any::<prop::sample::Index>()) {
            // run_trip returns just before the last passenger of a trip got off.
            let mut log = good_log(seats, trips, seed);
            let end = nth(&log, Step::End, at.index(trips));
            log.swap(end - 1, end);
            let error = validate_so_far(&log, seats).unwrap_err();
            prop_assert!(error.contains("returns only when every passenger"), "{}", error);
        }

        #[test]
        fn a_stranger_getting_off_fails(seats in 1_usize..5, trips in 1_usize..5, seed in any::<u64>(), at in any::<prop::sample::Index>()) {
            let mut log = good_log(seats, trips, seed);
            let off = nth(&log, Step::Unboard, at.index(trips * seats));
            log[off].thread = "a stranger".into();
            prop_assert!(validate_so_far(&log, seats).is_err());
        }
    }

    #[test]
    fn messages_name_the_problem() {
        let log = [
            Event::new("car", Step::Start),
            Event::new("p0", Step::Board),
            Event::new("car", Step::Depart),
        ];
        assert_eq!(
            validate_so_far(&log, 2).unwrap_err(),
            "the car departed on trip 1 with 1 of its 2 seats filled by passengers done boarding \
             (p0): it may run only when it is full"
        );
        let log = [
            Event::new("car", Step::Start),
            Event::new("p0", Step::Board),
            Event::new("car", Step::Depart),
            Event::new("p1", Step::Board),
        ];
        assert_eq!(
            validate_so_far(&log, 1).unwrap_err(),
            "p1 boarded while the car was out on trip 1: nobody may board a running car"
        );
        let log = [
            Event::new("car", Step::Start),
            Event::new("p0", Step::Board),
        ];
        assert_eq!(
            validate(&log, 2).unwrap_err(),
            "every thread has returned, but p0 boarded trip 1, which never ran"
        );
        let log = [Event::new("p0", Step::Board)];
        assert_eq!(
            validate_so_far(&log, 1).unwrap_err(),
            "p0 boarded before the car began loading trip 1: passengers board only while the \
             car is loading, once run_trip is called for their trip"
        );
    }
}
