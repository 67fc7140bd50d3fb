//! The nightclub across processes: a counting semaphore that lives in a shared file mapping,
//! so that separate processes share its places. Read `README.md` beside this folder's `src/`
//! first.
//!
//! The file and its mapping are set up for you; the semaphore itself is yours: look for
//! `TODO`.

// The helpers are here for your semaphore; this line can go once they are all used.
#![allow(dead_code, unused_imports, unused_variables)]

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
        // TODO: refuse capacity 0 with an error of kind `InvalidInput`.
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        file.set_len(std::mem::size_of::<Shared>() as u64)?;
        let semaphore = Self::map(&file)?;
        // TODO: write the capacity and the number of free places into the mapping.
        todo!("a semaphore with {capacity} free places")
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
        // TODO: take a place; while there is none, sleep in the kernel (a futex wait on the
        // count that sleeps only while it still reads 0), then look again.
        todo!("take a place, sleeping while there is none")
    }

    /// Takes a place if there is one right now; never sleeps.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        // TODO: take a place if there is one; checking and taking must be one atomic step.
        todo!("take a place if there is one")
    }

    /// Free places right now.
    pub fn available(&self) -> u32 {
        // TODO
        todo!("count the free places")
    }

    /// The number of places.
    pub fn capacity(&self) -> u32 {
        // TODO
        todo!("the number of places")
    }

    /// Gives a place back and wakes one sleeping process.
    fn release(&self) {
        // TODO: give the place back, then wake one process sleeping on the count.
        todo!("give a place back")
    }
}

impl Drop for Permit<'_> {
    /// Gives the place back.
    fn drop(&mut self) {
        self.semaphore.release();
    }
}
