//! The one module that knows which engine the facade runs on.
//!
//! Everything else in the harness names `backend::*` and is written once, the way tokio keeps loom
//! behind its `src/loom/` module. The `model` feature selects loom, `explore` selects shuttle, and
//! neither selects std.

#[cfg(feature = "model")]
pub use loom::{
    cell::{ConstPtr, MutPtr, UnsafeCell},
    hint,
    sync::{atomic, Arc, Condvar, Mutex, MutexGuard},
    thread,
};

#[cfg(feature = "explore")]
pub use shuttle::{
    hint,
    sync::{atomic, Arc, Condvar, Mutex, MutexGuard},
    thread,
};

#[cfg(not(any(feature = "model", feature = "explore")))]
pub use std::{
    hint,
    sync::{atomic, Arc, Condvar, Mutex, MutexGuard},
    thread,
};

/// One condvar wait (or park) in this many ends spuriously under explore.
#[cfg(feature = "explore")]
const SPURIOUS_ONE_IN: u64 = 4;

/// Whether this condvar wait or park ends at once, without a notification, as std allows. Under
/// explore it is one of the execution's seeded choices, so a run that fails because of it
/// replays; on real threads (stress) the seeded noise makes some in its noisy rounds (see
/// [`crate::noise::spurious_wakeup`]); loom offers no such choice that would not multiply its
/// search, so under model it is never.
#[cfg(feature = "explore")]
pub(crate) fn spurious_wakeup() -> bool {
    use shuttle::rand::RngCore;
    shuttle::rand::thread_rng().next_u64() < u64::MAX / SPURIOUS_ONE_IN
}

/// See the explore version: never under loom.
#[cfg(all(feature = "model", not(feature = "explore")))]
pub(crate) fn spurious_wakeup() -> bool {
    false
}

/// See the explore version: in stress mode's noisy rounds, now and then.
#[cfg(not(any(feature = "model", feature = "explore")))]
pub(crate) fn spurious_wakeup() -> bool {
    crate::noise::spurious_wakeup()
}

/// Who the calling thread is, cheaply: the same key for the same thread within an execution.
/// Under shuttle, its task's number (asking shuttle for the current thread copies its name).
#[cfg(feature = "explore")]
pub(crate) fn thread_key() -> ThreadKey {
    usize::from(shuttle::current::me())
}

/// See the explore version: the thread's id.
#[cfg(not(feature = "explore"))]
pub(crate) fn thread_key() -> ThreadKey {
    thread::current().id()
}

/// What [`thread_key`] gives.
#[cfg(feature = "explore")]
pub(crate) type ThreadKey = usize;

/// What [`thread_key`] gives.
#[cfg(not(feature = "explore"))]
pub(crate) type ThreadKey = thread::ThreadId;

/// The name the engine gives the thread running a check's body.
pub(crate) const MAIN_THREAD: &str = if cfg!(feature = "explore") {
    "main-thread"
} else {
    "main"
};

/// A FIFO turnstile in front of a facade lock under shuttle: shuttle's own locks let any waiter
/// (or a newcomer) take a released lock, so without it a starvation verdict would be about the
/// engine, not the kata. Elsewhere it is free and does nothing.
#[cfg(feature = "explore")]
pub(crate) struct Turnstile(Option<shuttle::future::batch_semaphore::BatchSemaphore>);

#[cfg(feature = "explore")]
impl Turnstile {
    pub(crate) fn new(fifo: bool) -> Self {
        use shuttle::future::batch_semaphore::{BatchSemaphore, Fairness};
        Turnstile(fifo.then(|| BatchSemaphore::new(1, Fairness::StrictlyFair)))
    }

    pub(crate) fn pass(&self) {
        if let Some(queue) = &self.0 {
            queue
                .acquire_blocking(1)
                .expect("a facade lock's turnstile is never closed");
        }
    }

    pub(crate) fn try_pass(&self) -> bool {
        self.0
            .as_ref()
            .is_none_or(|queue| queue.try_acquire(1).is_ok())
    }

    pub(crate) fn leave(&self) {
        if let Some(queue) = &self.0 {
            queue.release(1);
        }
    }

    /// Whether waiters queue here (a woken condvar waiter must then queue again for the lock).
    pub(crate) fn is_queue(&self) -> bool {
        self.0.is_some()
    }
}

#[cfg(not(feature = "explore"))]
pub(crate) struct Turnstile;

#[cfg(not(feature = "explore"))]
impl Turnstile {
    pub(crate) fn new(_fifo: bool) -> Self {
        Turnstile
    }

    pub(crate) fn pass(&self) {}

    pub(crate) fn try_pass(&self) -> bool {
        true
    }

    pub(crate) fn leave(&self) {}

    pub(crate) fn is_queue(&self) -> bool {
        false
    }
}
