//! The log of the `river_crossing` kata, and the promises it must keep.
//!
//! Every passenger thread records [`Step::Arrive`] just before it calls `hacker`/`serf`,
//! [`Step::Board`] when its `board` closure runs and, if it is the captain, [`Step::Row`] when its
//! `row_boat` closure begins and [`Step::Rowed`] when it ends. Reading the log in order: four
//! passengers board, forming a safe boatload (four hackers, four serfs, or two of each); each
//! boards only when a safe boatload including it has gathered at the dock; once all four are
//! aboard exactly one of them rows; and nobody boards the next boat before the boat has been
//! rowed away, `row_boat` returned.

use std::fmt;

/// The kind of a passenger thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A thread that called `hacker(..)`.
    Hacker,
    /// A thread that called `serf(..)`.
    Serf,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Hacker => "hacker",
            Kind::Serf => "serf",
        })
    }
}

/// What a passenger did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// It is about to call `hacker`/`serf`.
    Arrive,
    /// Its `board` closure ran.
    Board,
    /// Its `row_boat` closure began: it is the captain of its boatload.
    Row,
    /// Its `row_boat` closure returned: the boat has been rowed away.
    Rowed,
}

/// One line of the log: `thread` (its name), a `kind` passenger, did `step`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The name of the passenger thread.
    pub thread: String,
    /// Hacker or serf.
    pub kind: Kind,
    /// What it did.
    pub step: Step,
}

impl Event {
    /// A log line.
    pub fn new(thread: impl Into<String>, kind: Kind, step: Step) -> Self {
        Event {
            thread: thread.into(),
            kind,
            step,
        }
    }
}

/// The safe boatloads, as (hackers, serfs).
const SAFE: [(usize, usize); 3] = [(4, 0), (2, 2), (0, 4)];

/// Checks a whole log: the promises of [`validate_so_far`], and nobody is left on the dock or
/// aboard a boat that never left.
pub fn validate(log: &[Event]) -> Result<(), String> {
    check(log, true)
}

/// Checks a log that is still being written: every boatload is safe, nobody boards before a
/// safe boatload has gathered, the boat is rowed once, by one of its four passengers, after all
/// four boarded, and the next boatload boards only once the captain's `row_boat` returned.
pub fn validate_so_far(log: &[Event]) -> Result<(), String> {
    check(log, false)
}

/// This kata's promises, for the validators' generic property suite: there is no setting.
pub struct Promises;

impl super::Validator for Promises {
    type Event = Event;
    type Setting = ();

    fn validate(log: &[Self::Event], _: Self::Setting) -> Result<(), String> {
        validate(log)
    }

    fn validate_so_far(log: &[Self::Event], _: Self::Setting) -> Result<(), String> {
        validate_so_far(log)
    }
}

fn names(aboard: &[(&str, Kind)]) -> String {
    let names: Vec<String> = aboard.iter().map(|(t, k)| format!("{t} ({k})")).collect();
    names.join(", ")
}

