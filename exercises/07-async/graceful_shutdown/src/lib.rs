//! A worker that stops gracefully: every message it accepted is processed, however the shutdown
//! comes.
//!
//! Read the lesson first: `cargo xtask lesson graceful_shutdown`.
//!
//! Your part: everything marked `// TODO`.

use std::future::Future;

/// The tokio this crate runs on, for the checks (they build the runtimes).
pub use tokio;

// Useful here: `tokio::sync::{mpsc, watch}`, `tokio::select!`, `tokio::task::JoinHandle`.

/// A service: one worker task that processes messages, one at a time, in the order they were
/// sent, until it is shut down.
pub struct Service {
    // TODO: what `client` and `shutdown` need: a way to send messages, a way to tell the worker
    // to stop, and the worker's task.
}

/// A handle that sends messages to a [`Service`]'s worker. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    // TODO
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
        // TODO: the message queue, the shutdown signal, and the worker task.
        let _ = (capacity, handler);
        todo!("Service::start")
    }

    /// A new handle for sending messages to this service.
    pub fn client(&self) -> Client {
        // TODO
        todo!("Service::client")
    }

    /// Stops the service gracefully and returns the handler's results, in the order the worker
    /// processed them. Every message whose `send` returned `Ok` is processed exactly once, to
    /// the end, before `shutdown` returns; then the worker stops, even if clients are still
    /// alive, and even if the worker had not started running yet when shutdown was asked.
    pub async fn shutdown(self) -> Vec<u64> {
        // TODO: tell the worker to stop, then wait for it and take its results.
        todo!("Service::shutdown")
    }
}

impl Client {
    /// Queues `msg` for the worker, waiting while the queue is full. `Ok(())` means the message
    /// will be processed, even if shutdown comes first. `Err(msg)` gives the message back when
    /// the service no longer accepts messages (it is shutting down or has shut down).
    pub async fn send(&self, msg: u64) -> Result<(), u64> {
        // TODO
        let _ = msg;
        todo!("Client::send")
    }
}
