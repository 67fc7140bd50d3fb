//! Checks for the `publish` kata: the receiver gets the sender's value whole, exactly once,
//! and only after it was put; a second put is refused.

use checks::refusal::refusal_message;
use harness::check::{mode, Checks, Mode};
use harness::thread;
use publish::mailbox;

fn main() {
    Checks::new()
        .sequential(
            "take before put is None, then the value once, then None",
            take_before_and_after_put,
        )
        .sequential(
            "a second put panics with a message, and the first value stays",
            second_put_is_refused,
        )
        .sequential(
            "a value put and never taken is dropped with the mailbox",
            untaken_value_is_dropped,
        )
        .concurrent(
            "a receiver that sees the flag set takes the whole value",
            receiver_polls_while_sender_puts,
        )
        .concurrent(
            "a receiver on a thread of its own takes the value whole, then or after the join",
            value_put_before_join_is_taken,
        )
        .run();
}

/// How many times the polling receiver tries before giving up, scaled to the mode's engine: the
/// model checker explores every interleaving of a few tries, real threads try until the value
/// comes.
fn tries() -> usize {
    match mode() {
        Mode::Model => 2,
        Mode::Explore => 20,
        _ => usize::MAX,
    }
}

/// The value the checks send: on the heap and several words long, so that a receiver reading
/// it before it is written would read a torn or dangling value.
fn letter() -> Vec<String> {
    vec![
        String::from("dear receiver"),
        String::from("the data is here"),
    ]
}

fn take_before_and_after_put() {
    let (sender, receiver) = mailbox();
    for attempt in 1..=2 {
        assert_eq!(
            receiver.take(),
            None,
            "take() before any put should return None (attempt {attempt})"
        );
    }
    sender.put(letter());
    assert_eq!(
        receiver.take(),
        Some(letter()),
        "take() after put(letter) should return the letter"
    );
    assert_eq!(
        receiver.take(),
        None,
        "take() after the value was taken should return None: it is taken once"
    );
}

fn second_put_is_refused() {
    let (sender, receiver) = mailbox();
    sender.put(1);
    let message = refusal_message(
        std::panic::AssertUnwindSafe(|| sender.put(2)),
        "a second put(2) after put(1) returned; it should panic (the mailbox is one-shot)",
    );
    assert!(
        !message.trim().is_empty(),
        "a second put panicked, but without a message saying why"
    );
    assert_eq!(
        receiver.take(),
        Some(1),
        "after put(1) and a refused put(2), take() should return the first value, 1"
    );
}

fn untaken_value_is_dropped() {
    let value = std::sync::Arc::new(());
    let (sender, receiver) = mailbox();
    sender.put(std::sync::Arc::clone(&value));
    drop(sender);
    drop(receiver);
    assert_eq!(
        std::sync::Arc::strong_count(&value),
        1,
        "a value put and never taken should be dropped when both ends are dropped"
    );
}

fn receiver_polls_while_sender_puts() {
    let (sender, receiver) = mailbox();
    let putter = thread::spawn(move || sender.put(letter()));
    let mut taken = None;
    for _ in 0..tries() {
        if let Some(value) = receiver.take() {
            taken = Some(value);
            break;
        }
        thread::yield_now();
    }
    putter.join().unwrap();
    match taken {
        Some(value) => assert_eq!(
            value,
            letter(),
            "take() returned a value other than the one put"
        ),
        // The receiver gave up before the sender was done; after the join it must be there.
        None => assert_eq!(
            receiver.take(),
            Some(letter()),
            "after the sender's thread was joined, take() should return the value it put"
        ),
    }
    assert_eq!(
        receiver.take(),
        None,
        "take() after the value was taken should return None: it is taken once"
    );
}

fn value_put_before_join_is_taken() {
    let (sender, receiver) = mailbox();
    let putter = thread::spawn(move || sender.put(letter()));
    let taker = thread::spawn(move || {
        let first = receiver.take();
        (first, receiver)
    });
    putter.join().unwrap();
    let (first, receiver) = taker.join().unwrap();
    let taken = match first {
        Some(value) => value,
        None => receiver
            .take()
            .expect("after both threads were joined, take() should return the value put"),
    };
    assert_eq!(
        taken,
        letter(),
        "take() returned a value other than the one put"
    );
}
