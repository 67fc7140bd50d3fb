//! The log of the `cigarette_smokers` kata, and the promises it must keep.
//!
//! The agent records [`Step::Put`] when its `put` closure runs (an ingredient lands on the
//! table); a smoker records [`Step::Take`] when its `take` closure runs (it picks up what it
//! needs). Both run while nobody else touches the table, so the log is the table's history.
//! Reading it in order, with the table empty at the start: every round is two puts of different
//! ingredients followed by one take, by the smoker who holds the third ingredient; the agent never
//! puts an ingredient on a table that already holds it, or starts a round before the last one's
//! cigarette is made.

use std::fmt;

/// An ingredient, as the checks name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// Tobacco.
    Tobacco,
    /// Rolling paper.
    Paper,
    /// Matches.
    Matches,
}

impl Item {
    /// Every ingredient.
    pub const ALL: [Item; 3] = [Item::Tobacco, Item::Paper, Item::Matches];
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Item::Tobacco => "tobacco",
            Item::Paper => "paper",
            Item::Matches => "matches",
        };
        f.write_str(name)
    }
}

/// What happened at the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The agent put this ingredient on the table.
    Put(Item),
    /// The smoker who holds this ingredient took the other two.
    Take(Item),
}

/// Replays a whole log: the promises of [`validate_so_far`], and the table ends empty (every
/// round's cigarette was made).
pub fn validate(log: &[Step]) -> Result<(), String> {
    let on_table = replay(log)?;
    if on_table.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the log ends with {} still on the table: nobody made the last cigarette",
            list(&on_table)
        ))
    }
}

/// Replays a log that may stop in the middle of a round.
pub fn validate_so_far(log: &[Step]) -> Result<(), String> {
    replay(log).map(|_| ())
}

/// This kata's promises, for the validators' generic property suite: there is no setting.
pub struct Promises;

impl super::Validator for Promises {
    type Event = Step;
    type Setting = ();

    fn validate(log: &[Self::Event], _: Self::Setting) -> Result<(), String> {
        validate(log)
    }

    fn validate_so_far(log: &[Self::Event], _: Self::Setting) -> Result<(), String> {
        validate_so_far(log)
    }
}

fn list(items: &[Item]) -> String {
    items
        .iter()
        .map(|item| item.to_string())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// What lies on the table after `log`, or the first broken promise.
fn replay(log: &[Step]) -> Result<Vec<Item>, String> {
    let mut on_table: Vec<Item> = Vec::new();
    for (at, step) in log.iter().enumerate() {
        match *step {
            Step::Put(item) => {
                if on_table.contains(&item) {
                    return Err(format!(
                        "the agent put {item} on the table while {item} already lay there \
                         (step {at} of the log)"
                    ));
                }
                if on_table.len() == 2 {
                    return Err(format!(
                        "the agent put {item} on a table that still held {} (step {at} of the \
                         log): it started a round before the last cigarette was made",
                        list(&on_table)
                    ));
                }
                on_table.push(item);
            }
            Step::Take(has) => {
                let mut needs: Vec<Item> = Item::ALL.into_iter().filter(|&i| i != has).collect();
                let mut lying = on_table.clone();
                needs.sort_by_key(|i| *i as usize);
                lying.sort_by_key(|i| *i as usize);
                if lying != needs {
                    let there = if on_table.is_empty() {
                        "nothing".to_owned()
                    } else {
                        list(&on_table)
                    };
                    return Err(format!(
                        "the smoker with {has} made a cigarette while the table held {there} \
                         (step {at} of the log): it needs {}",
                        list(&needs)
                    ));
                }
                on_table.clear();
            }
        }
    }
    Ok(on_table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::validators::suite;

    fn item() -> impl Strategy<Value = Item> {
        prop_oneof![Just(Item::Tobacco), Just(Item::Paper), Just(Item::Matches)]
    }

    /// The log of good rounds: for each missing ingredient, the other two (in either order) and
    /// the take of the smoker who holds it.
    fn good_log(rounds: &[(Item, bool)]) -> Vec<Step> {
        let mut log = Vec::new();
        for &(missing, swap) in rounds {
            let mut puts: Vec<Item> = Item::ALL.into_iter().filter(|&i| i != missing).collect();
            if swap {
                puts.reverse();
            }
            log.extend(puts.into_iter().map(Step::Put));
            log.push(Step::Take(missing));
        }
        log
    }

    /// Good logs of up to 7 rounds.
    fn good_logs() -> impl Strategy<Value = ((), Vec<Step>)> {
        proptest::collection::vec((item(), any::<bool>()), 0..8)
            .prop_map(|rounds| ((), good_log(&rounds)))
    }

    #[test]
    fn good_logs_pass() {
        suite::good_logs_pass::<Promises>(good_logs());
    }

    proptest! {
        #[test]
        fn the_wrong_smoker_fails(
            rounds in proptest::collection::vec((item(), any::<bool>()), 1..8),
            pick in 0usize..8,
            other in 1usize..3,
        ) {
            let mut log = good_log(&rounds);
            let round = pick % rounds.len();
            let missing = rounds[round].0;
            let wrong = Item::ALL[(missing as usize + other) % 3];
            log[round * 3 + 2] = Step::Take(wrong);
            let error = validate(&log).unwrap_err();
            let expected = format!("the smoker with {wrong} made a cigarette");
            prop_assert!(error.contains(&expected), "{}", error);
        }

        #[test]
        fn a_take_after_one_put_fails(
            rounds in proptest::collection::vec((item(), any::<bool>()), 1..8),
            pick in 0usize..8,
        ) {
            let mut log = good_log(&rounds);
            let round = pick % rounds.len();
            // The second put of the round goes missing.
            log.remove(round * 3 + 1);
            prop_assert!(validate(&log).is_err());
        }

        #[test]
        fn a_round_started_early_fails(
            rounds in proptest::collection::vec((item(), any::<bool>()), 2..8),
            pick in 0usize..8,
        ) {
            let mut log = good_log(&rounds);
            let round = pick % (rounds.len() - 1);
            // The take of this round comes after the next round's first put.
            log.swap(round * 3 + 2, round * 3 + 3);
            prop_assert!(validate(&log).is_err());
        }

        #[test]
        fn an_unfinished_round_fails_at_the_end(
            rounds in proptest::collection::vec((item(), any::<bool>()), 1..8),
        ) {
            let mut log = good_log(&rounds);
            log.pop();
            prop_assert!(validate_so_far(&log).is_ok());
            prop_assert!(validate(&log).unwrap_err().contains("nobody made the last cigarette"));
        }
    }
}
