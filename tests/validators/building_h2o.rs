//! The log of the `building_h2o` kata, and the promise it must keep.
//!
//! Every atom thread records [`Step::Arrive`] just before it calls `hydrogen`/`oxygen`,
//! [`Step::Begin`] when its `bond` closure starts and [`Step::End`] when it returns. Reading the
//! log in order, atoms must form molecules: exactly two hydrogen and one oxygen begin bonding,
//! each only when enough atoms are waiting at the gate to complete its molecule, all three
//! finish, and only then may an atom of the next molecule begin. The three atoms of one
//! molecule may bond in any order, and overlap.

use std::fmt;

/// The element of an atom thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Atom {
    /// A thread that called `hydrogen(bond)`.
    Hydrogen,
    /// A thread that called `oxygen(bond)`.
    Oxygen,
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Atom::Hydrogen => "hydrogen",
            Atom::Oxygen => "oxygen",
        })
    }
}

/// Where an atom thread is in its call of `hydrogen`/`oxygen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The thread is about to call `hydrogen(bond)`/`oxygen(bond)`.
    Arrive,
    /// Its `bond` was called.
    Begin,
    /// Its `bond` returned.
    End,
}

/// One line of the log: `thread` (its name) did `step` as an atom of `atom`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The name of the atom thread.
    pub thread: String,
    /// Which element the thread passes the gate as.
    pub atom: Atom,
    /// What it did.
    pub step: Step,
}

impl Event {
    /// A log line.
    pub fn new(thread: impl Into<String>, atom: Atom, step: Step) -> Self {
        Event {
            thread: thread.into(),
            atom,
            step,
        }
    }
}

/// Checks a whole log: every molecule is two hydrogen and one oxygen, an atom bonds only once
/// its whole molecule has arrived, molecules do not overlap, and the log does not end with a
/// molecule unfinished or an atom still waiting.
pub fn validate(log: &[Event]) -> Result<(), String> {
    check(log, true)
}

/// Checks a log that is still being written: the same promises, except that the last molecule
/// may be unfinished and atoms may still be waiting.
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

/// A member of the molecule being formed: its thread, element, and whether `bond` returned.
struct Member<'a> {
    thread: &'a str,
    atom: Atom,
    ended: bool,
}

