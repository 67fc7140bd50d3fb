use std::fmt;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::{LockResult, PoisonError, TryLockError, TryLockResult};

use crate::backend::{self, Turnstile};
use crate::protocol::Op;
use crate::trace::{self, Resource};

/// A mutual-exclusion lock with `std::sync::Mutex`'s API.
///
/// Under the explore engine, and when the kata declares FIFO handover, a released lock goes to
/// the thread that has waited longest.
///
/// ```
/// use harness::sync::Mutex;
///
/// let hits = Mutex::new(0);
/// *hits.lock().unwrap() += 1;
/// assert_eq!(hits.into_inner().unwrap(), 1);
/// ```
pub struct Mutex<T: ?Sized> {
    resource: Resource,
    turnstile: Turnstile,
    inner: backend::Mutex<T>,
}

/// Proof that a [`Mutex`] is held; the lock is released when the guard is dropped.
///
/// ```
/// use harness::sync::Mutex;
///
/// let queue = Mutex::new(vec![1]);
/// let mut guard = queue.lock().unwrap();
/// guard.push(2);
/// assert_eq!(*guard, [1, 2]);
/// ```
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
    inner: ManuallyDrop<backend::MutexGuard<'a, T>>,
}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    #[inline]
    #[track_caller]
    pub fn new(value: T) -> Self {
        Mutex::of_kind(value, "Mutex")
    }

    /// A mutex that the trace calls after `kind` (a facade object built from it, such as a channel).
    #[inline]
    #[track_caller]
    pub(crate) fn of_kind(value: T, kind: &'static str) -> Self {
        Mutex {
            resource: Resource::new(kind),
            turnstile: Turnstile::new(crate::context::fifo_handover()),
            inner: backend::Mutex::new(value),
        }
    }

    /// Names the lock in traces and explanations (`fork 0`, `account 3`); without a name it is
    /// called after its kind, creation order and source line. Not part of std's API.
    ///
    /// ```
    /// use harness::sync::Mutex;
    ///
    /// let forks: Vec<_> = (0..2).map(|i| Mutex::new(()).named(format!("fork {i}"))).collect();
    /// # drop(forks);
    /// ```
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.resource.label(name.into());
        self
    }

    /// Consumes the mutex and returns the value inside.
    #[inline]
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits until the lock is free, then takes it.
    ///
    /// Errors if another thread panicked while holding the lock (the guard is in the error).
    #[inline]
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        let here = Location::caller();
        trace::record(Op::Lock, Some(&self.resource), None, Some(here));
        self.turnstile.pass();
        let result = self.inner.lock();
        trace::record(Op::Locked, Some(&self.resource), None, Some(here));
        self.guard(result)
    }

    /// Takes the lock if it is free, without waiting.
    #[inline]
    #[track_caller]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        let here = Location::caller();
        let refused = || {
            trace::record(Op::Refused, Some(&self.resource), None, Some(here));
            Err(TryLockError::WouldBlock)
        };
        if !self.turnstile.try_pass() {
            return refused();
        }
        let result = match self.inner.try_lock() {
            Ok(inner) => Ok(inner),
            Err(TryLockError::Poisoned(poisoned)) => Err(poisoned),
            Err(TryLockError::WouldBlock) => {
                self.turnstile.leave();
                return refused();
            }
        };
        trace::record(
            Op::Locked,
            Some(&self.resource),
            Some("try_lock".into()),
            Some(here),
        );
        self.guard(result).map_err(TryLockError::Poisoned)
    }

    /// A mutable reference to the value, without locking: `&mut self` proves no one else has it.
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }

    /// The name of the lock in traces.
    pub(crate) fn resource(&self) -> &Resource {
        &self.resource
    }

    pub(crate) fn turnstile(&self) -> &Turnstile {
        &self.turnstile
    }

    pub(crate) fn relock(&self) -> LockResult<backend::MutexGuard<'_, T>> {
        self.turnstile.pass();
        self.inner.lock()
    }

    pub(crate) fn guard<'a>(
        &'a self,
        result: LockResult<backend::MutexGuard<'a, T>>,
    ) -> LockResult<MutexGuard<'a, T>> {
        // shuttle runs every task on one OS thread, and a guard is poisoned when it drops while
        // its *OS* thread unwinds: one task's guard dropped while another task unwinds poisons a
        // lock nobody panicked under. Under explore, poisoning is therefore not reported; the
        // other modes report it as std does.
        #[cfg(feature = "explore")]
        let result: LockResult<_> = Ok(result.unwrap_or_else(PoisonError::into_inner));
        let wrap = |inner| MutexGuard {
            lock: self,
            inner: ManuallyDrop::new(inner),
        };
        match result {
            Ok(inner) => Ok(wrap(inner)),
            Err(poisoned) => Err(PoisonError::new(wrap(poisoned.into_inner()))),
        }
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// Splits the guard into its lock and the engine's guard, without unlocking.
    pub(crate) fn into_parts(self) -> (&'a Mutex<T>, backend::MutexGuard<'a, T>) {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so `inner` is taken exactly once.
        let inner = unsafe { ManuallyDrop::take(&mut this.inner) };
        (this.lock, inner)
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // Drop glue carries no caller location: the unlock is placed by the events around it.
        trace::record(Op::Unlock, Some(&self.lock.resource), None, None);
        // SAFETY: `inner` is dropped here and never used again.
        unsafe { ManuallyDrop::drop(&mut self.inner) };
        self.lock.turnstile.leave();
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex")
            .field("name", &self.resource.name())
            .finish_non_exhaustive()
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    #[track_caller]
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}