fn check(log: &[Event], complete: bool) -> Result<(), String> {
    // Passengers that arrived and have not boarded; passengers aboard the boat at the dock.
    let mut waiting: Vec<(&str, Kind)> = Vec::new();
    let mut aboard: Vec<(&str, Kind)> = Vec::new();
    // Passengers whose call has not returned yet: arrived, or aboard a boat (maybe gone).
    let mut busy: Vec<&str> = Vec::new();
    // The captain rowing the boat away: its `row_boat` began and has not returned yet.
    let mut rowing: Option<&str> = None;
    let mut number = 1;
    for event in log {
        let who = format!("{} ({})", event.thread, event.kind);
        let me = (event.thread.as_str(), event.kind);
        let count = |list: &[(&str, Kind)], kind| list.iter().filter(|p| p.1 == kind).count();
        match event.step {
            Step::Arrive => {
                if busy.contains(&me.0) {
                    return Err(format!("{who} arrived again before its last call returned"));
                }
                busy.push(me.0);
                waiting.push(me);
            }
            Step::Board => {
                let Some(at) = waiting.iter().position(|p| *p == me) else {
                    return Err(format!("{who} boarded without having arrived at the dock"));
                };
                waiting.remove(at);
                if let Some(captain) = rowing {
                    return Err(format!(
                        "{who} boarded while {captain} was still rowing boat {number} away: \
                         nobody boards the next boat before the captain's row_boat has returned"
                    ));
                }
                if aboard.len() == 4 {
                    return Err(format!(
                        "{who} boarded boat {number}, which already had four passengers aboard \
                         ({}) and had not been rowed away yet",
                        names(&aboard)
                    ));
                }
                aboard.push(me);
                let (hackers, serfs) = (count(&aboard, Kind::Hacker), count(&aboard, Kind::Serf));
                if aboard.len() == 4 && !SAFE.contains(&(hackers, serfs)) {
                    return Err(format!(
                        "boat {number} holds {hackers} hacker(s) and {serfs} serf(s) ({}): the \
                         lone one would be thrown overboard; a safe boatload is four hackers, \
                         four serfs, or two of each",
                        names(&aboard)
                    ));
                }
                // The rest of a safe boatload must already be waiting at the dock.
                let (more_hackers, more_serfs) =
                    (count(&waiting, Kind::Hacker), count(&waiting, Kind::Serf));
                let gathered = SAFE.iter().any(|&(h, s)| {
                    h >= hackers
                        && s >= serfs
                        && h - hackers <= more_hackers
                        && s - serfs <= more_serfs
                });
                if !gathered {
                    return Err(format!(
                        "{who} boarded boat {number} before a safe boatload had gathered: with \
                         {} aboard, {more_hackers} more hacker(s) and {more_serfs} more serf(s) \
                         were waiting at the dock, and no safe boatload (four hackers, four \
                         serfs, or two of each) can be made of them",
                        names(&aboard)
                    ));
                }
            }
            Step::Row => {
                if let Some(captain) = rowing {
                    return Err(format!(
                        "{who} rowed boat {number} too, while {captain} was rowing it: a boat \
                         has exactly one captain"
                    ));
                }
                if !aboard.contains(&me) {
                    return Err(format!(
                        "{who} rowed boat {number} without being aboard it (aboard: {})",
                        if aboard.is_empty() {
                            "nobody".to_owned()
                        } else {
                            names(&aboard)
                        }
                    ));
                }
                if aboard.len() < 4 {
                    return Err(format!(
                        "{who} rowed boat {number} away with only {} aboard: the captain must \
                         wait until all four have boarded",
                        names(&aboard)
                    ));
                }
                for (thread, _) in &aboard {
                    busy.retain(|b| b != thread);
                }
                rowing = Some(me.0);
            }
            Step::Rowed => {
                if rowing != Some(me.0) {
                    return Err(format!(
                        "{who} finished rowing boat {number} without having begun to row it"
                    ));
                }
                rowing = None;
                aboard.clear();
                number += 1;
            }
        }
    }
    if let (true, Some(captain)) = (complete, rowing) {
        return Err(format!(
            "every passenger has returned, but {captain} never finished rowing boat {number}"
        ));
    }
    if complete && !aboard.is_empty() {
        return Err(format!(
            "every passenger has returned, but boat {number} was never rowed away ({} aboard)",
            names(&aboard)
        ));
    }
    if complete && !waiting.is_empty() {
        return Err(format!(
            "every passenger has returned, but {} never boarded",
            names(&waiting)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::ops::Range;

    use super::*;
    use proptest::prelude::*;

    use crate::validators::suite::{self, Dice};

    /// The four passengers of boat `k`, of a safe shape chosen by `dice`.
    fn crew(k: usize, dice: &mut Dice) -> Vec<(String, Kind)> {
        let (hackers, serfs) = SAFE[dice.below(3)];
        let mut crew: Vec<(String, Kind)> = (0..hackers)
            .map(|i| (format!("hacker {k}.{i}"), Kind::Hacker))
            .chain((0..serfs).map(|i| (format!("serf {k}.{i}"), Kind::Serf)))
            .collect();
        // Shuffle, so that hackers and serfs board in any order.
        for i in (1..crew.len()).rev() {
            crew.swap(i, dice.below(i + 1));
        }
        crew
    }

    /// A good log of `boats` boatloads: each boat's passengers arrive (with `early`, possibly
    /// while earlier boats are loading), board in a random order, and one of them rows (its
    /// row_boat begins and returns).
    fn good_log(boats: usize, seed: u64, early: bool) -> Vec<Event> {
        let mut dice = Dice(seed | 1);
        // Boarding steps of boat k get keys (k, 2j + 1); arrivals for boat k are slotted in
        // between the steps of a boat m <= k.
        let mut keyed = Vec::new();
        for k in 0..boats {
            let crew = crew(k, &mut dice);
            for (thread, kind) in &crew {
                let (m, slot) = if early {
                    let m = dice.below(k + 1);
                    (m, if m == k { 0 } else { 2 * dice.below(6) })
                } else {
                    (k, 0)
                };
                keyed.push(((m, slot), Event::new(thread.clone(), *kind, Step::Arrive)));
            }
            for (j, (thread, kind)) in crew.iter().enumerate() {
                keyed.push((
                    (k, 2 * j + 1),
                    Event::new(thread.clone(), *kind, Step::Board),
                ));
            }
            let (captain, kind) = &crew[dice.below(4)];
            keyed.push(((k, 9), Event::new(captain.clone(), *kind, Step::Row)));
            keyed.push(((k, 10), Event::new(captain.clone(), *kind, Step::Rowed)));
        }
        keyed.sort_by_key(|(key, _)| *key);
        keyed.into_iter().map(|(_, event)| event).collect()
    }

    fn position(log: &[Event], step: Step, boat: usize, last: bool) -> usize {
        let prefix_h = format!("hacker {boat}.");
        let prefix_s = format!("serf {boat}.");
        let mut hits = log
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.step == step
                    && (e.thread.starts_with(&prefix_h) || e.thread.starts_with(&prefix_s))
            })
            .map(|(i, _)| i);
        if last {
            hits.next_back().unwrap()
        } else {
            hits.next().unwrap()
        }
    }

    /// Good logs of `boats` boatloads.
    fn good_logs(boats: Range<usize>) -> impl Strategy<Value = ((), Vec<Event>)> {
        (boats, any::<u64>(), any::<bool>())
            .prop_map(|(boats, seed, early)| ((), good_log(boats, seed, early)))
    }

    #[test]
    fn good_logs_pass() {
        suite::good_logs_pass::<Promises>(good_logs(0..5));
    }

    #[test]
    fn an_unfinished_log_fails() {
        suite::an_unfinished_log_fails::<Promises>(good_logs(1..5), 5);
    }

    proptest! {
        #[test]
        fn an_unsafe_boatload_fails(
            boats in 1_usize..5,
            seed in any::<u64>(),
            early in any::<bool>(),
            which in any::<prop::sample::Index>(),
        ) {
            // One passenger changes sides: 4+0 becomes 3+1, 2+2 becomes 3+1 or 1+3.
            let mut log = good_log(boats, seed, early);
            let thread = log[which.index(log.len())].thread.clone();
            for event in &mut log {
                if event.thread == thread {
                    event.kind = match event.kind {
                        Kind::Hacker => Kind::Serf,
                        Kind::Serf => Kind::Hacker,
                    };
                }
            }
            prop_assert!(validate(&log).is_err());
            prop_assert!(validate_so_far(&log).is_err());
        }

        #[test]
        fn boarding_before_the_boat_left_fails(
            boats in 2_usize..5,
            seed in any::<u64>(),
            early in any::<bool>(),
            at in any::<prop::sample::Index>(),
        ) {
            // The next boat's passengers arrive first thing (fine on its own), then the first of
            // them boards just before the captain of the boat before rows.
            let log = good_log(boats, seed, early);
            let k = at.index(boats - 1);
            let (prefix_h, prefix_s) = (format!("hacker {}.", k + 1), format!("serf {}.", k + 1));
            let (mut log, rest): (Vec<Event>, Vec<Event>) = log.into_iter().partition(|e| {
                e.step == Step::Arrive
                    && (e.thread.starts_with(&prefix_h) || e.thread.starts_with(&prefix_s))
            });
            log.extend(rest);
            prop_assert_eq!(validate(&log), Ok(()));
            let row = position(&log, Step::Row, k, false);
            let board = position(&log, Step::Board, k + 1, false);
            let event = log.remove(board);
            log.insert(row, event);
            let error = validate(&log).unwrap_err();
            prop_assert!(error.contains("had not been rowed away"), "{}", error);
        }

        #[test]
        fn rowing_early_fails(boats in 1_usize..5, seed in any::<u64>(), early in any::<bool>(), at in any::<prop::sample::Index>()) {
            // The captain rows before the last passenger has boarded.
            let mut log = good_log(boats, seed, early);
            let k = at.index(boats);
            let row = position(&log, Step::Row, k, false);
            let last_board = position(&log, Step::Board, k, true);
            let event = log.remove(row);
            log.insert(last_board, event);
            prop_assert!(validate(&log).is_err());
            prop_assert!(validate_so_far(&log).is_err());
        }

        #[test]
        fn boarding_before_the_crew_gathered_fails(boats in 1_usize..5, seed in any::<u64>(), at in any::<prop::sample::Index>()) {
            // The last passenger of a boat arrives only after the first one boarded.
            let mut log = good_log(boats, seed, false);
            let k = at.index(boats);
            let first_board = position(&log, Step::Board, k, false);
            let last_board = position(&log, Step::Board, k, true);
            let late = log[last_board].thread.clone();
            let arrival = log.iter().position(|e| e.thread == late && e.step == Step::Arrive).unwrap();
            let event = log.remove(arrival);
            log.insert(first_board, event);
            let error = validate(&log).unwrap_err();
            prop_assert!(error.contains("before a safe boatload had gathered"), "{}", error);
        }

        #[test]
        fn a_missing_or_second_captain_fails(boats in 1_usize..5, seed in any::<u64>(), early in any::<bool>(), at in any::<prop::sample::Index>(), twice in any::<bool>()) {
            let mut log = good_log(boats, seed, early);
            let k = at.index(boats);
            let row = position(&log, Step::Row, k, false);
            if twice {
                // Another passenger of the boat rows too, while the captain rows.
                let mut again = log[position(&log, Step::Board, k, false)].clone();
                if again.thread == log[row].thread {
                    again = log[position(&log, Step::Board, k, true)].clone();
                }
                again.step = Step::Row;
                log.insert(row + 1, again);
            } else {
                // Nobody rows: the Row and the Rowed of the captain are gone.
                log.drain(row..row + 2);
            }
            prop_assert!(validate(&log).is_err());
        }

        #[test]
        fn boarding_while_the_boat_is_rowed_away_fails(
            boats in 2_usize..5,
            seed in any::<u64>(),
            early in any::<bool>(),
            at in any::<prop::sample::Index>(),
        ) {
            // As above, but the first passenger of the next boat boards once the captain began
            // to row, before its row_boat returned.
            let log = good_log(boats, seed, early);
            let k = at.index(boats - 1);
            let (prefix_h, prefix_s) = (format!("hacker {}.", k + 1), format!("serf {}.", k + 1));
            let (mut log, rest): (Vec<Event>, Vec<Event>) = log.into_iter().partition(|e| {
                e.step == Step::Arrive
                    && (e.thread.starts_with(&prefix_h) || e.thread.starts_with(&prefix_s))
            });
            log.extend(rest);
            let rowed = position(&log, Step::Rowed, k, false);
            let board = position(&log, Step::Board, k + 1, false);
            let event = log.remove(board);
            log.insert(rowed, event);
            let error = validate_so_far(&log).unwrap_err();
            prop_assert!(error.contains("was still rowing boat"), "{}", error);
        }
    }

    #[test]
    fn messages_name_the_problem() {
        let h = |t: &str, s| Event::new(t, Kind::Hacker, s);
        let s = |t: &str, s| Event::new(t, Kind::Serf, s);
        let three_and_one = [
            h("h0", Step::Arrive),
            h("h1", Step::Arrive),
            h("h2", Step::Arrive),
            s("s0", Step::Arrive),
            h("h0", Step::Board),
            h("h1", Step::Board),
            s("s0", Step::Board),
            h("h2", Step::Board),
        ];
        let error = validate_so_far(&three_and_one).unwrap_err();
        assert!(
            error.starts_with(
                "h0 (hacker) boarded boat 1 before a safe boatload had gathered: with h0 (hacker) \
                 aboard, 2 more hacker(s) and 1 more serf(s) were waiting"
            ),
            "{error}"
        );
        let three_and_one = [
            h("h0", Step::Arrive),
            h("h1", Step::Arrive),
            h("h2", Step::Arrive),
            h("h3", Step::Arrive),
            s("s0", Step::Arrive),
            h("h0", Step::Board),
            h("h1", Step::Board),
            h("h2", Step::Board),
            s("s0", Step::Board),
        ];
        let error = validate_so_far(&three_and_one).unwrap_err();
        assert!(
            error.starts_with(
                "boat 1 holds 3 hacker(s) and 1 serf(s) (h0 (hacker), h1 (hacker), h2 (hacker), s0 (serf))"
            ),
            "{error}"
        );
        let early_row = [
            h("h0", Step::Arrive),
            h("h1", Step::Arrive),
            h("h2", Step::Arrive),
            h("h3", Step::Arrive),
            h("h0", Step::Board),
            h("h0", Step::Row),
        ];
        let error = validate_so_far(&early_row).unwrap_err();
        assert_eq!(
            error,
            "h0 (hacker) rowed boat 1 away with only h0 (hacker) aboard: the captain must wait \
             until all four have boarded"
        );
    }
}
