//! The nightclub, awaiting: an async semaphore whose waiters queue in order and may leave.
//!
//! Read the lesson first: `cargo xtask lesson async_semaphore`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

// Useful here: `harness::sync::Mutex`, `std::collections::VecDeque`, `std::task::Waker`.

/// A club with a fixed number of places. Waiting guests queue in order: a place that frees goes
/// to the guest that has waited longest.
pub struct Semaphore {
    // TODO: the free places and the queue of waiting acquires (with their wakers).
}

/// A future of a place; made by [`Semaphore::acquire`]. Dropping it before it is ready
/// (cancelling it) leaves the queue, and passes on a place that was already handed to it.
pub struct Acquire<'a> {
    semaphore: &'a Semaphore,
    // TODO: this acquire's place in the queue, if it waits.
}

/// A place in the club; dropping it frees the place.
pub struct Permit<'a> {
    semaphore: &'a Semaphore,
}

impl Semaphore {
    /// A club with `permits` places, all free.
    pub fn new(permits: usize) -> Self {
        // TODO
        let _ = permits;
        Semaphore {}
    }

    /// A future that is ready with a place once this guest's turn has come: at once if a place
    /// is free and nobody waits, otherwise after every guest that waited before it.
    pub fn acquire(&self) -> Acquire<'_> {
        // TODO
        todo!("Semaphore::acquire")
    }

    /// A place now, if one is free and nobody waits for it; `None` otherwise.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        // TODO
        todo!("Semaphore::try_acquire")
    }

    /// The free places that no waiting guest has been promised.
    pub fn available(&self) -> usize {
        // TODO
        todo!("Semaphore::available")
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = Permit<'a>;

    /// `Ready` with a place once this guest's turn came; `Pending` before, in the queue, with
    /// the waker of `cx` (the most recent one) woken when its turn comes.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit<'a>> {
        // TODO: take a place if one is free and nobody is ahead; otherwise join the queue (first
        // poll) or update the waker (later polls).
        let _ = (self.semaphore, cx);
        todo!("Acquire::poll")
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        // TODO: free the place: hand it to the first waiting guest (and wake it), or make it free.
        let _ = self.semaphore;
    }
}

// TODO: `impl Drop for Acquire<'_>`: a cancelled acquire leaves the queue, and a place already
// handed to it goes to the next guest.
