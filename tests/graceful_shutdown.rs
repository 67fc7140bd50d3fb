//! Checks of the `graceful_shutdown` kata: a worker that processes every message it accepted and
//! then stops, however the shutdown comes.
//!
//! The promises: every message whose `send` returned `Ok` is processed exactly once, to the end,
//! in the order sent, and its result is in what `shutdown` returns; `shutdown` finishes, even
//! with clients still alive and even when it is asked before the worker ever ran; after it, `send`
//! gives the message back.
//!
//! The handler is the check's: it records when it starts and when it finishes a message, and
//! takes 10 ms of tokio's clock. The scenarios run on a current-thread runtime whose time is
//! paused: the clock jumps ahead whenever every task waits, so "shutdown comes 15 ms after the
//! first message, while the second is being processed" happens exactly so, every run. A shutdown
//! that never finishes fails after a minute of that virtual time, with a message.

use std::sync::Mutex;
use std::time::Instant;

use graceful_shutdown::tokio;
use graceful_shutdown::{Client, Service};
use harness::check::Checks;
use harness::sync::Arc;
use tokio::time::{sleep, timeout, Duration};

/// How long a shutdown may take, in virtual time, before the check calls it stuck.
const PATIENCE: Duration = Duration::from_secs(60);
/// How long the check's handler takes per message.
const WORK: Duration = Duration::from_millis(10);

fn main() {
    Checks::new()
        .sequential(
            "shutdown right after start stops the worker, with a client still alive",
            shutdown_before_the_worker_ran,
        )
        .sequential(
            "messages still queued when shutdown comes are processed, once, in order",
            queued_messages_are_processed,
        )
        .sequential(
            "a message being processed when shutdown comes is finished",
            message_in_progress_is_finished,
        )
        .sequential(
            "a message taken off the queue while the worker waits for more is not lost",
            message_taken_while_waiting_is_kept,
        )
        .sequential(
            "after shutdown, send gives the message back",
            send_after_shutdown_fails,
        )
        .concurrent(
            "clients sending while shutdown comes, on a multi-thread runtime",
            clients_race_shutdown,
        )
        .concurrent(
            "a client on its own thread, waiting for room in a full queue when shutdown comes",
            client_thread_waits_for_room,
        )
        .run();
}

/// What the check's handler saw.
#[derive(Default)]
struct Seen {
    started: Vec<u64>,
    finished: Vec<u64>,
}

/// The handler's result for `msg`.
fn result(msg: u64) -> u64 {
    msg * 10 + 1
}

/// A handler that records what it does and takes `WORK` of tokio's clock (or yields a few times
/// when `yields`, for real-time runs).
fn handler(
    seen: &Arc<Mutex<Seen>>,
    yields: bool,
) -> impl Fn(u64) -> std::pin::Pin<Box<dyn std::future::Future<Output = u64> + Send>>
       + Send
       + Sync
       + 'static {
    let seen = Arc::clone(seen);
    move |msg| {
        let seen = Arc::clone(&seen);
        Box::pin(async move {
            seen.lock().unwrap().started.push(msg);
            if yields {
                for _ in 0..3 {
                    tokio::task::yield_now().await;
                }
            } else {
                sleep(WORK).await;
            }
            seen.lock().unwrap().finished.push(msg);
            result(msg)
        })
    }
}

/// "1 message", "2 messages".
fn messages(count: u64) -> String {
    match count {
        1 => "1 message".to_owned(),
        _ => format!("{count} messages"),
    }
}

/// A current-thread runtime whose clock is paused: time moves only when every task waits.
fn paused() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("the check can build a runtime")
}

/// Shuts `service` down, failing the check if that takes a minute of virtual time.
async fn shut_down(service: Service, what: &str) -> Vec<u64> {
    match timeout(PATIENCE, service.shutdown()).await {
        Ok(results) => results,
        Err(_) => harness::check::never_came(format!(
            "{what}, shutdown did not finish within a minute: the worker never learned of it \
             (a shutdown signalled before the worker subscribed is missed by a broadcast \
             channel; a watch channel keeps its latest value)"
        )),
    }
}

