//! The log of the `unisex_bathroom` kata, and the promises it must keep.
//!
//! Every visitor records [`Step::Enter`] right after `enter` returned its pass and
//! [`Step::Leave`] right before dropping it. Reading the log in order: women and men are never
//! inside together, never more than `capacity` people are inside, and only people inside leave.

use std::fmt;

/// Who visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Visitor {
    /// A woman.
    Woman,
    /// A man.
    Man,
}

impl fmt::Display for Visitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Visitor::Woman => "woman",
            Visitor::Man => "man",
        })
    }
}

/// What a visitor did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Got in: `enter` returned.
    Enter,
    /// Is about to leave: drops its pass.
    Leave,
}

/// One line of the log: `thread` (its name), a `visitor`, did `step`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The name of the thread.
    pub thread: String,
    /// Woman or man.
    pub visitor: Visitor,
    /// What it did.
    pub step: Step,
}

impl Event {
    /// A log line.
    pub fn new(thread: impl Into<String>, visitor: Visitor, step: Step) -> Self {
        Event {
            thread: thread.into(),
            visitor,
            step,
        }
    }
}

/// Checks a whole log: the promises of [`validate_so_far`], and everybody left in the end.
pub fn validate(log: &[Event], capacity: usize) -> Result<(), String> {
    check(log, capacity, true)
}

/// Checks a log that is still being written: never women and men inside together, never more
/// than `capacity` inside, and only people inside leave.
pub fn validate_so_far(log: &[Event], capacity: usize) -> Result<(), String> {
    check(log, capacity, false)
}

/// This kata's promises, for the validators' generic property suite: the setting is the bathroom's
/// capacity.
pub struct Promises;

impl super::Validator for Promises {
    type Event = Event;
    type Setting = usize;

    fn validate(log: &[Self::Event], capacity: Self::Setting) -> Result<(), String> {
        validate(log, capacity)
    }

    fn validate_so_far(log: &[Self::Event], capacity: Self::Setting) -> Result<(), String> {
        validate_so_far(log, capacity)
    }
}

fn names(inside: &[(&str, Visitor)]) -> String {
    let names: Vec<String> = inside.iter().map(|(t, v)| format!("{t} ({v})")).collect();
    names.join(", ")
}

