//! Checks of the `mq_pubsub` kata: a publisher fans every message out to every subscriber
//! process, each on its own POSIX message queue.
//!
//! The promises: every subscriber gets every message published while it is subscribed (after
//! its `subscribe` returned, before it was dropped), in order, exactly once, and no message
//! published before; `publish` never waits for a subscriber, and returns how many got the
//! message; a subscriber whose queue was full is told exactly how many it missed
//! (`Event::Lagged(n)`) before the next message it gets; a subscriber that left or whose process
//! died is no longer counted, and the publisher does not fail; every queue is removed by the end
//! (the control queue by the publisher, a subscriber's by the subscriber, or by the publisher
//! when the subscriber's process died).
//!
//! The publisher runs in the check's process, the subscribers in child processes (the role
//! `subscriber`), which report every event they get as a status line.

use std::io::{BufRead, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use harness::check::Checks;
use harness::process::{self, Child};
use mq_pubsub::{Event, Publisher, Subscriber, MAX_CAPACITY, MAX_MESSAGE};

fn main() {
    Checks::new()
        .role("subscriber", subscriber)
        .sequential(
            "one subscriber gets every message published while it is subscribed, in order, once",
            one_subscriber,
        )
        .sequential(
            "an empty message and one of MAX_MESSAGE bytes arrive whole, a longer one is refused",
            message_sizes,
        )
        .sequential(
            "subscribe refuses a capacity out of range and a missing publisher",
            subscribe_refuses,
        )
        .sequential(
            "a queue of capacity MAX_CAPACITY holds that many, the next one is counted as missed",
            full_capacity,
        )
        .sequential(
            "subscribers joining over time each get every message published since they joined",
            subscribers_join_over_time,
        )
        .sequential(
            "a stalled subscriber (capacity 1) blocks no one, then learns exactly how many it missed",
            || stalled_subscriber(1),
        )
        .sequential(
            "a stalled subscriber (capacity 3) blocks no one, then learns exactly how many it missed",
            || stalled_subscriber(3),
        )
        .sequential(
            "a subscriber that leaves is no longer counted, its queue removed",
            subscriber_leaves,
        )
        .sequential(
            "subscribers killed mid-run do not make the publisher fail and are no longer counted",
            subscribers_killed,
        )
        .concurrent(
            "subscribers joining while messages stream in miss none without being told",
            streaming,
        )
        .run();
}

/// How long one `publish` may take (a correct one never waits: microseconds).
const PUBLISH: Duration = Duration::from_secs(2);

/// How long a subscriber may take to get a message (a correct one needs microseconds). A
/// round of a check has 5 s in all: a wrong subscriber must fail the check well before that.
const WAIT: Duration = Duration::from_secs(2);

/// How long a subscriber process may take to start (and subscribe) or to end.
const START: Duration = Duration::from_secs(4);

// --- The subscriber role ---------------------------------------------------------------------

/// `subscriber CONTROL QUEUE CAPACITY STALL LEAVE_AFTER`: subscribes with its own queue QUEUE
/// of CAPACITY messages and reports "subscribed"; with STALL = `stall` reports "stalled" and
/// reads nothing until a line arrives on stdin. Then it reports every event as the status
/// `event K: message TEXT` or `event K: lagged N` (K from 1), until the message `end` (then it
/// drops its subscriber and reports "done"), or until it got LEAVE_AFTER events (when not 0:
/// then it drops its subscriber, reports "left", and waits for its stdin to end before it
/// exits).
fn subscriber() {
    let args = process::role_args();
    let capacity: usize = args[2].parse().expect("a capacity");
    let stall = args[3] == "stall";
    let leave_after: usize = args[4].parse().expect("a number of events");
    let mut subscriber = Subscriber::subscribe(&args[0], &args[1], capacity)
        .unwrap_or_else(|err| panic!("Subscriber::subscribe failed: {err}"));
    process::status("subscribed");
    let mut stdin = std::io::stdin().lock();
    if stall {
        process::status("stalled");
        let mut line = String::new();
        let _ = stdin.read_line(&mut line);
    }
    for k in 1.. {
        let event = subscriber
            .recv()
            .unwrap_or_else(|err| panic!("Subscriber::recv failed: {err}"));
        let text = describe(&event);
        process::status(&format!("event {k}: {text}"));
        if k == leave_after {
            drop(subscriber);
            process::status("left");
            let _ = std::io::copy(&mut stdin, &mut std::io::sink());
            return;
        }
        if event == Event::Message(b"end".to_vec()) {
            drop(subscriber);
            process::status("done");
            return;
        }
    }
}

/// An event as the checks write it: `message TEXT` (`message (empty)`, or `message (N bytes of
/// C)` for a long message of one byte repeated) or `lagged N`.
fn describe(event: &Event) -> String {
    match event {
        Event::Message(bytes) if bytes.is_empty() => "message (empty)".to_owned(),
        Event::Message(bytes) if bytes.len() > 64 && bytes.iter().all(|&b| b == bytes[0]) => {
            format!(
                "message ({} bytes of {})",
                bytes.len(),
                char::from(bytes[0])
            )
        }
        Event::Message(bytes) => format!("message {}", String::from_utf8_lossy(bytes)),
        Event::Lagged(n) => format!("lagged {n}"),
    }
}

// --- The check's side ------------------------------------------------------------------------

/// A subscriber process and the name of its queue.
struct Sub {
    child: Child,
    queue: String,
    capacity: usize,
}

/// How a subscriber process behaves.
#[derive(Clone, Copy, PartialEq)]
enum Behaviour {
    /// Reads every event until the message `end`.
    Reads,
    /// Reads nothing until a line arrives on its stdin.
    Stalls,
    /// Leaves (drops its subscriber) after this many events.
    LeavesAfter(usize),
}

impl Sub {
    /// Starts a subscriber process and waits until its `subscribe` returned (and, for a stalled
    /// one, until it stalls).
    fn start(control: &str, capacity: usize, behaviour: Behaviour) -> Sub {
        let queue = process::queue_name("subscriber");
        let leave_after = match behaviour {
            Behaviour::LeavesAfter(n) => n,
            _ => 0,
        };
        let stall = if behaviour == Behaviour::Stalls {
            "stall"
        } else {
            "read"
        };
        let child = Child::spawn(
            "subscriber",
            &[
                control,
                &queue,
                &capacity.to_string(),
                stall,
                &leave_after.to_string(),
            ],
        );
        let sub = Sub {
            child,
            queue,
            capacity,
        };
        sub.wait_status("subscribed");
        if behaviour == Behaviour::Stalls {
            sub.wait_status("stalled");
        }
        sub
    }

    /// Waits for the status `text`; fails the check if the process ended first or took too
    /// long.
    fn wait_status(&self, text: &str) {
        self.child
            .wait_for_status(text, START)
            .unwrap_or_else(|err| panic!("{err}"));
    }

    /// The events the subscriber reported so far, as `message TEXT` or `lagged N`.
    fn events(&self) -> Vec<String> {
        self.child
            .statuses()
            .iter()
            .filter_map(|status| status.strip_prefix("event "))
            .filter_map(|rest| rest.split_once(": ").map(|(_, event)| event.to_owned()))
            .collect()
    }

    /// Waits until the subscriber reported as many events as `expected` has (at most
    /// [`WAIT`]), and checks that they are exactly `expected`.
    fn expect_events(&self, expected: &[String], when: &str) {
        let deadline = Instant::now() + WAIT;
        let mut events = self.events();
        while events.len() < expected.len() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
            events = self.events();
        }
        assert!(
            events == expected,
            "{when}, subscriber `{}` (capacity {}) should have got exactly\n  {expected:?}\nbut \
             it got\n  {events:?}\n(every message published while it is subscribed, in order, \
             once, and `lagged N` before the first message after N dropped ones)",
            self.child.name(),
            self.capacity,
        );
    }

    /// Ends its stall (or its wait after leaving): one line on its stdin.
    fn release(&mut self) {
        let stdin = self.child.stdin().expect("piped stdin");
        stdin
            .write_all(b"go\n")
            .expect("the subscriber reads its stdin");
        stdin.flush().expect("the subscriber reads its stdin");
        drop(self.child.take_stdin());
    }

    /// Waits for the process to end successfully.
    fn finish(&mut self) {
        self.child
            .finish(START)
            .unwrap_or_else(|err| panic!("a subscriber did not end well: {err}"));
    }
}