/// Sends `msg`, failing the check if the service refuses it.
async fn send(client: &Client, msg: u64) {
    assert!(
        client.send(msg).await.is_ok(),
        "send({msg}) was refused although the service was not shut down"
    );
}

/// Checks that exactly `sent` were processed, to the end, in order, and returned.
fn processed_exactly(sent: &[u64], results: &[u64], seen: &Seen, when: &str) {
    for msg in &seen.started {
        assert!(
            seen.finished.contains(msg),
            "{when}, message {msg} was being processed, and its processing never finished: the \
             future processing it lost a select! race and was dropped halfway (process a \
             message in the branch's body, not in the future select! races)"
        );
    }
    for msg in sent {
        assert!(
            seen.started.contains(msg),
            "{when}, message {msg} was accepted by send but never processed ({} of {} \
             processed: {:?}): messages the worker had taken off the queue, or that were still \
             in it, were dropped",
            seen.finished.len(),
            sent.len(),
            seen.finished
        );
    }
    assert!(
        seen.finished == sent,
        "{when}, the messages {sent:?} were sent, but the worker processed {:?} (each once, in \
         the order sent)",
        seen.finished
    );
    let want: Vec<u64> = sent.iter().map(|&msg| result(msg)).collect();
    assert!(
        results == want,
        "{when}, shutdown returned {results:?}, but the handler's results were {want:?}, in \
         that order"
    );
}

fn shutdown_before_the_worker_ran() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let results = paused().block_on(async {
        let service = Service::start(4, handler(&seen, false));
        // Alive until the end of the block: the worker cannot stop because every sender is gone.
        let _client = service.client();
        shut_down(service, "asked right after start").await
    });
    let seen = seen.lock().unwrap();
    processed_exactly(&[], &results, &seen, "with nothing sent");
}

fn queued_messages_are_processed() {
    for (capacity, count) in [(16, 10), (3, 3), (1, 1)] {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let sent: Vec<u64> = (1..=count).collect();
        let results = paused().block_on(async {
            let service = Service::start(capacity, handler(&seen, false));
            let client = service.client();
            for &msg in &sent {
                send(&client, msg).await;
            }
            let results = shut_down(service, "with messages in the queue").await;
            results
        });
        let seen = seen.lock().unwrap();
        processed_exactly(
            &sent,
            &results,
            &seen,
            &format!("{} queued at once, then shutdown", messages(count)),
        );
    }
}

fn message_in_progress_is_finished() {
    for wait in [15, 25, 45] {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let sent: Vec<u64> = (1..=5).collect();
        let results = paused().block_on(async {
            let service = Service::start(8, handler(&seen, false));
            let client = service.client();
            for &msg in &sent {
                send(&client, msg).await;
            }
            sleep(Duration::from_millis(wait)).await;
            let results = shut_down(service, "while a message was being processed").await;
            results
        });
        let seen = seen.lock().unwrap();
        processed_exactly(
            &sent,
            &results,
            &seen,
            &format!(
                "5 messages queued, shutdown {wait} ms later (each takes {} ms)",
                WORK.as_millis()
            ),
        );
    }
}

fn message_taken_while_waiting_is_kept() {
    for count in [1, 2, 4] {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let sent: Vec<u64> = (1..=count).collect();
        let results = paused().block_on(async {
            let service = Service::start(8, handler(&seen, false));
            let client = service.client();
            for &msg in &sent {
                send(&client, msg).await;
            }
            sleep(Duration::from_millis(200)).await;
            let results = shut_down(service, "while the worker waited for messages").await;
            results
        });
        let seen = seen.lock().unwrap();
        processed_exactly(
            &sent,
            &results,
            &seen,
            &format!(
                "{} sent, shutdown 200 ms later, while the worker waited",
                messages(count)
            ),
        );
    }
}

fn send_after_shutdown_fails() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (refused, results) = paused().block_on(async {
        let service = Service::start(4, handler(&seen, false));
        let client = service.client();
        send(&client, 1).await;
        let results = shut_down(service, "after one message").await;
        let refused = timeout(PATIENCE, client.send(2)).await;
        (refused, results)
    });
    let refused = refused.expect("send after shutdown waited for a minute instead of failing");
    assert!(
        refused == Err(2),
        "send(2) after shutdown returned {refused:?}: the service is gone, so send must give \
         the message back as Err(2)"
    );
    let seen = seen.lock().unwrap();
    processed_exactly(&[1], &results, &seen, "one message, then shutdown");
}

