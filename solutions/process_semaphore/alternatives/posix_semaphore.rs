//! Alternative: a POSIX unnamed semaphore made process-shared (`sem_init(sem, 1, capacity)`,
//! through `libc`) placed in the mapping: the C library does the counting and the futex
//! sleeping, `sem_trywait` never blocks and `sem_getvalue` reads the count.

use std::cell::UnsafeCell;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use harness::shm::{AtomicU32, Ordering};
use memmap2::MmapMut;

/// What the file holds, at the start of a page-aligned mapping.
#[repr(C)]
struct Shared {
    /// Initialised by `create` with `pshared = 1`: usable by every process that maps it.
    semaphore: UnsafeCell<libc::sem_t>,
    /// The capacity, written once by `create`.
    capacity: AtomicU32,
}

/// A counting semaphore shared by processes through a file: at most `capacity` holders of a
/// [`Permit`] at a time, across every process that opened it.
pub struct ProcessSemaphore {
    map: MmapMut,
}

/// One place in the semaphore. Dropping it gives the place back and wakes one waiting
/// process.
#[must_use = "dropping the permit at once gives the place back at once"]
pub struct Permit<'a> {
    semaphore: &'a ProcessSemaphore,
}

impl ProcessSemaphore {
    /// Creates the file at `path` (replacing any old one) holding a semaphore with `capacity`
    /// free places, and maps it.
    ///
    /// A capacity of 0 is refused with an error of kind [`io::ErrorKind::InvalidInput`]:
    /// nobody could ever get in.
    pub fn create(path: impl AsRef<Path>, capacity: u32) -> io::Result<Self> {
        if capacity == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a semaphore needs a capacity of at least 1: with 0 nobody could ever get in",
            ));
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        file.set_len(std::mem::size_of::<Shared>() as u64)?;
        let semaphore = Self::map(&file)?;
        // SAFETY: the semaphore lives in the mapping, which outlives every permit; nobody else
        // uses the file before `create` ends.
        if unsafe { libc::sem_init(semaphore.sem(), 1, capacity) } != 0 {
            return Err(io::Error::last_os_error());
        }
        semaphore
            .shared()
            .capacity
            .store(capacity, Ordering::Relaxed);
        Ok(semaphore)
    }

    /// Opens the semaphore another process created at `path`.
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        if file.metadata()?.len() < std::mem::size_of::<Shared>() as u64 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the file is too short to hold a semaphore",
            ));
        }
        Self::map(&file)
    }

    fn map(file: &File) -> io::Result<Self> {
        // SAFETY: the file is only changed through the `sem_*` calls and atomically.
        let map = unsafe { MmapMut::map_mut(file)? };
        Ok(ProcessSemaphore { map })
    }

    fn shared(&self) -> &Shared {
        // SAFETY: the mapping is page-aligned and at least `size_of::<Shared>()` long.
        unsafe { &*(self.map.as_ptr() as *const Shared) }
    }

    fn sem(&self) -> *mut libc::sem_t {
        self.shared().semaphore.get()
    }

    /// Takes a place, sleeping while there is none.
    pub fn acquire(&self) -> Permit<'_> {
        loop {
            // SAFETY: initialised by `create`, alive as long as the mapping.
            if unsafe { libc::sem_wait(self.sem()) } == 0 {
                return Permit { semaphore: self };
            }
            let error = io::Error::last_os_error();
            assert_eq!(
                error.kind(),
                io::ErrorKind::Interrupted,
                "sem_wait failed: {error}"
            );
        }
    }

    /// Takes a place if there is one right now; never sleeps.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        loop {
            // SAFETY: as in `acquire`.
            if unsafe { libc::sem_trywait(self.sem()) } == 0 {
                return Some(Permit { semaphore: self });
            }
            let error = io::Error::last_os_error();
            match error.raw_os_error() {
                Some(libc::EAGAIN) => return None,
                Some(libc::EINTR) => continue,
                _ => panic!("sem_trywait failed: {error}"),
            }
        }
    }

    /// Free places right now.
    pub fn available(&self) -> u32 {
        let mut value: libc::c_int = 0;
        // SAFETY: as in `acquire`; `value` is a valid place to write to.
        let done = unsafe { libc::sem_getvalue(self.sem(), &mut value) };
        assert_eq!(done, 0, "sem_getvalue failed");
        value.max(0) as u32
    }

    /// The number of places.
    pub fn capacity(&self) -> u32 {
        self.shared().capacity.load(Ordering::Relaxed)
    }
}

impl Drop for Permit<'_> {
    /// Gives the place back.
    fn drop(&mut self) {
        // SAFETY: as in `acquire`.
        let done = unsafe { libc::sem_post(self.semaphore.sem()) };
        assert_eq!(done, 0, "sem_post failed");
    }
}