/// The publisher, driven from this process: every `publish` runs on a helper thread, so that a
/// publisher that waits for a subscriber is reported as a hang instead of hanging the check.
struct Hub {
    publisher: Option<Publisher>,
}

impl Hub {
    fn create(control: &str) -> Hub {
        let publisher = Publisher::create(control)
            .unwrap_or_else(|err| panic!("Publisher::create({control:?}) failed: {err}"));
        Hub {
            publisher: Some(publisher),
        }
    }

    /// Publishes `message` and returns how many subscribers got it.
    fn publish(&mut self, message: &str) -> usize {
        self.try_publish(message)
            .unwrap_or_else(|err| panic!("publish({message:?}) failed: {err}"))
    }

    /// Publishes `message` and returns what `publish` returned.
    fn try_publish(&mut self, message: &str) -> std::io::Result<usize> {
        let mut publisher = self.publisher.take().expect("the publisher is back");
        let bytes = message.as_bytes().to_vec();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let result = publisher.publish(&bytes);
            let _ = tx.send((publisher, result));
        });
        let (publisher, result) = rx.recv_timeout(PUBLISH).unwrap_or_else(|_| {
            process::hang(format!(
                "publish({message:?}) had not returned after {:.0} s: the publisher waited for \
                 a subscriber (one whose queue is full?) instead of dropping the message for it \
                 alone",
                PUBLISH.as_secs_f64()
            ))
        });
        self.publisher = Some(publisher);
        result
    }

    /// Publishes `message` and checks that `expected` subscribers got it.
    fn publish_to(&mut self, message: &str, expected: usize, why: &str) {
        let got = self.publish(message);
        assert!(
            got == expected,
            "publish({message:?}) returned {got} (how many subscribers got the message), but it \
             should be {expected}: {why}"
        );
    }

    /// Drops the publisher.
    fn close(mut self) {
        drop(self.publisher.take());
    }
}