fn clients_race_shutdown() {
    let runtime = multi_thread();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (accepted, results) = runtime.block_on(async {
        let service = Service::start(4, handler(&seen, true));
        let senders: Vec<_> = (0..3u64)
            .map(|c| {
                let client = service.client();
                tokio::spawn(async move {
                    let mut accepted = Vec::new();
                    for i in 0..40 {
                        let msg = c * 1000 + i;
                        if client.send(msg).await.is_ok() {
                            accepted.push(msg);
                        }
                        tokio::task::yield_now().await;
                    }
                    accepted
                })
            })
            .collect();
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        let results = timeout(Duration::from_secs(5), service.shutdown())
            .await
            .unwrap_or_else(|_| {
                harness::process::hang(
                    "shutdown did not finish within 5 s while clients were sending",
                )
            });
        let mut accepted = Vec::new();
        for sender in senders {
            accepted.push(sender.await.expect("a sending task failed"));
        }
        (accepted, results)
    });
    let seen = seen.lock().unwrap();
    let mut want: Vec<u64> = accepted.iter().flatten().copied().collect();
    want.sort_unstable();
    let mut got = seen.finished.clone();
    got.sort_unstable();
    assert!(
        got == want,
        "3 clients had {} messages accepted while shutdown came, but the worker processed {} \
         (every accepted message exactly once)",
        want.len(),
        got.len()
    );
    assert!(
        seen.started.len() == seen.finished.len(),
        "a message whose processing started never finished"
    );
    let mut from_results: Vec<u64> = results.iter().map(|r| (r - 1) / 10).collect();
    from_results.sort_unstable();
    assert!(
        from_results == want,
        "shutdown returned {} results for the {} accepted messages",
        results.len(),
        want.len()
    );
    for c in 0..3 {
        let order: Vec<u64> = seen
            .finished
            .iter()
            .copied()
            .filter(|msg| msg / 1000 == c)
            .collect();
        assert!(
            order.windows(2).all(|pair| pair[0] < pair[1]),
            "the messages of one client were processed out of the order it sent them"
        );
    }
}

/// A multi-thread runtime with two workers, for the checks on real threads.
fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("the check can build a runtime")
}

/// A client on a thread of its own (with a runtime of its own) sends to a queue of capacity 1
/// as fast as the worker takes messages, so it waits for room nearly all the time; shutdown
/// comes after a few messages. The room the worker makes when it takes a message wakes the
/// client's thread, which needs some microseconds to send: a worker that looks at its queue a
/// last time and closes it only afterwards misses that message, although `send` returned `Ok`.
fn client_thread_waits_for_room() {
    let runtime = multi_thread();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let service = runtime.block_on(async { Service::start(1, handler(&seen, true)) });
    let client = service.client();
    let sender = harness::thread::Builder::new()
        .name("client thread".into())
        .spawn(move || {
            let own = tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("the client thread can build a runtime");
            own.block_on(async {
                let mut accepted = Vec::new();
                for msg in 1.. {
                    match client.send(msg).await {
                        Ok(()) => accepted.push(msg),
                        Err(_) => break,
                    }
                }
                accepted
            })
        })
        .expect("the client thread starts");
    let deadline = Instant::now() + Duration::from_secs(5);
    while seen.lock().unwrap().finished.len() < 3 {
        if Instant::now() > deadline {
            harness::process::hang("the worker processed fewer than 3 messages in 5 s");
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    let results = runtime.block_on(async {
        timeout(Duration::from_secs(5), service.shutdown())
            .await
            .unwrap_or_else(|_| {
                harness::process::hang(
                    "shutdown did not finish within 5 s while a client waited for room",
                )
            })
    });
    let accepted = sender.join().expect("the client thread finished");
    let seen = seen.lock().unwrap();
    processed_exactly(
        &accepted,
        &results,
        &seen,
        "with a client on another thread waiting for room in a queue of 1 when shutdown came",
    );
}
