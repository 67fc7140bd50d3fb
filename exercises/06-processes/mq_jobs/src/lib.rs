//! A job queue between processes on one POSIX message queue. Read `README.md` beside this
//! folder's `src/` first.
//!
//! The owner [`create`](JobQueue::create)s the queue under a name; producers and consumers in
//! other processes [`open`](JobQueue::open) it by that name. Every job is one message: it
//! arrives whole, urgent jobs before normal ones, a full queue makes producers wait, and the
//! owner removes the queue when it is dropped, even while its process unwinds from a panic.
//! Look for `TODO`.

// The imports and fields are here for your queue; this line can go once they are all used.
#![allow(dead_code, unused_imports, unused_variables)]

use std::io;

use nix::errno::Errno;
use nix::mqueue::{
    mq_attr_member_t, mq_close, mq_getattr, mq_open, mq_receive, mq_send, mq_unlink, MQ_OFlag,
    MqAttr, MqdT,
};
use nix::sys::stat::Mode;

/// The priority of a normal job.
const NORMAL: u32 = 0;

/// The priority of an urgent job: the queue hands out higher priorities first.
const URGENT: u32 = 1;

/// One process's handle on a job queue: the owner's (from [`create`](JobQueue::create)) or a
/// producer's or consumer's (from [`open`](JobQueue::open)).
pub struct JobQueue {
    /// The open queue descriptor; `None` only while it is closed in `drop` (`MqdT` has no
    /// `Drop`: close it with `mq_close`, which takes it by value).
    queue: Option<MqdT>,
    /// The queue's name, `/` and then no other `/`.
    name: String,
    /// Whether this handle created the queue and must remove it.
    owner: bool,
    /// The longest job the queue takes, in bytes (the queue's message size).
    max_job_len: usize,
}

impl JobQueue {
    /// Creates the queue `name` for at most `capacity` waiting jobs of at most `max_job_len`
    /// bytes each, and returns its owner's handle: dropping it removes the queue.
    ///
    /// Fails if a queue of that name already exists (`AlreadyExists`: it is never shared with
    /// the jobs of someone else), and if the system refuses the sizes (`capacity` 0 or above
    /// the system's limit, 10 for an ordinary user; `max_job_len` 0 or above 8192).
    pub fn create(name: &str, capacity: usize, max_job_len: usize) -> io::Result<JobQueue> {
        // TODO: create the queue, refusing a name in use, with room for `capacity` jobs of
        // `max_job_len` bytes.
        todo!("create the queue {name}")
    }

    /// Opens the existing queue `name` to send and receive jobs. This handle never removes the
    /// queue. Fails if there is no such queue (`NotFound`).
    pub fn open(name: &str) -> io::Result<JobQueue> {
        // TODO: open the queue, and learn its message size.
        todo!("open the queue {name}")
    }

    /// Sends `job` as one message, ahead of every normal job still waiting if `urgent`. While
    /// the queue is full, waits until a consumer takes a job: never drops it.
    ///
    /// Fails, sending nothing, if `job` is longer than the queue's `max_job_len`.
    pub fn send(&self, job: &[u8], urgent: bool) -> io::Result<()> {
        // TODO: the whole job as one message, urgent ones first.
        todo!("send a job")
    }

    /// Takes the next job, waiting while the queue is empty: the oldest urgent job if there is
    /// one, else the oldest normal job. Exactly the bytes one `send` sent.
    pub fn receive(&self) -> io::Result<Vec<u8>> {
        // TODO: one message, exactly as it was sent.
        todo!("receive a job")
    }

    /// How many jobs are waiting in the queue now.
    pub fn pending(&self) -> io::Result<usize> {
        // TODO: the queue's current number of messages.
        todo!("count the waiting jobs")
    }
}

impl Drop for JobQueue {
    /// Closes this handle; the owner's also removes the queue's name, so that no process can
    /// open it any more (the ones that have it open keep it until they close it).
    fn drop(&mut self) {
        // TODO: close the descriptor; the owner also removes the queue, whatever happened.
    }
}
