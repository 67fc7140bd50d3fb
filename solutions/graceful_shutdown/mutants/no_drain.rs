//! Mutant: when the shutdown branch of `select!` wins, the worker stops at once: the messages still waiting in the queue, accepted with `Ok`, are never processed.
//! Expect: wrong-result

use std::future::Future;

/// The tokio this crate runs on, for the checks (they build the runtimes).
pub use tokio;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// A service: one worker task that processes messages, one at a time, in the order they were
/// sent, until it is shut down.
pub struct Service {
    client: Client,
    stop: watch::Sender<bool>,
    worker: JoinHandle<Vec<u64>>,
}

/// A handle that sends messages to a [`Service`]'s worker. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    queue: mpsc::Sender<u64>,
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
        // Subscribed here, before the worker runs: a shutdown sent at any later moment is seen.
        let (stop, mut stopping) = watch::channel(false);
        let worker = tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                tokio::select! {
                    biased;
                    // Both futures are cancel-safe: losing the race loses nothing.
                    _ = stop_asked(&mut stopping) => break,
                    received = inbox.recv() => match received {
                        // Processed here, in the body: no other branch can cancel it.
                        Some(msg) => done.push(handler(msg).await),
                        None => break,
                    },
                }
            }
            done
        });
        Service {
            client: Client { queue },
            stop,
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
        // Stored even if nobody is looking yet.
        self.stop.send_replace(true);
        self.worker.await.expect("the worker task panicked")
    }
}

/// Returns once the watch says stop (at once if it already does), or when its sender is gone.
async fn stop_asked(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

impl Client {
    /// Queues `msg` for the worker, waiting while the queue is full. `Ok(())` means the message
    /// will be processed, even if shutdown comes first. `Err(msg)` gives the message back when
    /// the service no longer accepts messages (it is shutting down or has shut down).
    pub async fn send(&self, msg: u64) -> Result<(), u64> {
        self.queue.send(msg).await.map_err(|refused| refused.0)
    }
}
