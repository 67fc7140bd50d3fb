//! A starting line for a check's child processes: each says `ready` and waits for its stdin to
//! close; the check waits until all are ready, then closes every stdin, so they start together
//! and overlap on purpose (a load-then-store race between processes needs two running at once).
//!
//! ```no_run
//! use std::time::Duration;
//! use harness::process::Child;
//!
//! let mut hammers: Vec<Child> = (0..3).map(|_| Child::spawn("hammer", &[])).collect();
//! checks::starting_line::start_together(&mut hammers, Duration::from_secs(4));
//! ```

use std::time::Duration;

use harness::process::Child;

/// Waits until every one of `children` has said `ready` (each within `budget`; a child that
/// does not is the check's failure), then closes their stdins: they all start at once.
pub fn start_together(children: &mut [Child], budget: Duration) {
    for child in children.iter() {
        child
            .wait_for_status("ready", budget)
            .unwrap_or_else(|err| panic!("{err}"));
    }
    for child in children.iter_mut() {
        drop(child.take_stdin());
    }
}
