//! Checks of the `blocking_in_async` kata: heavy requests whose blocking step must not stall
//! the runtime.
//!
//! The promises: `heavy` answers with the step's answer (and panics with the step's panic);
//! while a step blocks, the runtime goes on running other tasks; `heavy_all` runs every step at
//! the same time and answers in order.
//!
//! How "the runtime is not stalled" is observed without timing anything: the checks run on a
//! current-thread runtime (one thread runs every task), next to a heartbeat task that counts
//! its beats. The check's step does not return before it has seen the heartbeat beat: if the
//! step runs on the runtime's only thread, the heartbeat cannot beat, and after half a second
//! the step gives up and records that it stalled the runtime. A correct server never waits
//! for that half second.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use blocking_in_async::tokio;
use blocking_in_async::{digest, Server};
use harness::check::{deliberate_panic, Checks, Mode};

/// How long a step waits for the heartbeat before it records a stalled runtime.
const PATIENCE: Duration = Duration::from_millis(500);
/// How long the steps of `heavy_all` wait for each other before they record that they did not
/// all run at once.
const MEET_WITHIN: Duration = Duration::from_secs(2);

fn main() {
    Checks::new()
        .sequential("heavy returns the step's answer", heavy_answers)
        .sequential(
            "heavy keeps the runtime running while its step blocks",
            heavy_does_not_stall,
        )
        .sequential(
            "a step that panics makes heavy panic",
            heavy_passes_panics_on,
        )
        .sequential(
            "heavy_all answers every request, in order",
            heavy_all_answers_in_order,
        )
        .sequential(
            "heavy_all runs every step at the same time",
            heavy_all_runs_steps_at_once,
        )
        .only(
            "heavy and light requests together on a multi-thread runtime",
            &[Mode::Sequential, Mode::Stress],
            mixed_on_multi_thread_runtime,
        )
        .run();
}

/// A runtime with one thread, which runs every task: a step that blocks it stops them all.
fn one_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("the check can build a runtime")
}

/// A task that beats as often as the runtime lets it run, until it is stopped.
#[derive(Clone, Default)]
struct Heartbeat {
    beats: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Heartbeat {
    /// Starts beating on the current runtime.
    fn start() -> Heartbeat {
        let heart = Heartbeat::default();
        let beating = heart.clone();
        tokio::spawn(async move {
            while !beating.stop.load(Ordering::SeqCst) {
                beating.beats.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
            }
        });
        heart
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// What the steps saw.
#[derive(Default)]
struct Seen {
    /// A step waited in vain for the heartbeat: it stalled the runtime.
    stalled: AtomicBool,
    /// Steps run so far.
    steps: AtomicUsize,
    /// The steps that must meet: (how many, arrived, over, gave up).
    meeting: Mutex<(usize, HashSet<ThreadId>, bool, bool)>,
    met: Condvar,
}

impl Seen {
    fn expecting(steps_at_once: usize) -> Arc<Seen> {
        let seen = Seen::default();
        seen.meeting.lock().unwrap().0 = steps_at_once;
        Arc::new(seen)
    }

    /// Waits until `want` steps run at the same moment, or gives up after `MEET_WITHIN`.
    fn meet(&self) {
        let mut state = self.meeting.lock().unwrap();
        if state.0 <= 1 || state.2 {
            return;
        }
        state.1.insert(std::thread::current().id());
        if state.1.len() >= state.0 {
            state.2 = true;
            self.met.notify_all();
            return;
        }
        let deadline = Instant::now() + MEET_WITHIN;
        while !state.2 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                state.2 = true;
                state.3 = true;
                self.met.notify_all();
                break;
            }
            state = self.met.wait_timeout(state, left).unwrap().0;
        }
    }

    fn gave_up_meeting(&self) -> bool {
        self.meeting.lock().unwrap().3
    }

    fn stalled(&self) -> bool {
        self.stalled.load(Ordering::SeqCst)
    }
}

/// The check's blocking step: meets the other steps, then blocks until the heartbeat has beaten
/// a few times (or gives up and records a stall), then answers `digest(input, 3)`.
fn watching_step(heart: &Heartbeat, seen: &Arc<Seen>) -> impl Fn(&[u8]) -> u64 + Send + Sync {
    let beats = Arc::clone(&heart.beats);
    let seen = Arc::clone(seen);
    move |input| {
        seen.steps.fetch_add(1, Ordering::SeqCst);
        seen.meet();
        let start = beats.load(Ordering::SeqCst);
        let since = Instant::now();
        while beats.load(Ordering::SeqCst) < start + 3 {
            if since.elapsed() > PATIENCE {
                seen.stalled.store(true, Ordering::SeqCst);
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        digest(input, 3)
    }
}

fn input(k: usize) -> Vec<u8> {
    (0..64 + k).map(|i| (i * 31 + k * 7) as u8).collect()
}

const STALLED: &str = "while a step blocked, no other task on the runtime ran for half a second: \
                       the step ran on the runtime's own thread and stalled every task on it. \
                       Run it with tokio::task::spawn_blocking and await the handle";

fn heavy_answers() {
    let server = Server::new(|data| digest(data, 2));
    let runtime = one_thread();
    for k in [0, 1, 100] {
        let got = runtime.block_on(server.heavy(input(k)));
        assert_eq!(
            got,
            digest(&input(k), 2),
            "heavy() answered {got}, not the step's answer for its input"
        );
    }
    let got = runtime.block_on(server.heavy(Vec::new()));
    assert_eq!(
        got,
        digest(&[], 2),
        "heavy() on an empty input answered {got}, not the step's answer"
    );
}

fn heavy_does_not_stall() {
    let seen = Seen::expecting(1);
    let got = one_thread().block_on(async {
        let heart = Heartbeat::start();
        let server = Server::new(watching_step(&heart, &seen));
        let got = server.heavy(input(5)).await;
        heart.stop();
        got
    });
    assert!(!seen.stalled(), "{STALLED}");
    assert_eq!(
        seen.steps.load(Ordering::SeqCst),
        1,
        "one heavy() request ran the step {} times",
        seen.steps.load(Ordering::SeqCst)
    );
    assert_eq!(
        got,
        digest(&input(5), 3),
        "heavy() answered {got}, not the step's answer"
    );
}

fn heavy_passes_panics_on() {
    let server = Server::new(|data: &[u8]| -> u64 {
        if data.is_empty() {
            deliberate_panic("the step fails on an empty input");
        }
        digest(data, 1)
    });
    let runtime = one_thread();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(server.heavy(Vec::new()))
    }));
    if let Ok(answer) = outcome {
        panic!(
            "the step panicked, but heavy() answered {answer} as if it had worked: a panic in \
             the step must reach the caller (the JoinHandle's error carries it)"
        );
    }
    // The server still works afterwards.
    let got = runtime.block_on(server.heavy(input(1)));
    assert_eq!(
        got,
        digest(&input(1), 1),
        "after a step panicked, heavy() answered {got}, not the step's answer"
    );
}

