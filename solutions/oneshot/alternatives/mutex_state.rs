//! Alternative: the whole channel is one `Mutex<State>` (an enum: waiting with a waker slot,
//! sent, taken, canceled) plus a receiver-gone flag: no atomics, no `UnsafeCell`, no `unsafe`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

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

enum State<T> {
    /// Nothing happened yet; the waker of the receiver's last `Pending` poll.
    Waiting(Option<Waker>),
    Sent(T),
    /// The receiver took the value.
    Taken,
    Canceled,
}

struct Shared<T> {
    state: State<T>,
    receiver_gone: bool,
}

/// The sending half: sends one value, once.
pub struct Sender<T> {
    shared: Option<Arc<Mutex<Shared<T>>>>,
}

/// The receiving half: a future of the value, or of [`Canceled`] if the sender was dropped
/// without sending.
pub struct Receiver<T> {
    shared: Arc<Mutex<Shared<T>>>,
}

/// A new channel: its two halves may live on different threads.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(
        Mutex::new(Shared {
            state: State::Waiting(None),
            receiver_gone: false,
        })
        .named("channel"),
    );
    let sender = Sender {
        shared: Some(Arc::clone(&shared)),
    };
    (sender, Receiver { shared })
}

/// Replaces the state with `next` and hands back the waker that waited, to wake outside the lock.
fn settle<T>(shared: &Mutex<Shared<T>>, next: State<T>) -> Option<Waker> {
    let mut shared = shared.lock().unwrap();
    match std::mem::replace(&mut shared.state, next) {
        State::Waiting(waker) => waker,
        _ => unreachable!("a oneshot sender settles the channel once"),
    }
}

impl<T> Sender<T> {
    /// Sends `value` and wakes the receiver if it waits. Returns `Err(value)` if the receiver
    /// was already dropped: the value is handed back, not lost.
    pub fn send(mut self, value: T) -> Result<(), T> {
        let shared = self.shared.take().expect("a sender sends once");
        let waker = {
            let mut guard = shared.lock().unwrap();
            if guard.receiver_gone {
                return Err(value);
            }
            match std::mem::replace(&mut guard.state, State::Sent(value)) {
                State::Waiting(waker) => waker,
                _ => unreachable!("a oneshot sender settles the channel once"),
            }
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            if let Some(waker) = settle(&shared, State::Canceled) {
                waker.wake();
            }
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, Canceled>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut shared = self.shared.lock().unwrap();
        match std::mem::replace(&mut shared.state, State::Taken) {
            State::Sent(value) => Poll::Ready(Ok(value)),
            State::Canceled => {
                shared.state = State::Canceled;
                Poll::Ready(Err(Canceled))
            }
            State::Taken => panic!("a oneshot receiver polled after it completed"),
            State::Waiting(waker) => {
                let waker = match waker {
                    Some(waker) if waker.will_wake(cx.waker()) => waker,
                    _ => cx.waker().clone(),
                };
                shared.state = State::Waiting(Some(waker));
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.lock().unwrap().receiver_gone = true;
    }
}
