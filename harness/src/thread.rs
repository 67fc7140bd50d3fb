//! `std::thread`, recorded: threads get readable names (`thread 1`, `thread 2`, ... in spawn
//! order, unless the code names them) and their spawns, joins and exits appear in traces.
//!
//! ```
//! use harness::thread;
//!
//! let handle = thread::Builder::new()
//!     .name("worker".into())
//!     .spawn(|| thread::current().name().map(str::to_owned))
//!     .unwrap();
//! assert_eq!(handle.join().unwrap().as_deref(), Some("worker"));
//! ```

use std::io;
use std::panic::Location;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::backend::thread as engine;
use crate::protocol::Op;
use crate::trace;

pub use crate::backend::thread::{current, yield_now, Thread};
/// Blocks the calling thread until its token is made available by [`Thread::unpark`] (at once,
/// if it already is), as `std::thread::park`. It may also return spuriously (the explore engine
/// and stress mode's noisy rounds make it so now and then): park in a loop that checks the
/// condition. A parked thread counts
/// as blocked in deadlock explanations.
#[track_caller]
pub fn park() {
    trace::record(Op::Park, None, None, Some(Location::caller()));
    if crate::backend::spurious_wakeup() {
        engine::yield_now();
    } else {
        engine::park();
    }
}

/// Whether the calling thread is unwinding from a panic: std's own, for a `Drop` that reacts to
/// a panic (such as a pool starting a replacement worker).
pub use std::thread::panicking;

static SPAWNED: AtomicUsize = AtomicUsize::new(0);
static ALIVE: AtomicUsize = AtomicUsize::new(0);

/// How many facade threads were started, and how many have not finished yet, since the current
/// execution of a check began (since the process started, outside a check run). The main thread
/// is not counted.
///
/// Lets a check hold a pool to its promises: "exactly `workers` threads", "no thread per job".
///
/// ```
/// use harness::thread;
///
/// let before = thread::census();
/// let handle = thread::spawn(|| ());
/// assert_eq!(thread::census().spawned, before.spawned + 1);
/// handle.join().unwrap();
/// assert_eq!(thread::census().alive, before.alive);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Census {
    /// Threads started.
    pub spawned: usize,
    /// Threads started whose body has not returned or unwound yet.
    pub alive: usize,
}

/// The thread counts now; see [`Census`].
pub fn census() -> Census {
    Census {
        spawned: SPAWNED.load(Ordering::SeqCst),
        alive: ALIVE.load(Ordering::SeqCst),
    }
}

/// Starts the count again (the engine calls it when an execution begins).
pub(crate) fn begin_execution() {
    SPAWNED.store(0, Ordering::SeqCst);
    ALIVE.store(0, Ordering::SeqCst);
}

/// Counts a thread alive until dropped, and records its end then, even when its body unwinds
/// (a thread that died of a panic is not running).
struct AliveMark;

impl AliveMark {
    fn new() -> Self {
        SPAWNED.fetch_add(1, Ordering::SeqCst);
        ALIVE.fetch_add(1, Ordering::SeqCst);
        AliveMark
    }
}

impl Drop for AliveMark {
    fn drop(&mut self) {
        trace::record(Op::Exit, None, None, None);
        ALIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Spawns a thread running `f`, named `thread N` in spawn order.
///
/// # Panics
///
/// If the engine cannot start another thread (loom models at most four besides the main one).
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Builder::new().spawn(f).unwrap_or_else(|error| {
        crate::detect::exhausted(format!(
            "could not start a thread ({error}) with {} of the check's threads alive",
            census().alive
        ))
    })
}

/// Configures a thread before spawning it, as `std::thread::Builder`.
#[derive(Debug, Default)]
pub struct Builder {
    name: Option<String>,
    stack_size: Option<usize>,
}

impl Builder {
    /// A builder for an unnamed thread with the default stack.
    pub fn new() -> Self {
        Builder::default()
    }

    /// Names the thread; the name appears in traces and explanations.
    pub fn name(mut self, name: String) -> Self {
        self.name = Some(name);
        self
    }

    /// Sets the thread's stack size in bytes.
    pub fn stack_size(mut self, size: usize) -> Self {
        self.stack_size = Some(size);
        self
    }

    /// Spawns the thread.
    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let here = Location::caller();
        let name = self.name.unwrap_or_else(trace::next_thread_name);
        trace::record(Op::Spawn, None, Some(name.clone().into()), Some(here));
        let mut builder = engine::Builder::new().name(name.clone());
        if let Some(size) = self.stack_size {
            builder = builder.stack_size(size);
        }
        let alive = AliveMark::new();
        let inner = builder.spawn(move || {
            let _alive = alive;
            f()
        })?;
        Ok(JoinHandle { inner, name })
    }
}

/// An owned permission to join a thread, as `std::thread::JoinHandle`.
#[derive(Debug)]
pub struct JoinHandle<T> {
    inner: engine::JoinHandle<T>,
    name: String,
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to finish; `Err` carries its panic.
    #[track_caller]
    pub fn join(self) -> std::thread::Result<T> {
        trace::record(
            Op::Join,
            None,
            Some(self.name.into()),
            Some(Location::caller()),
        );
        self.inner.join()
    }

    /// The thread's handle.
    pub fn thread(&self) -> &Thread {
        self.inner.thread()
    }
}