/// `message TEXT`, as a subscriber reports it.
fn message(text: &str) -> String {
    format!("message {text}")
}

/// Fails the check with `leak` if a queue is left.
fn assert_no_queue_left(when: &str) {
    let left = process::queues_left();
    if !left.is_empty() {
        harness::detect::leaked(format!(
            "{when}, these message queues still exist: {left:?} (the publisher removes the \
             control queue when dropped, a subscriber its own queue when dropped, and the \
             publisher the queue of a subscriber whose process died)"
        ));
    }
}

/// Fails the check with `leak` if the queue of `sub` still exists.
fn assert_queue_gone(sub: &Sub, when: &str) {
    if process::queue_exists(&sub.queue) {
        harness::detect::leaked(format!(
            "{when}, the queue {} of subscriber `{}` still exists",
            sub.queue,
            sub.child.name()
        ));
    }
}

// --- Sequential checks -----------------------------------------------------------------------

fn one_subscriber() {
    let control = process::queue_name("control");
    let mut hub = Hub::create(&control);
    hub.publish_to("before", 0, "nobody has subscribed yet");
    let mut sub = Sub::start(&control, 3, Behaviour::Reads);
    let mut expected = Vec::new();
    for round in 0..3 {
        // Never more at once than its queue holds: nothing may be dropped here.
        for i in 0..3 {
            let text = format!("m{round}.{i}");
            hub.publish_to(&text, 1, "one subscriber, with room in its queue");
            expected.push(message(&text));
        }
        sub.expect_events(
            &expected,
            &format!("after round {} of 3 messages", round + 1),
        );
    }
    hub.publish_to("end", 1, "one subscriber, with room in its queue");
    expected.push(message("end"));
    sub.finish();
    sub.expect_events(&expected, "at the end");
    assert_queue_gone(&sub, "after the subscriber was dropped");
    hub.close();
    assert_no_queue_left("after the publisher and the subscriber were dropped");
}

fn message_sizes() {
    let control = process::queue_name("control");
    let mut hub = Hub::create(&control);
    let mut sub = Sub::start(&control, 2, Behaviour::Reads);
    hub.publish_to("", 1, "an empty message is a message");
    let longest = "x".repeat(MAX_MESSAGE);
    hub.publish_to(&longest, 1, "a message of MAX_MESSAGE bytes is allowed");
    let expected = [
        "message (empty)".to_owned(),
        format!("message ({MAX_MESSAGE} bytes of x)"),
    ];
    sub.expect_events(
        &expected,
        "after an empty message and one of MAX_MESSAGE bytes",
    );
    let too_long = "y".repeat(MAX_MESSAGE + 1);
    match hub.try_publish(&too_long) {
        Err(err) if err.kind() == std::io::ErrorKind::InvalidInput => {}
        other => panic!(
            "publish of a message of MAX_MESSAGE + 1 = {} bytes should fail with an error of \
             kind InvalidInput, not return {other:?}",
            MAX_MESSAGE + 1
        ),
    }
    hub.publish_to("end", 1, "one subscriber, with room in its queue");
    sub.finish();
    sub.expect_events(
        &[expected[0].clone(), expected[1].clone(), message("end")],
        "at the end (a refused message must reach nobody)",
    );
    hub.close();
    assert_no_queue_left("after the publisher and the subscriber were dropped");
}

