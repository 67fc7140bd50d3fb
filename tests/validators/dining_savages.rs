//! The log of the `dining_savages` kata, and the promises it must keep.
//!
//! The cook records [`Step::Fill`] when its `fill` closure runs, a savage records [`Step::Take`]
//! when its `take` closure runs; both run while nobody else touches the pot, so the log is the
//! pot's history. Reading it in order, with the pot empty at the start: the cook fills only an
//! empty pot (and then it holds `servings`), and no savage takes from an empty pot.

/// What happened at the pot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The cook filled the pot.
    Fill,
    /// A savage took a serving.
    Take,
}

/// One line of the log: `thread` (a savage's name, or the cook's) did `step`.
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

/// Replays `log` on a pot that the cook fills with `servings` servings at a time.
pub fn validate(log: &[Event], servings: usize) -> Result<(), String> {
    let mut left = 0;
    for (at, event) in log.iter().enumerate() {
        let who = &event.thread;
        match event.step {
            Step::Fill => {
                if left > 0 {
                    return Err(format!(
                        "`{who}` filled the pot while it still held {left} serving(s) (event \
                         {at} of the log): the cook must fill only an empty pot"
                    ));
                }
                left = servings;
            }
            Step::Take => {
                if left == 0 {
                    return Err(format!(
                        "`{who}` took a serving from an empty pot (event {at} of the log): a \
                         savage must wait for the cook to fill it"
                    ));
                }
                left -= 1;
            }
        }
    }
    Ok(())
}

/// This kata's promises, for the validators' generic property suite: the setting is the servings of
/// one fill; a log may end anywhere, so both checks are [`validate`].
pub struct Promises;

impl super::Validator for Promises {
    type Event = Event;
    type Setting = usize;

    fn validate(log: &[Self::Event], servings: Self::Setting) -> Result<(), String> {
        validate(log, servings)
    }

    fn validate_so_far(log: &[Self::Event], servings: Self::Setting) -> Result<(), String> {
        validate(log, servings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::validators::suite;

    /// A good log: `rounds` fills of `servings`, each emptied by savages picked by `who`.
    fn good_log(servings: usize, rounds: usize, who: &[usize]) -> Vec<Event> {
        let mut log = Vec::new();
        let mut next = who.iter().cycle();
        for _ in 0..rounds {
            log.push(Event::new("cook", Step::Fill));
            for _ in 0..servings {
                let savage = next.next().copied().unwrap_or(0);
                log.push(Event::new(format!("savage {savage}"), Step::Take));
            }
        }
        log
    }

    /// Good logs of pots of 1 to 4 servings, the last fill part-eaten when the log ends.
    fn good_logs() -> impl Strategy<Value = (usize, Vec<Event>)> {
        let who = proptest::collection::vec(0usize..4, 1..8);
        (1usize..5, 0usize..5, who, 0usize..4).prop_map(|(servings, rounds, who, partial)| {
            let mut log = good_log(servings, rounds, &who);
            log.push(Event::new("cook", Step::Fill));
            for _ in 0..partial.min(servings) {
                log.push(Event::new("savage 0", Step::Take));
            }
            (servings, log)
        })
    }

    #[test]
    fn good_logs_pass() {
        suite::good_logs_pass::<Promises>(good_logs());
    }

    proptest! {
        #[test]
        fn a_take_from_an_empty_pot_fails(
            servings in 1usize..5,
            rounds in 0usize..5,
            who in proptest::collection::vec(0usize..4, 1..8),
        ) {
            let mut log = good_log(servings, rounds, &who);
            log.push(Event::new("savage 9", Step::Take));
            let error = validate(&log, servings).unwrap_err();
            prop_assert!(error.contains("`savage 9` took a serving from an empty pot"), "{}", error);
        }

        #[test]
        fn a_fill_of_a_pot_that_is_not_empty_fails(
            servings in 1usize..5,
            rounds in 1usize..5,
            who in proptest::collection::vec(0usize..4, 1..8),
            keep in 1usize..5,
        ) {
            let mut log = good_log(servings, rounds, &who);
            // Drop some of the last round's takes, then fill again.
            let keep = keep.min(servings);
            log.truncate(log.len() - keep);
            log.push(Event::new("cook", Step::Fill));
            let error = validate(&log, servings).unwrap_err();
            let expected = format!("filled the pot while it still held {keep} serving(s)");
            prop_assert!(error.contains(&expected), "{}", error);
        }

        #[test]
        fn moving_a_take_before_its_fill_fails(
            servings in 1usize..5,
            rounds in 1usize..5,
            who in proptest::collection::vec(0usize..4, 1..8),
            round in 0usize..5,
        ) {
            let mut log = good_log(servings, rounds, &who);
            // Swap a fill with the take that follows it.
            let at = (round % rounds) * (servings + 1);
            log.swap(at, at + 1);
            prop_assert!(validate(&log, servings).is_err());
        }
    }
}
