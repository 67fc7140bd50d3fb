//! Alternative: no `select!` and no separate signal: shutdown is a message of its own, queued
//! behind every message accepted before it (a "poison pill"). The worker processes messages in
//! order until it takes the stop message, then closes the queue and drains the few messages that
//! slipped in meanwhile.

use std::future::Future;

/// The tokio this crate runs on, for the checks (they build the runtimes).
pub use tokio;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// What travels through the queue.
enum Job {
    Message(u64),
    Stop,
}

/// A service: one worker task that processes messages, one at a time, in the order they were
/// sent, until it is shut down.
pub struct Service {
    client: Client,
    worker: JoinHandle<Vec<u64>>,
}

/// A handle that sends messages to a [`Service`]'s worker. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    queue: mpsc::Sender<Job>,
}

impl Service {
    /// Starts the worker as a task on the current tokio runtime (call it from inside one). The
    /// worker runs `handler` on each message, one message at a time, in the order the messages
    /// were sent; up to `capacity` messages wait in its queue.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0, or when not called from inside a tokio runtime.
    pub fn start<H, F>(capacity: usize, handler: H) -> Service
    where
        H: Fn(u64) -> F + Send + Sync + 'static,
        F: Future<Output = u64> + Send + 'static,
    {
        assert!(
            capacity > 0,
            "a service needs a queue of at least 1 message"
        );
        let (queue, mut inbox) = mpsc::channel(capacity);
        let worker = tokio::spawn(async move {
            let mut done = Vec::new();
            let mut stopping = false;
            while let Some(job) = inbox.recv().await {
                match job {
                    Job::Message(msg) => done.push(handler(msg).await),
                    Job::Stop if !stopping => {
                        stopping = true;
                        inbox.close();
                    }
                    Job::Stop => {}
                }
            }
            done
        });
        Service {
            client: Client { queue },
            worker,
        }
    }

    /// A new handle for sending messages to this service.
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// Stops the service gracefully and returns the handler's results, in the order the worker
    /// processed them. Every message whose `send` returned `Ok` is processed exactly once, to
    /// the end, before `shutdown` returns; then the worker stops, even if clients are still
    /// alive, and even if the worker had not started running yet when shutdown was asked.
    pub async fn shutdown(self) -> Vec<u64> {
        // Queued behind every message accepted so far; waits for room like any message.
        let _ = self.client.queue.send(Job::Stop).await;
        self.worker.await.expect("the worker task panicked")
    }
}

impl Client {
    /// Queues `msg` for the worker, waiting while the queue is full. `Ok(())` means the message
    /// will be processed, even if shutdown comes first. `Err(msg)` gives the message back when
    /// the service no longer accepts messages (it is shutting down or has shut down).
    pub async fn send(&self, msg: u64) -> Result<(), u64> {
        match self.queue.send(Job::Message(msg)).await {
            Ok(()) => Ok(()),
            Err(mpsc::error::SendError(Job::Message(msg))) => Err(msg),
            Err(mpsc::error::SendError(Job::Stop)) => unreachable!("a client sends no stop"),
        }
    }
}
