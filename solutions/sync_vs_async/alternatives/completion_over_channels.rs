//! Alternative: nobody joins anything; each connection reports its end over a channel, and the
//! server waits for as many reports as it started connections. Threads report over a facade
//! `mpsc` channel; tasks are plain `tokio::spawn`s that report over a tokio `mpsc` channel.

use std::future::Future;
use std::pin::Pin;

use harness::sync::mpsc;
use harness::thread;

/// The tokio this crate runs on, for the checks and the benchmark (they build the runtimes).
pub use tokio;

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
    let (done, finished) = mpsc::channel();
    let started = conns.len();
    for mut conn in conns {
        let done = done.clone();
        thread::spawn(move || {
            while let Some(request) = conn.read_blocking() {
                conn.write(answer(&request));
            }
            done.send(())
                .expect("the server waits for every connection");
        });
    }
    for _ in 0..started {
        finished
            .recv()
            .expect("a connection's thread ended without reporting");
    }
}

/// Serves every connection until its client is done (reply to each request with
/// [`answer`], in order), **one task per connection** on the runtime that awaits this, each
/// using [`Conn::read`]. All connections are served at the same time, and on the runtime's own
/// threads: no thread is started for a connection. Returns once every connection has been
/// served to the end.
pub async fn serve_with_tasks(conns: Vec<Box<dyn Conn>>) {
    let (done, mut finished) = tokio::sync::mpsc::unbounded_channel();
    let started = conns.len();
    for mut conn in conns {
        let done = done.clone();
        tokio::spawn(async move {
            while let Some(request) = conn.read().await {
                conn.write(answer(&request));
            }
            let _ = done.send(());
        });
    }
    for _ in 0..started {
        finished
            .recv()
            .await
            .expect("a connection's task ended without reporting");
    }
}
