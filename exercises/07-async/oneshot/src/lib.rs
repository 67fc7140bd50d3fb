//! An async oneshot channel: one value, sent once from any thread, awaited by one receiver.
//!
//! Read the lesson first: `cargo xtask lesson oneshot`.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

// Useful here: `harness::cell::UnsafeCell` (the value), `harness::sync::atomic::{AtomicUsize,
// Ordering}` (a state flag), `harness::sync::{Arc, Mutex}` (shared state, the waker slot) and
// `std::task::Waker`.

/// The error a [`Receiver`] gets when its [`Sender`] was dropped without sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Canceled;

impl fmt::Display for Canceled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the sender was dropped without sending")
    }
}

impl std::error::Error for Canceled {}

/// The sending half: sends one value, once.
pub struct Sender<T> {
    // TODO: the state shared with the receiver.
    _value: PhantomData<T>,
}

/// The receiving half: a future of the value, or of [`Canceled`] if the sender was dropped
/// without sending.
pub struct Receiver<T> {
    // TODO: the state shared with the sender.
    _value: PhantomData<T>,
}

/// A new channel: its two halves may live on different threads.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    // TODO
    todo!("oneshot::channel")
}

impl<T> Sender<T> {
    /// Sends `value` and wakes the receiver if it waits. Returns `Err(value)` if the receiver
    /// was already dropped: the value is handed back, not lost.
    pub fn send(self, value: T) -> Result<(), T> {
        // TODO: store the value, then tell the receiver (a flag it can trust), then wake it.
        drop(value);
        todo!("Sender::send")
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, Canceled>;

    /// `Ready(Ok(value))` once the value was sent, `Ready(Err(Canceled))` once the sender was
    /// dropped without sending, `Pending` before: then the waker of `cx` (the most recent one)
    /// is woken when either happens.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // TODO: look at the state; if nothing happened yet, store the waker so that the sender
        // can wake it. Beware the sender acting between your look and your store.
        let _ = cx;
        todo!("Receiver::poll")
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // TODO: a sender dropped without sending cancels the receiver (and wakes it).
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // TODO: once the receiver is gone, a later `send` returns `Err(value)`.
    }
}
