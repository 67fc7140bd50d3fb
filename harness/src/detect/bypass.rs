use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::{Mutex, MutexGuard};

use crate::context;
use crate::protocol::{FailureKind, Op};
use crate::trace;

/// Starvation by bounded bypass: while a thread waits for a resource, every entry by another
/// thread is one bypass of it; more than the kata's bound (`bypass_bound` in its metadata) fails
/// the check with a `starvation` verdict.
///
/// Call [`Bypass::wait`] just before asking for the resource, [`Waiting::enter`] right after
/// getting it, and drop the [`Inside`] just before giving it back.
///
/// The bound is judged only where the scheduler is fair to runnable threads: under the explore
/// engine's random scheduler (and outside a check run). loom and PCT starve threads on purpose,
/// and real threads follow the operating system's whims, so there the detector only counts.
///
/// ```
/// use harness::detect::Bypass;
///
/// let lock = Bypass::with_bound("the write lock", 1);
/// let writer = lock.wait();
/// drop(lock.wait().enter()); // a reader overtakes the waiting writer: one bypass
/// let inside = writer.enter();
/// assert_eq!(lock.worst(), 1);
/// # drop(inside);
/// ```
#[derive(Debug)]
pub struct Bypass {
    resource: String,
    bound: usize,
    books: Mutex<Books>,
}

#[derive(Debug, Default)]
struct Books {
    next_ticket: u64,
    waiting: Vec<Waiter>,
    worst: usize,
}

#[derive(Debug)]
struct Waiter {
    ticket: u64,
    thread: String,
    since_step: usize,
    bypassed_by: BTreeMap<String, usize>,
}

impl Waiter {
    fn bypasses(&self) -> usize {
        self.bypassed_by.values().sum()
    }
}

/// A thread waiting for the resource; see [`Bypass`].
#[derive(Debug)]
#[must_use = "call `enter` once the resource is yours"]
pub struct Waiting<'a> {
    bypass: &'a Bypass,
    ticket: u64,
}

/// A thread inside the resource; dropping it leaves.
#[derive(Debug)]
#[must_use = "dropping it leaves the resource at once"]
pub struct Inside<'a> {
    bypass: &'a Bypass,
}

impl Bypass {
    /// Watches `resource`, with the bound of the kata being checked (8 outside a check run).
    pub fn new(resource: &str) -> Self {
        Bypass::with_bound(resource, context::bypass_bound())
    }

    /// Watches `resource` with an explicit bound.
    pub fn with_bound(resource: &str, bound: usize) -> Self {
        Bypass {
            resource: resource.to_owned(),
            bound,
            books: Mutex::new(Books::default()),
        }
    }

    /// The calling thread starts waiting for the resource.
    #[track_caller]
    pub fn wait(&self) -> Waiting<'_> {
        trace::record_named(Op::Arrive, &self.resource, None, Some(Location::caller()));
        let mut books = self.books();
        let ticket = books.next_ticket;
        books.next_ticket += 1;
        books.waiting.push(Waiter {
            ticket,
            thread: trace::thread_name(),
            since_step: trace::steps(),
            bypassed_by: BTreeMap::new(),
        });
        Waiting {
            bypass: self,
            ticket,
        }
    }

    /// The most times any waiter has been bypassed so far.
    pub fn worst(&self) -> usize {
        self.books().worst
    }

    fn books(&self) -> MutexGuard<'_, Books> {
        self.books
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<'a> Waiting<'a> {
    /// The thread got the resource: every other waiter has been bypassed once more.
    ///
    /// # Panics
    ///
    /// With a `starvation` failure, if a waiter has now been bypassed more than the bound.
    #[track_caller]
    pub fn enter(self) -> Inside<'a> {
        let bypass = self.bypass;
        trace::record_named(Op::Enter, &bypass.resource, None, Some(Location::caller()));
        let me = trace::thread_name();
        let starved = {
            let mut books = bypass.books();
            books.waiting.retain(|waiter| waiter.ticket != self.ticket);
            let mut starved = None;
            for waiter in &mut books.waiting {
                *waiter.bypassed_by.entry(me.clone()).or_default() += 1;
                if waiter.bypasses() > bypass.bound && starved.is_none() {
                    starved = Some(describe(&bypass.resource, bypass.bound, waiter));
                }
            }
            let worst = books
                .waiting
                .iter()
                .map(Waiter::bypasses)
                .max()
                .unwrap_or(0);
            books.worst = books.worst.max(worst);
            starved
        };
        if let Some(message) = starved.filter(|_| context::bypass_judged()) {
            super::raise(FailureKind::Starvation, message);
        }
        Inside { bypass }
    }
}

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        trace::record_named(Op::Leave, &self.bypass.resource, None, None);
    }
}

fn describe(resource: &str, bound: usize, waiter: &Waiter) -> String {
    let overtakers: Vec<String> = waiter
        .bypassed_by
        .iter()
        .map(|(thread, times)| format!("`{thread}` {times}×"))
        .collect();
    let steps = trace::steps().saturating_sub(waiter.since_step);
    format!(
        "`{}` has waited for {resource} for {steps} steps while other threads went in {} times \
         ({}); at most {bound} are allowed",
        waiter.thread,
        waiter.bypasses(),
        overtakers.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::FailureKind;

    #[test]
    fn a_lock_that_takes_turns_stays_within_the_bound() {
        // Two threads alternate strictly: each waits at most one entry of the other.
        let lock = Bypass::with_bound("a ticket lock", 1);
        let mut waiting = lock.wait();
        for _ in 0..10 {
            let next = lock.wait();
            drop(waiting.enter());
            waiting = next;
        }
        drop(waiting.enter());
        assert_eq!(lock.worst(), 1);
    }

    #[test]
    fn a_lock_that_lets_newcomers_pass_starves_the_waiter() {
        let lock = Bypass::with_bound("the write lock", 3);
        let _writer = lock.wait();
        for _ in 0..3 {
            drop(lock.wait().enter());
        }
        let error = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            drop(lock.wait().enter());
        }))
        .expect_err("the fourth reader past a waiting writer is starvation");
        let detected = error.downcast_ref::<crate::detect::Detection>().unwrap();
        assert_eq!(detected.kind, FailureKind::Starvation);
        assert!(
            detected.message.contains("went in 4 times") && detected.message.contains("at most 3"),
            "{}",
            detected.message
        );
    }
}
