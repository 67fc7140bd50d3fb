//! The benchmark of `sync_vs_async`: `load` slow connections, each sending 3 requests 10 ms
//! apart, served by the kata's `serve_with_threads` (a thread per connection, blocking reads)
//! and `serve_with_tasks` (a task per connection on a current-thread runtime, async reads).
//!
//! The connections are idle almost all the time: the work is waiting, so both approaches take
//! about 30 ms plus what it costs to start and switch between the connections' threads or
//! tasks. The lesson is in the last column: a thread costs a stack and a kernel thread, a task
//! a few hundred bytes.

use std::hint::black_box;
use std::time::Duration;

use checks::bench::Bench;
use sync_vs_async::tokio;
use sync_vs_async::{serve_with_tasks, serve_with_threads, Conn, Reading};

/// Requests per connection.
const REQUESTS: usize = 3;
/// How long each request takes to arrive.
const GAP: Duration = Duration::from_millis(10);

/// A slow client: `left` more requests, each arriving `GAP` after the last.
struct Slow {
    left: usize,
}

impl Slow {
    fn next(&mut self) -> Option<String> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        Some(format!("request {}", self.left))
    }
}

impl Conn for Slow {
    fn read_blocking(&mut self) -> Option<String> {
        if self.left > 0 {
            std::thread::sleep(GAP);
        }
        self.next()
    }

    fn read(&mut self) -> Reading<'_> {
        Box::pin(async move {
            if self.left > 0 {
                tokio::time::sleep(GAP).await;
            }
            self.next()
        })
    }

    fn write(&mut self, reply: String) {
        black_box(reply);
    }
}

fn conns(load: usize) -> Vec<Box<dyn Conn>> {
    (0..load)
        .map(|_| Box::new(Slow { left: REQUESTS }) as Box<dyn Conn>)
        .collect()
}

fn thread_per_connection(load: usize) {
    serve_with_threads(conns(load));
}

fn task_per_connection(load: usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    runtime.block_on(serve_with_tasks(conns(load)));
}

fn main() {
    Bench::new("<load> connections, each sending 3 requests 10 ms apart")
        .loads(&[100, 1_000, 5_000])
        .approach("thread per connection", thread_per_connection)
        .approach("task per connection", task_per_connection)
        .run();
}
