//! The log of the `santa_claus` kata, and the promises it must keep.
//!
//! Reindeer threads record [`Step::Arrive`] just before calling `reindeer_back` and
//! [`Step::Hitch`] when their `hitch` closure runs; elf threads record [`Step::Ask`] just before
//! calling `elf_needs_help` and [`Step::GetHelp`] when their `get_help` closure runs; the Santa
//! thread records [`Step::PrepareSleigh`] or [`Step::HelpElves`] when his closure begins,
//! [`Step::Ready`] when it returns, and [`Step::RoundOver`] when `santa_round` has returned.
//! Reading the log in order, Santa sleeps between rounds; a sleigh round starts only when all the
//! reindeer are back, and exactly those reindeer hitch during it, once the sleigh is prepared;
//! an elf round starts only when a whole group asks, and once Santa is ready exactly one
//! group of elves gets help during it, made of elves who were asking when it started: one who
//! arrives during a round waits for a later one.

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A reindeer is back (logged just before `reindeer_back`).
    Arrive,
    /// A reindeer's `hitch` ran.
    Hitch,
    /// An elf needs help (logged just before `elf_needs_help`).
    Ask,
    /// An elf's `get_help` ran.
    GetHelp,
    /// Santa's `prepare_sleigh` began.
    PrepareSleigh,
    /// Santa's `help_elves` began.
    HelpElves,
    /// Santa's `prepare_sleigh` or `help_elves` returned: he is ready to serve the round's team.
    Ready,
    /// Santa's `santa_round` returned.
    RoundOver,
}

/// One line of the log: `thread` (a reindeer's, an elf's or Santa's name) did `step`.
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

/// Checks a whole log of a workshop with `reindeer` reindeer and elf groups of `group`: the
/// promises of [`validate_so_far`], and the log ends with Santa asleep and nobody left waiting.
pub fn validate(log: &[Event], reindeer: usize, group: usize) -> Result<(), String> {
    check(log, reindeer, group, true)
}

/// Checks a log that is still being written: Santa prepares the sleigh only when all the
/// reindeer are back and helps elves only when a whole group asks; reindeer hitch only during a
/// sleigh round, elves get help only during an elf round, in groups of exactly `group`, and
/// only once Santa's closure of the round has returned; only
/// those who were back or asking when Santa began a round are served in it; a round ends only
/// when its whole team has been served.
pub fn validate_so_far(log: &[Event], reindeer: usize, group: usize) -> Result<(), String> {
    check(log, reindeer, group, false)
}

/// This kata's promises, for the validators' generic property suite: the setting is (reindeer,
/// elves in a group).
pub struct Promises;

impl super::Validator for Promises {
    type Event = Event;
    type Setting = (usize, usize);

    fn validate(log: &[Self::Event], (reindeer, group): Self::Setting) -> Result<(), String> {
        validate(log, reindeer, group)
    }

