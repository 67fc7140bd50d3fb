//! Checks of the `sync_vs_async` kata: many slow connections, served by a thread each or by a
//! task each.
//!
//! The promises: both servers answer every request of every connection, in order, and return
//! once every connection is served; both serve all the connections at the same time; the
//! thread server starts exactly one thread per connection; the task server starts none, and
//! keeps every connection on the runtime's own threads.
//!
//! The connections are the check's. "At the same time" is observed without a stopwatch: the
//! first blocking read of each connection waits until every connection is inside its first read
//! (for half a second at most, after which it records that they were not); the async reads
//! sleep on tokio's paused clock, and the check counts how many connections wait at once.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use harness::check::Checks;
use harness::sync::Arc;
use harness::thread::census;
use sync_vs_async::tokio;
use sync_vs_async::{serve_with_tasks, serve_with_threads, Conn, Reading};

/// How long a first blocking read waits for the other connections before it gives up.
const PATIENCE: Duration = Duration::from_millis(500);

fn main() {
    Checks::new()
        .sequential("no connections: both servers return", no_connections)
        .sequential(
            "serve_with_threads answers every request, in order",
            threads_answer_everything,
        )
        .sequential(
            "serve_with_threads serves all connections at once, one thread each",
            threads_overlap,
        )
        .sequential(
            "serve_with_tasks answers every request, in order",
            tasks_answer_everything,
        )
        .sequential(
            "serve_with_tasks serves all connections at once, without threads",
            tasks_overlap,
        )
        .concurrent(
            "serve_with_tasks on a multi-thread runtime",
            tasks_on_multi_thread_runtime,
        )
        .run();
}

/// What the connections of one scenario saw, together.
struct Shared {
    conns: usize,
    /// (first reads arrived, meeting over).
    meeting: Mutex<(usize, bool)>,
    met: Condvar,
    /// A first blocking read waited in vain for the others.
    gave_up: AtomicBool,
    waiting: AtomicUsize,
    most_waiting: AtomicUsize,
    blocking_reads: AtomicUsize,
    async_reads: AtomicUsize,
    /// Per connection: its replies, and the threads its reads ran on.
    replies: Mutex<Vec<Vec<String>>>,
    threads: Mutex<Vec<HashSet<ThreadId>>>,
}

impl Shared {
    fn new(conns: usize) -> Arc<Shared> {
        Arc::new(Shared {
            conns,
            meeting: Mutex::new((0, false)),
            met: Condvar::new(),
            gave_up: AtomicBool::new(false),
            waiting: AtomicUsize::new(0),
            most_waiting: AtomicUsize::new(0),
            blocking_reads: AtomicUsize::new(0),
            async_reads: AtomicUsize::new(0),
            replies: Mutex::new(vec![Vec::new(); conns]),
            threads: Mutex::new(vec![HashSet::new(); conns]),
        })
    }

    /// Waits until every connection is in its first read, or gives up after `PATIENCE`.
    fn meet(&self) {
        let mut meeting = self.meeting.lock().unwrap();
        if meeting.1 {
            return;
        }
        meeting.0 += 1;
        if meeting.0 >= self.conns {
            meeting.1 = true;
            self.met.notify_all();
            return;
        }
        let deadline = Instant::now() + PATIENCE;
        while !meeting.1 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                meeting.1 = true;
                self.gave_up.store(true, Ordering::SeqCst);
                self.met.notify_all();
                break;
            }
            meeting = self.met.wait_timeout(meeting, left).unwrap().0;
        }
    }

    fn start_waiting(&self) {
        let now = self.waiting.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_waiting.fetch_max(now, Ordering::SeqCst);
    }

    fn stop_waiting(&self) {
        self.waiting.fetch_sub(1, Ordering::SeqCst);
    }

    fn most_waiting(&self) -> usize {
        self.most_waiting.load(Ordering::SeqCst)
    }
}

/// One of the check's connections: `requests` arrive one by one, each after `delay`.
struct Client {
    id: usize,
    requests: VecDeque<String>,
    first: bool,
    /// How long a blocking read sleeps (real time).
    blocking_delay: Duration,
    /// How long an async read waits (tokio's clock), or `None` to just yield.
    async_delay: Option<Duration>,
    shared: Arc<Shared>,
}

impl Client {
    fn note_thread(&self) {
        self.shared.threads.lock().unwrap()[self.id].insert(std::thread::current().id());
    }
}

impl Conn for Client {
    fn read_blocking(&mut self) -> Option<String> {
        self.note_thread();
        self.shared.blocking_reads.fetch_add(1, Ordering::SeqCst);
        self.shared.start_waiting();
        if std::mem::take(&mut self.first) {
            self.shared.meet();
        }
        std::thread::sleep(self.blocking_delay);
        self.shared.stop_waiting();
        self.requests.pop_front()
    }

    fn read(&mut self) -> Reading<'_> {
        Box::pin(async move {
            self.note_thread();
            self.shared.async_reads.fetch_add(1, Ordering::SeqCst);
            self.first = false;
            self.shared.start_waiting();
            match self.async_delay {
                Some(delay) => tokio::time::sleep(delay).await,
                None => tokio::task::yield_now().await,
            }
            self.shared.stop_waiting();
            self.requests.pop_front()
        })
    }

    fn write(&mut self, reply: String) {
        self.shared.replies.lock().unwrap()[self.id].push(reply);
    }
}

/// `conns` connections of `requests` requests each.
fn clients(
    conns: usize,
    requests: usize,
    blocking_delay: Duration,
    async_delay: Option<Duration>,
) -> (Vec<Box<dyn Conn>>, Arc<Shared>) {
    let shared = Shared::new(conns);
    let clients = (0..conns)
        .map(|id| {
            Box::new(Client {
                id,
                requests: (0..requests).map(|r| request(id, r)).collect(),
                first: true,
                blocking_delay,
                async_delay,
                shared: Arc::clone(&shared),
            }) as Box<dyn Conn>
        })
        .collect();
    (clients, shared)
}

