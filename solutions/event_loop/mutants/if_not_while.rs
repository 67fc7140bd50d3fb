//! Mutant: in `next_ready` the loop waits for a ready task with `if` instead of `while`, so after a spurious wakeup it does not look at the ready queue again, finds it still empty, and run() returns although tasks are still waiting for their wakes: they are abandoned unfinished.
//! Expect: race

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Wake, Waker};

use harness::sync::{Arc, Condvar, Mutex};

type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Runs futures on the thread that calls [`EventLoop::run`], polling only the ones that are ready.
pub struct EventLoop {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    /// Signalled when a task becomes ready.
    ready: Condvar,
}

struct State {
    /// Tasks whose waker was woken, in the order they were woken.
    ready: VecDeque<usize>,
    /// Whether each task is in `ready` (a task woken twice is polled once).
    queued: Vec<bool>,
    /// Each task's future: `None` while it is being polled, and once it has finished.
    tasks: Vec<Option<Task>>,
    /// Tasks not finished yet.
    unfinished: usize,
}

/// The waker of one task: puts the task on the ready queue and wakes the loop.
struct TaskWaker {
    id: usize,
    shared: Arc<Shared>,
}

impl Wake for TaskWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        let mut state = self.shared.state.lock().unwrap();
        if !state.queued[self.id] {
            state.queued[self.id] = true;
            state.ready.push_back(self.id);
        }
        drop(state);
        self.shared.ready.notify_one();
    }
}

impl EventLoop {
    /// An event loop with no tasks.
    pub fn new() -> Self {
        EventLoop {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    ready: VecDeque::new(),
                    queued: Vec::new(),
                    tasks: Vec::new(),
                    unfinished: 0,
                })
                .named("ready queue"),
                ready: Condvar::new().named("a task is ready"),
            }),
        }
    }

    /// Adds a task; it is polled for the first time once [`EventLoop::run`] runs.
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut state = self.shared.state.lock().unwrap();
        let id = state.tasks.len();
        state.tasks.push(Some(Box::pin(task)));
        state.queued.push(true);
        state.ready.push_back(id);
        state.unfinished += 1;
        drop(state);
        self.shared.ready.notify_one();
    }

    /// Runs until every spawned task has finished, sleeping while none is ready.
    pub fn run(&self) {
        while let Some((id, mut task)) = self.next_ready() {
            let waker = Waker::from(std::sync::Arc::new(TaskWaker {
                id,
                shared: Arc::clone(&self.shared),
            }));
            let finished = task
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_ready();
            let mut state = self.shared.state.lock().unwrap();
            if finished {
                state.unfinished -= 1;
            } else {
                state.tasks[id] = Some(task);
            }
        }
    }

    /// Waits for a ready task and takes it out; `None` once every task has finished.
    fn next_ready(&self) -> Option<(usize, Task)> {
        let mut state = self.shared.state.lock().unwrap();
        loop {
            if state.unfinished == 0 {
                return None;
            }
            if state.ready.is_empty() {
                state = self.shared.ready.wait(state).unwrap();
            }
            let id = state.ready.pop_front()?;
            state.queued[id] = false;
            // A task that finished may still be woken: there is nothing left to poll.
            if let Some(task) = state.tasks[id].take() {
                return Some((id, task));
            }
        }
    }
}

impl Default for EventLoop {
    fn default() -> Self {
        EventLoop::new()
    }
}