    fn validate_so_far(
        log: &[Self::Event],
        (reindeer, group): Self::Setting,
    ) -> Result<(), String> {
        validate_so_far(log, reindeer, group)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Round {
    Asleep,
    Sleigh,
    Elves,
}

fn names(list: &[&str]) -> String {
    if list.is_empty() {
        "nobody".to_owned()
    } else {
        list.join(", ")
    }
}

fn check(log: &[Event], reindeer: usize, group: usize, complete: bool) -> Result<(), String> {
    let mut round = Round::Asleep;
    // Whether Santa's closure of the current round has returned.
    let mut ready = false;
    let mut number = 0;
    // Reindeer back and not yet hitched; elves asking and not yet helped.
    let mut back: Vec<&str> = Vec::new();
    let mut asking: Vec<&str> = Vec::new();
    // Served in the current round.
    let mut served: Vec<&str> = Vec::new();
    // Who was back or asking when the current round began: only they may be served in it.
    let mut eligible: Vec<&str> = Vec::new();
    for event in log {
        let who = event.thread.as_str();
        match event.step {
            Step::Arrive => {
                if back.contains(&who) {
                    return Err(format!("{who} came back twice without being hitched"));
                }
                back.push(who);
            }
            Step::Ask => {
                if asking.contains(&who) {
                    return Err(format!("{who} asked for help twice without getting it"));
                }
                asking.push(who);
            }
            Step::PrepareSleigh | Step::HelpElves if round != Round::Asleep => {
                return Err(format!(
                    "Santa started a new round before round {number} was over"
                ));
            }
            Step::PrepareSleigh => {
                if back.len() < reindeer {
                    return Err(format!(
                        "Santa prepared the sleigh with only {} of the {reindeer} reindeer back \
                         ({}): he may do it only when all of them are back",
                        back.len(),
                        names(&back)
                    ));
                }
                number += 1;
                round = Round::Sleigh;
                ready = false;
                eligible = back.clone();
            }
            Step::HelpElves => {
                if asking.len() < group {
                    return Err(format!(
                        "Santa started helping elves when only {} asked for help ({}): he helps \
                         only a whole group of {group}",
                        asking.len(),
                        names(&asking)
                    ));
                }
                number += 1;
                round = Round::Elves;
                ready = false;
                eligible = asking.clone();
            }
            Step::Hitch => {
                if round != Round::Sleigh {
                    return Err(format!(
                        "{who} was hitched while Santa {}: reindeer are hitched only after \
                         Santa prepared the sleigh, in his sleigh round",
                        if round == Round::Elves {
                            "was helping elves"
                        } else {
                            "had not prepared the sleigh"
                        }
                    ));
                }
                if !ready {
                    return Err(format!(
                        "{who} was hitched while Santa was still preparing the sleigh: reindeer \
                         are hitched only once prepare_sleigh has returned"
                    ));
                }
                let Some(at) = back.iter().position(|r| *r == who) else {
                    return Err(format!("{who} was hitched without having come back"));
                };
                if served.len() == reindeer {
                    return Err(format!(
                        "{who} was hitched too, but all {reindeer} reindeer of this sleigh \
                         round ({}) already were",
                        names(&served)
                    ));
                }
                if !eligible.contains(&who) {
                    return Err(format!(
                        "{who} was hitched in the sleigh round Santa began for {}, but it came \
                         back only after he had begun: a reindeer who arrives during a round \
                         waits for a later one",
                        names(&eligible)
                    ));
                }
                back.remove(at);
                served.push(who);
            }
            Step::GetHelp => {
                if round != Round::Elves {
                    return Err(format!(
                        "{who} got help while Santa {}: elves get help only in Santa's round \
                         for their group",
                        if round == Round::Sleigh {
                            "was preparing the sleigh"
                        } else {
                            "was not helping elves"
                        }
                    ));
                }
                if !ready {
                    return Err(format!(
                        "{who} got help while Santa was still getting ready to help: elves get \
                         help only once help_elves has returned"
                    ));
                }
                let Some(at) = asking.iter().position(|e| *e == who) else {
                    return Err(format!("{who} got help without having asked for it"));
                };
                if served.len() == group {
                    return Err(format!(
                        "{who} got help too, but Santa's round was for the group of {group} \
                         ({}): another elf may not join a group being helped",
                        names(&served)
                    ));
                }
                if !eligible.contains(&who) {
                    return Err(format!(
                        "{who} got help in the round Santa began for the elves then waiting \
                         ({}), but it asked only after he had begun: an elf who asks during a \
                         round waits for a later one",
                        names(&eligible)
                    ));
                }
                asking.remove(at);
                served.push(who);
            }
            Step::Ready => {
                if round == Round::Asleep || ready {
                    return Err(format!(
                        "Santa's closure returned twice, or outside a round (round {number})"
                    ));
                }
                ready = true;
            }
            Step::RoundOver => {
                let (team, size) =
                    match round {
                        Round::Asleep => return Err(
                            "santa_round returned without preparing the sleigh or helping elves"
                                .to_owned(),
                        ),
                        Round::Sleigh => ("reindeer hitched", reindeer),
                        Round::Elves => ("elves helped", group),
                    };
                if served.len() < size {
                    return Err(format!(
                        "santa_round returned with only {} of {size} {team} ({}): the round \
                         ends when all of them are",
                        served.len(),
                        names(&served)
                    ));
                }
                served.clear();
                round = Round::Asleep;
            }
        }
    }
    if complete {
        if round != Round::Asleep {
            return Err(format!(
                "every thread has returned, but Santa's round {number} never ended"
            ));
        }
        if !back.is_empty() {
            return Err(format!(
                "every thread has returned, but {} came back and never got hitched",
                names(&back)
            ));
        }
        if !asking.is_empty() {
            return Err(format!(
                "every thread has returned, but {} asked for help and never got it",
                names(&asking)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::validators::suite::{self, Dice};

    /// A good log: one sleigh round of `reindeer` reindeer and `groups` elf groups of `group`,
    /// in a random order; each team arrives in a random order
    /// just before its round and is served in another random order.
    fn good_log(reindeer: usize, group: usize, groups: usize, seed: u64) -> Vec<Event> {
        let mut dice = Dice(seed | 1);
        let sleigh_at = dice.below(groups + 1);
        let mut log = Vec::new();
        for round in 0..=groups {
            let (team, arrive, step, santa) = if round == sleigh_at {
                let team: Vec<String> = (0..reindeer).map(|i| format!("reindeer {i}")).collect();
                (team, Step::Arrive, Step::Hitch, Step::PrepareSleigh)
            } else {
                let first = if round > sleigh_at { round - 1 } else { round } * group;
                let team: Vec<String> =
                    (first..first + group).map(|i| format!("elf {i}")).collect();
                (team, Step::Ask, Step::GetHelp, Step::HelpElves)
            };
            let mut arrivals: Vec<Event> =
                team.iter().map(|t| Event::new(t.clone(), arrive)).collect();
            dice.shuffle(&mut arrivals);
            log.extend(arrivals);
            log.push(Event::new("Santa", santa));
            log.push(Event::new("Santa", Step::Ready));
            let mut served = team.clone();
            dice.shuffle(&mut served);
            for t in served {
                log.push(Event::new(t, step));
            }
            log.push(Event::new("Santa", Step::RoundOver));
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

    /// Good logs of 1 to 5 reindeer and up to 3 elf groups of 1 to 3.
    fn good_logs() -> impl Strategy<Value = ((usize, usize), Vec<Event>)> {
        (1_usize..6, 1_usize..4, 0_usize..4, any::<u64>()).prop_map(
            |(reindeer, group, groups, seed)| {
                ((reindeer, group), good_log(reindeer, group, groups, seed))
            },
        )
    }

    #[test]
    fn good_logs_pass() {
        suite::good_logs_pass::<Promises>(good_logs());
    }

    #[test]
    fn an_unfinished_log_fails() {
        suite::an_unfinished_log_fails::<Promises>(good_logs(), 2);
    }

    proptest! {
        #[test]
        fn preparing_the_sleigh_early_fails(reindeer in 1_usize..6, group in 1_usize..4, groups in 0_usize..4, seed in any::<u64>()) {
            // Santa prepares the sleigh just before the last reindeer is back.
            let mut log = good_log(reindeer, group, groups, seed);
            let prepare = nth(&log, Step::PrepareSleigh, 0);
            let last = nth(&log, Step::Arrive, reindeer - 1);
            let event = log.remove(prepare);
            log.insert(last, event);
            let error = validate_so_far(&log, reindeer, group).unwrap_err();
            prop_assert!(error.contains("only when all of them are back"), "{}", error);
        }

        #[test]
        fn hitching_before_the_sleigh_is_prepared_fails(reindeer in 1_usize..6, group in 1_usize..4, groups in 0_usize..4, seed in any::<u64>()) {
            let mut log = good_log(reindeer, group, groups, seed);
            let prepare = nth(&log, Step::PrepareSleigh, 0);
            let event = log.remove(prepare + 2);
            log.insert(prepare, event);
            let error = validate_so_far(&log, reindeer, group).unwrap_err();
            prop_assert!(error.contains("had not prepared the sleigh"), "{}", error);
        }

        #[test]
        fn serving_before_santa_is_ready_fails(reindeer in 1_usize..6, group in 1_usize..4, groups in 0_usize..4, seed in any::<u64>(), at in any::<prop::sample::Index>()) {
            // The first of a round's team is served while Santa's closure still runs (the eager
            // reindeer, or an elf helped before Santa is ready).
            let mut log = good_log(reindeer, group, groups, seed);
            let ready = nth(&log, Step::Ready, at.index(groups + 1));
            log.swap(ready, ready + 1);
            let error = validate_so_far(&log, reindeer, group).unwrap_err();
            prop_assert!(error.contains("only once"), "{}", error);
        }

        #[test]
        fn an_extra_elf_in_a_group_fails(reindeer in 1_usize..6, group in 1_usize..4, groups in 2_usize..4, seed in any::<u64>(), at in any::<prop::sample::Index>()) {
            // The first elf of the next group gets help in this group's round, as an extra.
            let mut log = good_log(reindeer, group, groups, seed);
            let round = at.index(groups - 1);
            let help = nth(&log, Step::GetHelp, (round + 1) * group);
            let event = log.remove(help);
            let last = nth(&log, Step::GetHelp, round * group + group - 1);
            log.insert(last + 1, event);
            prop_assert!(validate_so_far(&log, reindeer, group).is_err());
        }

        #[test]
        fn a_round_ending_early_fails(reindeer in 1_usize..6, group in 1_usize..4, groups in 0_usize..4, seed in any::<u64>(), at in any::<prop::sample::Index>()) {
            // Santa's round returns before its last served one was served.
            let mut log = good_log(reindeer, group, groups, seed);
            let over = nth(&log, Step::RoundOver, at.index(groups + 1));
            log.swap(over - 1, over);
            let error = validate_so_far(&log, reindeer, group).unwrap_err();
            prop_assert!(error.contains("santa_round returned with only"), "{}", error);
        }

        #[test]
        fn a_latecomer_joining_a_round_fails(reindeer in 1_usize..6, group in 1_usize..4, groups in 2_usize..4, seed in any::<u64>(), at in any::<prop::sample::Index>(), late in any::<prop::sample::Index>()) {
            // An elf of the next group asks before this group's round begins, so a whole group
            // waits when Santa starts it; but one elf of this group asks only after he started,
            // and still gets help in it (in the place of the elf of the next group).
            let mut log = good_log(reindeer, group, groups, seed);
            let round = at.index(groups - 1);
            let early = nth(&log, Step::Ask, (round + 1) * group);
            let event = log.remove(early);
            let help = nth(&log, Step::HelpElves, round);
            log.insert(help, event);
            let help = help + 1;
            let ask = nth(&log, Step::Ask, round * group + late.index(group));
            let event = log.remove(ask);
            log.insert(help, event);
            let error = validate_so_far(&log, reindeer, group).unwrap_err();
            prop_assert!(error.contains("asked only after he had begun"), "{}", error);
        }

        #[test]
        fn helping_a_partial_group_fails(reindeer in 1_usize..6, group in 2_usize..4, groups in 1_usize..4, seed in any::<u64>()) {
            // Santa starts helping the first group before its last elf asked.
            let mut log = good_log(reindeer, group, groups, seed);
            let help = nth(&log, Step::HelpElves, 0);
            let last = nth(&log, Step::Ask, group - 1);
            let event = log.remove(help);
            log.insert(last, event);
            let error = validate_so_far(&log, reindeer, group).unwrap_err();
            prop_assert!(error.contains("only a whole group"), "{}", error);
        }
    }

    #[test]
    fn messages_name_the_problem() {
        let log = [
            Event::new("elf 0", Step::Ask),
            Event::new("Santa", Step::HelpElves),
            Event::new("Santa", Step::Ready),
            Event::new("elf 0", Step::GetHelp),
            Event::new("elf 1", Step::Ask),
            Event::new("elf 1", Step::GetHelp),
        ];
        assert_eq!(
            validate_so_far(&log, 2, 1).unwrap_err(),
            "elf 1 got help too, but Santa's round was for the group of 1 (elf 0): another elf \
             may not join a group being helped"
        );
        let log = [
            Event::new("reindeer 0", Step::Arrive),
            Event::new("reindeer 0", Step::Hitch),
        ];
        assert_eq!(
            validate_so_far(&log, 1, 1).unwrap_err(),
            "reindeer 0 was hitched while Santa had not prepared the sleigh: reindeer are hitched \
             only after Santa prepared the sleigh, in his sleigh round"
        );
        let log = [
            Event::new("reindeer 0", Step::Arrive),
            Event::new("Santa", Step::PrepareSleigh),
            Event::new("reindeer 0", Step::Hitch),
        ];
        assert_eq!(
            validate_so_far(&log, 1, 1).unwrap_err(),
            "reindeer 0 was hitched while Santa was still preparing the sleigh: reindeer are \
             hitched only once prepare_sleigh has returned"
        );
        let log = [
            Event::new("reindeer 0", Step::Arrive),
            Event::new("Santa", Step::PrepareSleigh),
            Event::new("Santa", Step::Ready),
            Event::new("reindeer 1", Step::Arrive),
            Event::new("reindeer 1", Step::Hitch),
        ];
        assert_eq!(
            validate_so_far(&log, 1, 1).unwrap_err(),
            "reindeer 1 was hitched in the sleigh round Santa began for reindeer 0, but it came \
             back only after he had begun: a reindeer who arrives during a round waits for a \
             later one"
        );
        let log = [Event::new("reindeer 0", Step::Arrive)];
        assert_eq!(
            validate(&log, 1, 1).unwrap_err(),
            "every thread has returned, but reindeer 0 came back and never got hitched"
        );
    }
}
