//! Detectors a check uses to state a kata's promises: [`Gauge`] for capacity and exclusion,
//! [`Bypass`] for starvation by bounded bypass.
//!
//! Both keep their books with std's primitives, not the engine's, so watching a kata adds no
//! scheduling points of its own, and both record what they see in the failing trace.

mod bypass;
mod gauge;

pub use bypass::{Bypass, Inside, Waiting};
pub use gauge::{Gauge, GaugeGuard};

use crate::protocol::FailureKind;

/// The panic payload with which a detector fails a check, carrying the kind of failure it saw
/// (a [`Gauge`] fails like an assertion, with a plain message).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Detection {
    /// What the detector saw.
    pub kind: FailureKind,
    /// The explanation, naming threads and the resource.
    pub message: String,
}

/// Fails the running check with `kind`: the check's panic hook reads the [`Detection`] back,
/// whichever part of the harness raised it (a detector, a probe, process mode, a facade thread).
#[track_caller]
pub(crate) fn raise(kind: FailureKind, message: String) -> ! {
    std::panic::panic_any(Detection { kind, message })
}

/// Fails the running check with a `leak` verdict: something the code made outlived what the
/// check did with it (a value never dropped, memory that grows with every operation).
///
/// ```should_panic
/// harness::detect::leaked("value 3 was never dropped");
/// ```
#[track_caller]
pub fn leaked(what: impl Into<String>) -> ! {
    raise(FailureKind::Leak, what.into())
}

/// Fails the running check with an `exhausted` verdict: the system refused a thread or a
/// process (`what` says which, and why).
#[track_caller]
pub(crate) fn exhausted(what: String) -> ! {
    raise(FailureKind::Exhausted, what)
}
