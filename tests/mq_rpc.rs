//! Checks of the `mq_rpc` kata: request and reply between processes over POSIX message queues.
//!
//! The promises: every call gets the answer to its own request, whatever other clients (in
//! other processes) call at the same time; a call waits at most its timeout, neither much less
//! nor much more, and then returns `Timeout`; a late reply to a call that gave up is never
//! taken for the answer to a later call, whether it arrives before that call or while it
//! waits; `connect` to a missing server is `NotFound`, and a queue name that is taken is
//! `AlreadyExists`; and every queue is removed by whoever created it once it is dropped.
//!
//! The server is a role of this binary (`server`): it answers a request `R` with `re:R`, and can
//! hold its first request until the check writes a line on its stdin (a server that is slow on
//! purpose, at a moment the check chooses). The clients are this process (calls made on a
//! helper thread, so that a call that never returns fails as a hang) or `client` roles.

use std::io::{self, BufRead, Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use harness::check::{Checks, Mode};
use harness::detect;
use harness::process::{self, queue_exists, queue_name, queues_left, Child};
use mq_rpc::{CallError, Client, Server, MAX_PAYLOAD};
use nix::mqueue::{mq_close, mq_getattr, mq_open, MQ_OFlag};
use nix::sys::stat::Mode as Permissions;

fn main() {
    Checks::new()
        .role("server", server_role)
        .role("client", client_role)
        .sequential(
            "connect to a missing server is NotFound, a taken queue name is AlreadyExists, and \
             no queue is left behind",
            names_and_errors,
        )
        .sequential(
            "one client makes 20 calls: each gets the answer to its own request, and every \
             queue is removed once dropped",
            one_client,
        )
        .sequential(
            "a call to a server that does not answer times out within its bound, and the late \
             answers are never taken for a later call's answer",
            late_answer_before_next_call,
        )
        .sequential(
            "a late answer that arrives while the next call waits is thrown away",
            late_answer_during_next_call,
        )
        .sequential(
            "a request and an answer of MAX_PAYLOAD bytes go through; a request one byte longer \
             is refused with InvalidInput",
            largest_messages,
        )
        .sequential(
            "3 client processes call at once, 20 calls each: each gets exactly its own answers",
            three_clients,
        )
        .only(
            "4 client processes call at once, 30 calls each: each gets exactly its own answers",
            &[Mode::Stress],
            four_clients,
        )
        .only(
            "4 impatient client processes, every other call timing out: no call ever returns \
             another call's answer, and the server answers every request, even when its client \
             has gone",
            &[Mode::Stress],
            impatient_clients,
        )
        .run();
}

/// Requests longer than this are answered with themselves (the largest answer is as long as the
/// largest request).
const ECHOED: usize = 100;

/// How long a child may take to reach a status, or to finish once it has nothing to wait for.
const BUDGET: Duration = Duration::from_secs(5);

/// How long after its timeout a call may take to return `Timeout` (it needs microseconds).
const LATE: Duration = Duration::from_millis(500);

/// How long after its timeout a call that has not returned is a hang.
const HANG: Duration = Duration::from_secs(2);

/// The timeout of every call that the server answers.
const ANSWERED: Duration = Duration::from_secs(2);

/// The timeout of an impatient client's even calls: the server works longer on a request.
const IMPATIENT: Duration = Duration::from_millis(1);

// --- Roles (child processes) -----------------------------------------------------------------

/// `server NAME COUNT WORK_MS HOLD`: creates the server, says `ready`, answers COUNT requests
/// `R` with `re:R`, each after WORK_MS milliseconds of work, then drops the server and says
/// `closed`. Says `got R` when it has a request and `answered R` once the reply is sent. With
/// HOLD = `hold-first`, the first request is answered only after a line on stdin. A request
/// longer than [`ECHOED`] bytes is answered with itself, after the same work.
fn server_role() {
    let args = process::role_args();
    let count: usize = args[1].parse().expect("a count");
    let work = Duration::from_millis(args[2].parse().expect("milliseconds"));
    let hold_first = args[3] == "hold-first";
    let server = Server::create(&args[0])
        .unwrap_or_else(|err| panic!("Server::create({:?}) failed: {err}", args[0]));
    process::status("ready");
    let mut stdin = io::stdin().lock();
    for n in 0..count {
        let mut seen = String::new();
        server
            .serve_one(|request| {
                if request.len() > ECHOED {
                    seen = format!("{} bytes", request.len());
                    process::status(&format!("got {seen}"));
                    std::thread::sleep(work);
                    return request.to_vec();
                }
                seen = String::from_utf8_lossy(request).into_owned();
                process::status(&format!("got {seen}"));
                if hold_first && n == 0 {
                    let _ = stdin.read_line(&mut String::new());
                }
                std::thread::sleep(work);
                format!("re:{seen}").into_bytes()
            })
            .unwrap_or_else(|err| panic!("serve_one failed: {err}"));
        process::status(&format!("answered {seen}"));
    }
    drop(server);
    process::status("closed");
}

/// `client SERVER REPLY TAG CALLS PATIENCE`: connects, says `ready` and waits for its stdin to
/// close (the starting line), then calls `TAG 0`, `TAG 1`, ... and prints how it went: `ok N`
/// after N right answers, or the first trouble (`timeout`, `other-client`, `other-call`, `io`)
/// and the right answers before it. With PATIENCE = `impatient`, every even call has a timeout
/// of [`IMPATIENT`] (shorter than the server's work), and its `Timeout` is no trouble.
fn client_role() {
    let args = process::role_args();
    let tag = &args[2];
    let calls: usize = args[3].parse().expect("a number of calls");
    let impatient = args[4] == "impatient";
    let mut client = Client::connect(&args[0], &args[1])
        .unwrap_or_else(|err| panic!("Client::connect failed: {err}"));
    process::status("ready");
    let _ = io::stdin().read_to_end(&mut Vec::new());
    let mut answers = 0;
    let mut trouble = "ok";
    for i in 0..calls {
        let request = format!("{tag} {i}");
        let short = impatient && i % 2 == 0;
        let timeout = if short { IMPATIENT } else { ANSWERED };
        match client.call(request.as_bytes(), timeout) {
            Ok(reply) if reply == format!("re:{request}").as_bytes() => answers += 1,
            Err(CallError::Timeout) if short => {}
            Ok(reply) => {
                let mine = String::from_utf8_lossy(&reply).starts_with(&format!("re:{tag} "));
                trouble = if mine { "other-call" } else { "other-client" };
                break;
            }
            Err(CallError::Timeout) => {
                trouble = "timeout";
                break;
            }
            Err(CallError::Io(err)) => {
                eprintln!("call({request:?}) failed: {err}");
                trouble = "io";
                break;
            }
        }
    }
    drop(client);
    println!("{trouble} {answers}");
}

// --- Helpers ---------------------------------------------------------------------------------

/// Starts the server role on a fresh request queue and waits until it is ready.
fn start_server(count: usize, work_ms: u64, hold_first: bool) -> (Child, String) {
    let name = queue_name("requests");
    let hold = if hold_first { "hold-first" } else { "-" };
    let server = Child::spawn(
        "server",
        &[&name, &count.to_string(), &work_ms.to_string(), hold],
    );
    server
        .wait_for_status("ready", BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
    (server, name)
}

fn connect(server: &str, reply: &str) -> Client {
    Client::connect(server, reply)
        .unwrap_or_else(|err| panic!("Client::connect to a running server failed: {err}"))
}

/// A call running on a helper thread.
struct Pending {
    request: String,
    timeout: Duration,
    done: mpsc::Receiver<(Client, Result<Vec<u8>, CallError>, Duration)>,
}

/// Starts `client.call(request, timeout)` on a helper thread.
fn start_call(mut client: Client, request: &str, timeout: Duration) -> Pending {
    let (tx, done) = mpsc::channel();
    let bytes = request.as_bytes().to_vec();
    std::thread::spawn(move || {
        let start = Instant::now();
        let result = client.call(&bytes, timeout);
        let _ = tx.send((client, result, start.elapsed()));
    });
    Pending {
        request: request.to_owned(),
        timeout,
        done,
    }
}

impl Pending {
    /// The client back, the call's result and how long it took; a call still running
    /// [`HANG`] after its timeout fails the check as a hang.
    fn finish(self) -> (Client, Result<Vec<u8>, CallError>, Duration) {
        self.done
            .recv_timeout(self.timeout + HANG)
            .unwrap_or_else(|_| {
                process::hang(format!(
                    "call({:?}, timeout {}) had not returned {:.1} s after its timeout: a call \
                     must give up once its time is up, whatever the server does",
                    self.request,
                    millis(self.timeout),
                    HANG.as_secs_f64()
                ))
            })
    }
}

/// `client.call(request, timeout)`, bounded as [`Pending::finish`] says.
fn call(client: Client, request: &str, timeout: Duration) -> (Client, Result<Vec<u8>, CallError>) {
    let (client, result, _) = start_call(client, request, timeout).finish();
    (client, result)
}

fn millis(duration: Duration) -> String {
    format!("{} ms", duration.as_millis())
}

/// Expects the answer `re:{request}`; `late` lists requests whose answers came too late.
fn expect_answer(request: &str, result: Result<Vec<u8>, CallError>, late: &[&str], why: &str) {
    let expected = format!("re:{request}");
    match result {
        Ok(reply) if reply == expected.as_bytes() => {}
        Ok(reply) => {
            let reply = String::from_utf8_lossy(&reply).into_owned();
            let stale = late.iter().find(|late| reply == format!("re:{late}"));
            match stale {
                Some(stale) => panic!(
                    "the call for {request:?} returned {reply:?}, the late answer to the call \
                     for {stale:?}, which had timed out: a reply must be matched to its call by \
                     the correlation id, and a reply with an older id thrown away"
                ),
                None => panic!("the call for {request:?} returned {reply:?}, not {expected:?}"),
            }
        }
        Err(CallError::Timeout) => panic!(
            "the call for {request:?} returned Timeout (its timeout was {}), but {why}",
            millis(ANSWERED)
        ),
        Err(CallError::Io(err)) => panic!("the call for {request:?} failed: {err}"),
    }
}

/// Expects `Timeout` from a call the server had not answered, after `timeout` and not much more.
fn expect_timeout(
    request: &str,
    timeout: Duration,
    result: Result<Vec<u8>, CallError>,
    took: Duration,
) {
    let call = format!("call({request:?}, timeout {})", millis(timeout));
    match result {
        Err(CallError::Timeout) => {}
        Ok(reply) => panic!(
            "{call} returned Ok({:?}), but the server had not answered it yet",
            String::from_utf8_lossy(&reply)
        ),
        Err(CallError::Io(err)) => panic!("{call} failed ({err}) instead of returning Timeout"),
    }
    assert!(
        took >= timeout,
        "{call} returned Timeout early, before its {} were up: mq_timedreceive takes an \
         absolute CLOCK_REALTIME deadline (the time now plus the timeout), not a duration",
        millis(timeout)
    );
    assert!(
        took <= timeout + LATE,
        "{call} returned Timeout more than {} after its {} were up",
        millis(LATE),
        millis(timeout)
    );
}

/// Waits until the queue `name` holds `count` messages (at most [`BUDGET`]).
fn wait_until_queued(name: &str, count: i64, what: &str) {
    let queue = mq_open(name, MQ_OFlag::O_RDONLY, Permissions::empty(), None)
        .unwrap_or_else(|err| panic!("the check cannot open the request queue: {err}"));
    let deadline = Instant::now() + BUDGET;
    while mq_getattr(&queue).map_or(0, |attr| attr.curmsgs()) < count {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = mq_close(queue);
}

/// Writes the line that lets the server answer its held request.
fn release(server: &mut Child) {
    let stdin = server.stdin().expect("the server's stdin is piped");
    let _ = stdin.write_all(b"go\n").and_then(|()| stdin.flush());
}

/// Waits for the server to answer its requests and close.
fn finish_server(server: &mut Child) {
    let status = server.wait(BUDGET).unwrap_or_else(|err| {
        process::hang(format!(
            "every request had been sent, yet the server did not answer them all and close: \
             {err}"
        ))
    });
    if !status.success() {
        panic!("{}", server.explain(&process::describe_exit(status)));
    }
}

/// Fails with `leak` if a queue handed out in this check still exists.
fn assert_no_queue_left(after: &str) {
    let left: Vec<String> = queues_left()
        .iter()
        .map(|name| {
            let whose = if name.ends_with("-requests") {
                "the server's request queue"
            } else {
                "a client's reply queue"
            };
            format!("{whose} {name}")
        })
        .collect();
    if !left.is_empty() {
        detect::leaked(format!(
            "{after}, {} still existed: whoever creates a queue removes it (mq_unlink) when \
             dropped, the server its request queue and a client its reply queue; a queue \
             outlives every descriptor and every process until its name is removed",
            left.join(", ")
        ));
    }
}

// --- Checks ----------------------------------------------------------------------------------

fn names_and_errors() {
    let missing = queue_name("nobody");
    let reply = queue_name("replies");
    match Client::connect(&missing, &reply) {
        Ok(_) => panic!("Client::connect to a server queue that does not exist returned Ok"),
        Err(err) => assert_eq!(
            err.kind(),
            io::ErrorKind::NotFound,
            "Client::connect to a server queue that does not exist should fail with NotFound, \
             not {err:?}"
        ),
    }
    if queue_exists(&reply) {
        detect::leaked(
            "Client::connect failed (there was no server), but left its reply queue behind: on \
             an error no queue may be left",
        );
    }
    let name = queue_name("requests");
    let server = Server::create(&name).unwrap_or_else(|err| panic!("Server::create failed: {err}"));
    match Server::create(&name) {
        Ok(_) => panic!(
            "a second Server::create on a queue name that is taken returned Ok: it should fail \
             with AlreadyExists, and never own (and later remove) a queue it did not create"
        ),
        Err(err) => assert_eq!(
            err.kind(),
            io::ErrorKind::AlreadyExists,
            "a second Server::create on a taken name should fail with AlreadyExists, not {err:?}"
        ),
    }
    let client = connect(&name, &reply);
    match Client::connect(&name, &reply) {
        Ok(_) => panic!(
            "a second Client::connect with a reply queue name that is taken returned Ok: it \
             should fail with AlreadyExists"
        ),
        Err(err) => assert_eq!(
            err.kind(),
            io::ErrorKind::AlreadyExists,
            "a second Client::connect with a taken reply queue name should fail with \
             AlreadyExists, not {err:?}"
        ),
    }
    assert!(
        queue_exists(&name) && queue_exists(&reply),
        "a refused Server::create or Client::connect removed the queue of the server or the \
         client that had it"
    );
    drop(client);
    drop(server);
    assert_no_queue_left("once the server and the client were dropped");
}

fn one_client() {
    let (mut server, name) = start_server(20, 10, false);
    let mut client = connect(&name, &queue_name("replies"));
    for i in 0..20 {
        let request = format!("call {i}");
        let (back, result) = call(client, &request, ANSWERED);
        client = back;
        expect_answer(
            &request,
            result,
            &[],
            "the server answers every request after 10 ms",
        );
    }
    drop(client);
    finish_server(&mut server);
    assert_no_queue_left("once the server and the client were dropped");
}

fn late_answer_before_next_call() {
    let (mut server, name) = start_server(3, 0, true);
    let client = connect(&name, &queue_name("replies"));
    let first = Duration::from_millis(300);
    let (client, result, took) = start_call(client, "first", first).finish();
    expect_timeout("first", first, result, took);
    server
        .wait_for_status("got first", BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
    // The server holds "first": "second" waits in its queue.
    let second = Duration::from_millis(150);
    let (client, result, took) = start_call(client, "second", second).finish();
    expect_timeout("second", second, result, took);
    release(&mut server);
    server
        .wait_for_status("answered second", BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
    // Both late answers wait in the reply queue now.
    let (client, result) = call(client, "third", ANSWERED);
    expect_answer(
        "third",
        result,
        &["first", "second"],
        "the server answers at once",
    );
    drop(client);
    finish_server(&mut server);
    assert_no_queue_left("once the server and the client were dropped");
}

fn late_answer_during_next_call() {
    let (mut server, name) = start_server(2, 0, true);
    let client = connect(&name, &queue_name("replies"));
    let first = Duration::from_millis(200);
    let (client, result, took) = start_call(client, "first", first).finish();
    expect_timeout("first", first, result, took);
    server
        .wait_for_status("got first", BUDGET)
        .unwrap_or_else(|err| panic!("{err}"));
    let pending = start_call(client, "second", ANSWERED);
    // "second" sent: the call waits for its answer. Only now is "first" answered, late.
    wait_until_queued(&name, 1, "the call for \"second\" sent no request");
    release(&mut server);
    let (client, result, _) = pending.finish();
    expect_answer(
        "second",
        result,
        &["first"],
        "the server answered it right after the late answer to \"first\"",
    );
    drop(client);
    finish_server(&mut server);
    assert_no_queue_left("once the server and the client were dropped");
}

fn largest_messages() {
    // The echo comes after some work, so that a call that does not wait for it (a deadline
    // already past) times out on every run, not only when the echo is slower than the call.
    let (mut server, name) = start_server(1, 20, false);
    let client = connect(&name, &queue_name("replies"));
    let largest = "x".repeat(MAX_PAYLOAD);
    let what = format!("a request of MAX_PAYLOAD ({MAX_PAYLOAD}) bytes, which the server echoes,");
    let (client, result) = call(client, &largest, ANSWERED);
    match result {
        Ok(reply) if reply == largest.as_bytes() => {}
        Ok(reply) => panic!("{what} came back as {} other bytes", reply.len()),
        Err(CallError::Timeout) => panic!(
            "{what} returned Timeout after {}: a request and an answer of MAX_PAYLOAD bytes \
             must go through",
            millis(ANSWERED)
        ),
        Err(CallError::Io(err)) => panic!("{what} failed: {err}"),
    }
    let (client, result) = call(client, &"x".repeat(MAX_PAYLOAD + 1), ANSWERED);
    match result {
        Err(CallError::Io(err)) if err.kind() == io::ErrorKind::InvalidInput => {}
        other => panic!(
            "a call with a request of MAX_PAYLOAD + 1 bytes should return CallError::Io of kind \
             InvalidInput, not {}",
            match other {
                Ok(_) => "Ok".to_owned(),
                Err(CallError::Timeout) => "Timeout".to_owned(),
                Err(CallError::Io(err)) => format!("Io({err:?})"),
            }
        ),
    }
    drop(client);
    finish_server(&mut server);
    assert_no_queue_left("once the server and the client were dropped");
}

/// `clients` client processes call a server at once, `calls` calls each; impatient ones give
/// every other call a timeout shorter than the server's work.
fn clients_at_once(clients: usize, calls: usize, patience: &str) {
    let (mut server, name) = start_server(clients * calls, 2, false);
    let replies: Vec<String> = (0..clients).map(|_| queue_name("replies")).collect();
    let calls_arg = calls.to_string();
    let mut children: Vec<Child> = replies
        .iter()
        .enumerate()
        .map(|(c, reply)| {
            let tag = format!("c{c}");
            Child::spawn("client", &[&name, reply, &tag, &calls_arg, patience])
        })
        .collect();
    checks::starting_line::start_together(&mut children, BUDGET);
    let budget = ANSWERED + BUDGET;
    let mut outcomes = Vec::new();
    for child in &mut children {
        let status = child.wait(budget).unwrap_or_else(|err| {
            process::hang(format!(
                "{clients} client processes called at once (each call with a timeout of {}), \
                 and one never finished: {err}",
                millis(ANSWERED)
            ))
        });
        if !status.success() {
            panic!("{}", child.explain(&process::describe_exit(status)));
        }
        let mut out = String::new();
        let _ = child
            .take_stdout()
            .expect("piped stdout")
            .read_to_string(&mut out);
        let (trouble, answers) = out.trim().split_once(' ').unwrap_or(("?", "0"));
        outcomes.push((trouble.to_owned(), answers.parse::<usize>().unwrap_or(0)));
    }
    let who = format!("{clients} client processes called one server at once, {calls} calls each");
    let has = |what: &str| outcomes.iter().any(|(trouble, _)| trouble == what);
    assert!(
        !has("timeout"),
        "{who}, and a call returned Timeout (after {}), although the server answers every \
         request within a few ms: its reply went to another client's queue, or nowhere",
        millis(ANSWERED)
    );
    assert!(
        !has("other-client"),
        "{who}, and a client got the answer to another client's request: each reply must go \
         to the reply queue that its request names"
    );
    assert!(
        !has("other-call"),
        "{who}, and a client got the answer to another of its own calls"
    );
    assert!(
        !has("io"),
        "{who}, and a call failed with an error (see the client's stderr)"
    );
    let answers: usize = outcomes.iter().map(|(_, answers)| answers).sum();
    if patience == "impatient" {
        assert!(
            answers >= clients * calls / 2,
            "{who}, every other call with a timeout of {}: there should be a right answer to \
             each of the other {} calls at least, but there were {answers}",
            millis(IMPATIENT),
            clients * calls / 2
        );
    } else {
        assert_eq!(
            answers,
            clients * calls,
            "{who}: there should be {} right answers, one per call, not {answers}",
            clients * calls
        );
    }
    finish_server(&mut server);
    assert_no_queue_left("once the server and every client were dropped");
}

fn three_clients() {
    clients_at_once(3, 20, "patient");
}

fn four_clients() {
    clients_at_once(4, 30, "patient");
}

fn impatient_clients() {
    clients_at_once(4, 30, "impatient");
}
