//! Waker instrumentation: futures a check hands to an executor under test, which count how
//! often they are polled and woken, so that an executor's promises can be checked.
//!
//! - A [`Probe`] wraps a task. It counts its polls and the wakes of the wakers it was given, and
//!   calls a poll *wasted* when the task had returned `Pending` and nothing woke it since: the
//!   executor polled a task that was still waiting. A wake after the last `Pending` that no poll
//!   followed is a *lost* wake, if the task never finished.
//! - A [`Signal`] is an event the check fires from any thread (an I/O completion, a timer): the
//!   future [`Signal::wait`] is `Pending` until then.
//!
//! - [`block_on`] runs a future on the calling thread, polling it only after a wake, and
//!   sleeping on a facade condvar in between: a future that loses its wake is a deadlock under
//!   every engine.
//!
//! Polls and wakes appear in the trace (`poll T1`, `wake T3`), and [`judge`] fails the check
//! with the count of wasted polls.
//!
//! ```
//! use std::future::Future;
//! use std::pin::pin;
//! use std::task::{Context, Poll, Waker};
//!
//! use harness::future::{Probe, Signal};
//!
//! let signal = Signal::new();
//! let (task, stats) = Probe::new("T1", signal.wait());
//! let mut task = pin!(task);
//! let mut cx = Context::from_waker(Waker::noop());
//! assert_eq!(task.as_mut().poll(&mut cx), Poll::Pending);
//! assert_eq!(task.as_mut().poll(&mut cx), Poll::Pending); // nothing woke it: wasted
//! signal.fire();
//! assert_eq!(task.as_mut().poll(&mut cx), Poll::Ready(()));
//! assert_eq!((stats.polls(), stats.wasted_polls(), stats.finished()), (3, 1, true));
//! ```

use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use crate::detect;
use crate::protocol::{FailureKind, Op};
use crate::sync::{Condvar as FacadeCondvar, Mutex as FacadeMutex};
use crate::trace;

/// The counts of one [`Probe`], kept with std's atomics: watching adds no scheduling points.
#[derive(Debug, Default)]
struct Books {
    polls: AtomicUsize,
    wasted: AtomicUsize,
    wakes: AtomicUsize,
    /// Woken since the last poll began.
    woken: AtomicBool,
    /// Returned `Pending` at least once and not `Ready` since.
    waiting: AtomicBool,
    finished: AtomicBool,
}

/// A task wrapped for watching; see the [module](self) docs.
pub struct Probe<F> {
    name: String,
    books: Arc<Books>,
    inner: Pin<Box<F>>,
}

/// What a [`Probe`] saw, readable while and after the executor runs it.
#[derive(Debug, Clone)]
pub struct ProbeStats {
    name: String,
    books: Arc<Books>,
}

impl<F: Future> Probe<F> {
    /// Wraps `task`, named `name` in the trace and in explanations.
    pub fn new(name: &str, task: F) -> (Self, ProbeStats) {
        let books = Arc::new(Books::default());
        let stats = ProbeStats {
            name: name.to_owned(),
            books: Arc::clone(&books),
        };
        let probe = Probe {
            name: name.to_owned(),
            books,
            inner: Box::pin(task),
        };
        (probe, stats)
    }
}

impl<F: Future> Future for Probe<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let books = Arc::clone(&self.books);
        if books.finished.load(Ordering::SeqCst) {
            detect::raise(
                FailureKind::Panic,
                format!(
                    "`{}` was polled again after it had finished (returned `Ready`): an \
                     executor or a combinator must never poll a finished future",
                    self.name
                ),
            );
        }
        books.polls.fetch_add(1, Ordering::SeqCst);
        let woken = books.woken.swap(false, Ordering::SeqCst);
        let detail = if books.waiting.load(Ordering::SeqCst) && !woken {
            books.wasted.fetch_add(1, Ordering::SeqCst);
            Some("while still waiting: nothing woke it".to_owned())
        } else {
            None
        };
        trace::record_named(Op::Poll, &self.name, detail, None);
        let waker = Waker::from(Arc::new(CountingWaker {
            task: self.name.clone(),
            books: Arc::clone(&books),
            inner: cx.waker().clone(),
        }));
        let result = self.inner.as_mut().poll(&mut Context::from_waker(&waker));
        let ready = result.is_ready();
        books.waiting.store(!ready, Ordering::SeqCst);
        books.finished.store(ready, Ordering::SeqCst);
        result
    }
}

/// The waker a [`Probe`] hands its task: counts the wake, then wakes the executor's waker the
/// way the task woke it, by value (when no clone of this waker is left) or by reference, so that
/// both of the executor's ways are tried.
struct CountingWaker {
    task: String,
    books: Arc<Books>,
    inner: Waker,
}

impl CountingWaker {
    fn count(&self) {
        self.books.wakes.fetch_add(1, Ordering::SeqCst);
        self.books.woken.store(true, Ordering::SeqCst);
        trace::record_named(Op::Wake, &self.task, None, None);
    }
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.count();
        match Arc::try_unwrap(self) {
            Ok(counting) => counting.inner.wake(),
            Err(shared) => shared.inner.wake_by_ref(),
        }
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.count();
        self.inner.wake_by_ref();
    }
}

impl ProbeStats {
    /// The task's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How often the executor polled the task.
    pub fn polls(&self) -> usize {
        self.books.polls.load(Ordering::SeqCst)
    }

