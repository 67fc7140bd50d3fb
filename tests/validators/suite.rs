//! The properties every [`Validator`] keeps, written once: each validator's tests run them on
//! the good logs that validator generates.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::Validator;

/// A tiny deterministic generator, so that one proptest value drives many choices.
pub struct Dice(pub u64);

impl Dice {
    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    /// Puts `items` in a random order.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// A good log passes [`Validator::validate`], and so does every beginning of it
/// [`Validator::validate_so_far`].
pub fn good_logs_pass<V: Validator>(good_logs: impl Strategy<Value = (V::Setting, Vec<V::Event>)>) {
    run(good_logs, |(setting, log)| {
        prop_assert_eq!(V::validate(&log, setting), Ok(()));
        for end in 0..=log.len() {
            prop_assert_eq!(V::validate_so_far(&log[..end], setting), Ok(()));
        }
        Ok(())
    });
}

/// A good log with its last 1 to `most` events cut off fails [`Validator::validate`] (something
/// begun was never finished), but passes [`Validator::validate_so_far`].
pub fn an_unfinished_log_fails<V: Validator>(
    good_logs: impl Strategy<Value = (V::Setting, Vec<V::Event>)>,
    most: usize,
) {
    run((good_logs, 1..=most), |((setting, log), cut)| {
        prop_assume!(cut < log.len());
        let unfinished = &log[..log.len() - cut];
        prop_assert!(V::validate(unfinished, setting).is_err());
        prop_assert_eq!(V::validate_so_far(unfinished, setting), Ok(()));
        Ok(())
    });
}

/// Tries `test` on inputs drawn from `inputs` (as `proptest!` does, without saving failures to
/// files), and fails with the smallest input that breaks it.
fn run<S: Strategy>(inputs: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    if let Err(failure) = TestRunner::new(config).run(&inputs, test) {
        panic!("{failure}");
    }
}
