//! A starting line for a check's child processes: each says `ready` and waits for its stdin to
//! close; the check waits until all are ready, then closes every stdin, so they start together
//! and overlap on purpose (a load-then-store race between processes needs two running at once).
//!
//! ```no_run
//! use std::time::Duration;
//! use harness::process::Child;
//!
//! // In the check:
//! let mut hammers: Vec<Child> = (0..3).map(|_| Child::spawn("hammer", &[])).collect();
//! checks::starting_line::start_together(&mut hammers, Duration::from_secs(4));
//! // In each `hammer` child:
//! checks::starting_line::wait_for_start();
//! ```

use std::io::Read;
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

/// The child's side: says `ready` and waits until the check closes its stdin (or writes to
/// it), that is until every child of the line is ready.
pub fn wait_for_start() {
    harness::process::status("ready");
    let mut go = [0u8; 1];
    let _ = std::io::stdin().read(&mut go);
}
