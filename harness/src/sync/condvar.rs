use std::fmt;
use std::panic::Location;
use std::sync::LockResult;

use super::MutexGuard;
use crate::backend;
use crate::protocol::Op;
use crate::trace::{self, Detail, Resource};

/// A condition variable with `std::sync::Condvar`'s API (without timeouts, which the engines
/// cannot model).
///
/// ```
/// use harness::sync::{Arc, Condvar, Mutex};
/// use harness::thread;
///
/// let state = Arc::new((Mutex::new(0), Condvar::new()));
/// let producer = Arc::clone(&state);
/// let handle = thread::spawn(move || {
///     *producer.0.lock().unwrap() = 7;
///     producer.1.notify_one();
/// });
/// let (value, changed) = &*state;
/// let value = changed.wait_while(value.lock().unwrap(), |v| *v == 0).unwrap();
/// assert_eq!(*value, 7);
/// # drop(value);
/// handle.join().unwrap();
/// ```
pub struct Condvar {
    resource: Resource,
    inner: backend::Condvar,
}

impl Condvar {
    /// Creates a condition variable nobody waits on.
    #[inline]
    #[track_caller]
    pub fn new() -> Self {
        Condvar::of_kind("Condvar")
    }

    /// A condvar that the trace calls after `kind` (a facade object built from it, such as a channel).
    #[inline]
    #[track_caller]
    pub(crate) fn of_kind(kind: &'static str) -> Self {
        Condvar {
            resource: Resource::new(kind),
            inner: backend::Condvar::new(),
        }
    }

    /// Names the condvar in traces and explanations (`room_empty`). Not part of std's API.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.resource.label(name.into());
        self
    }

    /// Releases the guard's lock, sleeps until notified, and takes the lock again.
    ///
    /// As with std, the condition may have changed again by the time the lock is back, and the
    /// wait may end without a notification at all (a spurious wakeup: the explore engine and
    /// stress mode's noisy rounds make some): wait in a loop (or use [`Condvar::wait_while`]).
    #[inline]
    #[track_caller]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        let here = Location::caller();
        let (lock, inner) = guard.into_parts();
        trace::record(
            Op::Wait,
            Some(&self.resource),
            Some(Detail::Object(lock.resource().named())),
            Some(here),
        );
        lock.turnstile().leave();
        let result = if backend::spurious_wakeup() {
            drop(inner);
            backend::thread::yield_now();
            lock.relock()
        } else {
            let result = self.inner.wait(inner);
            if lock.turnstile().is_queue() {
                drop(result);
                lock.relock()
            } else {
                result
            }
        };
        trace::record(
            Op::Woken,
            Some(&self.resource),
            Some(Detail::Object(lock.resource().named())),
            Some(here),
        );
        lock.guard(result)
    }

    /// Waits while `condition` holds, checking it each time the thread wakes with the lock.
    #[inline]
    #[track_caller]
    pub fn wait_while<'a, T, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        while condition(&mut *guard) {
            guard = self.wait(guard)?;
        }
        Ok(guard)
    }

    /// Wakes one waiting thread, if any.
    #[inline]
    #[track_caller]
    pub fn notify_one(&self) {
        trace::record(
            Op::NotifyOne,
            Some(&self.resource),
            None,
            Some(Location::caller()),
        );
        self.inner.notify_one();
    }

    /// Wakes every waiting thread.
    #[inline]
    #[track_caller]
    pub fn notify_all(&self) {
        trace::record(
            Op::NotifyAll,
            Some(&self.resource),
            None,
            Some(Location::caller()),
        );
        self.inner.notify_all();
    }
}

impl Default for Condvar {
    #[track_caller]
    fn default() -> Self {
        Condvar::new()
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar")
            .field("name", &self.resource.name())
            .finish_non_exhaustive()
    }
}
