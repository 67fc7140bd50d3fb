//! Mutant: the naive scheduler: each round, run() polls every task that has not finished, ready or not, and never sleeps: it burns a core and wastes polls on tasks still waiting.
//! Expect: wrong-result

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Wake, Waker};

use harness::sync::Mutex;

type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Runs futures on the thread that calls [`EventLoop::run`].
pub struct EventLoop {
    tasks: Mutex<Vec<Option<Task>>>,
}

/// A waker that does nothing: this loop asks every task each round anyway.
struct Nobody;

impl Wake for Nobody {
    fn wake(self: std::sync::Arc<Self>) {}
}

impl EventLoop {
    /// An event loop with no tasks.
    pub fn new() -> Self {
        EventLoop {
            tasks: Mutex::new(Vec::new()).named("tasks"),
        }
    }

    /// Adds a task.
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        self.tasks.lock().unwrap().push(Some(Box::pin(task)));
    }

    /// Polls every unfinished task, round after round, until all have finished.
    pub fn run(&self) {
        let waker = Waker::from(std::sync::Arc::new(Nobody));
        loop {
            let count = self.tasks.lock().unwrap().len();
            let mut unfinished = 0;
            for id in 0..count {
                let Some(mut task) = self.tasks.lock().unwrap()[id].take() else {
                    continue;
                };
                if task
                    .as_mut()
                    .poll(&mut Context::from_waker(&waker))
                    .is_pending()
                {
                    unfinished += 1;
                    self.tasks.lock().unwrap()[id] = Some(task);
                }
            }
            if unfinished == 0 {
                return;
            }
            harness::thread::yield_now();
        }
    }
}

impl Default for EventLoop {
    fn default() -> Self {
        EventLoop::new()
    }
}
