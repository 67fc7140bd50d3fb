//! Running one check's body in the engine this binary was built with: the model checker
//! (`model.rs`, loom), the explorer (`explore.rs`, shuttle) or real threads (`real_threads.rs`,
//! the sequential and stress runs), one engine per file.

use super::report::Ran;
use crate::protocol::RunConfig;

/// Runs the check in this binary's engine; `index` is its place in the binary's list, for
/// replay tokens.
pub(super) fn run(config: &RunConfig, index: usize, body: fn()) -> Ran {
    #[cfg(feature = "model")]
    let ran = super::model::run(config, index, body);
    #[cfg(feature = "explore")]
    let ran = super::explore::run(config, index, body);
    #[cfg(not(any(feature = "model", feature = "explore")))]
    let ran = {
        let _replays_need_an_engine = index;
        super::real_threads::run(config, body)
    };
    // Whatever child processes and scratch directories a check left, whatever its engine.
    crate::process::clean_up();
    ran
}
