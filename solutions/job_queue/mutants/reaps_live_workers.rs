//! Mutant: the reaper does not look at heartbeats: it gives back the jobs of live workers too, so a job another worker is still doing is taken a second time.
//! Expect: wrong-result

use std::time::Duration;

use redis::{Commands, Connection, RedisResult, Script};

/// One job: an id unique to it, and how much its effect adds to the account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// Unique to this job: its idempotency key.
    pub id: String,
    /// What the job's effect adds to the account ([`Keys::account`]).
    pub amount: i64,
}

impl Job {
    /// The job as a list element: `"id:amount"`.
    ///
    /// ```
    /// let job = job_queue::Job { id: "j1".into(), amount: 5 };
    /// assert_eq!(job_queue::Job::decode(&job.encode()), Some(job));
    /// ```
    pub fn encode(&self) -> String {
        format!("{}:{}", self.id, self.amount)
    }

    /// The job a list element holds, if it is one.
    pub fn decode(text: &str) -> Option<Job> {
        let (id, amount) = text.rsplit_once(':')?;
        Some(Job {
            id: id.to_owned(),
            amount: amount.parse().ok()?,
        })
    }
}

/// The Redis keys of the queue named `queue`.
#[derive(Clone, Debug)]
pub struct Keys {
    queue: String,
}

impl Keys {
    /// The keys of the queue named `queue`.
    pub fn new(queue: &str) -> Keys {
        Keys {
            queue: queue.to_owned(),
        }
    }

    /// The list of waiting jobs: pushed on the left ([`enqueue`]), taken from the right.
    pub fn waiting(&self) -> String {
        self.queue.clone()
    }

    /// The list of the jobs `worker` took and has not acknowledged.
    pub fn processing(&self, worker: &str) -> String {
        format!("{}:processing:{worker}", self.queue)
    }

    /// The key whose existence says `worker` is alive (it expires with the heartbeat).
    pub fn alive(&self, worker: &str) -> String {
        format!("{}:alive:{worker}", self.queue)
    }

    /// The set of the workers that ever connected.
    pub fn workers(&self) -> String {
        format!("{}:workers", self.queue)
    }

    /// The set of the ids of jobs whose effect was applied (the idempotency keys).
    pub fn applied(&self) -> String {
        format!("{}:applied", self.queue)
    }

    /// The account the jobs' effects add to.
    pub fn account(&self) -> String {
        format!("{}:account", self.queue)
    }
}

/// Puts `job` at the back of the queue (producers call it; given, not part of the exercise).
pub fn enqueue(connection: &mut Connection, queue: &str, job: &Job) -> RedisResult<()> {
    connection.lpush(Keys::new(queue).waiting(), job.encode())
}

/// One worker of the queue: in a process of its own, with a connection of its own.
pub struct Worker {
    connection: Connection,
    keys: Keys,
    id: String,
}

impl Worker {
    /// Connects worker `id` (unique among the queue's workers) to the queue named `queue` on
    /// the Redis server at `url`, and makes it known to the reaper.
    pub fn connect(url: &str, queue: &str, id: &str) -> RedisResult<Worker> {
        let mut connection = redis::Client::open(url)?.get_connection()?;
        let keys = Keys::new(queue);
        let () = connection.sadd(keys.workers(), id)?;
        Ok(Worker {
            connection,
            keys,
            id: id.to_owned(),
        })
    }

    /// Says this worker is alive for `ttl` from now; a worker sends one before it takes a job
    /// and at least once per `ttl` while it holds one.
    pub fn heartbeat(&mut self, ttl: Duration) -> RedisResult<()> {
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        redis::cmd("SET")
            .arg(self.keys.alive(&self.id))
            .arg(1)
            .arg("PX")
            .arg(millis)
            .query(&mut self.connection)
    }

    /// Takes the next job, waiting at most `timeout` for one (`None` if none came): in one
    /// atomic step it leaves the queue and enters this worker's processing list, so that a
    /// worker killed at any moment after holds it where the reaper finds it.
    pub fn take(&mut self, timeout: Duration) -> RedisResult<Option<Job>> {
        let taken: Option<String> = redis::cmd("BLMOVE")
            .arg(self.keys.waiting())
            .arg(self.keys.processing(&self.id))
            .arg("RIGHT")
            .arg("LEFT")
            .arg(timeout.as_secs_f64())
            .query(&mut self.connection)?;
        Ok(taken.as_deref().and_then(Job::decode))
    }

    /// Applies `job`'s effect (adds its amount to the account) unless some worker already
    /// applied it: the idempotency key and the effect are one atomic script. Returns whether it
    /// was applied now.
    pub fn apply(&mut self, job: &Job) -> RedisResult<bool> {
        let once = Script::new(
            r"if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
                  redis.call('INCRBY', KEYS[2], ARGV[2])
                  return 1
              end
              return 0",
        );
        let applied: i64 = once
            .key(self.keys.applied())
            .key(self.keys.account())
            .arg(&job.id)
            .arg(job.amount)
            .invoke(&mut self.connection)?;
        Ok(applied == 1)
    }

    /// Acknowledges `job`, done: it leaves this worker's processing list.
    pub fn ack(&mut self, job: &Job) -> RedisResult<()> {
        let _removed: i64 =
            self.connection
                .lrem(self.keys.processing(&self.id), 1, job.encode())?;
        Ok(())
    }
}

/// The reaper: gives every job held by a worker whose heartbeat expired back to the queue
/// (where the next worker takes it first), and forgets that worker. Jobs of live workers stay
/// where they are. Returns how many jobs were put back. Safe to run from any process, at any
/// time, more than once.
pub fn reap(connection: &mut Connection, queue: &str) -> RedisResult<usize> {
    let keys = Keys::new(queue);
    let workers: Vec<String> = connection.smembers(keys.workers())?;
    let mut put_back = 0;
    for worker in workers {
        // One job at a time, each move atomic: a reaper that dies halfway loses nothing.
        loop {
            let moved: Option<String> = redis::cmd("LMOVE")
                .arg(keys.processing(&worker))
                .arg(keys.waiting())
                .arg("LEFT")
                .arg("RIGHT")
                .query(connection)?;
            if moved.is_none() {
                break;
            }
            put_back += 1;
        }
        let _forgotten: i64 = connection.srem(keys.workers(), &worker)?;
    }
    Ok(put_back)
}
