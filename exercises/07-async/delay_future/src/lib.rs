//! A delay future written by hand: ready once a timer reaches its deadline.
//!
//! Read the lesson first: `cargo xtask lesson delay_future`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

// Useful here: `harness::sync::Mutex` (the timer's state), `std::task::Waker` (`clone`,
// `will_wake`, `wake`), maybe `harness::sync::atomic::AtomicU64`.

/// A clock that moves only when [`Timer::advance`] is called (from any thread), and wakes the
/// delays that are due.
pub struct Timer {
    // TODO: the current time and the delays waiting for it (with their wakers).
}

/// A future that is ready once its timer has reached its deadline; made by [`Timer::sleep`].
pub struct Delay<'a> {
    timer: &'a Timer,
    // TODO: the deadline, and whatever you need to find this delay's waker again.
}

impl Timer {
    /// A timer at time 0.
    pub fn new() -> Self {
        // TODO
        Timer {}
    }

    /// The current time, in ticks since the timer was made.
    pub fn now(&self) -> u64 {
        // TODO
        todo!("Timer::now")
    }

    /// Moves time forward by `ticks` and wakes every delay that is now due. Callable from any
    /// thread.
    pub fn advance(&self, ticks: u64) {
        // TODO: move the time, and wake the delays whose deadline has come (not under a lock).
        let _ = ticks;
        todo!("Timer::advance")
    }

    /// A delay that is ready once `ticks` have passed from now: its deadline is `now() + ticks`.
    pub fn sleep(&self, ticks: u64) -> Delay<'_> {
        // TODO
        let _ = ticks;
        todo!("Timer::sleep")
    }
}

impl Default for Timer {
    fn default() -> Self {
        Timer::new()
    }
}

impl Future for Delay<'_> {
    type Output = ();

    /// `Ready` once the timer reached the deadline; `Pending` before, and then the waker of
    /// `cx` (the most recent one: a task may be polled with a different waker each time) is
    /// woken by the `advance` that reaches the deadline.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // TODO: compare the time with the deadline and, if it is not due, leave the waker with
        // the timer. Beware an `advance` on another thread between your look and your store.
        let _ = (&self.timer, cx);
        todo!("Delay::poll")
    }
}