fn subscribe_refuses() {
    let control = process::queue_name("control");
    let queue = process::queue_name("subscriber");
    match Subscriber::subscribe(&control, &queue, 1) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => panic!(
            "Subscriber::subscribe with no publisher should fail with an error of kind \
             NotFound, not {err:?}"
        ),
        Ok(_) => panic!("Subscriber::subscribe succeeded although there is no publisher"),
    }
    assert_no_queue_left("after a subscribe failed for want of a publisher");
    let hub = Hub::create(&control);
    for capacity in [0, MAX_CAPACITY + 1] {
        match Subscriber::subscribe(&control, &queue, capacity) {
            Err(err) if err.kind() == std::io::ErrorKind::InvalidInput => {}
            Err(err) => panic!(
                "Subscriber::subscribe with capacity {capacity} should fail with an error of \
                 kind InvalidInput, not {err:?}"
            ),
            Ok(_) => panic!(
                "Subscriber::subscribe accepted capacity {capacity} (it must be 1 to \
                 MAX_CAPACITY = {MAX_CAPACITY})"
            ),
        }
    }
    assert!(
        !process::queue_exists(&queue),
        "a subscribe refused for its capacity left its queue {queue} behind"
    );
    hub.close();
    assert_no_queue_left("after the publisher was dropped");
}

/// A subscriber in this very process, of capacity [`MAX_CAPACITY`].
fn full_capacity() {
    let control = process::queue_name("control");
    let mut hub = Hub::create(&control);
    let queue = process::queue_name("subscriber");
    let mut subscriber = Subscriber::subscribe(&control, &queue, MAX_CAPACITY)
        .unwrap_or_else(|err| panic!("Subscriber::subscribe failed: {err}"));
    for i in 0..MAX_CAPACITY {
        hub.publish_to(
            &format!("m{i}"),
            1,
            &format!("a queue of capacity {MAX_CAPACITY} holds {i} messages"),
        );
    }
    for i in MAX_CAPACITY..MAX_CAPACITY + 2 {
        hub.publish_to(
            &format!("m{i}"),
            0,
            &format!("the queue of capacity {MAX_CAPACITY} is full"),
        );
    }
    let mut events = Vec::new();
    for _ in 0..MAX_CAPACITY {
        events.push(describe(&subscriber.recv().expect("recv")));
    }
    hub.publish_to("end", 1, "the subscriber emptied its queue");
    // `lagged 2` then `end` are due: read up to two more events, stopping at `end`.
    for _ in 0..2 {
        let event = describe(&subscriber.recv().expect("recv"));
        events.push(event);
        if events.last() == Some(&message("end")) {
            break;
        }
    }
    let mut expected: Vec<String> = (0..MAX_CAPACITY)
        .map(|i| message(&format!("m{i}")))
        .collect();
    expected.extend(["lagged 2".to_owned(), message("end")]);
    assert!(
        events == expected,
        "a subscriber of capacity {MAX_CAPACITY} read nothing while {} messages were \
         published, then read; it should have got\n  {expected:?}\nbut it got\n  {events:?}",
        MAX_CAPACITY + 2
    );
    drop(subscriber);
    hub.close();
    assert_no_queue_left("after the publisher and the subscriber were dropped");
}

fn subscribers_join_over_time() {
    let control = process::queue_name("control");
    let mut hub = Hub::create(&control);
    hub.publish_to("nobody", 0, "nobody has subscribed yet");
    let mut subs: Vec<Sub> = Vec::new();
    let mut expected: Vec<Vec<String>> = Vec::new();
    let mut n = 0;
    for (capacity, messages) in [(1, 2), (4, 3), (2, 3)] {
        subs.push(Sub::start(&control, capacity, Behaviour::Reads));
        expected.push(Vec::new());
        for _ in 0..messages {
            let text = format!("m{n}");
            n += 1;
            hub.publish_to(
                &text,
                subs.len(),
                &format!(
                    "{} subscriber process(es) had subscribed (their `subscribe` had returned) \
                     before it was published",
                    subs.len()
                ),
            );
            for (sub, expected) in subs.iter().zip(&mut expected) {
                expected.push(message(&text));
                sub.expect_events(expected, &format!("after {text} was published"));
            }
        }
    }
    hub.publish_to("end", subs.len(), "every subscriber is still subscribed");
    for (sub, expected) in subs.iter_mut().zip(&mut expected) {
        expected.push(message("end"));
        sub.finish();
        sub.expect_events(expected, "at the end");
    }
    hub.close();
    assert_no_queue_left("after the publisher and every subscriber were dropped");
}

