//! Alternative: the ready queue is a channel of task ids; a per-task atomic flag keeps a task
//! from being queued twice, and `recv` is where the loop sleeps.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Wake, Waker};

use harness::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use harness::sync::mpsc::{channel, Receiver, Sender};
use harness::sync::{Arc, Mutex};

type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Runs futures on the thread that calls [`EventLoop::run`], polling only the ones that are ready.
pub struct EventLoop {
    tasks: Mutex<Vec<Slot>>,
    unfinished: AtomicUsize,
    sender: Sender<usize>,
    ready: Mutex<Receiver<usize>>,
}

struct Slot {
    future: Option<Task>,
    queued: Arc<AtomicBool>,
}

struct TaskWaker {
    id: usize,
    queued: Arc<AtomicBool>,
    sender: Mutex<Sender<usize>>,
}

impl Wake for TaskWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        if !self.queued.swap(true, Ordering::SeqCst) {
            // The loop may have finished and gone: then there is nobody to tell.
            let _ = self.sender.lock().unwrap().send(self.id);
        }
    }
}

impl EventLoop {
    /// An event loop with no tasks.
    pub fn new() -> Self {
        let (sender, receiver) = channel();
        EventLoop {
            tasks: Mutex::new(Vec::new()).named("tasks"),
            unfinished: AtomicUsize::new(0),
            sender,
            ready: Mutex::new(receiver).named("ready ids"),
        }
    }

    /// Adds a task, queued for its first poll.
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut tasks = self.tasks.lock().unwrap();
        let id = tasks.len();
        tasks.push(Slot {
            future: Some(Box::pin(task)),
            queued: Arc::new(AtomicBool::new(true)),
        });
        self.unfinished.fetch_add(1, Ordering::SeqCst);
        drop(tasks);
        self.sender.send(id).unwrap();
    }

    /// Runs until every spawned task has finished, sleeping in `recv` while none is ready.
    pub fn run(&self) {
        let ready = self.ready.lock().unwrap();
        while self.unfinished.load(Ordering::SeqCst) > 0 {
            let id = ready.recv().unwrap();
            let (future, queued) = {
                let mut tasks = self.tasks.lock().unwrap();
                let slot = &mut tasks[id];
                (slot.future.take(), Arc::clone(&slot.queued))
            };
            // Cleared before the poll: a wake during the poll queues the task again.
            queued.store(false, Ordering::SeqCst);
            let Some(mut future) = future else {
                continue;
            };
            let waker = Waker::from(std::sync::Arc::new(TaskWaker {
                id,
                queued,
                sender: Mutex::new(self.sender.clone()),
            }));
            if future
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_ready()
            {
                self.unfinished.fetch_sub(1, Ordering::SeqCst);
            } else {
                self.tasks.lock().unwrap()[id].future = Some(future);
            }
        }
    }
}

impl Default for EventLoop {
    fn default() -> Self {
        EventLoop::new()
    }
}
