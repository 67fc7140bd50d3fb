//! The lab: a tiny server over many slow connections, served two ways: a thread for each
//! connection, or a task for each.
//!
//! Read the lesson first: `cargo xtask lesson sync_vs_async`; then measure both with
//! `cargo xtask bench sync_vs_async`.
//!
//! Your part: [`serve_with_threads`] and [`serve_with_tasks`], marked `// TODO`.

use std::future::Future;
use std::pin::Pin;

/// The tokio this crate runs on, for the checks and the benchmark (they build the runtimes).
pub use tokio;

// Useful here: `harness::thread` (spawn, Builder, JoinHandle), `tokio::task::JoinSet` or
// `tokio::spawn`.

/// What [`Conn::read`] gives: a future of the next request.
pub type Reading<'a> = Pin<Box<dyn Future<Output = Option<String>> + Send + 'a>>;

/// One client's connection. Its requests arrive slowly: reading waits until the next one is
/// there. The same connection can be read in two ways; use one of them, not both.
pub trait Conn: Send + 'static {
    /// Waits for the next request, **blocking the calling thread** meanwhile. `None` once the
    /// client is done.
    fn read_blocking(&mut self) -> Option<String>;
    /// Waits for the next request **without blocking**: the future is pending meanwhile, and
    /// its task hands its thread back. `None` once the client is done.
    fn read(&mut self) -> Reading<'_>;
    /// Sends the reply to the request read last.
    fn write(&mut self, reply: String);
}

/// The server's reply to `request`.
pub fn answer(request: &str) -> String {
    format!("echo: {request}")
}

/// Serves every connection until its client is done (reply to each request with
/// [`answer`], in order), **one thread per connection** (threads from `harness::thread`), each
/// using [`Conn::read_blocking`]. All connections are served at the same time. Returns once
/// every connection has been served to the end.
pub fn serve_with_threads(conns: Vec<Box<dyn Conn>>) {
    // TODO: a thread for each connection, reading with read_blocking; then wait for them all.
    let _ = conns;
    todo!("serve_with_threads")
}

/// Serves every connection until its client is done (reply to each request with
/// [`answer`], in order), **one task per connection** on the runtime that awaits this, each
/// using [`Conn::read`]. All connections are served at the same time, and on the runtime's own
/// threads: no thread is started for a connection. Returns once every connection has been
/// served to the end.
pub async fn serve_with_tasks(conns: Vec<Box<dyn Conn>>) {
    // TODO: a task for each connection, awaiting read; then wait for them all.
    let _ = conns;
    todo!("serve_with_tasks")
}
