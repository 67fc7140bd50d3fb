use std::panic::Location;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::protocol::Op;
use crate::trace;

/// Counts how many threads are inside something at once, and fails the check the moment there
/// are more than allowed: a nightclub over capacity, two writers in a lock.
///
/// ```
/// use harness::detect::Gauge;
///
/// let club = Gauge::new("guests inside", 2);
/// let first = club.enter();
/// let second = club.enter();
/// drop(first);
/// let _third = club.enter();
/// assert_eq!(club.peak(), 2);
/// # drop(second);
/// ```
#[derive(Debug)]
pub struct Gauge {
    what: String,
    max: usize,
    now: AtomicUsize,
    peak: AtomicUsize,
}

/// One holder inside a [`Gauge`]; dropping it leaves.
#[derive(Debug)]
#[must_use = "dropping the guard leaves the gauge at once"]
pub struct GaugeGuard<'a> {
    gauge: &'a Gauge,
}

impl Gauge {
    /// A gauge for `what` ("guests inside", "writers holding the lock") allowing `max` at once.
    pub fn new(what: &str, max: usize) -> Self {
        Gauge {
            what: what.to_owned(),
            max,
            now: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// Counts the calling thread in.
    ///
    /// # Panics
    ///
    /// With a message naming the gauge, if that makes more than `max` inside: the check fails.
    #[track_caller]
    pub fn enter(&self) -> GaugeGuard<'_> {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        trace::record_named(
            Op::Enter,
            &self.what,
            Some(format!("now {now}")),
            Some(Location::caller()),
        );
        let guard = GaugeGuard { gauge: self };
        assert!(
            now <= self.max,
            "{now} {} at once, but at most {} are allowed",
            self.what,
            self.max
        );
        guard
    }

    /// How many are inside now.
    pub fn now(&self) -> usize {
        self.now.load(Ordering::SeqCst)
    }

    /// The most that were ever inside at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

impl Drop for GaugeGuard<'_> {
    fn drop(&mut self) {
        let now = self.gauge.now.fetch_sub(1, Ordering::SeqCst) - 1;
        trace::record_named(
            Op::Leave,
            &self.gauge.what,
            Some(format!("now {now}")),
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_holders_and_peak() {
        let gauge = Gauge::new("holders", 3);
        let guards: Vec<_> = (0..3).map(|_| gauge.enter()).collect();
        assert_eq!(gauge.now(), 3);
        drop(guards);
        assert_eq!(gauge.now(), 0);
        assert_eq!(gauge.peak(), 3);
    }

    #[test]
    fn one_too_many_fails_with_the_gauges_name() {
        let gauge = Gauge::new("writers holding the lock", 1);
        let _first = gauge.enter();
        let error = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| gauge.enter()))
            .expect_err("a second writer must fail the check");
        let message = error.downcast_ref::<String>().unwrap();
        assert_eq!(
            message,
            "2 writers holding the lock at once, but at most 1 are allowed"
        );
    }
}
