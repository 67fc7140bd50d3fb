//! A oneshot channel: the value lives in an `UnsafeCell`, an atomic state says when it may be
//! read, and a waker slot behind a mutex says whom to wake.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use harness::cell::UnsafeCell;
use harness::sync::atomic::{AtomicUsize, Ordering};
use harness::sync::{Arc, Mutex};

/// The error a [`Receiver`] gets when its [`Sender`] was dropped without sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Canceled;

impl fmt::Display for Canceled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the sender was dropped without sending")
    }
}

impl std::error::Error for Canceled {}

/// The value is in the cell and may be read (published with `Release`, read after `Acquire`).
const SENT: usize = 1;
/// The sender was dropped without sending.
const SENDER_GONE: usize = 2;
/// The receiver was dropped: nobody will read the value.
const RECEIVER_GONE: usize = 4;

struct Inner<T> {
    state: AtomicUsize,
    /// Written by the sender before it sets `SENT`; read by the receiver after it saw `SENT`.
    value: UnsafeCell<Option<T>>,
    /// The waker of the receiver's most recent `Pending` poll.
    waker: Mutex<Option<Waker>>,
}

// SAFETY: the value is reached by one side at a time, as the `state` flags order it.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Inner<T> {}

impl<T> Inner<T> {
    /// Wakes the receiver if it waits (the waker is taken out first: never woken under the lock).
    fn wake_receiver(&self) {
        let waker = self.waker.lock().unwrap().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The sending half: sends one value, once.
pub struct Sender<T> {
    /// `None` once `send` ran (so that `Drop` knows not to cancel).
    inner: Option<Arc<Inner<T>>>,
}

/// The receiving half: a future of the value, or of [`Canceled`] if the sender was dropped
/// without sending.
pub struct Receiver<T> {
    inner: Arc<Inner<T>>,
}

/// A new channel: its two halves may live on different threads.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: AtomicUsize::new(0).named("state"),
        value: UnsafeCell::new(None),
        waker: Mutex::new(None).named("waker slot"),
    });
    let sender = Sender {
        inner: Some(Arc::clone(&inner)),
    };
    (sender, Receiver { inner })
}

impl<T> Sender<T> {
    /// Sends `value` and wakes the receiver if it waits. Returns `Err(value)` if the receiver
    /// was already dropped: the value is handed back, not lost.
    pub fn send(mut self, value: T) -> Result<(), T> {
        let inner = self.inner.take().expect("a sender sends once");
        if inner.state.load(Ordering::Acquire) & RECEIVER_GONE != 0 {
            return Err(value);
        }
        // SAFETY: the receiver reads the cell only after it saw `SENT`, which is not set yet.
        inner.value.with_mut(|slot| unsafe { *slot = Some(value) });
        let before = inner.state.fetch_or(SENT, Ordering::AcqRel);
        if before & RECEIVER_GONE != 0 {
            // The receiver left between the first look and now: it never reads the value.
            // SAFETY: nobody else reaches the cell any more.
            let value = inner.value.with_mut(|slot| unsafe { (*slot).take() });
            return Err(value.expect("the value was just stored"));
        }
        inner.wake_receiver();
        Ok(())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            inner.state.fetch_or(SENDER_GONE, Ordering::AcqRel);
            inner.wake_receiver();
        }
    }
}

impl<T> Receiver<T> {
    /// The outcome, if there is one yet.
    fn outcome(&self) -> Option<Result<T, Canceled>> {
        let state = self.inner.state.load(Ordering::Acquire);
        if state & SENT != 0 {
            // SAFETY: `SENT` was seen with `Acquire`: the sender's write happened before, and
            // the sender does not touch the cell again.
            let value = self.inner.value.with_mut(|slot| unsafe { (*slot).take() });
            Some(Ok(
                value.expect("a oneshot receiver polled after it completed")
            ))
        } else if state & SENDER_GONE != 0 {
            Some(Err(Canceled))
        } else {
            None
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, Canceled>;

    /// `Ready(Ok(value))` once the value was sent, `Ready(Err(Canceled))` once the sender was
    /// dropped without sending, `Pending` before: then the waker of `cx` (the most recent one)
    /// is woken when either happens.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(outcome) = self.outcome() {
            return Poll::Ready(outcome);
        }
        {
            let mut slot = self.inner.waker.lock().unwrap();
            if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *slot = Some(cx.waker().clone());
            }
        }
        // The sender may have acted between the first look and storing the waker, and found no
        // waker to wake: look again.
        match self.outcome() {
            Some(outcome) => Poll::Ready(outcome),
            None => Poll::Pending,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.inner.state.fetch_or(RECEIVER_GONE, Ordering::AcqRel);
    }
}
