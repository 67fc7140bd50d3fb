//! Checks of the `event_loop` kata: an executor that polls only the tasks that are ready.
//!
//! The promises: `run` returns once every spawned task has finished; a task is polled once when
//! it starts and afterwards only when its waker was woken (never while still waiting, never
//! after it finished); a wake from any thread, even while the task is being polled or while the
//! loop sleeps, is never lost. Every task is watched by a `harness::future::Probe`, which counts
//! its polls and wakes.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use checks::threads::spawn_named;
use event_loop::EventLoop;
use harness::check::Checks;
use harness::future::{judge, Probe, ProbeStats, Signal};
use harness::sync::{Arc, Condvar, Mutex};
use harness::thread::JoinHandle;

fn main() {
    Checks::new()
        .sequential("run returns at once when there are no tasks", no_tasks)
        .sequential(
            "tasks that are ready at once are each polled once",
            ready_tasks_are_polled_once,
        )
        .sequential(
            "a task that wakes itself while being polled is polled again",
            self_waking_task,
        )
        .sequential(
            "a task woken twice before its next poll is polled once",
            woken_twice,
        )
        .sequential(
            "run waits for a task whose I/O completes later",
            io_completes_later,
        )
        .sequential(
            "T3 becomes ready first: T1 and T2 are not polled while they wait",
            notes_example,
        )
        .concurrent(
            "a wake from another thread reaches the sleeping loop",
            wake_from_another_thread,
        )
        .concurrent(
            "two tasks woken from two threads both finish",
            two_threads_wake_two_tasks,
        )
        .concurrent(
            "a task woken from two threads at once is polled once for both wakes",
            one_task_woken_from_two_threads,
        )
        .concurrent(
            "tasks spawned from two threads while run sleeps are run, and run waits for them",
            spawned_from_two_threads,
        )
        .run();
}

fn no_tasks() {
    EventLoop::new().run();
}

/// Checks that every task finished and that none was polled while waiting.
fn all_finished_and_judged(tasks: &[ProbeStats]) {
    for task in tasks {
        assert!(
            task.finished(),
            "run() returned, but `{}` never finished ({} polls, {} wakes)",
            task.name(),
            task.polls(),
            task.wakes()
        );
    }
    judge(tasks);
}

fn ready_tasks_are_polled_once() {
    let event_loop = EventLoop::new();
    let stats: Vec<ProbeStats> = (1..=3)
        .map(|n| {
            let (task, stats) = Probe::new(&format!("T{n}"), async {});
            event_loop.spawn(task);
            stats
        })
        .collect();
    event_loop.run();
    all_finished_and_judged(&stats);
    for task in &stats {
        assert_eq!(
            task.polls(),
            1,
            "`{}` was ready at once, yet it was polled {} times",
            task.name(),
            task.polls()
        );
    }
}

/// A task that wakes its own waker `wakes` times during its first poll and returns `Pending`,
/// then finishes at its second poll (as `tokio::task::yield_now` does, with one wake).
struct WakesItself {
    wakes: usize,
    polled: bool,
}

impl Future for WakesItself {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.polled {
            return Poll::Ready(());
        }
        self.polled = true;
        for _ in 0..self.wakes {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}

fn run_self_waking(wakes: usize) -> ProbeStats {
    let event_loop = EventLoop::new();
    let (task, stats) = Probe::new(
        "T1",
        WakesItself {
            wakes,
            polled: false,
        },
    );
    event_loop.spawn(task);
    event_loop.run();
    all_finished_and_judged(std::slice::from_ref(&stats));
    stats
}

fn self_waking_task() {
    let stats = run_self_waking(1);
    assert_eq!(
        stats.polls(),
        2,
        "`T1` woke itself once during its first poll; it should be polled twice, but was polled {} times",
        stats.polls()
    );
}

/// T1 wakes itself twice during one poll, then waits for a signal that T2 fires a little later
/// on the same loop. A loop that queues T1 once per wake polls it again while it waits.
fn woken_twice() {
    let event_loop = EventLoop::new();
    let signal = Signal::new();
    let (first, first_stats) = Probe::new("T1", {
        let signal = signal.clone();
        async move {
            WakesItself {
                wakes: 2,
                polled: false,
            }
            .await;
            signal.wait().await;
        }
    });
    let (second, second_stats) = Probe::new("T2", async move {
        WakesItself {
            wakes: 1,
            polled: false,
        }
        .await;
        signal.fire();
    });
    event_loop.spawn(first);
    event_loop.spawn(second);
    event_loop.run();
    all_finished_and_judged(&[first_stats, second_stats]);
}

/// How long after a task started waiting its I/O completes, in the sequential checks with an
/// I/O thread: a window wide enough that a loop which polls tasks that are not ready, or
/// returns while tasks still wait, does so in every run, while only the loop's thread runs.
const IO_LATENCY: Duration = Duration::from_millis(50);

/// A task waits for I/O that another thread completes once the task has started.
fn io_completes_later() {
    let event_loop = EventLoop::new();
    let progress = Progress::new();
    let signal = Signal::new();
    let (task, stats) = io_task("T1", &signal, &progress);
    event_loop.spawn(task);
    let io = {
        let progress = Arc::clone(&progress);
        spawn_named("I/O thread", move || {
            progress.wait_for("started T1");
            std::thread::sleep(IO_LATENCY);
            signal.fire();
        })
    };
    event_loop.run();
    io.join().unwrap();
    all_finished_and_judged(&[stats]);
}

/// What the tasks of a check report, for a driver thread to wait on (facade lock and condvar,
/// so a driver waiting on a loop that never wakes is seen as blocked).
struct Progress {
    notes: Mutex<Vec<String>>,
    changed: Condvar,
}

impl Progress {
    fn new() -> Arc<Self> {
        Arc::new(Progress {
            notes: Mutex::new(Vec::new()).named("progress"),
            changed: Condvar::new().named("progress changed"),
        })
    }

