//! Mutant: the shutdown signal is a `broadcast` channel that the worker subscribes to when its task first runs: a shutdown sent before that moment went to no receiver and is lost, and the worker waits for messages forever.
//! Expect: deadlock

use std::future::Future;

/// The tokio this crate runs on, for the checks (they build the runtimes).
pub use tokio;

use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

/// A service: one worker task that processes messages, one at a time, in the order they were
/// sent, until it is shut down.
pub struct Service {
    client: Client,
    stop: broadcast::Sender<()>,
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
        let (stop, _) = broadcast::channel(1);
        let signal = stop.clone();
        let worker = tokio::spawn(async move {
            let mut stopping = signal.subscribe();
            let mut done = Vec::new();
            loop {
                tokio::select! {
                    biased;
                    _ = stopping.recv() => break,
                    received = inbox.recv() => match received {
                        // Processed here, in the body: no other branch can cancel it.
                        Some(msg) => done.push(handler(msg).await),
                        None => break,
                    },
                }
            }
            // No new message from now on; the ones already accepted are processed.
            inbox.close();
            while let Some(msg) = inbox.recv().await {
                done.push(handler(msg).await);
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
        let _ = self.stop.send(());
        self.worker.await.expect("the worker task panicked")
    }
}

impl Client {
    /// Queues `msg` for the worker, waiting while the queue is full. `Ok(())` means the message
    /// will be processed, even if shutdown comes first. `Err(msg)` gives the message back when
    /// the service no longer accepts messages (it is shutting down or has shut down).
    pub async fn send(&self, msg: u64) -> Result<(), u64> {
        self.queue.send(msg).await.map_err(|refused| refused.0)
    }
}
