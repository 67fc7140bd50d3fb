//! Mutant: the server's request queue is never removed (`mq_unlink`): its descriptor is closed when the server is dropped, in the belief that the queue goes with it, but a queue is a kernel object that outlives every descriptor and every process.
//! Expect: leak

//! Request and reply between processes over POSIX message queues: one request queue that a
//! server reads, one reply queue per client, a correlation id on every request, and calls that
//! wait at most a given time.

use std::fmt;
use std::io;
use std::time::Duration;

use nix::errno::Errno;
use nix::mqueue::{mq_close, mq_open, mq_receive, mq_send, mq_timedreceive, mq_unlink};
use nix::mqueue::{MQ_OFlag, MqAttr, MqdT};
use nix::sys::stat::Mode;
use nix::sys::time::TimeSpec;
use nix::time::{clock_gettime, ClockId};

/// The most bytes a request or a reply may carry.
pub const MAX_PAYLOAD: usize = 4096;

/// Why a call returned no answer.
#[derive(Debug)]
pub enum CallError {
    /// No reply with this call's id came before the call's time was up.
    Timeout,
    /// A queue operation failed (or the request was too big: `InvalidInput`).
    Io(io::Error),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Timeout => write!(f, "the call timed out"),
            CallError::Io(err) => write!(f, "the call failed: {err}"),
        }
    }
}

impl std::error::Error for CallError {}

impl From<Errno> for CallError {
    fn from(errno: Errno) -> CallError {
        CallError::Io(errno.into())
    }
}

/// The server: it owns the request queue, created by [`Server::create`] and closed when the
/// server is dropped.
pub struct Server {
    requests: Queue,
}

impl Server {
    /// Creates the request queue `name` (a POSIX queue name: `/` then at most 255 characters).
    /// `Err` (kind `AlreadyExists`) if a queue of that name exists already: a server never
    /// takes over, and later removes, a queue it did not create.
    pub fn create(name: &str) -> io::Result<Server> {
        let requests = Queue::create(name, REQUEST_SIZE)?;
        Ok(Server { requests })
    }

    /// Waits for the next request, calls `handler` with its payload, sends what the handler
    /// returns to the reply queue the request names, with the request's id, and returns.
    ///
    /// A reply that cannot be delivered (its client has gone and removed its queue, or the
    /// queue is full of replies it never read) is dropped: the server never waits for a client.
    /// `Err` if the request queue cannot be read, a request is malformed (`InvalidData`) or the
    /// reply is longer than [`MAX_PAYLOAD`] (`InvalidInput`).
    pub fn serve_one(&self, handler: impl FnOnce(&[u8]) -> Vec<u8>) -> io::Result<()> {
        let mut buffer = vec![0; REQUEST_SIZE];
        let len = loop {
            match mq_receive(self.requests.fd(), &mut buffer, &mut 0) {
                Err(Errno::EINTR) => continue,
                other => break other?,
            }
        };
        let (id, reply_name, payload) = decode_request(&buffer[..len])
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "a malformed request"))?;
        let answer = handler(payload);
        let reply = encode_reply(id, &answer)?;
        let queue = match Queue::open(reply_name, MQ_OFlag::O_WRONLY | MQ_OFlag::O_NONBLOCK) {
            Ok(queue) => queue,
            // The client has gone: nobody waits for this reply.
            Err(Errno::ENOENT) => return Ok(()),
            Err(errno) => return Err(errno.into()),
        };
        loop {
            match mq_send(queue.fd(), &reply, 0) {
                Err(Errno::EINTR) => continue,
                // Full of replies its client never read: this one is dropped too.
                Err(Errno::EAGAIN) => return Ok(()),
                other => return Ok(other?),
            }
        }
    }
}

/// A client: it sends requests to a server's queue and owns its reply queue, created by
/// [`Client::connect`] and removed when the client is dropped.
pub struct Client {
    requests: Queue,
    reply_name: String,
    replies: Queue,
    /// The id of the next call: ids are never reused.
    next_id: u64,
}

impl Client {
    /// Opens the server's request queue `server` and creates this client's reply queue
    /// `reply_name` (a POSIX queue name of at most 255 bytes).
    ///
    /// `Err` (kind `NotFound`) if there is no server queue of that name, `AlreadyExists` if the
    /// reply queue exists already; on any error no queue is left behind.
    pub fn connect(server: &str, reply_name: &str) -> io::Result<Client> {
        let requests = Queue::open(server, MQ_OFlag::O_WRONLY)?;
        let replies = Queue::create(reply_name, REPLY_SIZE)?;
        Ok(Client {
            requests,
            reply_name: reply_name.to_owned(),
            replies,
            next_id: 1,
        })
    }

