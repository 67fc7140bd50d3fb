//! Alternative: a robust, process-shared pthread mutex in the mapping (`libc`): the kernel
//! itself marks the mutex when its owner dies (the robust futex list), and the next
//! `pthread_mutex_lock` returns `EOWNERDEAD`; no pid is ever polled.

use std::cell::UnsafeCell;
use std::fs::{File, OpenOptions};
use std::io;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::path::Path;

use harness::shm::{AtomicU32, Ordering};
use memmap2::MmapMut;

/// The record the lock protects: two counters that every holder keeps equal.
///
/// An update changes `first`, then `second`; a holder that dies between the two steps leaves
/// them unequal, and the next holder, told so by [`OwnerDied`], repairs them.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Record {
    /// Changed first.
    pub first: u64,
    /// Changed second; equal to `first` whenever no update is half done.
    pub second: u64,
}

/// What the file holds, at the start of a page-aligned mapping.
#[repr(C)]
struct Shared {
    /// A pthread mutex made process-shared and robust by `create`.
    mutex: UnsafeCell<libc::pthread_mutex_t>,
    /// The pid of the holder, for `owner()` (set after locking, cleared before unlocking).
    owner: AtomicU32,
    /// Only touched by the holder of the lock.
    record: Record,
}

/// A lock that several processes share through a file, and that survives the death of its
/// owner.
pub struct RobustLock {
    map: MmapMut,
}

/// Proof of holding the lock; gives access to the [`Record`]. Dropping it releases the lock.
///
/// Not `Send`: a pthread mutex must be unlocked by the thread that locked it.
#[must_use = "dropping the guard at once releases the lock at once"]
pub struct Guard<'a> {
    lock: &'a RobustLock,
    _same_thread: PhantomData<*const ()>,
}

/// The previous owner of the lock died holding it. The caller holds the lock now, and must
/// repair the record before relying on it (like `EOWNERDEAD` from a robust pthread mutex).
pub struct OwnerDied<G> {
    guard: G,
    dead_owner: u32,
}

impl<G> OwnerDied<G> {
    /// The guard of the lock, now held by the caller.
    pub fn into_guard(self) -> G {
        self.guard
    }

    /// The pid of the process that died holding the lock.
    pub fn dead_owner(&self) -> u32 {
        self.dead_owner
    }
}

impl<G> std::fmt::Debug for OwnerDied<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnerDied")
            .field("dead_owner", &self.dead_owner)
            .finish_non_exhaustive()
    }
}

impl<G> std::fmt::Display for OwnerDied<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "process {} died holding the lock; the record may be half-updated",
            self.dead_owner
        )
    }
}

impl<G> std::error::Error for OwnerDied<G> {}

