//! Checks that a call the kata refuses (a pool of 0 workers, a barrier for rounds of nobody)
//! panics, and says why.
//!
//! ```no_run
//! use checks::refusal::assert_refused;
//!
//! fn huge_vectors_are_refused() {
//!     assert_refused(
//!         "Vec::with_capacity(usize::MAX)",
//!         "Vec::with_capacity(usize::MAX) returned a vector; it should panic",
//!         || Vec::<u64>::with_capacity(usize::MAX),
//!     );
//! }
//! ```

use std::any::Any;
use std::panic::{catch_unwind, resume_unwind, UnwindSafe};

/// The message a panic carried: its payload when that is text, otherwise "".
pub fn message_of(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("")
}

/// The panic `call` must end in. If it returns instead, the check fails with `if_returned`
/// (reported at the caller's line).
#[track_caller]
pub fn panic_of<T>(
    call: impl FnOnce() -> T + UnwindSafe,
    if_returned: &str,
) -> Box<dyn Any + Send> {
    match catch_unwind(call) {
        Err(payload) => payload,
        Ok(_) => panic!("{if_returned}"),
    }
}

/// Checks that `call` (`what` in messages, such as `Barrier::new(0)`) panics with a message
/// saying why; fails the check with `if_returned` if it returns. A `todo!()` counts as a
/// message: use [`refusal_message`] where it must not.
#[track_caller]
pub fn assert_refused<T>(what: &str, if_returned: &str, call: impl FnOnce() -> T + UnwindSafe) {
    let payload = panic_of(call, if_returned);
    assert!(
        !message_of(&*payload).trim().is_empty(),
        "{what} panicked, but without a message saying why"
    );
}

/// The message of the panic `call` must end in, as [`panic_of`]; a `todo!()` (the starting
/// code) is not that panic, and goes on unwinding, for the harness to call the kata not started.
#[track_caller]
pub fn refusal_message<T>(call: impl FnOnce() -> T + UnwindSafe, if_returned: &str) -> String {
    let payload = panic_of(call, if_returned);
    let message = message_of(&*payload).to_owned();
    if message.starts_with("not yet implemented") {
        resume_unwind(payload);
    }
    message
}