fn check(log: &[Event], capacity: usize, complete: bool) -> Result<(), String> {
    let mut inside: Vec<(&str, Visitor)> = Vec::new();
    for event in log {
        let me = (event.thread.as_str(), event.visitor);
        let who = format!("{} ({})", me.0, me.1);
        match event.step {
            Step::Enter => {
                if inside.iter().any(|p| p.0 == me.0) {
                    return Err(format!("{who} entered while already inside"));
                }
                if let Some(other) = inside.iter().find(|p| p.1 != me.1) {
                    return Err(format!(
                        "{who} entered while {} ({}) was inside (inside: {}): women and men must \
                         never be in the bathroom together",
                        other.0,
                        other.1,
                        names(&inside)
                    ));
                }
                if inside.len() == capacity {
                    return Err(format!(
                        "{who} entered a full bathroom ({capacity} inside: {}): it holds at most \
                         {capacity} at a time",
                        names(&inside)
                    ));
                }
                inside.push(me);
            }
            Step::Leave => {
                let Some(at) = inside.iter().position(|p| *p == me) else {
                    return Err(format!("{who} left without being inside"));
                };
                inside.remove(at);
            }
        }
    }
    if complete && !inside.is_empty() {
        return Err(format!(
            "every thread has returned, but {} never left",
            names(&inside)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::validators::suite::{self, Dice};

    /// A good log: `steps` random moves of three women and three men, each entering only when
    /// the bathroom is empty or holds its own sex with room to spare, and leaving at random;
    /// at the end everybody leaves.
    fn good_log(capacity: usize, steps: usize, seed: u64) -> Vec<Event> {
        let mut dice = Dice(seed | 1);
        let people: Vec<(String, Visitor)> = (0..3)
            .map(|i| (format!("woman {i}"), Visitor::Woman))
            .chain((0..3).map(|i| (format!("man {i}"), Visitor::Man)))
            .collect();
        let mut inside: Vec<usize> = Vec::new();
        let mut log = Vec::new();
        for _ in 0..steps {
            let i = dice.below(people.len());
            let (name, visitor) = &people[i];
            if let Some(at) = inside.iter().position(|&p| p == i) {
                inside.remove(at);
                log.push(Event::new(name.clone(), *visitor, Step::Leave));
            } else if inside.len() < capacity && inside.iter().all(|&p| people[p].1 == *visitor) {
                inside.push(i);
                log.push(Event::new(name.clone(), *visitor, Step::Enter));
            }
        }
        while let Some(i) = inside.pop() {
            log.push(Event::new(people[i].0.clone(), people[i].1, Step::Leave));
        }
        log
    }

    /// Good logs of bathrooms for 1 to 3, of up to 39 steps.
    fn good_logs() -> impl Strategy<Value = (usize, Vec<Event>)> {
        (1_usize..4, 0_usize..40, any::<u64>())
            .prop_map(|(capacity, steps, seed)| (capacity, good_log(capacity, steps, seed)))
    }

    #[test]
    fn good_logs_pass() {
        suite::good_logs_pass::<Promises>(good_logs());
    }

    proptest! {
        #[test]
        fn a_missing_leave_fails(capacity in 1_usize..4, steps in 1_usize..40, seed in any::<u64>(), which in any::<prop::sample::Index>()) {
            let mut log = good_log(capacity, steps, seed);
            prop_assume!(!log.is_empty());
            let leaves: Vec<usize> = (0..log.len()).filter(|&i| log[i].step == Step::Leave).collect();
            log.remove(leaves[which.index(leaves.len())]);
            // Either someone is still inside at the end, or re-enters while inside.
            prop_assert!(validate(&log, capacity).is_err());
        }

        #[test]
        fn mixing_fails(capacity in 2_usize..4, steps in 0_usize..40, seed in any::<u64>(), woman_first in any::<bool>()) {
            // After a good prefix, someone of each sex goes in.
            let mut log = good_log(capacity, steps, seed);
            let (first, second) = if woman_first {
                (("woman 9", Visitor::Woman), ("man 9", Visitor::Man))
            } else {
                (("man 9", Visitor::Man), ("woman 9", Visitor::Woman))
            };
            log.push(Event::new(first.0, first.1, Step::Enter));
            log.push(Event::new(second.0, second.1, Step::Enter));
            let error = validate_so_far(&log, capacity).unwrap_err();
            prop_assert!(error.contains("never be in the bathroom together"), "{}", error);
        }

        #[test]
        fn overfilling_fails(capacity in 1_usize..4, steps in 0_usize..40, seed in any::<u64>()) {
            // After a good prefix, capacity + 1 women go in.
            let mut log = good_log(capacity, steps, seed);
            for i in 0..=capacity {
                log.push(Event::new(format!("woman {}", 10 + i), Visitor::Woman, Step::Enter));
            }
            prop_assert!(validate_so_far(&log, capacity).is_err());
        }
    }

    #[test]
    fn messages_name_the_problem() {
        let log = [
            Event::new("ann", Visitor::Woman, Step::Enter),
            Event::new("bob", Visitor::Man, Step::Enter),
        ];
        assert_eq!(
            validate_so_far(&log, 3).unwrap_err(),
            "bob (man) entered while ann (woman) was inside (inside: ann (woman)): women and men \
             must never be in the bathroom together"
        );
        let log = [
            Event::new("ann", Visitor::Woman, Step::Enter),
            Event::new("eve", Visitor::Woman, Step::Enter),
        ];
        assert_eq!(
            validate_so_far(&log, 1).unwrap_err(),
            "eve (woman) entered a full bathroom (1 inside: ann (woman)): it holds at most 1 at a \
             time"
        );
    }
}
