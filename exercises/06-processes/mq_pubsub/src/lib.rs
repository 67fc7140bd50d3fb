//! Publish-subscribe over POSIX message queues: one publisher process, any number of subscriber
//! processes, each with its own queue. Read `README.md` beside this folder's `src/` first.
//!
//! The plumbing is set up: `Queue` opens, creates and closes a queue, `request` and
//! `parse_request` write and read the control messages. Fanning out, counting what a full
//! queue refused, telling subscribers that came, left or died, and removing queues is yours:
//! look for `TODO`.

#![allow(dead_code, unused_imports, unused_variables)]

use std::io;

use nix::errno::Errno;
use nix::mqueue::{
    mq_close, mq_open, mq_receive, mq_send, mq_set_nonblock, mq_unlink, MQ_OFlag, MqAttr, MqdT,
};
use nix::sys::signal::kill;
use nix::sys::stat::Mode;
use nix::unistd::{getpid, Pid};

/// The largest message [`Publisher::publish`] accepts, in bytes.
pub const MAX_MESSAGE: usize = 1024;

/// The most messages a subscriber's queue may hold (the system's limit for a queue).
pub const MAX_CAPACITY: usize = 10;

/// The bytes in front of every message in a subscriber's queue: how many messages that
/// subscriber missed just before this one (a little-endian `u64`).
const HEADER: usize = 8;

/// The largest control message (a request and a queue name).
const CONTROL_SIZE: usize = 512;

/// What [`Subscriber::recv`] returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The next message, as published.
    Message(Vec<u8>),
    /// This many messages were published for this subscriber but dropped, because its queue
    /// was full; the messages after them follow.
    Lagged(u64),
}

/// The publisher: owns the control queue, and sends every message to every subscriber.
pub struct Publisher {
    /// The control queue's name (the publisher removes it when dropped).
    control_name: String,
    /// The control queue, read without blocking.
    control: Queue,
    /// Everyone subscribed, in the order they subscribed.
    subscribers: Vec<Subscription>,
}

/// One subscriber, as the publisher sees it.
struct Subscription {
    /// The subscriber's process, to tell whether it is still alive.
    pid: Pid,
    /// The name of its queue.
    name: String,
    /// Its queue, written without blocking.
    queue: Queue,
    /// Messages dropped for it (its queue was full) since the last one it got.
    missed: u64,
}

impl Publisher {
    /// Creates the control queue `control_name` (it must not exist yet), on which subscribers
    /// announce themselves.
    pub fn create(control_name: &str) -> io::Result<Publisher> {
        // TODO: create the control queue (MAX_CAPACITY messages of CONTROL_SIZE bytes), to be
        // read without blocking.
        todo!("create the control queue {control_name}")
    }

    /// Sends `message` to every subscriber, without ever waiting for one, and returns how many
    /// got it. Every [`Subscriber::subscribe`] that returned before this call counts, every
    /// subscriber that was dropped or whose process ended before it does not (this call removes
    /// the queue of a subscriber whose process died). A subscriber whose queue is full does
    /// not get the message: it learns how many it missed with its next message.
    ///
    /// A message longer than [`MAX_MESSAGE`] is refused (`InvalidInput`).
    pub fn publish(&mut self, message: &[u8]) -> io::Result<usize> {
        // TODO: take in every request waiting on the control queue (subscribe: open its queue
        // for writing without blocking; unsubscribe: forget it); forget every subscriber whose
        // process is gone (`kill(pid, None)` fails with ESRCH), and remove its queue; then send
        // HEADER + message to each, and count what a full queue refused.
        todo!("send {} bytes to every subscriber", message.len())
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        // TODO: remove the control queue (the subscribers' queues are theirs to remove).
    }
}

/// A subscriber: owns its queue, into which the publisher sends.
pub struct Subscriber {
    /// Its own queue's name (removed when the subscriber is dropped).
    name: String,
    /// Its own queue, read with blocking.
    queue: Queue,
    /// The publisher's control queue, to say goodbye on.
    control: Queue,
    /// A message received behind a lag notice, returned by the next call.
    pending: Option<Vec<u8>>,
}

impl Subscriber {
    /// Creates this subscriber's queue `queue_name` (it must not exist yet), holding at most
    /// `capacity` messages (1 to [`MAX_CAPACITY`], else `InvalidInput`), and announces it on the
    /// publisher's control queue `control_name` (`NotFound` if there is no publisher). Every
    /// message published after this returns reaches this subscriber (or is counted as
    /// missed), until it is dropped.
    pub fn subscribe(
        control_name: &str,
        queue_name: &str,
        capacity: usize,
    ) -> io::Result<Subscriber> {
        // TODO: refuse a capacity out of range; open the control queue, create your own queue
        // (HEADER + MAX_MESSAGE bytes a message), and send `request(true, queue_name)`.
        todo!("subscribe {queue_name} to {control_name}")
    }

    /// Waits for the next event: a message, or before it a [`Event::Lagged`] saying how many
    /// messages were dropped for this subscriber since the one before.
    pub fn recv(&mut self) -> io::Result<Event> {
        // TODO: receive one message; a header that is not 0 is a lag to report first.
        todo!("the next event")
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        // TODO: tell the publisher you leave (without ever waiting), and remove your queue.
    }
}

/// A control request: `+PID NAME` (subscribe) or `-PID NAME` (unsubscribe) from this process.
fn request(subscribe: bool, name: &str) -> Vec<u8> {
    let sign = if subscribe { '+' } else { '-' };
    format!("{sign}{} {name}", getpid()).into_bytes()
}

/// A control request read back: whether it subscribes, the process and the queue's name.
fn parse_request(bytes: &[u8]) -> Option<(bool, Pid, &str)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let subscribe = match text.as_bytes().first()? {
        b'+' => true,
        b'-' => false,
        _ => return None,
    };
    let (pid, name) = text[1..].split_once(' ')?;
    Some((subscribe, Pid::from_raw(pid.parse().ok()?), name))
}

/// An open queue, closed when dropped (nix's `MqdT` is not).
struct Queue(Option<MqdT>);

impl Queue {
    /// Opens the existing queue `name`.
    fn open(name: &str, flags: MQ_OFlag) -> io::Result<Queue> {
        Ok(Queue(Some(mq_open(name, flags, Mode::empty(), None)?)))
    }

    /// Creates the queue `name`, which must not exist yet, and opens it.
    fn create(name: &str, flags: MQ_OFlag, attr: &MqAttr) -> io::Result<Queue> {
        let flags = flags | MQ_OFlag::O_CREAT | MQ_OFlag::O_EXCL;
        let mode = Mode::S_IRUSR | Mode::S_IWUSR;
        Ok(Queue(Some(mq_open(name, flags, mode, Some(attr))?)))
    }

    /// The descriptor.
    fn mqd(&self) -> &MqdT {
        self.0
            .as_ref()
            .expect("a queue is open until it is dropped")
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        if let Some(queue) = self.0.take() {
            let _ = mq_close(queue);
        }
    }
}