    fn note(&self, what: String) {
        self.notes.lock().unwrap().push(what);
        self.changed.notify_all();
    }

    fn wait_for(&self, what: &str) {
        let notes = self.notes.lock().unwrap();
        drop(
            self.changed
                .wait_while(notes, |notes| !notes.iter().any(|note| note == what))
                .unwrap(),
        );
    }

    fn wait_for_count(&self, prefix: &str, count: usize) {
        let notes = self.notes.lock().unwrap();
        drop(
            self.changed
                .wait_while(notes, |notes| {
                    notes.iter().filter(|note| note.starts_with(prefix)).count() < count
                })
                .unwrap(),
        );
    }

    fn notes(&self) -> Vec<String> {
        self.notes.lock().unwrap().clone()
    }
}

/// A task that notes when it starts, waits for `signal`, and notes when it is done.
fn io_task(
    name: &str,
    signal: &Signal,
    progress: &Arc<Progress>,
) -> (impl Future<Output = ()> + Send + 'static, ProbeStats) {
    let (signal, progress, task_name) = (signal.clone(), Arc::clone(progress), name.to_owned());
    Probe::new(name, async move {
        progress.note(format!("started {task_name}"));
        signal.wait().await;
        progress.note(format!("done {task_name}"));
    })
}

/// The notes' example: T1, T2 and T3 wait for I/O; T3's completes first, then T1's, then T2's.
/// A loop that checks T1 and T2 each time round wastes polls on tasks that are not ready.
fn notes_example() {
    let event_loop = EventLoop::new();
    let progress = Progress::new();
    let signals: Vec<Signal> = (0..3).map(|_| Signal::new()).collect();
    let mut stats = Vec::new();
    for (n, signal) in signals.iter().enumerate() {
        let (task, task_stats) = io_task(&format!("T{}", n + 1), signal, &progress);
        event_loop.spawn(task);
        stats.push(task_stats);
    }
    let driver = {
        let progress = Arc::clone(&progress);
        spawn_named("I/O driver", move || {
            progress.wait_for_count("started", 3);
            for (signal, task) in [(2, "T3"), (0, "T1"), (1, "T2")] {
                std::thread::sleep(IO_LATENCY);
                signals[signal].fire();
                progress.wait_for(&format!("done {task}"));
            }
        })
    };
    event_loop.run();
    // Judge the tasks before joining the driver: a run() that returned early left the driver
    // waiting for a task that will never finish.
    all_finished_and_judged(&stats);
    driver.join().unwrap();
    let done: Vec<String> = progress
        .notes()
        .into_iter()
        .filter(|note| note.starts_with("done"))
        .collect();
    assert_eq!(
        done,
        ["done T3", "done T1", "done T2"],
        "the tasks finished in another order than their I/O completed"
    );
}

fn wake_from_another_thread() {
    let event_loop = EventLoop::new();
    let signal = Signal::new();
    let (task, stats) = Probe::new("T1", signal.wait());
    event_loop.spawn(task);
    let io = spawn_named("I/O thread", move || signal.fire());
    event_loop.run();
    io.join().unwrap();
    all_finished_and_judged(&[stats]);
}

fn two_threads_wake_two_tasks() {
    let event_loop = EventLoop::new();
    let mut stats = Vec::new();
    let mut threads = Vec::new();
    for n in 1..=2 {
        let signal = Signal::new();
        let (task, task_stats) = Probe::new(&format!("T{n}"), signal.wait());
        event_loop.spawn(task);
        stats.push(task_stats);
        threads.push(spawn_named(format!("I/O thread {n}"), move || {
            signal.fire()
        }));
    }
    event_loop.run();
    for thread in threads {
        thread.join().unwrap();
    }
    all_finished_and_judged(&stats);
}

/// An event that must happen `times` times, from any threads, before the task waiting for it
/// goes on. Each time it happens the waiting task is woken (outside the lock, with a clone of its
/// waker), so two threads can wake the same task at the same moment.
#[derive(Clone)]
struct Countdown {
    /// How many times the event has still to happen, and the waker of the task waiting.
    state: std::sync::Arc<std::sync::Mutex<(usize, Option<Waker>)>>,
}

impl Countdown {
    fn new(times: usize) -> Self {
        Countdown {
            state: std::sync::Arc::new(std::sync::Mutex::new((times, None))),
        }
    }

