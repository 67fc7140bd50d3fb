//! Mutant: releasing adds the place back but never wakes a sleeping process, so a process asleep on a full semaphore sleeps forever although there is room (a lost wakeup).
//! Expect: timeout

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use harness::shm::{AtomicU32, Ordering};
use memmap2::MmapMut;
use rustix::thread::futex;

/// What the file holds, at the start of a page-aligned mapping.
///
/// The words are `harness::shm` atomics, not the facade's `harness::sync::atomic` ones: a
/// facade atomic carries a name and a handle to its process's trace (pointers that mean
/// nothing in another address space), while a `harness::shm::AtomicU32` has exactly the layout
/// of a `u32` (it is std's, with the checks' schedule noise before each step), so every process
/// that maps the file sees the same word, and the kernel's futex can sleep on it (`as_std`).
#[repr(C)]
struct Shared {
    /// Free places right now.
    free: AtomicU32,
    /// The capacity, written once by `create`.
    capacity: AtomicU32,
}

/// A counting semaphore shared by processes through a file: at most `capacity` holders of a
/// [`Permit`] at a time, across every process that opened it.
///
/// ```no_run
/// use process_semaphore::ProcessSemaphore;
///
/// let path = std::env::temp_dir().join("club-doc");
/// let club = ProcessSemaphore::create(&path, 2).unwrap();
/// let alice = club.acquire();
/// let bob = club.acquire();
/// assert_eq!(club.available(), 0);
/// assert!(club.try_acquire().is_none(), "the club is full");
/// drop(alice);
/// assert_eq!(club.available(), 1);
/// # drop(bob);
/// ```
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
        semaphore
            .shared()
            .capacity
            .store(capacity, Ordering::Relaxed);
        semaphore.shared().free.store(capacity, Ordering::Release);
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
        // SAFETY: the file is only changed through mappings that use its words atomically.
        let map = unsafe { MmapMut::map_mut(file)? };
        Ok(ProcessSemaphore { map })
    }

    fn shared(&self) -> &Shared {
        // SAFETY: the mapping is page-aligned and at least `size_of::<Shared>()` long, and
        // every bit pattern is a valid `Shared`.
        unsafe { &*(self.map.as_ptr() as *const Shared) }
    }

    /// Takes a place, sleeping while there is none.
    pub fn acquire(&self) -> Permit<'_> {
        let free = &self.shared().free;
        loop {
            if let Some(permit) = self.try_acquire() {
                return permit;
            }
            // Sleep only if the word still reads 0 (the kernel checks that atomically with
            // going to sleep, so a release in between is never missed). Not
            // `Flags::PRIVATE`: the sleeper and the waker are different processes. A wake-up
            // is only a hint: look at the count again.
            let _ = futex::wait(free.as_std(), futex::Flags::empty(), 0, None);
        }
    }

    /// Takes a place if there is one right now; never sleeps.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        let free = &self.shared().free;
        let mut seen = free.load(Ordering::Relaxed);
        while seen > 0 {
            // Check and take in one step: another process may take the same place.
            match free.compare_exchange_weak(seen, seen - 1, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => return Some(Permit { semaphore: self }),
                Err(now) => seen = now,
            }
        }
        None
    }

    /// Free places right now.
    pub fn available(&self) -> u32 {
        self.shared().free.load(Ordering::Relaxed)
    }

    /// The number of places.
    pub fn capacity(&self) -> u32 {
        self.shared().capacity.load(Ordering::Relaxed)
    }

    /// Gives a place back and wakes one sleeping process.
    fn release(&self) {
        let free = &self.shared().free;
        free.fetch_add(1, Ordering::Release);
    }
}

impl Drop for Permit<'_> {
    /// Gives the place back.
    fn drop(&mut self) {
        self.semaphore.release();
    }
}
