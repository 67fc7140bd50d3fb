//! A delay future: the timer keeps the time and the wakers of the delays not due yet under one
//! lock, so that looking at the time and leaving a waker are one step.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use harness::sync::Mutex;

/// A clock that moves only when [`Timer::advance`] is called (from any thread), and wakes the
/// delays that are due.
pub struct Timer {
    state: Mutex<State>,
}

struct State {
    now: u64,
    /// The id the next registered delay gets.
    next_id: u64,
    /// The delays that returned `Pending`, with the waker of their most recent poll.
    sleepers: Vec<Sleeper>,
}

struct Sleeper {
    id: u64,
    deadline: u64,
    waker: Waker,
}

/// A future that is ready once its timer has reached its deadline; made by [`Timer::sleep`].
pub struct Delay<'a> {
    timer: &'a Timer,
    deadline: u64,
    /// This delay's entry in the timer's list, once it returned `Pending`.
    id: Option<u64>,
}

impl Timer {
    /// A timer at time 0.
    pub fn new() -> Self {
        Timer {
            state: Mutex::new(State {
                now: 0,
                next_id: 0,
                sleepers: Vec::new(),
            })
            .named("timer"),
        }
    }

    /// The current time, in ticks since the timer was made.
    pub fn now(&self) -> u64 {
        self.state.lock().unwrap().now
    }

    /// Moves time forward by `ticks` and wakes every delay that is now due. Callable from any
    /// thread.
    pub fn advance(&self, ticks: u64) {
        let due: Vec<Waker> = {
            let mut state = self.state.lock().unwrap();
            state.now += ticks;
            let now = state.now;
            let (due, waiting) = std::mem::take(&mut state.sleepers)
                .into_iter()
                .partition(|sleeper| sleeper.deadline <= now);
            state.sleepers = waiting;
            due.into_iter()
                .map(|sleeper: Sleeper| sleeper.waker)
                .collect()
        };
        // Woken outside the lock: a waker may run code that polls a delay of this very timer.
        for waker in due {
            waker.wake();
        }
    }

    /// A delay that is ready once `ticks` have passed from now: its deadline is `now() + ticks`.
    pub fn sleep(&self, ticks: u64) -> Delay<'_> {
        Delay {
            timer: self,
            deadline: self.now() + ticks,
            id: None,
        }
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
        let this = self.get_mut();
        // One critical section: an `advance` cannot come between the look at the time and
        // leaving the waker.
        let mut state = this.timer.state.lock().unwrap();
        if state.now >= this.deadline {
            if let Some(id) = this.id.take() {
                state.sleepers.retain(|sleeper| sleeper.id != id);
            }
            return Poll::Ready(());
        }
        let entry = this
            .id
            .and_then(|id| state.sleepers.iter_mut().find(|sleeper| sleeper.id == id));
        match entry {
            Some(sleeper) => {
                if !sleeper.waker.will_wake(cx.waker()) {
                    sleeper.waker = cx.waker().clone();
                }
            }
            None => {
                let id = state.next_id;
                state.next_id += 1;
                state.sleepers.push(Sleeper {
                    id,
                    deadline: this.deadline,
                    waker: cx.waker().clone(),
                });
                this.id = Some(id);
            }
        }
        Poll::Pending
    }
}

impl Drop for Delay<'_> {
    /// A delay dropped before it was due leaves the timer's list.
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.timer
                .state
                .lock()
                .unwrap()
                .sleepers
                .retain(|sleeper| sleeper.id != id);
        }
    }
}