    fn happen(&self) {
        let waker = {
            let mut state = self.state.lock().unwrap();
            state.0 -= 1;
            state.1.clone()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let state = std::sync::Arc::clone(&self.state);
        std::future::poll_fn(move |cx| {
            let mut state = state.lock().unwrap();
            if state.0 == 0 {
                return Poll::Ready(());
            }
            state.1 = Some(cx.waker().clone());
            Poll::Pending
        })
    }
}

/// T1 waits for three events. Two I/O threads each make one happen, at the same moment, while
/// the loop is busy polling T2 (T2's first poll lets them go and returns only once both their
/// wakes of T1 have returned); T2 makes the third happen at its second poll. Both wakes came
/// before T1's next poll, so that poll covers them: a loop that queued T1 once per waker (two
/// wakers that both saw it unqueued) polls it a second time while it still waits.
fn one_task_woken_from_two_threads() {
    let event_loop = EventLoop::new();
    let events = Countdown::new(3);
    let progress = Progress::new();
    let (first, first_stats) = Probe::new("T1", events.wait());
    let (second, second_stats) = Probe::new("T2", {
        let (events, progress) = (events.clone(), Arc::clone(&progress));
        let mut polled = false;
        std::future::poll_fn(move |cx| {
            if polled {
                events.happen();
                return Poll::Ready(());
            }
            polled = true;
            progress.note("polling T2".to_owned());
            progress.wait_for_count("woke T1", 2);
            cx.waker().wake_by_ref();
            Poll::Pending
        })
    });
    event_loop.spawn(first);
    event_loop.spawn(second);
    let threads: Vec<JoinHandle<()>> = (1..=2)
        .map(|n| {
            let (events, progress) = (events.clone(), Arc::clone(&progress));
            spawn_named(format!("I/O thread {n}"), move || {
                progress.wait_for("polling T2");
                events.happen();
                progress.note(format!("woke T1 from I/O thread {n}"));
            })
        })
        .collect();
    event_loop.run();
    for thread in threads {
        thread.join().unwrap();
    }
    all_finished_and_judged(&[first_stats, second_stats]);
}

/// `spawn` may be called from any thread, also while `run` runs (it takes `&self`). T0 waits for
/// the two tasks that two other threads spawn while the loop sleeps on T0 (or is about to): each
/// fires one of T0's signals. The loop must wake for a task spawned while it sleeps, give two
/// tasks spawned at once a place each, and count every spawned task as unfinished from the
/// moment it can be run: a loop that runs a task before counting it may see no task left
/// while T0 still waits, and a lost count makes run return early or never.
fn spawned_from_two_threads() {
    let event_loop = Arc::new(EventLoop::new());
    let signals = [Signal::new(), Signal::new()];
    let (task, first) = Probe::new("T0", {
        let [a, b] = signals.clone();
        async move {
            a.wait().await;
            b.wait().await;
        }
    });
    event_loop.spawn(task);
    let (spawned, threads): (Vec<ProbeStats>, Vec<JoinHandle<()>>) = signals
        .into_iter()
        .enumerate()
        .map(|(n, signal)| {
            let (task, stats) = Probe::new(&format!("T{}", n + 1), async move { signal.fire() });
            let event_loop = Arc::clone(&event_loop);
            let thread = spawn_named(format!("spawner {}", n + 1), move || event_loop.spawn(task));
            (stats, thread)
        })
        .unzip();
    event_loop.run();
    let mut stats = vec![first];
    stats.extend(spawned);
    // Judge before joining: a run() that returned early may have left a spawner mid-spawn.
    all_finished_and_judged(&stats);
    for thread in threads {
        thread.join().unwrap();
    }
}
