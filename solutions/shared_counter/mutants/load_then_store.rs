//! Mutant: `add` loads the value and then stores value + n, two atomic steps instead of one read-modify-write: two processes that load the same value both store value + 1, and one increment is lost.
//! Expect: race

//! A `u64` counter shared by processes: eight bytes of a file that every process maps with
//! `MAP_SHARED`, updated only with atomic instructions.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;
// Not the facade's `harness::sync::atomic`: those carry a name and a recorder for the model
// checkers, so they cannot live in a few bytes of a file. `harness::shm::AtomicU64` is exactly
// a `u64` in memory (std's, with the checks' schedule noise before each step).
use harness::shm::{AtomicU64, Ordering};
use memmap2::MmapMut;

/// The bytes the counter takes in its file.
const SIZE: u64 = std::mem::size_of::<AtomicU64>() as u64;

/// A `u64` counter in a file that several processes map into memory and update atomically.
pub struct SharedCounter {
    /// A shared (`MAP_SHARED`) mapping of the file: every process that maps it sees the same
    /// physical page.
    map: MmapMut,
}

impl SharedCounter {
    /// Creates the counter's file at `path` (a new file, or an existing one truncated), sized
    /// for the counter and set to zero, and maps it.
    pub fn create(path: &Path) -> io::Result<SharedCounter> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        // A truncated file grows with zeros: the counter starts at 0.
        file.set_len(SIZE)?;
        SharedCounter::map(&file)
    }

    /// Maps the counter's existing file at `path` (created by [`SharedCounter::create`], maybe
    /// by another process): the value it holds is the counter's.
    pub fn open(path: &Path) -> io::Result<SharedCounter> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        if file.metadata()?.len() < SIZE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is too short to hold a counter", path.display()),
            ));
        }
        SharedCounter::map(&file)
    }

    fn map(file: &File) -> io::Result<SharedCounter> {
        // SAFETY: `map_mut` is unsafe because another process could truncate or rewrite the
        // file under the mapping. The counter's file belongs to the processes that share the
        // counter, which only ever touch it through `SharedCounter`.
        let map = unsafe { MmapMut::map_mut(file)? };
        Ok(SharedCounter { map })
    }

    /// The counter, in the mapping.
    fn cell(&self) -> &AtomicU64 {
        let ptr = self.map.as_ptr() as *mut u64;
        // SAFETY:
        // - the pointer is valid for reads and writes of 8 bytes for as long as `self.map`
        //   lives, which the returned reference (borrowed from `self`) cannot outlive: the file
        //   is at least 8 bytes long and the whole file is mapped, read-write;
        // - it is aligned for `AtomicU64`: a mapping starts on a page boundary;
        // - any 8 bytes are a valid `u64`, and `AtomicU64` has the same size and bit validity;
        // - every access to these bytes, in this process and in every other one, is atomic:
        //   nothing reads or writes them through `self.map` or a plain pointer.
        // Atomic instructions act on the memory itself (the cache line of the physical page),
        // not on the virtual address, so processes that map the same page share the atomic.
        unsafe { AtomicU64::from_ptr(ptr) }
    }

    /// Adds `n` to the counter, as one indivisible step for every process that shares it;
    /// returns the value before.
    pub fn add(&self, n: u64) -> u64 {
        let before = self.cell().load(Ordering::SeqCst);
        self.cell().store(before + n, Ordering::SeqCst);
        before
    }

    /// The counter's value now.
    pub fn get(&self) -> u64 {
        self.cell().load(Ordering::SeqCst)
    }
}