fn request(conn: usize, r: usize) -> String {
    format!("connection {conn}, request {r}")
}

/// Checks that every connection got the answers to its requests, in order.
fn all_answered(server: &str, shared: &Shared, requests: usize) {
    let replies = shared.replies.lock().unwrap();
    for (conn, got) in replies.iter().enumerate() {
        let want: Vec<String> = (0..requests)
            .map(|r| format!("echo: {}", request(conn, r)))
            .collect();
        assert!(
            got.len() == want.len(),
            "when {server} returned, connection {conn} had {} replies to its {requests} requests \
             (return only once every connection is served to the end)",
            got.len()
        );
        assert!(
            *got == want,
            "{server}: connection {conn} sent {:?} but got the replies {got:?}",
            (0..requests).map(|r| request(conn, r)).collect::<Vec<_>>()
        );
    }
}

/// A current-thread runtime whose clock is paused: time moves only when every task waits.
fn paused() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("the check can build a runtime")
}

fn no_connections() {
    serve_with_threads(Vec::new());
    paused().block_on(serve_with_tasks(Vec::new()));
}

fn threads_answer_everything() {
    let (conns, shared) = clients(4, 3, Duration::from_millis(20), None);
    serve_with_threads(conns);
    all_answered("serve_with_threads", &shared, 3);
    assert!(
        shared.async_reads.load(Ordering::SeqCst) == 0,
        "serve_with_threads called the async read: a thread per connection reads with \
         read_blocking"
    );
}

fn threads_overlap() {
    let conns = 8;
    let before = census();
    let (clients, shared) = clients(conns, 3, Duration::from_millis(20), None);
    serve_with_threads(clients);
    let spawned = census().spawned - before.spawned;
    all_answered("serve_with_threads", &shared, 3);
    assert!(
        !shared.gave_up.load(Ordering::SeqCst),
        "serve_with_threads: the {conns} connections were never all waiting for their first \
         request at the same time (one waited {} ms for the others): a connection was served \
         only after another one was done",
        PATIENCE.as_millis()
    );
    assert!(
        spawned == conns,
        "serve_with_threads served {conns} connections with {spawned} threads started: one \
         thread per connection"
    );
    let threads = shared.threads.lock().unwrap();
    let main = std::thread::current().id();
    let mut all = HashSet::new();
    for (conn, used) in threads.iter().enumerate() {
        assert!(
            used.len() == 1 && !used.contains(&main),
            "serve_with_threads: connection {conn} was read on {} threads{}: each connection \
             is served by one thread of its own",
            used.len(),
            if used.contains(&main) {
                ", the caller's among them"
            } else {
                ""
            }
        );
        all.extend(used.iter().copied());
    }
    assert!(
        all.len() == conns,
        "serve_with_threads: {conns} connections were read on {} threads: each connection has \
         a thread of its own",
        all.len()
    );
}

fn tasks_answer_everything() {
    let (conns, shared) = clients(4, 3, Duration::from_millis(1), Some(Duration::from_secs(1)));
    paused().block_on(serve_with_tasks(conns));
    all_answered("serve_with_tasks", &shared, 3);
}

fn tasks_overlap() {
    let conns = 50;
    let before = census();
    let (clients, shared) = clients(
        conns,
        3,
        Duration::from_millis(1),
        Some(Duration::from_secs(1)),
    );
    let took = paused().block_on(async {
        let began = tokio::time::Instant::now();
        serve_with_tasks(clients).await;
        began.elapsed()
    });
    let spawned = census().spawned - before.spawned;
    all_answered("serve_with_tasks", &shared, 3);
    let blocking = shared.blocking_reads.load(Ordering::SeqCst);
    let main = std::thread::current().id();
    let others: HashSet<ThreadId> = shared
        .threads
        .lock()
        .unwrap()
        .iter()
        .flatten()
        .copied()
        .filter(|thread| *thread != main)
        .collect();
    assert!(
        others.is_empty() && spawned == 0,
        "serve_with_tasks, on a runtime of one thread, read the connections on {} other threads \
         ({spawned} started with harness::thread): a task per connection needs no thread of \
         its own",
        others.len()
    );
    assert!(
        !shared.gave_up.load(Ordering::SeqCst) && blocking == 0,
        "serve_with_tasks blocked the runtime's only thread in read_blocking ({blocking} \
         blocking reads): while one task blocks, no other task on its thread runs; await \
         conn.read() instead"
    );
    assert!(
        shared.most_waiting() == conns,
        "serve_with_tasks: of {conns} connections, at most {} waited for a request at the same \
         time: the connections were served one after another, not each by a task of its own",
        shared.most_waiting()
    );
    assert!(
        took <= Duration::from_secs(4),
        "serve_with_tasks took {:.1} s (virtual time) for {conns} connections of 3 requests, \
         each arriving 1 s after the last: serving them at the same time takes 3 s",
        took.as_secs_f64()
    );
}

fn tasks_on_multi_thread_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("the check can build a runtime");
    let before = census();
    let (conns, shared) = clients(20, 4, Duration::ZERO, None);
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(5), serve_with_tasks(conns))
            .await
            .unwrap_or_else(|_| {
                harness::process::hang(
                    "serve_with_tasks did not finish within 5 s on a multi-thread runtime",
                )
            })
    });
    all_answered("serve_with_tasks", &shared, 4);
    assert!(
        census().spawned == before.spawned,
        "serve_with_tasks started threads of its own"
    );
}
