//! Alternative: the time is an `AtomicU64` read without a lock on the fast path; each delay
//! shares a slot (its deadline and a `Mutex<Option<Waker>>`) with the timer's list, and the time
//! moves only under the list's lock, so a delay that registers re-reads it under that lock.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use harness::sync::atomic::{AtomicU64, Ordering};
use harness::sync::{Arc, Mutex};

/// A clock that moves only when [`Timer::advance`] is called (from any thread), and wakes the
/// delays that are due.
pub struct Timer {
    now: AtomicU64,
    /// The slots of the delays not due yet. The time moves only under this lock.
    sleepers: Mutex<Vec<Arc<Slot>>>,
}

struct Slot {
    deadline: u64,
    waker: Mutex<Option<Waker>>,
}

/// A future that is ready once its timer has reached its deadline; made by [`Timer::sleep`].
pub struct Delay<'a> {
    timer: &'a Timer,
    deadline: u64,
    slot: Option<Arc<Slot>>,
}

impl Timer {
    /// A timer at time 0.
    pub fn new() -> Self {
        Timer {
            now: AtomicU64::new(0).named("now"),
            sleepers: Mutex::new(Vec::new()).named("sleepers"),
        }
    }

    /// The current time, in ticks since the timer was made.
    pub fn now(&self) -> u64 {
        self.now.load(Ordering::Acquire)
    }

    /// Moves time forward by `ticks` and wakes every delay that is now due. Callable from any
    /// thread.
    pub fn advance(&self, ticks: u64) {
        let due: Vec<Arc<Slot>> = {
            let mut sleepers = self.sleepers.lock().unwrap();
            let now = self.now.fetch_add(ticks, Ordering::AcqRel) + ticks;
            let (due, waiting) = std::mem::take(&mut *sleepers)
                .into_iter()
                .partition(|slot| slot.deadline <= now);
            *sleepers = waiting;
            due
        };
        for slot in due {
            let waker = slot.waker.lock().unwrap().take();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }

    /// A delay that is ready once `ticks` have passed from now: its deadline is `now() + ticks`.
    pub fn sleep(&self, ticks: u64) -> Delay<'_> {
        Delay {
            timer: self,
            deadline: self.now() + ticks,
            slot: None,
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

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.timer.now() >= this.deadline {
            return Poll::Ready(());
        }
        let mut sleepers = this.timer.sleepers.lock().unwrap();
        // Looked at again under the lock the time moves under: no `advance` can slip in until
        // the waker is in place.
        if this.timer.now() >= this.deadline {
            return Poll::Ready(());
        }
        match &this.slot {
            Some(slot) => {
                let mut waker = slot.waker.lock().unwrap();
                if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *waker = Some(cx.waker().clone());
                }
            }
            None => {
                let slot = Arc::new(Slot {
                    deadline: this.deadline,
                    waker: Mutex::new(Some(cx.waker().clone())).named("delay waker"),
                });
                sleepers.push(Arc::clone(&slot));
                this.slot = Some(slot);
            }
        }
        Poll::Pending
    }
}

impl Drop for Delay<'_> {
    /// A delay dropped before it was due leaves the timer's list.
    fn drop(&mut self) {
        if let Some(slot) = &self.slot {
            self.timer
                .sleepers
                .lock()
                .unwrap()
                .retain(|other| !Arc::ptr_eq(other, slot));
        }
    }
}
