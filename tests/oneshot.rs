//! Checks of the `oneshot` kata: an async channel that carries one value.
//!
//! The promises: the receiver completes with the value once it was sent, or with `Canceled`
//! once the sender was dropped without sending; before that it is `Pending` and the waker of
//! its most recent poll is woken when either happens (from any thread); `send` after the
//! receiver was dropped hands the value back; every value is dropped exactly once; and the value
//! is handed from thread to thread safely (the model checker watches every access to it).

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use checks::threads::spawn_named;
use checks::waker::counting_waker;
use harness::check::Checks;
use harness::future::{block_on, judge, Probe};
use oneshot::{channel, Canceled};

fn main() {
    Checks::new()
        .sequential(
            "a value sent before the first poll is received",
            sent_before_poll,
        )
        .sequential(
            "dropping the sender without sending cancels the receiver",
            dropped_sender_cancels,
        )
        .sequential(
            "send after the receiver was dropped hands the value back",
            send_after_receiver_dropped,
        )
        .sequential(
            "a waiting receiver is woken by send",
            waiting_receiver_woken_by_send,
        )
        .sequential(
            "a waiting receiver is woken when the sender is dropped",
            waiting_receiver_woken_by_drop,
        )
        .sequential(
            "the waker of the most recent poll is the one woken",
            most_recent_waker_is_woken,
        )
        .sequential("every value is dropped exactly once", values_dropped_once)
        .concurrent(
            "a value sent from another thread arrives",
            value_from_another_thread,
        )
        .concurrent(
            "a sender dropped on another thread cancels the receiver",
            cancel_from_another_thread,
        )
        .concurrent(
            "a receiver dropped while the value is sent: the value is dropped exactly once",
            receiver_dropped_while_sending,
        )
        .run();
}

