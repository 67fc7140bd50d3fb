//! Mutant: send writes a job in pieces of at most 128 bytes, as one would feed a pipe or a socket, so a long job arrives as several messages (the queue keeps each send's boundary, not the job's).
//! Expect: wrong-result

use std::io;

use nix::errno::Errno;
use nix::mqueue::{
    mq_attr_member_t, mq_close, mq_getattr, mq_open, mq_receive, mq_send, mq_unlink, MQ_OFlag,
    MqAttr, MqdT,
};
use nix::sys::stat::Mode;

/// The most bytes one send writes at once.
const PIECE: usize = 128;

/// The priority of a normal job.
const NORMAL: u32 = 0;

/// The priority of an urgent job: the queue hands out higher priorities first.
const URGENT: u32 = 1;

/// One process's handle on a job queue: the owner's (from [`create`](JobQueue::create)) or a
/// producer's or consumer's (from [`open`](JobQueue::open)).
pub struct JobQueue {
    /// The open queue descriptor; `None` only while it is closed in `drop`.
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
        let size = |n: usize| {
            mq_attr_member_t::try_from(n)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "size out of range"))
        };
        let attr = MqAttr::new(0, size(capacity)?, size(max_job_len)?, 0);
        let queue = mq_open(
            name,
            MQ_OFlag::O_CREAT | MQ_OFlag::O_EXCL | MQ_OFlag::O_RDWR,
            Mode::S_IRUSR | Mode::S_IWUSR,
            Some(&attr),
        )?;
        Ok(JobQueue {
            queue: Some(queue),
            name: name.to_owned(),
            owner: true,
            max_job_len,
        })
    }

    /// Opens the existing queue `name` to send and receive jobs. This handle never removes the
    /// queue. Fails if there is no such queue (`NotFound`).
    pub fn open(name: &str) -> io::Result<JobQueue> {
        let queue = mq_open(name, MQ_OFlag::O_RDWR, Mode::empty(), None)?;
        let attr = mq_getattr(&queue);
        let max_job_len = match attr {
            Ok(attr) => attr.msgsize() as usize,
            Err(err) => {
                let _ = mq_close(queue);
                return Err(err.into());
            }
        };
        Ok(JobQueue {
            queue: Some(queue),
            name: name.to_owned(),
            owner: false,
            max_job_len,
        })
    }

    /// Sends `job` as one message, ahead of every normal job still waiting if `urgent`. While
    /// the queue is full, waits until a consumer takes a job: never drops it.
    ///
    /// Fails, sending nothing, if `job` is longer than the queue's `max_job_len`.
    pub fn send(&self, job: &[u8], urgent: bool) -> io::Result<()> {
        let priority = if urgent { URGENT } else { NORMAL };
        if job.len() > self.max_job_len {
            return Err(Errno::EMSGSIZE.into());
        }
        for piece in job.chunks(PIECE) {
            loop {
                match mq_send(self.queue(), piece, priority) {
                    Err(Errno::EINTR) => continue,
                    result => break result?,
                }
            }
        }
        Ok(())
    }

    /// Takes the next job, waiting while the queue is empty: the oldest urgent job if there is
    /// one, else the oldest normal job. Exactly the bytes one `send` sent.
    pub fn receive(&self) -> io::Result<Vec<u8>> {
        let mut job = vec![0; self.max_job_len];
        let mut priority = 0;
        loop {
            match mq_receive(self.queue(), &mut job, &mut priority) {
                Err(Errno::EINTR) => continue,
                Err(err) => return Err(err.into()),
                Ok(len) => {
                    job.truncate(len);
                    return Ok(job);
                }
            }
        }
    }

    /// How many jobs are waiting in the queue now.
    pub fn pending(&self) -> io::Result<usize> {
        Ok(mq_getattr(self.queue())?.curmsgs() as usize)
    }

    /// The open descriptor.
    fn queue(&self) -> &MqdT {
        self.queue.as_ref().expect("the queue is open until drop")
    }
}

impl Drop for JobQueue {
    /// Closes this handle; the owner's also removes the queue's name, so that no process can
    /// open it any more (the ones that have it open keep it until they close it).
    fn drop(&mut self) {
        if let Some(queue) = self.queue.take() {
            let _ = mq_close(queue);
        }
        if self.owner {
            let _ = mq_unlink(self.name.as_str());
        }
    }
}
