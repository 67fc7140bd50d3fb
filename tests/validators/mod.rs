//! Pure validators over the logs that group and order checks record, each tested with
//! proptest on generated good and bad logs: what every validator promises in one generic suite
//! (see [`Validator`]), what is particular to a kata beside its validator.

use std::fmt::Debug;

pub mod barbershop;
pub mod building_h2o;
pub mod cigarette_smokers;
pub mod dining_savages;
pub mod river_crossing;
pub mod roller_coaster;
pub mod santa_claus;
#[cfg(test)]
mod suite;
pub mod unisex_bathroom;

/// What every validator offers: a whole log is checked with [`validate`](Validator::validate),
/// a log still being written with [`validate_so_far`](Validator::validate_so_far), against the
/// kata's setting (a shop's chairs, a car's seats; `()` when there is none). The validators'
/// generic property suite is written once against it.
///
/// ```
/// use checks::validators::{barbershop, Validator};
/// use checks::validators::barbershop::{Event, Step};
///
/// let log = [Event::new("ann", Step::SitDown)];
/// assert!(barbershop::Promises::validate_so_far(&log, 1).is_ok());
/// assert!(barbershop::Promises::validate(&log, 1).is_err());
/// ```
pub trait Validator {
    /// One line of the log.
    type Event: Clone + Debug;
    /// What the promises depend on besides the log.
    type Setting: Copy + Debug;

    /// Checks a whole log, written by threads that have all returned.
    fn validate(log: &[Self::Event], setting: Self::Setting) -> Result<(), String>;

    /// Checks a log that is still being written: only the promises a log can break before its
    /// end.
    fn validate_so_far(log: &[Self::Event], setting: Self::Setting) -> Result<(), String>;
}
