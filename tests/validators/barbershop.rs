//! The log of the `barbershop` kata, and the promises it must keep.
//!
//! Customers record [`Step::SitDown`] when their `sit_down` closure runs (that fixes their place
//! in line) and [`Step::Haircut`] when their `get_hair_cut` closure runs; the barber records
//! [`Step::Cut`] when its `cut_hair` closure runs. Reading the log in order: customers get their
//! haircuts in the order they sat down; the barber cuts only when someone has sat down and one
//! head at a time (the k-th cut and the k-th haircut go together, so neither side runs more than
//! one ahead); at most `chairs` customers wait, plus the one being called to the barber's chair.

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A customer's `sit_down` ran: it took a waiting chair.
    SitDown,
    /// A customer's `get_hair_cut` ran.
    Haircut,
    /// The barber's `cut_hair` ran.
    Cut,
}

/// One line of the log: `thread` (a customer's name, or the barber's) did `step`.
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

/// Checks a whole log of a shop with `chairs` waiting chairs: the promises of
/// [`validate_so_far`], and every customer who sat down got a haircut from the barber.
pub fn validate(log: &[Event], chairs: usize) -> Result<(), String> {
    check(log, chairs, true)
}

/// Checks a log that is still being written: first come, first served; the barber cuts one
/// head at a time and only heads that sat down; no more customers wait than there are chairs.
pub fn validate_so_far(log: &[Event], chairs: usize) -> Result<(), String> {
    check(log, chairs, false)
}

/// This kata's promises, for the validators' generic property suite: the setting is the number of
/// waiting chairs.
pub struct Promises;

impl super::Validator for Promises {
    type Event = Event;
    type Setting = usize;

    fn validate(log: &[Self::Event], chairs: Self::Setting) -> Result<(), String> {
        validate(log, chairs)
    }

    fn validate_so_far(log: &[Self::Event], chairs: Self::Setting) -> Result<(), String> {
        validate_so_far(log, chairs)
    }
}

