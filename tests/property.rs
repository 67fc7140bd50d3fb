//! Property checks, for katas whose code the model checkers cannot see (crossbeam, tokio): the
//! kata's promise is tried on inputs proptest generates, and a failure names the smallest input
//! that still breaks it.
//!
//! ```no_run
//! use checks::property::{self, proptest::prelude::*};
//!
//! fn sorting_keeps_every_number() {
//!     property::check("sorting keeps every number", 16, prop::collection::vec(0u8..9, 0..20), |mut v| {
//!         let before = v.len();
//!         v.sort();
//!         prop_assert_eq!(v.len(), before);
//!         Ok(())
//!     });
//! }
//! ```
//!
//! The inputs are drawn from a fixed sequence of seeds, a new one each time a check's body runs
//! (so the rounds of a stress check try different inputs), the same in every run of the check.

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};

pub use proptest;
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

/// How many times a failing input is made smaller before it is reported.
const SHRINK_STEPS: u32 = 64;

/// Which seed the next check takes.
static NEXT_SEED: AtomicU64 = AtomicU64::new(0);

/// Tries `test` on `cases` inputs drawn from `inputs`; fails the check with `promise` and the
/// smallest failing input when one breaks it (`prop_assert!` and friends return the error).
#[track_caller]
pub fn check<S>(
    promise: &str,
    cases: u32,
    inputs: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: Debug,
{
    let seed = NEXT_SEED.fetch_add(1, Ordering::Relaxed);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: SHRINK_STEPS,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(config, rng);
    if let Err(failure) = runner.run(&inputs, test) {
        panic!("{promise}: {failure}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_kept_promise_passes() {
        check("doubling is even", 32, 0u32..1000, |n| {
            prop_assert_eq!((n * 2) % 2, 0);
            Ok(())
        });
    }

    #[test]
    fn a_broken_promise_names_the_smallest_input() {
        let failure = std::panic::catch_unwind(|| {
            check("small numbers only", 64, 0u32..1000, |n| {
                prop_assert!(n < 10, "{n} is not small");
                Ok(())
            })
        })
        .unwrap_err();
        let message = failure.downcast_ref::<String>().unwrap();
        assert!(message.starts_with("small numbers only:"), "{message}");
        assert!(message.contains("10"), "shrunk to 10: {message}");
    }
}
