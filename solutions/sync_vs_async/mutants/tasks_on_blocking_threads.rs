//! Mutant: serve_with_tasks hands each connection to `spawn_blocking` with blocking reads: the connections overlap, but each one holds a thread of tokio's blocking pool, a thread per connection in disguise, with the memory cost the async version was meant to avoid.
//! Expect: wrong-result

use std::future::Future;
use std::pin::Pin;

use harness::thread;

/// The tokio this crate runs on, for the checks and the benchmark (they build the runtimes).
pub use tokio;

use tokio::task::JoinSet;

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

/// One connection, served with blocking reads.
fn serve_blocking(mut conn: Box<dyn Conn>) {
    while let Some(request) = conn.read_blocking() {
        conn.write(answer(&request));
    }
}

/// Serves every connection until its client is done (reply to each request with
/// [`answer`], in order), **one thread per connection** (threads from `harness::thread`), each
/// using [`Conn::read_blocking`]. All connections are served at the same time. Returns once
/// every connection has been served to the end.
pub fn serve_with_threads(conns: Vec<Box<dyn Conn>>) {
    let threads: Vec<thread::JoinHandle<()>> = conns
        .into_iter()
        .enumerate()
        .map(|(i, conn)| {
            thread::Builder::new()
                .name(format!("connection {i}"))
                .spawn(move || serve_blocking(conn))
                .expect("the system starts a thread for the connection")
        })
        .collect();
    for thread in threads {
        thread.join().expect("a connection's thread panicked");
    }
}

/// Serves every connection until its client is done (reply to each request with
/// [`answer`], in order), **one task per connection** on the runtime that awaits this, each
/// using [`Conn::read`]. All connections are served at the same time, and on the runtime's own
/// threads: no thread is started for a connection. Returns once every connection has been
/// served to the end.
pub async fn serve_with_tasks(conns: Vec<Box<dyn Conn>>) {
    let mut tasks = JoinSet::new();
    for conn in conns {
        tasks.spawn_blocking(move || serve_blocking(conn));
    }
    while let Some(served) = tasks.join_next().await {
        served.expect("a connection's task panicked");
    }
}