fn check(log: &[Event], chairs: usize, complete: bool) -> Result<(), String> {
    // Customers who sat down and have not had their haircut yet, in the order they sat down.
    let mut line: Vec<&str> = Vec::new();
    let (mut sat, mut cuts, mut haircuts) = (0, 0, 0);
    for event in log {
        let who = &event.thread;
        match event.step {
            Step::SitDown => {
                if line.contains(&who.as_str()) {
                    return Err(format!("{who} sat down twice"));
                }
                line.push(who);
                sat += 1;
                // One customer may have been called to the barber's chair without the log
                // showing it yet; everybody else must be on a waiting chair.
                if line.len() > chairs + 1 {
                    return Err(format!(
                        "{who} sat down, but {} customers were already waiting ({}) and the shop \
                         has only {chairs} chair(s): a customer who finds every chair taken \
                         must leave",
                        line.len() - 1,
                        line[..line.len() - 1].join(", ")
                    ));
                }
            }
            Step::Haircut => {
                let Some(at) = line.iter().position(|c| *c == who.as_str()) else {
                    return Err(format!("{who} got a haircut without having sat down"));
                };
                if at > 0 {
                    return Err(format!(
                        "{who} got a haircut before {}, who sat down earlier: customers must be \
                         served in the order they sat down",
                        line[..at].join(", ")
                    ));
                }
                if haircuts == cuts + 1 {
                    return Err(format!(
                        "{who} got a haircut while the barber was still busy with the customer \
                         before: the barber cuts one head at a time"
                    ));
                }
                line.remove(0);
                haircuts += 1;
            }
            Step::Cut => {
                if cuts == sat {
                    return Err(format!(
                        "{who} cut hair with nobody sitting in the shop (cut {} with {sat} \
                         customer(s) ever seated)",
                        cuts + 1
                    ));
                }
                if cuts == haircuts + 1 {
                    return Err(format!(
                        "{who} began cut {} before customer {} had had the haircut of cut {}: the \
                         barber cuts one head at a time",
                        cuts + 1,
                        line.first().copied().unwrap_or("?"),
                        cuts
                    ));
                }
                cuts += 1;
            }
        }
    }
    if complete && !line.is_empty() {
        return Err(format!(
            "every thread has returned, but {} sat down and never got a haircut",
            line.join(", ")
        ));
    }
    if complete && cuts != haircuts {
        return Err(format!(
            "every thread has returned, but the barber made {cuts} cut(s) for {haircuts} haircut(s)"
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

    /// A good log: `customers` customers sit down over time (never more than `chairs` + 1
    /// waiting) and are served in order; in each haircut the barber's cut and the customer's
    /// haircut come in a random order.
    fn good_log(chairs: usize, customers: usize, seed: u64) -> Vec<Event> {
        let mut dice = Dice(seed | 1);
        let mut log = Vec::new();
        let (mut seated, mut served) = (0, 0);
        while served < customers {
            let waiting = seated - served;
            let may_sit = seated < customers && waiting < chairs + 1;
            if may_sit && (waiting == 0 || dice.below(2) == 0) {
                log.push(Event::new(format!("customer {seated}"), Step::SitDown));
                seated += 1;
            } else {
                let cut = Event::new("barber", Step::Cut);
                let haircut = Event::new(format!("customer {served}"), Step::Haircut);
                if dice.below(2) == 0 {
                    log.extend([cut, haircut]);
                } else {
                    log.extend([haircut, cut]);
                }
                served += 1;
            }
        }
        log
    }

    fn nth(log: &[Event], step: Step, nth: usize) -> usize {
        log.iter()
            .enumerate()
            .filter(|(_, e)| e.step == step)
            .nth(nth)
            .map(|(i, _)| i)
            .unwrap()
    }

    /// Good logs of shops with 1 to 3 chairs and `customers` customers.
    fn good_logs(customers: Range<usize>) -> impl Strategy<Value = (usize, Vec<Event>)> {
        (1_usize..4, customers, any::<u64>())
            .prop_map(|(chairs, customers, seed)| (chairs, good_log(chairs, customers, seed)))
    }

    #[test]
    fn good_logs_pass() {
        suite::good_logs_pass::<Promises>(good_logs(0..8));
    }

    #[test]
    fn an_unfinished_log_fails() {
        suite::an_unfinished_log_fails::<Promises>(good_logs(1..8), 2);
    }

    proptest! {
        #[test]
        fn serving_out_of_order_fails(chairs in 1_usize..4, customers in 2_usize..8, seed in any::<u64>(), at in any::<prop::sample::Index>()) {
            // Two customers who both sat down swap their haircuts.
            let mut log = good_log(chairs, customers, seed);
            let k = at.index(customers - 1);
            let (first, second) = (nth(&log, Step::Haircut, k), nth(&log, Step::Haircut, k + 1));
            let sat = nth(&log, Step::SitDown, k + 1);
            prop_assume!(sat < first);
            let (a, b) = (log[first].thread.clone(), log[second].thread.clone());
            log[first].thread = b;
            log[second].thread = a;
            let error = validate_so_far(&log, chairs).unwrap_err();
            prop_assert!(error.contains("in the order they sat down"), "{}", error);
        }

        #[test]
        fn too_many_waiting_fails(chairs in 1_usize..4, seed in any::<u64>()) {
            // chairs + 2 customers sit down before anyone is served.
            let customers = chairs + 2;
            let mut log: Vec<Event> = (0..customers)
                .map(|i| Event::new(format!("customer {i}"), Step::SitDown))
                .collect();
            log.extend(good_log(chairs, 0, seed));
            let error = validate_so_far(&log, chairs).unwrap_err();
            prop_assert!(error.contains("must leave"), "{}", error);
        }

        #[test]
        fn the_barber_running_ahead_fails(chairs in 1_usize..4, customers in 1_usize..8, seed in any::<u64>(), at in any::<prop::sample::Index>()) {
            // Right after a cut that came before its customer's haircut, the barber cuts again.
            let mut log = good_log(chairs, customers, seed);
            let early: Vec<usize> = (0..customers)
                .filter(|&k| nth(&log, Step::Cut, k) < nth(&log, Step::Haircut, k))
                .collect();
            prop_assume!(!early.is_empty());
            let k = early[at.index(early.len())];
            let cut = nth(&log, Step::Cut, k);
            log.insert(cut + 1, Event::new("barber", Step::Cut));
            prop_assert!(validate_so_far(&log, chairs).is_err());
        }

    }

    #[test]
    fn messages_name_the_problem() {
        let log = [
            Event::new("ann", Step::SitDown),
            Event::new("bob", Step::SitDown),
            Event::new("barber", Step::Cut),
            Event::new("bob", Step::Haircut),
        ];
        assert_eq!(
            validate_so_far(&log, 2).unwrap_err(),
            "bob got a haircut before ann, who sat down earlier: customers must be served in the \
             order they sat down"
        );
        let log = [Event::new("barber", Step::Cut)];
        assert!(validate_so_far(&log, 2)
            .unwrap_err()
            .starts_with("barber cut hair with nobody sitting in the shop"));
        let log = [Event::new("ann", Step::SitDown)];
        assert_eq!(
            validate(&log, 1).unwrap_err(),
            "every thread has returned, but ann sat down and never got a haircut"
        );
    }
}
