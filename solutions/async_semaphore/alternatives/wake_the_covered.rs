//! Alternative: no hand-over. A freed place stays in the free count, and the waiter it covers
//! (the one at queue position `permits - 1`) is woken to come and take it: a waiter at position
//! `p` may take a place when `p < permits`, so nobody overtakes anybody ahead of it.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use harness::sync::Mutex;

/// A club with a fixed number of places. Waiting guests queue in order: a place that frees goes
/// to the guest that has waited longest.
pub struct Semaphore {
    state: Mutex<State>,
}

struct State {
    /// Free places, including the ones the first `permits` waiters were woken to take.
    permits: usize,
    /// The waiting acquires, first come first: their id and the waker of their latest poll.
    queue: VecDeque<(u64, Waker)>,
    next_id: u64,
}

impl State {
    /// The waker of the waiter that the free places reach now, if a free place has just become
    /// its (after a place was freed or a covered waiter left).
    fn newly_covered(&self) -> Option<Waker> {
        let position = self.permits.checked_sub(1)?;
        self.queue.get(position).map(|(_, waker)| waker.clone())
    }

    /// Whether a newcomer may take a place without taking one a waiter was promised.
    fn spare(&self) -> bool {
        self.permits > self.queue.len()
    }
}

/// A future of a place; made by [`Semaphore::acquire`]. Dropping it before it is ready
/// (cancelling it) leaves the queue, and passes on a place that was already meant for it.
pub struct Acquire<'a> {
    semaphore: &'a Semaphore,
    id: Option<u64>,
}

/// A place in the club; dropping it frees the place.
pub struct Permit<'a> {
    semaphore: &'a Semaphore,
}

impl Semaphore {
    /// A club with `permits` places, all free.
    pub fn new(permits: usize) -> Self {
        Semaphore {
            state: Mutex::new(State {
                permits,
                queue: VecDeque::new(),
                next_id: 0,
            })
            .named("club"),
        }
    }

    /// A future that is ready with a place once this guest's turn has come.
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            semaphore: self,
            id: None,
        }
    }

    /// A place now, if one is free and no waiting guest was promised it; `None` otherwise.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        let mut state = self.state.lock().unwrap();
        if state.spare() {
            state.permits -= 1;
            Some(Permit { semaphore: self })
        } else {
            None
        }
    }

    /// The free places that no waiting guest has been promised.
    pub fn available(&self) -> usize {
        let state = self.state.lock().unwrap();
        state.permits.saturating_sub(state.queue.len())
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = Permit<'a>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit<'a>> {
        let this = self.get_mut();
        let semaphore = this.semaphore;
        let mut state = semaphore.state.lock().unwrap();
        match this.id {
            Some(id) => {
                let position = state
                    .queue
                    .iter()
                    .position(|(waiting, _)| *waiting == id)
                    .expect("a waiting acquire is in the queue");
                if position < state.permits {
                    state.queue.remove(position);
                    state.permits -= 1;
                    this.id = None;
                    return Poll::Ready(Permit { semaphore });
                }
                let waker = &mut state.queue[position].1;
                if !waker.will_wake(cx.waker()) {
                    *waker = cx.waker().clone();
                }
            }
            None => {
                if state.spare() {
                    state.permits -= 1;
                    return Poll::Ready(Permit { semaphore });
                }
                let id = state.next_id;
                state.next_id += 1;
                state.queue.push_back((id, cx.waker().clone()));
                this.id = Some(id);
            }
        }
        Poll::Pending
    }
}

impl Drop for Acquire<'_> {
    /// A cancelled acquire leaves the queue; if a free place covered it, that place now covers
    /// the next waiter, who is woken.
    fn drop(&mut self) {
        let Some(id) = self.id else { return };
        let mut state = self.semaphore.state.lock().unwrap();
        let Some(position) = state.queue.iter().position(|(waiting, _)| *waiting == id) else {
            return;
        };
        state.queue.remove(position);
        let waker = if position < state.permits {
            state.newly_covered()
        } else {
            None
        };
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut state = self.semaphore.state.lock().unwrap();
        state.permits += 1;
        let waker = state.newly_covered();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}
