//! Mutant: the first poll sees a free place under the lock, releases the lock, then locks again to write back the free count it saw minus one: two guests that look at the same time both take the last place (a lost update), and the club holds more guests than it has places.
//! Expect: race

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
    /// Free places, promised to nobody (never > 0 while somebody waits).
    permits: usize,
    /// The waiting acquires, first come first: their id and the waker of their latest poll.
    queue: VecDeque<(u64, Waker)>,
    /// Acquires that were handed a place and have not polled since to take it.
    granted: Vec<u64>,
    next_id: u64,
}

impl State {
    /// Frees a place: hands it to the first waiter (whose waker is returned, to wake outside the
    /// lock), or makes it free if nobody waits.
    fn release(&mut self) -> Option<Waker> {
        match self.queue.pop_front() {
            Some((id, waker)) => {
                self.granted.push(id);
                Some(waker)
            }
            None => {
                self.permits += 1;
                None
            }
        }
    }
}

/// A future of a place; made by [`Semaphore::acquire`]. Dropping it before it is ready
/// (cancelling it) leaves the queue, and passes on a place that was already handed to it.
pub struct Acquire<'a> {
    semaphore: &'a Semaphore,
    /// Set once this acquire joined the queue, until it takes its place.
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
                granted: Vec::new(),
                next_id: 0,
            })
            .named("club"),
        }
    }

    /// A future that is ready with a place once this guest's turn has come: at once if a place
    /// is free and nobody waits, otherwise after every guest that waited before it.
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            semaphore: self,
            id: None,
        }
    }

    /// A place now, if one is free and nobody waits for it; `None` otherwise.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        let mut state = self.state.lock().unwrap();
        if state.permits > 0 && state.queue.is_empty() {
            state.permits -= 1;
            Some(Permit { semaphore: self })
        } else {
            None
        }
    }

    /// The free places that no waiting guest has been promised.
    pub fn available(&self) -> usize {
        self.state.lock().unwrap().permits
    }

    /// Frees a place (from a dropped permit or a cancelled acquire that had been handed one).
    fn release(&self) {
        let waker = self.state.lock().unwrap().release();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = Permit<'a>;

    /// `Ready` with a place once this guest's turn came; `Pending` before, in the queue, with
    /// the waker of `cx` (the most recent one) woken when its turn comes.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit<'a>> {
        let this = self.get_mut();
        let semaphore = this.semaphore;
        let mut state = semaphore.state.lock().unwrap();
        match this.id {
            Some(id) => {
                if let Some(at) = state.granted.iter().position(|&g| g == id) {
                    state.granted.swap_remove(at);
                    this.id = None;
                    return Poll::Ready(Permit { semaphore });
                }
                let (_, waker) = state
                    .queue
                    .iter_mut()
                    .find(|(waiting, _)| *waiting == id)
                    .expect("a waiting acquire is either queued or granted");
                if !waker.will_wake(cx.waker()) {
                    *waker = cx.waker().clone();
                }
            }
            None => {
                if state.permits > 0 && state.queue.is_empty() {
                    let free = state.permits;
                    drop(state);
                    // A place was free: take it.
                    semaphore.state.lock().unwrap().permits = free - 1;
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
    /// A cancelled acquire leaves the queue; a place already handed to it goes to the next guest.
    fn drop(&mut self) {
        let Some(id) = self.id else { return };
        let mut state = self.semaphore.state.lock().unwrap();
        if let Some(at) = state.granted.iter().position(|&g| g == id) {
            state.granted.swap_remove(at);
            let waker = state.release();
            drop(state);
            if let Some(waker) = waker {
                waker.wake();
            }
        } else {
            state.queue.retain(|(waiting, _)| *waiting != id);
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.semaphore.release();
    }
}