    /// Sends `request` to the server and returns the server's reply to it.
    ///
    /// Waits at most `timeout`, from the start of the call, for the reply with this call's id,
    /// then returns [`CallError::Timeout`]. Replies to earlier calls that timed out (late
    /// replies) are recognised by their id and thrown away, whenever they arrive: they are never
    /// the answer to a later call. A request longer than [`MAX_PAYLOAD`] is `CallError::Io` of
    /// kind `InvalidInput`. Sending waits while the server's queue is full.
    pub fn call(&mut self, request: &[u8], timeout: Duration) -> Result<Vec<u8>, CallError> {
        // One absolute deadline for the whole call: every wait below ends at the same moment.
        let deadline = clock_gettime(ClockId::CLOCK_REALTIME)? + TimeSpec::from(timeout);
        let id = self.next_id;
        self.next_id += 1;
        let message = encode_request(id, &self.reply_name, request).map_err(CallError::Io)?;
        loop {
            match mq_send(self.requests.fd(), &message, 0) {
                Err(Errno::EINTR) => continue,
                other => break other?,
            }
        }
        let mut buffer = vec![0; REPLY_SIZE];
        loop {
            let len = match mq_timedreceive(self.replies.fd(), &mut buffer, &mut 0, &deadline) {
                Ok(len) => len,
                Err(Errno::EINTR) => continue,
                Err(Errno::ETIMEDOUT) => return Err(CallError::Timeout),
                Err(errno) => return Err(errno.into()),
            };
            match decode_reply(&buffer[..len]) {
                Some((reply_id, answer)) if reply_id == id => return Ok(answer.to_vec()),
                // A late reply to an earlier call that gave up: thrown away.
                _ => continue,
            }
        }
    }
}

impl Drop for Client {
    /// Removes the reply queue (both descriptors are closed right after).
    fn drop(&mut self) {
        let _ = mq_unlink(self.reply_name.as_str());
    }
}

// --- Given: queue descriptors and the message format -----------------------------------------

/// An open queue descriptor, closed when dropped (nix's `MqdT` is not).
struct Queue(Option<MqdT>);

impl Queue {
    /// Opens the existing queue `name` with `flags` (`O_CLOEXEC` added); `Err(ENOENT)` if there
    /// is none.
    fn open(name: &str, flags: MQ_OFlag) -> nix::Result<Queue> {
        let queue = mq_open(name, flags | MQ_OFlag::O_CLOEXEC, Mode::empty(), None)?;
        Ok(Queue(Some(queue)))
    }

    /// Creates the queue `name` for reading, holding up to 8 messages of `message_size` bytes;
    /// `Err(EEXIST)` if it exists already.
    fn create(name: &str, message_size: usize) -> nix::Result<Queue> {
        let attr = MqAttr::new(0, 8, message_size as i64, 0);
        let flags = MQ_OFlag::O_CREAT | MQ_OFlag::O_EXCL | MQ_OFlag::O_RDONLY;
        let mode = Mode::S_IRUSR | Mode::S_IWUSR;
        let queue = mq_open(name, flags | MQ_OFlag::O_CLOEXEC, mode, Some(&attr))?;
        Ok(Queue(Some(queue)))
    }

    /// The descriptor.
    fn fd(&self) -> &MqdT {
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

/// The bytes of a correlation id at the start of every message.
const ID: usize = 8;

/// The largest request: the id, the reply queue name's length (one byte), the name, the
/// payload.
const REQUEST_SIZE: usize = ID + 1 + 255 + MAX_PAYLOAD;

/// The largest reply: the id of the request it answers, the payload.
const REPLY_SIZE: usize = ID + MAX_PAYLOAD;

/// A request message; `InvalidInput` if the name or the payload is too long.
fn encode_request(id: u64, reply_name: &str, payload: &[u8]) -> io::Result<Vec<u8>> {
    let too_long = |what| io::Error::new(io::ErrorKind::InvalidInput, what);
    let name_len = u8::try_from(reply_name.len())
        .map_err(|_| too_long("a reply queue name over 255 bytes"))?;
    if payload.len() > MAX_PAYLOAD {
        return Err(too_long("a request payload over MAX_PAYLOAD bytes"));
    }
    let mut message = Vec::with_capacity(ID + 1 + reply_name.len() + payload.len());
    message.extend_from_slice(&id.to_le_bytes());
    message.push(name_len);
    message.extend_from_slice(reply_name.as_bytes());
    message.extend_from_slice(payload);
    Ok(message)
}

/// A request's id, reply queue name and payload; `None` if it is malformed.
fn decode_request(message: &[u8]) -> Option<(u64, &str, &[u8])> {
    let id = u64::from_le_bytes(message.get(..ID)?.try_into().ok()?);
    let name_len = usize::from(*message.get(ID)?);
    let name = std::str::from_utf8(message.get(ID + 1..ID + 1 + name_len)?).ok()?;
    Some((id, name, &message[ID + 1 + name_len..]))
}

/// A reply message; `InvalidInput` if the payload is too long.
fn encode_reply(id: u64, payload: &[u8]) -> io::Result<Vec<u8>> {
    if payload.len() > MAX_PAYLOAD {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a reply payload over MAX_PAYLOAD bytes",
        ));
    }
    let mut message = Vec::with_capacity(ID + payload.len());
    message.extend_from_slice(&id.to_le_bytes());
    message.extend_from_slice(payload);
    Ok(message)
}

/// A reply's id and payload; `None` if it is malformed.
fn decode_reply(message: &[u8]) -> Option<(u64, &[u8])> {
    let id = u64::from_le_bytes(message.get(..ID)?.try_into().ok()?);
    Some((id, &message[ID..]))
}