/// A subscriber of `capacity` stalls while its queue fills and 5 more messages are published:
/// the publisher must not wait, another subscriber must get each message at once, and the
/// stalled one must then learn it missed exactly 5, and get the messages after them.
fn stalled_subscriber(capacity: usize) {
    let control = process::queue_name("control");
    let mut hub = Hub::create(&control);
    let mut fast = Sub::start(&control, 1, Behaviour::Reads);
    let mut slow = Sub::start(&control, capacity, Behaviour::Stalls);
    let mut fast_expected = Vec::new();
    let mut slow_expected = Vec::new();
    let mut n = 0;
    let mut publish = |hub: &mut Hub, to: usize, why: &str| {
        let text = format!("m{n}");
        n += 1;
        hub.publish_to(&text, to, why);
        fast_expected.push(message(&text));
        fast.expect_events(&fast_expected, &format!("after {text} was published"));
        text
    };
    for _ in 0..capacity {
        let text = publish(&mut hub, 2, "the stalled subscriber's queue still has room");
        slow_expected.push(message(&text));
    }
    for _ in 0..5 {
        publish(
            &mut hub,
            1,
            "the stalled subscriber's queue is full: only the other one gets it",
        );
    }
    slow.release();
    slow.expect_events(
        &slow_expected,
        "once it read again (its queue was full, 5 more were dropped for it)",
    );
    slow_expected.push("lagged 5".to_owned());
    for _ in 0..capacity {
        let text = publish(&mut hub, 2, "the stalled subscriber emptied its queue");
        slow_expected.push(message(&text));
        slow.expect_events(
            &slow_expected,
            "after its queue was full while 5 messages were published, and it read again",
        );
    }
    hub.publish_to("end", 2, "both subscribers have room");
    for (sub, expected) in [
        (&mut fast, &mut fast_expected),
        (&mut slow, &mut slow_expected),
    ] {
        expected.push(message("end"));
        sub.finish();
        sub.expect_events(expected, "at the end");
    }
    hub.close();
    assert_no_queue_left("after the publisher and both subscribers were dropped");
}

fn subscriber_leaves() {
    let control = process::queue_name("control");
    let mut hub = Hub::create(&control);
    let mut stays = Sub::start(&control, 2, Behaviour::Reads);
    let mut leaves = Sub::start(&control, 2, Behaviour::LeavesAfter(2));
    let mut expected = Vec::new();
    for text in ["m0", "m1"] {
        hub.publish_to(text, 2, "both are subscribed");
        expected.push(message(text));
        stays.expect_events(&expected, &format!("after {text} was published"));
        leaves.expect_events(&expected, &format!("after {text} was published"));
    }
    leaves.wait_status("left");
    assert_queue_gone(&leaves, "once a subscriber was dropped");
    for text in ["m2", "m3"] {
        hub.publish_to(
            text,
            1,
            "the other subscriber was dropped (its process is still running)",
        );
        expected.push(message(text));
        stays.expect_events(&expected, &format!("after {text} was published"));
    }
    let mut again = Sub::start(&control, 1, Behaviour::Reads);
    hub.publish_to("end", 2, "one stayed and a new one subscribed");
    expected.push(message("end"));
    stays.finish();
    stays.expect_events(&expected, "at the end");
    again.finish();
    again.expect_events(&[message("end")], "at the end");
    leaves.release();
    leaves.finish();
    leaves.expect_events(&expected[..2], "after it left");
    hub.close();
    assert_no_queue_left("after the publisher and every subscriber were dropped");
}

