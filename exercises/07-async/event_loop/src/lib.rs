//! An event loop: run the tasks that are ready, and leave the waiting ones alone.
//!
//! Read the lesson first: `cargo xtask lesson event_loop`.

use std::future::Future;

// Useful here: `harness::sync::{Arc, Condvar, Mutex}`, `std::collections::VecDeque`,
// `std::pin::Pin`, and `std::task::{Context, Poll, Wake, Waker}` (a waker is made from a
// `std::sync::Arc` of a type that implements `Wake`).

/// Runs futures on the thread that calls [`EventLoop::run`], polling only the ones that are ready.
pub struct EventLoop {
    // TODO: the tasks, a queue of the ready ones, and a way for `run` to sleep until a waker fires.
}

impl EventLoop {
    /// An event loop with no tasks.
    pub fn new() -> Self {
        // TODO
        EventLoop {}
    }

    /// Adds a task; it is polled for the first time once [`EventLoop::run`] runs. May be called
    /// from any thread, also while `run` runs (from a task, or from another thread).
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        // TODO: keep the task, and mark it ready: every task is polled once when it starts.
        drop(task);
        todo!("EventLoop::spawn")
    }

    /// Runs until every spawned task has finished (those spawned while it runs too). A task is
    /// polled once when it starts and afterwards only when its waker was woken: no task is polled
    /// while still waiting. When nothing is ready, `run` sleeps until a waker fires (from any
    /// thread).
    pub fn run(&self) {
        // TODO: take a ready task, poll it with a waker that marks it ready again; sleep while
        // nothing is ready; return once every task has finished.
        todo!("EventLoop::run")
    }
}

impl Default for EventLoop {
    fn default() -> Self {
        EventLoop::new()
    }
}
