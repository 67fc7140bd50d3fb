//! Alternative: a 16-byte file, a magic number then the counter, both reached by casting the mapping's pointer (`&*(ptr as *const AtomicU64)`); `add` is a compare-and-swap loop instead of `fetch_add`, and `open` refuses a file without the magic number.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use harness::shm::{AtomicU64, Ordering};
use memmap2::MmapMut;

/// "shrdcntr": marks a file as a counter.
const MAGIC: u64 = u64::from_be_bytes(*b"shrdcntr");

/// The file: the magic number, then the counter.
const SIZE: u64 = 16;

/// A `u64` counter in a file that several processes map into memory and update atomically.
pub struct SharedCounter {
    map: MmapMut,
}

impl SharedCounter {
    /// Creates the counter's file at `path`, set to zero, and maps it.
    pub fn create(path: &Path) -> io::Result<SharedCounter> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        file.set_len(SIZE)?;
        let counter = SharedCounter::map(&file)?;
        // The counter is zero (a grown file is zeros); the magic number goes last.
        counter.word(0).store(MAGIC, Ordering::Release);
        Ok(counter)
    }

    /// Maps the counter's existing file at `path`.
    pub fn open(path: &Path) -> io::Result<SharedCounter> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        if file.metadata()?.len() < SIZE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is too short to hold a counter", path.display()),
            ));
        }
        let counter = SharedCounter::map(&file)?;
        if counter.word(0).load(Ordering::Acquire) != MAGIC {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} does not hold a counter", path.display()),
            ));
        }
        Ok(counter)
    }

    fn map(file: &File) -> io::Result<SharedCounter> {
        // SAFETY: the file belongs to the processes that share the counter, which neither
        // truncate it nor write it other than through `SharedCounter`.
        let map = unsafe { MmapMut::map_mut(file)? };
        Ok(SharedCounter { map })
    }

    /// The `index`th 8-byte word of the file, as an atomic.
    fn word(&self, index: usize) -> &AtomicU64 {
        assert!((index + 1) * 8 <= self.map.len());
        // SAFETY: in bounds (checked above) of a mapping that lives as long as `self`; 8-byte
        // aligned (the mapping is page-aligned, the offset a multiple of 8); any bytes are a
        // valid `u64`, and `AtomicU64` has the layout of a `u64`; and these bytes are only
        // ever accessed atomically, by every process that maps them.
        unsafe { &*(self.map.as_ptr().add(index * 8) as *const AtomicU64) }
    }

    /// Adds `n` to the counter, as one indivisible step for every process; returns the value
    /// before.
    pub fn add(&self, n: u64) -> u64 {
        let counter = self.word(1);
        let mut seen = counter.load(Ordering::Relaxed);
        loop {
            match counter.compare_exchange_weak(
                seen,
                seen.wrapping_add(n),
                Ordering::SeqCst,
                Ordering::Relaxed,
            ) {
                Ok(before) => return before,
                Err(now) => seen = now,
            }
        }
    }

    /// The counter's value now.
    pub fn get(&self) -> u64 {
        self.word(1).load(Ordering::SeqCst)
    }
}
