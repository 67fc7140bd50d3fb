//! Mutant: a dropped subscriber closes its queue but never removes it (`mq_unlink`), so the queue outlives it.
//! Expect: leak

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
        let attr = MqAttr::new(0, MAX_CAPACITY as _, CONTROL_SIZE as _, 0);
        let control = Queue::create(
            control_name,
            MQ_OFlag::O_RDONLY | MQ_OFlag::O_NONBLOCK,
            &attr,
        )?;
        Ok(Publisher {
            control_name: control_name.to_owned(),
            control,
            subscribers: Vec::new(),
        })
    }

    /// Sends `message` to every subscriber, without ever waiting for one, and returns how many
    /// got it. Every [`Subscriber::subscribe`] that returned before this call counts, every
    /// subscriber that was dropped or whose process ended before it does not (this call removes
    /// the queue of a subscriber whose process died). A subscriber whose queue is full does
    /// not get the message: it learns how many it missed with its next message.
    ///
    /// A message longer than [`MAX_MESSAGE`] is refused (`InvalidInput`).
    pub fn publish(&mut self, message: &[u8]) -> io::Result<usize> {
        if message.len() > MAX_MESSAGE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("a message holds at most {MAX_MESSAGE} bytes"),
            ));
        }
        self.read_control()?;
        self.forget_the_dead();
        let mut delivered = 0;
        let mut frame = Vec::with_capacity(HEADER + message.len());
        for subscriber in &mut self.subscribers {
            frame.clear();
            frame.extend_from_slice(&subscriber.missed.to_le_bytes());
            frame.extend_from_slice(message);
            match mq_send(subscriber.queue.mqd(), &frame, 0) {
                Ok(()) => {
                    subscriber.missed = 0;
                    delivered += 1;
                }
                Err(Errno::EAGAIN) => subscriber.missed += 1,
                Err(err) => return Err(err.into()),
            }
        }
        Ok(delivered)
    }

    /// Takes in every request waiting on the control queue, without blocking.
    fn read_control(&mut self) -> io::Result<()> {
        let mut buffer = [0u8; CONTROL_SIZE];
        loop {
            let len = match mq_receive(self.control.mqd(), &mut buffer, &mut 0) {
                Ok(len) => len,
                Err(Errno::EAGAIN) => return Ok(()),
                Err(err) => return Err(err.into()),
            };
            let Some((subscribe, pid, name)) = parse_request(&buffer[..len]) else {
                continue;
            };
            if subscribe {
                let flags = MQ_OFlag::O_WRONLY | MQ_OFlag::O_NONBLOCK;
                match Queue::open(name, flags) {
                    Ok(queue) => self.subscribers.push(Subscription {
                        pid,
                        name: name.to_owned(),
                        queue,
                        missed: 0,
                    }),
                    // Gone already: it left before we heard it came.
                    Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                    Err(err) => return Err(err),
                }
            } else if let Some(at) = self
                .subscribers
                .iter()
                .position(|s| s.pid == pid && s.name == name)
            {
                // Its queue is its own to remove: only close ours.
                self.subscribers.remove(at);
            }
        }
    }

    /// Drops every subscriber whose process has ended, and removes its queue for it.
    fn forget_the_dead(&mut self) {
        let (alive, dead): (Vec<_>, Vec<_>) = std::mem::take(&mut self.subscribers)
            .into_iter()
            .partition(|s| kill(s.pid, None) != Err(Errno::ESRCH));
        self.subscribers = alive;
        for subscriber in dead {
            let _ = mq_unlink(subscriber.name.as_str());
        }
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        // Every queue is closed as its field is dropped; the subscribers' are theirs to remove.
        let _ = mq_unlink(self.control_name.as_str());
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
        if !(1..=MAX_CAPACITY).contains(&capacity) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("a subscriber's capacity is 1 to {MAX_CAPACITY} messages"),
            ));
        }
        let control = Queue::open(control_name, MQ_OFlag::O_WRONLY)?;
        let attr = MqAttr::new(0, capacity as _, (HEADER + MAX_MESSAGE) as _, 0);
        let queue = Queue::create(queue_name, MQ_OFlag::O_RDONLY, &attr)?;
        let subscriber = Subscriber {
            name: queue_name.to_owned(),
            queue,
            control,
            pending: None,
        };
        // Dropped on failure, `subscriber` closes both queues and removes its own.
        mq_send(subscriber.control.mqd(), &request(true, queue_name), 0)?;
        Ok(subscriber)
    }

    /// Waits for the next event: a message, or before it a [`Event::Lagged`] saying how many
    /// messages were dropped for this subscriber since the one before.
    pub fn recv(&mut self) -> io::Result<Event> {
        if let Some(message) = self.pending.take() {
            return Ok(Event::Message(message));
        }
        let mut buffer = vec![0u8; HEADER + MAX_MESSAGE];
        let len = mq_receive(self.queue.mqd(), &mut buffer, &mut 0)?;
        if len < HEADER {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a message without its header",
            ));
        }
        let missed = u64::from_le_bytes(buffer[..HEADER].try_into().expect("8 bytes"));
        let message = buffer[HEADER..len].to_vec();
        if missed == 0 {
            return Ok(Event::Message(message));
        }
        self.pending = Some(message);
        Ok(Event::Lagged(missed))
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        // Never wait on a full control queue here: a subscriber whose goodbye does not fit is
        // still dropped by the publisher once its process has ended.
        if mq_set_nonblock(self.control.mqd()).is_ok() {
            let _ = mq_send(self.control.mqd(), &request(false, &self.name), 0);
        }
        // Both queues are closed as their fields are dropped, right after.
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