impl RobustLock {
    /// Creates the file at `path` (replacing any old one) holding a free lock and the record
    /// `{ first: 0, second: 0 }`, and maps it.
    pub fn create(path: impl AsRef<Path>) -> io::Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        file.set_len(std::mem::size_of::<Shared>() as u64)?;
        let lock = Self::map(&file)?;
        // SAFETY: the attribute and the mutex are initialised before use, the mutex in the
        // mapping, which outlives every guard; nobody else uses the file before `create` ends.
        unsafe {
            let mut attr = std::mem::MaybeUninit::<libc::pthread_mutexattr_t>::uninit();
            check(libc::pthread_mutexattr_init(attr.as_mut_ptr()))?;
            let attr = attr.as_mut_ptr();
            let made = check(libc::pthread_mutexattr_setpshared(
                attr,
                libc::PTHREAD_PROCESS_SHARED,
            ))
            .and_then(|()| {
                check(libc::pthread_mutexattr_setrobust(
                    attr,
                    libc::PTHREAD_MUTEX_ROBUST,
                ))
            })
            .and_then(|()| check(libc::pthread_mutex_init(lock.mutex(), attr)));
            libc::pthread_mutexattr_destroy(attr);
            made?;
        }
        Ok(lock)
    }

    /// Opens the lock another process created at `path`.
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        if file.metadata()?.len() < std::mem::size_of::<Shared>() as u64 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the file is too short to hold a robust lock",
            ));
        }
        Self::map(&file)
    }

    fn map(file: &File) -> io::Result<Self> {
        // SAFETY: the file is only changed through the mutex's own calls and by its holder.
        let map = unsafe { MmapMut::map_mut(file)? };
        Ok(RobustLock { map })
    }

    fn shared(&self) -> &Shared {
        // SAFETY: the mapping is page-aligned and at least `size_of::<Shared>()` long.
        unsafe { &*(self.map.as_ptr() as *const Shared) }
    }

    fn mutex(&self) -> *mut libc::pthread_mutex_t {
        self.shared().mutex.get()
    }

    fn record_ptr(&self) -> *mut Record {
        // SAFETY (of later uses): only the holder of the lock dereferences this pointer.
        unsafe { std::ptr::addr_of_mut!((*(self.map.as_ptr() as *mut Shared)).record) }
    }

    /// Takes the lock, waiting while a live process holds it.
    ///
    /// Returns `Err(OwnerDied)` (holding the lock all the same) when the previous owner died
    /// holding it: the record may be half-updated and the caller must repair it.
    pub fn lock(&self) -> Result<Guard<'_>, OwnerDied<Guard<'_>>> {
        // SAFETY: the mutex was initialised by `create` and lives as long as the mapping.
        let result = unsafe { libc::pthread_mutex_lock(self.mutex()) };
        let guard = Guard {
            lock: self,
            _same_thread: PhantomData,
        };
        let dead_owner = self.shared().owner.load(Ordering::Relaxed);
        match result {
            0 => {
                self.shared().owner.store(my_pid(), Ordering::Relaxed);
                Ok(guard)
            }
            libc::EOWNERDEAD => {
                // We hold the mutex. Mark it usable again at once: the repair of the record is
                // the caller's job, told by `OwnerDied`.
                // SAFETY: we hold the mutex, as `consistent` requires.
                let made_consistent = unsafe { libc::pthread_mutex_consistent(self.mutex()) };
                assert_eq!(made_consistent, 0, "pthread_mutex_consistent failed");
                self.shared().owner.store(my_pid(), Ordering::Relaxed);
                Err(OwnerDied { guard, dead_owner })
            }
            error => {
                std::mem::forget(guard);
                panic!(
                    "pthread_mutex_lock failed: {}",
                    io::Error::from_raw_os_error(error)
                )
            }
        }
    }

    /// The pid of the process holding the lock right now, if any (alive or dead).
    pub fn owner(&self) -> Option<u32> {
        match self.shared().owner.load(Ordering::Relaxed) {
            0 => None,
            pid => Some(pid),
        }
    }
}

impl Deref for Guard<'_> {
    type Target = Record;

    fn deref(&self) -> &Record {
        // SAFETY: the guard holds the lock, so no other process touches the record.
        unsafe { &*self.lock.record_ptr() }
    }
}

impl DerefMut for Guard<'_> {
    fn deref_mut(&mut self) -> &mut Record {
        // SAFETY: as in `deref`, and the guard is borrowed mutably.
        unsafe { &mut *self.lock.record_ptr() }
    }
}

impl Drop for Guard<'_> {
    /// Releases the lock.
    fn drop(&mut self) {
        self.lock.shared().owner.store(0, Ordering::Relaxed);
        // SAFETY: this thread locked the mutex (the guard is not `Send`).
        unsafe {
            libc::pthread_mutex_unlock(self.lock.mutex());
        }
    }
}

/// This process's pid.
fn my_pid() -> u32 {
    rustix::process::getpid().as_raw_nonzero().get() as u32
}

/// A pthread return code as a `Result`.
fn check(code: libc::c_int) -> io::Result<()> {
    match code {
        0 => Ok(()),
        error => Err(io::Error::from_raw_os_error(error)),
    }
}