fn subscribers_killed() {
    let control = process::queue_name("control");
    let mut hub = Hub::create(&control);
    let mut stays = Sub::start(&control, 2, Behaviour::Reads);
    let mut reading = Sub::start(&control, 2, Behaviour::Reads);
    let mut full = Sub::start(&control, 1, Behaviour::Stalls);
    let mut expected = Vec::new();
    hub.publish_to("m0", 3, "all three are subscribed with room");
    hub.publish_to("m1", 2, "the stalled subscriber's queue is full");
    expected.extend([message("m0"), message("m1")]);
    stays.expect_events(&expected, "after m1");
    reading.expect_events(&expected, "after m1");
    // One waits in `recv` on an empty queue, one never reads its full queue: kill both.
    for sub in [&mut reading, &mut full] {
        sub.child.kill();
        sub.child
            .wait(START)
            .unwrap_or_else(|err| process::hang(err));
    }
    for text in ["m2", "m3"] {
        hub.publish_to(text, 1, "the two other subscribers were killed");
        expected.push(message(text));
        stays.expect_events(&expected, &format!("after {text} was published"));
    }
    assert_queue_gone(
        &reading,
        "after a publish found its subscriber's process dead",
    );
    assert_queue_gone(&full, "after a publish found its subscriber's process dead");
    hub.publish_to("end", 1, "the two other subscribers were killed");
    expected.push(message("end"));
    stays.finish();
    stays.expect_events(&expected, "at the end");
    hub.close();
    assert_no_queue_left("after the publisher and every subscriber were dropped or killed");
}

// --- Concurrent (stress) check ---------------------------------------------------------------

/// Three subscribers (capacities 1, 3 and 10) join while 90 messages are published as fast as
/// possible: each must get a gapless run (every gap announced as `lagged N` with the exact N)
/// that starts with the first message published after its `subscribe` returned, and
/// the subscribers together must get exactly as many messages as `publish` said it delivered.
fn streaming() {
    const MESSAGES: usize = 90;
    let control = process::queue_name("control");
    let mut hub = Hub::create(&control);
    let mut subs: Vec<(Sub, usize)> = Vec::new();
    let mut delivered = 0;
    for k in 0..MESSAGES {
        if k % 30 == 0 {
            let capacity = [1, 3, 10][k / 30];
            subs.push((Sub::start(&control, capacity, Behaviour::Reads), k));
        }
        delivered += hub.publish(&format!("d{k}"));
    }
    let deadline = Instant::now() + WAIT;
    while !subs
        .iter()
        .all(|(sub, _)| sub.child.statuses().iter().any(|s| s == "done"))
    {
        assert!(
            Instant::now() < deadline,
            "the message `end` was published again and again for {:.0} s, and not every \
             subscriber got it",
            WAIT.as_secs_f64()
        );
        hub.publish("end");
        std::thread::sleep(Duration::from_millis(2));
    }
    let mut received = 0;
    for (sub, joined) in &mut subs {
        sub.finish();
        let events = sub.events();
        received += check_run(sub, *joined, MESSAGES, &events);
    }
    assert!(
        received == delivered,
        "publish said it delivered {delivered} of the {MESSAGES} messages in all, but the \
         subscribers got {received}"
    );
    hub.close();
    assert_no_queue_left("after the publisher and every subscriber were dropped");
}

/// Checks that `events` are a gapless run of `d{k}` messages from `d{joined}` on (dropped ones
/// announced by `lagged N`), then `end` (which may come after a lag too, as `end` is published
/// again and again): how many `d` messages it holds.
fn check_run(sub: &Sub, joined: usize, messages: usize, events: &[String]) -> usize {
    let name = sub.child.name();
    let wrong = |what: &str| -> ! {
        panic!(
            "subscriber `{name}` (capacity {}) subscribed just before d{joined} was published, \
             and got {events:?}: {what}",
            sub.capacity
        )
    };
    let mut next = joined;
    let mut lag = 0;
    let mut got = 0;
    for (i, event) in events.iter().enumerate() {
        if let Some(n) = event.strip_prefix("lagged ") {
            if i == 0 || lag > 0 {
                wrong(
                    "`lagged N` comes only right before a message, never first (its queue had \
                     room for the first one) nor twice in a row",
                );
            }
            lag = n.parse().expect("a number");
            continue;
        }
        let text = event.strip_prefix("message ").expect("a message");
        let Some(k) = text.strip_prefix('d') else {
            if next + lag < messages {
                wrong(&format!(
                    "`end` came although d{} was neither received nor counted as missed",
                    next + lag
                ));
            }
            return got;
        };
        let k: usize = k.parse().expect("a number");
        if k != next + lag {
            wrong(&format!(
                "d{} should have come next (the first one is the one published right after \
                 it subscribed; after each message comes the next one, or `lagged N` and the \
                 one N further)",
                next + lag
            ));
        }
        got += 1;
        next = k + 1;
        lag = 0;
    }
    wrong("it never got the message `end`")
}