fn names(members: &[Member<'_>]) -> String {
    let names: Vec<String> = members
        .iter()
        .map(|m| format!("{} ({})", m.thread, m.atom))
        .collect();
    names.join(", ")
}

fn check(log: &[Event], complete: bool) -> Result<(), String> {
    let mut molecule: Vec<Member<'_>> = Vec::new();
    let mut number = 1;
    // Threads that arrived at the gate and have not begun to bond yet.
    let mut arrived: Vec<(&str, Atom)> = Vec::new();
    for event in log {
        let who = format!("{} ({})", event.thread, event.atom);
        let me = (event.thread.as_str(), event.atom);
        match event.step {
            Step::Arrive => {
                let busy = arrived.iter().any(|a| a.0 == me.0)
                    || molecule.iter().any(|m| m.thread == me.0 && !m.ended);
                if busy {
                    return Err(format!("{who} arrived again before its last call returned"));
                }
                arrived.push(me);
            }
            Step::Begin => {
                let Some(at) = arrived.iter().position(|a| *a == me) else {
                    return Err(format!("{who} began to bond without having arrived"));
                };
                arrived.remove(at);
                if molecule.len() == 3 {
                    let bonding: Vec<&str> = molecule
                        .iter()
                        .filter(|m| !m.ended)
                        .map(|m| m.thread)
                        .collect();
                    return Err(format!(
                        "{who} began to bond while molecule {number} was still bonding \
                         ({} had not finished): an atom of the next molecule must wait until \
                         all three atoms of the current one have bonded",
                        bonding.join(", ")
                    ));
                }
                molecule.push(Member {
                    thread: &event.thread,
                    atom: event.atom,
                    ended: false,
                });
                let count = |atom| molecule.iter().filter(|m| m.atom == atom).count();
                let (hydrogen, oxygen) = (count(Atom::Hydrogen), count(Atom::Oxygen));
                if hydrogen > 2 || oxygen > 1 {
                    return Err(format!(
                        "molecule {number} got {hydrogen} hydrogen and {oxygen} oxygen ({}): \
                         a water molecule is exactly two hydrogen and one oxygen",
                        names(&molecule)
                    ));
                }
                // The atoms still missing from this molecule must be waiting at the gate.
                let waiting = |atom| arrived.iter().filter(|a| a.1 == atom).count();
                if waiting(Atom::Hydrogen) < 2 - hydrogen || waiting(Atom::Oxygen) < 1 - oxygen {
                    return Err(format!(
                        "{who} began to bond in molecule {number} before the molecule was \
                         complete: with {} bonding, only {} more hydrogen and {} more oxygen \
                         were waiting at the gate; an atom must wait for its two partners",
                        names(&molecule),
                        waiting(Atom::Hydrogen),
                        waiting(Atom::Oxygen),
                    ));
                }
            }
            Step::End => {
                let Some(member) = molecule
                    .iter_mut()
                    .find(|m| m.thread == me.0 && m.atom == me.1 && !m.ended)
                else {
                    return Err(format!(
                        "{who} finished bonding without having begun in molecule {number}"
                    ));
                };
                member.ended = true;
                if molecule.len() == 3 && molecule.iter().all(|m| m.ended) {
                    molecule.clear();
                    number += 1;
                }
            }
        }
    }
    if complete && !molecule.is_empty() {
        return Err(format!(
            "every atom has returned, but molecule {number} was left unfinished with only {}",
            names(&molecule)
        ));
    }
    if complete && !arrived.is_empty() {
        let waiting: Vec<String> = arrived
            .iter()
            .map(|a| format!("{} ({})", a.0, a.1))
            .collect();
        return Err(format!(
            "every atom has returned, but {} never bonded",
            waiting.join(", ")
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

    /// The three atoms of molecule `k`: every atom is its own thread.
    fn members(k: usize) -> [(String, Atom); 3] {
        [
            (format!("hydrogen {}", 2 * k), Atom::Hydrogen),
            (format!("hydrogen {}", 2 * k + 1), Atom::Hydrogen),
            (format!("oxygen {k}"), Atom::Oxygen),
        ]
    }

    /// A good log of `molecules` molecules. Each molecule's three atoms begin and end bonding in
    /// a random order, after the previous molecule; with `early`, atoms may arrive at any time
    /// before their molecule, even in the middle of earlier molecules, otherwise just before it.
    fn good_log(molecules: usize, seed: u64, early: bool) -> Vec<Event> {
        let mut dice = Dice(seed | 1);
        // (sort key, event): bonding steps of molecule k have keys (k, 2j + 1), the arrivals of
        // molecule k are slotted in between the steps of a molecule m <= k.
        let mut keyed = Vec::new();
        for k in 0..molecules {
            let members = members(k);
            for (thread, atom) in &members {
                let (m, slot) = if early {
                    let m = dice.below(k + 1);
                    (m, if m == k { 0 } else { 2 * dice.below(7) })
                } else {
                    (k, 0)
                };
                keyed.push(((m, slot), Event::new(thread.clone(), *atom, Step::Arrive)));
            }
            // 0 = not begun, 1 = begun, 2 = ended.
            let mut state = [0_u8; 3];
            let mut j = 0;
            while state.iter().any(|&s| s < 2) {
                let open: Vec<usize> = (0..3).filter(|&i| state[i] < 2).collect();
                let i = open[dice.below(open.len())];
                let step = if state[i] == 0 {
                    Step::Begin
                } else {
                    Step::End
                };
                state[i] += 1;
                let (thread, atom) = &members[i];
                keyed.push(((k, 2 * j + 1), Event::new(thread.clone(), *atom, step)));
                j += 1;
            }
        }
        keyed.sort_by_key(|(key, _)| *key);
        keyed.into_iter().map(|(_, event)| event).collect()
    }

    /// The index of the first `step` event of a member of molecule `k`, or of the last.
    fn find(log: &[Event], k: usize, step: Step, last: bool) -> usize {
        let members = members(k);
        let mut hits = log
            .iter()
            .enumerate()
            .filter(|(_, e)| e.step == step && members.iter().any(|m| m.0 == e.thread))
            .map(|(i, _)| i);
        if last {
            hits.next_back().unwrap()
        } else {
            hits.next().unwrap()
        }
    }

    /// Good logs of `molecules` molecules.
    fn good_logs(molecules: Range<usize>) -> impl Strategy<Value = ((), Vec<Event>)> {
        (molecules, any::<u64>(), any::<bool>())
            .prop_map(|(molecules, seed, early)| ((), good_log(molecules, seed, early)))
    }

    #[test]
    fn good_logs_pass() {
        suite::good_logs_pass::<Promises>(good_logs(0..6));
    }

    #[test]
    fn an_unfinished_log_fails() {
        suite::an_unfinished_log_fails::<Promises>(good_logs(1..6), 5);
    }

    proptest! {
        #[test]
        fn a_molecule_of_the_wrong_shape_fails(
            molecules in 1_usize..6,
            seed in any::<u64>(),
            early in any::<bool>(),
            which in any::<prop::sample::Index>(),
        ) {
            // Turn one atom into the other element: its molecule becomes one hydrogen and two
            // oxygen, or three hydrogen.
            let mut log = good_log(molecules, seed, early);
            let thread = log[which.index(log.len())].thread.clone();
            for event in &mut log {
                if event.thread == thread {
                    event.atom = match event.atom {
                        Atom::Hydrogen => Atom::Oxygen,
                        Atom::Oxygen => Atom::Hydrogen,
                    };
                }
            }
            prop_assert!(validate(&log).is_err());
            prop_assert!(validate_so_far(&log).is_err());
        }

        #[test]
        fn molecules_that_overlap_fail(
            molecules in 2_usize..6,
            seed in any::<u64>(),
            early in any::<bool>(),
            at in any::<prop::sample::Index>(),
        ) {
            // The first atom of a later molecule begins just before the last atom of the
            // molecule before it ends.
            let mut log = good_log(molecules, seed, early);
            let k = at.index(molecules - 1);
            // The next molecule's atoms arrive first thing (which is fine on its own).
            let next = members(k + 1);
            let (mut arrivals, rest): (Vec<Event>, Vec<Event>) = log
                .into_iter()
                .partition(|e| e.step == Step::Arrive && next.iter().any(|m| m.0 == e.thread));
            arrivals.extend(rest);
            log = arrivals;
            prop_assert_eq!(validate(&log), Ok(()));
            let last_end = find(&log, k, Step::End, true);
            let next_begin = find(&log, k + 1, Step::Begin, false);
            let event = log.remove(next_begin);
            log.insert(last_end, event);
            let error = validate(&log).unwrap_err();
            prop_assert!(error.contains("still bonding"), "{}", error);
            prop_assert!(validate_so_far(&log).is_err());
        }

        #[test]
        fn bonding_before_the_partners_arrive_fails(
            molecules in 1_usize..6,
            seed in any::<u64>(),
            at in any::<prop::sample::Index>(),
        ) {
            // The last atom of a molecule to begin arrives only after the first one began.
            let mut log = good_log(molecules, seed, false);
            let k = at.index(molecules);
            let first_begin = find(&log, k, Step::Begin, false);
            let last_begin = find(&log, k, Step::Begin, true);
            let late = log[last_begin].thread.clone();
            let arrival = log
                .iter()
                .position(|e| e.thread == late && e.step == Step::Arrive)
                .unwrap();
            let event = log.remove(arrival);
            log.insert(first_begin, event);
            let error = validate(&log).unwrap_err();
            prop_assert!(error.contains("before the molecule was complete"), "{}", error);
        }

        #[test]
        fn an_end_without_a_begin_fails(
            molecules in 1_usize..6,
            seed in any::<u64>(),
            early in any::<bool>(),
            which in any::<prop::sample::Index>(),
        ) {
            let mut log = good_log(molecules, seed, early);
            let end = log
                .iter()
                .enumerate()
                .filter(|(_, e)| e.step == Step::End)
                .map(|(i, _)| i)
                .nth(which.index(molecules * 3))
                .unwrap();
            log[end].thread = "a stranger".into();
            prop_assert!(validate(&log).is_err());
            prop_assert!(validate_so_far(&log).is_err());
        }
    }

    #[test]
    fn messages_name_the_problem() {
        let h = |t: &str, s| Event::new(t, Atom::Hydrogen, s);
        let o = |t: &str, s| Event::new(t, Atom::Oxygen, s);
        let three_hydrogen = [
            h("h0", Step::Arrive),
            h("h1", Step::Arrive),
            h("h2", Step::Arrive),
            o("o0", Step::Arrive),
            h("h0", Step::Begin),
            h("h1", Step::Begin),
            h("h2", Step::Begin),
        ];
        let error = validate_so_far(&three_hydrogen).unwrap_err();
        assert!(
            error.starts_with(
                "molecule 1 got 3 hydrogen and 0 oxygen (h0 (hydrogen), h1 (hydrogen), h2 (hydrogen))"
            ),
            "{error}"
        );
        let mixed = [
            h("h0", Step::Arrive),
            h("h1", Step::Arrive),
            o("o0", Step::Arrive),
            h("h2", Step::Arrive),
            h("h0", Step::Begin),
            o("o0", Step::Begin),
            h("h1", Step::Begin),
            h("h0", Step::End),
            h("h2", Step::Begin),
        ];
        let error = validate_so_far(&mixed).unwrap_err();
        assert!(
            error.starts_with(
                "h2 (hydrogen) began to bond while molecule 1 was still bonding (o0, h1 had not finished)"
            ),
            "{error}"
        );
        let alone = [o("o0", Step::Arrive), o("o0", Step::Begin)];
        let error = validate_so_far(&alone).unwrap_err();
        assert!(
            error.contains("only 0 more hydrogen and 0 more oxygen"),
            "{error}"
        );
        let left = [h("h0", Step::Arrive)];
        assert_eq!(
            validate(&left).unwrap_err(),
            "every atom has returned, but h0 (hydrogen) never bonded"
        );
    }
}