    /// Polls while the task was still waiting (nothing woke it since it returned `Pending`).
    pub fn wasted_polls(&self) -> usize {
        self.books.wasted.load(Ordering::SeqCst)
    }

    /// How often the task's wakers were woken.
    pub fn wakes(&self) -> usize {
        self.books.wakes.load(Ordering::SeqCst)
    }

    /// Whether the task returned `Ready`.
    pub fn finished(&self) -> bool {
        self.books.finished.load(Ordering::SeqCst)
    }

    /// Whether the task was woken after its last `Pending` and not polled since.
    pub fn woken_but_not_polled(&self) -> bool {
        self.books.woken.load(Ordering::SeqCst) && !self.finished()
    }
}

/// Fails the check (a plain assertion failure) if the executor polled any task while it was
/// still waiting, with the count per task; or if a task that was woken was never polled again.
///
/// ```should_panic
/// use std::future::Future;
/// use std::pin::pin;
/// use std::task::{Context, Waker};
///
/// use harness::future::{judge, Probe, Signal};
///
/// let (task, stats) = Probe::new("T1", Signal::new().wait());
/// let mut task = pin!(task);
/// let mut cx = Context::from_waker(Waker::noop());
/// let _ = task.as_mut().poll(&mut cx);
/// let _ = task.as_mut().poll(&mut cx); // polled while still waiting
/// judge(&[stats]); // panics: "tasks were polled while still waiting 1 time(s): `T1` 1× ..."
/// ```
#[track_caller]
pub fn judge(tasks: &[ProbeStats]) {
    let wasted: Vec<&ProbeStats> = tasks.iter().filter(|t| t.wasted_polls() > 0).collect();
    if !wasted.is_empty() {
        let total: usize = wasted.iter().map(|t| t.wasted_polls()).sum();
        let mut each = String::new();
        for (i, task) in wasted.iter().enumerate() {
            let separator = if i == 0 { "" } else { ", " };
            let _ = write!(
                each,
                "{separator}`{}` {}× ({} polls, {} wakes)",
                task.name(),
                task.wasted_polls(),
                task.polls(),
                task.wakes()
            );
        }
        detect::raise(
            FailureKind::Panic,
            format!(
                "tasks were polled while still waiting {total} time(s): {each}. A task \
                 should be polled once when it starts and then only after its waker was woken"
            ),
        );
    }
    if let Some(lost) = tasks.iter().find(|t| t.woken_but_not_polled()) {
        detect::raise(
            FailureKind::Deadlock,
            format!(
                "`{}` was woken but never polled again: the wake was lost",
                lost.name()
            ),
        );
    }
}

/// An event fired once, from any thread; see the [module](self) docs.
#[derive(Debug, Clone, Default)]
pub struct Signal {
    state: Arc<SignalState>,
}

#[derive(Debug, Default)]
struct SignalState {
    fired: AtomicBool,
    /// The waker of the task waiting, taken out before it is woken (never woken under the lock).
    waiter: Mutex<Option<Waker>>,
}

impl Signal {
    /// An event not fired yet.
    pub fn new() -> Self {
        Signal::default()
    }

    /// Fires the event and wakes the task waiting for it, if any.
    pub fn fire(&self) {
        self.state.fired.store(true, Ordering::SeqCst);
        let waiter = self
            .state
            .waiter
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(waker) = waiter {
            waker.wake();
        }
    }

    /// Whether the event has fired.
    pub fn fired(&self) -> bool {
        self.state.fired.load(Ordering::SeqCst)
    }

    /// A future that is ready once the event has fired.
    pub fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let state = Arc::clone(&self.state);
        std::future::poll_fn(move |cx| {
            if state.fired.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            *state.waiter.lock().unwrap_or_else(|p| p.into_inner()) = Some(cx.waker().clone());
            // Fired between the first look and storing the waker: `fire` may have found no
            // waker to wake, so look again.
            if state.fired.load(Ordering::SeqCst) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }
}

/// Runs `future` to completion on the calling thread: polls it once, then again only after its
/// waker was woken (from any thread), sleeping in between.
///
/// ```
/// use harness::future::{block_on, Signal};
/// use harness::thread;
///
/// let signal = Signal::new();
/// let firing = signal.clone();
/// let handle = thread::spawn(move || firing.fire());
/// block_on(signal.wait());
/// handle.join().unwrap();
/// ```
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    let wake = crate::sync::Arc::new(Unblock {
        woken: FacadeMutex::new(false).named("block_on woken"),
        changed: FacadeCondvar::new().named("a wake for block_on"),
    });
    let waker = Waker::from(Arc::new(UnblockWaker(crate::sync::Arc::clone(&wake))));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        let woken = wake.woken.lock().unwrap_or_else(|p| p.into_inner());
        let mut woken = wake
            .changed
            .wait_while(woken, |woken| !*woken)
            .unwrap_or_else(|p| p.into_inner());
        *woken = false;
    }
}

/// Whether [`block_on`]'s future was woken since its last poll.
struct Unblock {
    woken: FacadeMutex<bool>,
    changed: FacadeCondvar,
}

struct UnblockWaker(crate::sync::Arc<Unblock>);

impl Wake for UnblockWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        *self.0.woken.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.0.changed.notify_one();
    }
}
