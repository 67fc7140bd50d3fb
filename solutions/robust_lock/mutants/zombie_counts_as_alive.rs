//! Mutant: the owner counts as alive while `kill(pid, 0)` finds it, but a dead child that its parent has not reaped yet (a zombie) is still found, so a parent waiting for the lock its dead child held waits forever.
//! Expect: timeout

use std::fs::{File, OpenOptions};
use std::io;
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::time::Duration;

use harness::shm::{AtomicU32, Ordering};
use memmap2::MmapMut;
use rustix::thread::futex;

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
///
/// The lock word is a `harness::shm` atomic, not one of the facade's `harness::sync::atomic`
/// ones: a facade atomic carries a name and a handle to its process's trace (pointers into one
/// address space), while a `harness::shm::AtomicU32` has exactly the layout of a `u32` (it is
/// std's, with the checks' schedule noise before each step), so any process that maps the file
/// sees the same word, and the kernel's futex can sleep on it (`as_std`).
#[repr(C)]
struct Shared {
    /// The pid of the process that holds the lock; 0 when free.
    owner: AtomicU32,
    _pad: u32,
    /// Only touched by the holder of the lock.
    record: Record,
}

/// How long a waiter sleeps before it looks again whether the owner is still alive.
const LOOK_AGAIN: Duration = Duration::from_millis(5);

/// A lock that several processes share through a file, and that survives the death of its
/// owner.
///
/// ```no_run
/// use robust_lock::RobustLock;
///
/// let path = std::env::temp_dir().join("robust-lock-doc");
/// let lock = RobustLock::create(&path).unwrap();
/// let mut guard = match lock.lock() {
///     Ok(guard) => guard,
///     Err(died) => {
///         // The previous owner died holding the lock: repair the record.
///         let mut guard = died.into_guard();
///         guard.first = guard.second;
///         guard
///     }
/// };
/// guard.first += 1;
/// guard.second += 1;
/// ```
pub struct RobustLock {
    map: MmapMut,
}

/// Proof of holding the lock; gives access to the [`Record`]. Dropping it releases the lock.
#[must_use = "dropping the guard at once releases the lock at once"]
pub struct Guard<'a> {
    lock: &'a RobustLock,
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
        // A new file is all zeroes: a free lock (owner 0) and a zeroed record.
        file.set_len(std::mem::size_of::<Shared>() as u64)?;
        Self::map(&file)
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
        // SAFETY: the file is only ever changed through mappings that follow the protocol of
        // this type (the lock word atomically, the record only by the lock's holder).
        let map = unsafe { MmapMut::map_mut(file)? };
        Ok(RobustLock { map })
    }

    fn shared(&self) -> &Shared {
        // SAFETY: the mapping is page-aligned and at least `size_of::<Shared>()` long, and
        // every bit pattern is a valid `Shared`.
        unsafe { &*(self.map.as_ptr() as *const Shared) }
    }

    fn owner_word(&self) -> &AtomicU32 {
        &self.shared().owner
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
        let me = my_pid();
        let word = self.owner_word();
        loop {
            match word.compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => return Ok(Guard { lock: self }),
                Err(owner) => {
                    if !is_alive(owner) {
                        // Take over from the dead owner, but only if nobody else did first:
                        // a compare-and-swap from exactly that dead pid.
                        if word
                            .compare_exchange(owner, me, Ordering::Acquire, Ordering::Relaxed)
                            .is_ok()
                        {
                            return Err(OwnerDied {
                                guard: Guard { lock: self },
                                dead_owner: owner,
                            });
                        }
                        continue;
                    }
                    // Sleep while the word still names that owner; an unlock wakes us, and the
                    // timeout makes us look again whether the owner is still alive.
                    let timeout = futex::Timespec {
                        tv_sec: 0,
                        tv_nsec: LOOK_AGAIN.as_nanos() as _,
                    };
                    // Not `Flags::PRIVATE`: the word is shared with other processes. Errors
                    // (the word changed, a timeout, a signal) all mean: look again.
                    let _ =
                        futex::wait(word.as_std(), futex::Flags::empty(), owner, Some(&timeout));
                }
            }
        }
    }

    /// The pid of the process holding the lock right now, if any (alive or dead).
    pub fn owner(&self) -> Option<u32> {
        match self.owner_word().load(Ordering::Relaxed) {
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
    /// Releases the lock and wakes one waiting process.
    fn drop(&mut self) {
        let word = self.lock.owner_word();
        word.store(0, Ordering::Release);
        let _ = futex::wake(word.as_std(), futex::Flags::empty(), 1);
    }
}

/// This process's pid, as stored in the lock word.
fn my_pid() -> u32 {
    rustix::process::getpid().as_raw_nonzero().get() as u32
}

/// Whether process `pid` is still running. A zombie (dead, not yet reaped by its parent) is
/// dead: it will never release the lock, although `kill(pid, 0)` still finds it.
///
/// The limitation: a pid is only a number. Once a dead owner has been reaped, the kernel may
/// give its pid to a new, unrelated process, and this function then calls the dead owner alive
/// (the lock waits until that stranger exits). Robust pthread mutexes avoid this because the
/// kernel itself marks the lock word when the owner exits.
fn is_alive(pid: u32) -> bool {
    // Does a process with this pid exist? (A zombie does.)
    let Some(pid) = rustix::process::Pid::from_raw(pid as i32) else {
        return false;
    };
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}