fn heavy_all_answers_in_order() {
    let seen = Seen::expecting(1);
    let inputs: Vec<Vec<u8>> = (0..4).map(input).collect();
    let got = one_thread().block_on(async {
        let heart = Heartbeat::start();
        let server = Server::new(watching_step(&heart, &seen));
        let got = server.heavy_all(inputs.clone()).await;
        heart.stop();
        got
    });
    let want: Vec<u64> = inputs.iter().map(|data| digest(data, 3)).collect();
    assert_eq!(
        got.len(),
        want.len(),
        "heavy_all() of 4 requests returned {} answers",
        got.len()
    );
    assert!(
        got == want,
        "heavy_all() did not return the steps' answers in the order of its inputs (a request \
         whose step had not finished yet has no answer: await every handle)"
    );
    assert!(!seen.stalled(), "{STALLED}");
    assert_eq!(
        seen.steps.load(Ordering::SeqCst),
        4,
        "heavy_all() of 4 requests ran the step {} times",
        seen.steps.load(Ordering::SeqCst)
    );
    let empty = one_thread().block_on(Server::new(|data| digest(data, 1)).heavy_all(Vec::new()));
    assert!(
        empty.is_empty(),
        "heavy_all() of no requests returned answers"
    );
}

fn heavy_all_runs_steps_at_once() {
    let seen = Seen::expecting(3);
    let inputs: Vec<Vec<u8>> = (0..3).map(input).collect();
    let got = one_thread().block_on(async {
        let heart = Heartbeat::start();
        let server = Server::new(watching_step(&heart, &seen));
        let got = server.heavy_all(inputs.clone()).await;
        heart.stop();
        got
    });
    assert!(
        !seen.gave_up_meeting(),
        "the 3 steps of heavy_all() never ran at the same time (they waited {} s for each \
         other): start every step before awaiting the first",
        MEET_WITHIN.as_secs()
    );
    assert!(!seen.stalled(), "{STALLED}");
    let want: Vec<u64> = inputs.iter().map(|data| digest(data, 3)).collect();
    assert!(
        got == want,
        "heavy_all() did not return the steps' answers in order"
    );
}

/// A future that notes when `inner` first returns `Pending`: when it awaits something.
struct NotePending<F> {
    inner: Pin<Box<F>>,
    pending: Arc<AtomicBool>,
}

impl<F: Future> Future for NotePending<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let polled = self.inner.as_mut().poll(cx);
        if polled.is_pending() {
            self.pending.store(true, Ordering::SeqCst);
        }
        polled
    }
}

fn mixed_on_multi_thread_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("the check can build a runtime");
    let server = Server::new(|data| digest(data, 20));
    // The steps of heavy_all() finish only once heavy_all() has awaited something: an answer
    // returned without awaiting the steps is always missing, never there by luck.
    let awaited = Arc::new(AtomicBool::new(false));
    let gated = {
        let awaited = Arc::clone(&awaited);
        Server::new(move |data| {
            let since = Instant::now();
            while !awaited.load(Ordering::SeqCst) && since.elapsed() < PATIENCE {
                std::thread::sleep(Duration::from_micros(200));
            }
            digest(data, 20)
        })
    };
    let (heavies, all, lights) = runtime.block_on(async {
        let heavies: Vec<_> = (0..4)
            .map(|k| {
                let server = server.clone();
                tokio::spawn(async move { server.heavy(input(k)).await })
            })
            .collect();
        let all = tokio::spawn(async move {
            NotePending {
                inner: Box::pin(gated.heavy_all((4..7).map(input).collect())),
                pending: awaited,
            }
            .await
        });
        let mut lights = Vec::new();
        for n in 0..20 {
            lights.push(server.light(n).await);
        }
        let mut answers = Vec::new();
        for heavy in heavies {
            answers.push(heavy.await.expect("a heavy request's task failed"));
        }
        (answers, all.await.expect("heavy_all's task failed"), lights)
    });
    let want: Vec<u64> = (0..4).map(|k| digest(&input(k), 20)).collect();
    assert!(
        heavies == want,
        "4 heavy() requests running together did not all get their step's answer"
    );
    let want: Vec<u64> = (4..7).map(|k| digest(&input(k), 20)).collect();
    assert!(
        all == want,
        "heavy_all() running next to other requests did not return the steps' answers in order"
    );
    assert!(
        lights == (1..=20).collect::<Vec<u64>>(),
        "light requests got wrong answers"
    );
}