/// A value that counts how often it is dropped.
struct Counted(std::sync::Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn sent_before_poll() {
    let (tx, rx) = channel();
    assert_eq!(
        tx.send(7),
        Ok(()),
        "send(7) failed although the receiver is alive"
    );
    assert_eq!(
        block_on(rx),
        Ok(7),
        "7 was sent before the receiver was polled, but it did not receive Ok(7)"
    );
}

fn dropped_sender_cancels() {
    let (tx, rx) = channel::<u32>();
    drop(tx);
    assert_eq!(
        block_on(rx),
        Err(Canceled),
        "the sender was dropped without sending, but the receiver did not get Err(Canceled)"
    );
}

fn send_after_receiver_dropped() {
    let (tx, rx) = channel();
    drop(rx);
    assert_eq!(
        tx.send(String::from("hello")),
        Err(String::from("hello")),
        "the receiver was dropped, so send(\"hello\") must return Err(\"hello\")"
    );
}

fn waiting_receiver_woken_by_send() {
    let (tx, rx) = channel();
    let (rx, stats) = Probe::new("receiver", rx);
    let mut rx = pin!(rx);
    let (waker, _) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    assert_eq!(
        rx.as_mut().poll(&mut cx),
        Poll::Pending,
        "nothing was sent yet, but the receiver's first poll was not Pending"
    );
    assert_eq!(
        tx.send(5),
        Ok(()),
        "send(5) failed although the receiver is alive"
    );
    assert!(
        stats.wakes() > 0,
        "the receiver returned Pending, then the value was sent, but its waker was never woken: \
         an executor would never poll it again"
    );
    assert_eq!(
        rx.as_mut().poll(&mut cx),
        Poll::Ready(Ok(5)),
        "after send(5) the receiver's next poll should be Ready(Ok(5))"
    );
    judge(&[stats]);
}

fn waiting_receiver_woken_by_drop() {
    let (tx, rx) = channel::<u32>();
    let (rx, stats) = Probe::new("receiver", rx);
    let mut rx = pin!(rx);
    let (waker, _) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    assert_eq!(
        rx.as_mut().poll(&mut cx),
        Poll::Pending,
        "nothing was sent yet, but the receiver's first poll was not Pending"
    );
    drop(tx);
    assert!(
        stats.wakes() > 0,
        "the receiver returned Pending, then the sender was dropped without sending, but the \
         receiver's waker was never woken: it would wait forever for a value that never comes"
    );
    assert_eq!(
        rx.as_mut().poll(&mut cx),
        Poll::Ready(Err(Canceled)),
        "after the sender was dropped the receiver's next poll should be Ready(Err(Canceled))"
    );
}

fn most_recent_waker_is_woken() {
    let (tx, rx) = channel();
    let mut rx = pin!(rx);
    let (first, first_count) = counting_waker();
    let (second, second_count) = counting_waker();
    assert_eq!(
        rx.as_mut().poll(&mut Context::from_waker(&first)),
        Poll::Pending,
        "nothing was sent yet, but the first poll was not Pending"
    );
    // The task moved (say, to another executor thread): it is polled with another waker.
    assert_eq!(
        rx.as_mut().poll(&mut Context::from_waker(&second)),
        Poll::Pending,
        "nothing was sent yet, but the second poll was not Pending"
    );
    assert_eq!(
        tx.send(1),
        Ok(()),
        "send(1) failed although the receiver is alive"
    );
    assert!(
        second_count.wakes() > 0,
        "the receiver was polled with waker A, then with waker B, then the value was sent: \
         B must be woken (it is the one the executor listens to now), but it was not \
         (A was woken {} time(s))",
        first_count.wakes()
    );
    assert_eq!(
        rx.as_mut().poll(&mut Context::from_waker(&second)),
        Poll::Ready(Ok(1)),
        "after send(1) the next poll should be Ready(Ok(1))"
    );
}

fn values_dropped_once() {
    let drops = std::sync::Arc::new(AtomicUsize::new(0));
    // Sent, never received: the channel drops it when both halves are gone.
    let (tx, rx) = channel();
    assert!(
        tx.send(Counted(drops.clone())).is_ok(),
        "send failed although the receiver is alive"
    );
    drop(rx);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "a value was sent, then the receiver was dropped without receiving it: the value \
         should be dropped once, but was dropped {} time(s)",
        drops.load(Ordering::SeqCst)
    );
    // Received: the caller owns it.
    let (tx, rx) = channel();
    assert!(
        tx.send(Counted(drops.clone())).is_ok(),
        "send failed although the receiver is alive"
    );
    let value = block_on(rx);
    assert!(value.is_ok(), "the value was sent but not received");
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "a received value was dropped by the channel while the caller still owns it"
    );
    drop(value);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        2,
        "a received value was dropped twice"
    );
    // Handed back by send.
    let (tx, rx) = channel();
    drop(rx);
    let back = tx.send(Counted(drops.clone()));
    assert!(
        back.is_err(),
        "the receiver was dropped, so send must return Err(value)"
    );
    assert_eq!(
        drops.load(Ordering::SeqCst),
        2,
        "send returned the value, yet the channel dropped it too"
    );
    drop(back);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        3,
        "a returned value was dropped twice"
    );
}

fn value_from_another_thread() {
    let (tx, rx) = channel();
    let sender = spawn_named("sender", move || {
        assert_eq!(
            tx.send(42),
            Ok(()),
            "send(42) failed although the receiver is alive"
        );
    });
    let (rx, stats) = Probe::new("receiver", rx);
    assert_eq!(
        block_on(rx),
        Ok(42),
        "the receiver did not get the 42 sent from another thread"
    );
    sender.join().unwrap();
    judge(&[stats]);
}

fn cancel_from_another_thread() {
    let (tx, rx) = channel::<u32>();
    let sender = spawn_named("sender", move || drop(tx));
    assert_eq!(
        block_on(rx),
        Err(Canceled),
        "the sender was dropped on another thread without sending, but the receiver did not \
         get Err(Canceled)"
    );
    sender.join().unwrap();
}

fn receiver_dropped_while_sending() {
    let drops = std::sync::Arc::new(AtomicUsize::new(0));
    let (tx, rx) = channel();
    let receiver = spawn_named("receiver", move || drop(rx));
    let back = tx.send(Counted(drops.clone()));
    receiver.join().unwrap();
    drop(back);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the receiver was dropped while the value was sent; once everything is gone the value \
         should have been dropped once, but it was dropped {} time(s)",
        drops.load(Ordering::SeqCst)
    );
}
