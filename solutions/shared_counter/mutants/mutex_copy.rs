//! Mutant: the counter lives in a `Mutex<u64>` in the process's own memory, read from the file when opened and written back after each add: the lock excludes only the threads of one process, and each process counts on its own copy, so a second counter on the same file never sees the first one's adds.
//! Expect: wrong-result

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use harness::sync::Mutex;
use memmap2::MmapMut;

/// The bytes the counter takes in its file.
const SIZE: u64 = 8;

/// A `u64` counter in a file that several processes map into memory and update atomically.
pub struct SharedCounter {
    map: Mutex<MmapMut>,
    /// "A Mutex makes it safe": the value, guarded, in this process's memory.
    value: Mutex<u64>,
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
        SharedCounter::map(&file)
    }

    /// Maps the counter's existing file at `path`.
    pub fn open(path: &Path) -> io::Result<SharedCounter> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        if file.metadata()?.len() < SIZE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the file is too short to hold a counter",
            ));
        }
        SharedCounter::map(&file)
    }

    fn map(file: &File) -> io::Result<SharedCounter> {
        // SAFETY: the file is only used through `SharedCounter`.
        let map = unsafe { MmapMut::map_mut(file)? };
        let value = u64::from_ne_bytes(map[..8].try_into().expect("8 bytes"));
        Ok(SharedCounter {
            map: Mutex::new(map),
            value: Mutex::new(value),
        })
    }

    /// Adds `n` to the counter; returns the value before.
    pub fn add(&self, n: u64) -> u64 {
        let mut value = self.value.lock().unwrap();
        let before = *value;
        *value += n;
        self.map.lock().unwrap()[..8].copy_from_slice(&value.to_ne_bytes());
        before
    }

    /// The counter's value now.
    pub fn get(&self) -> u64 {
        *self.value.lock().unwrap()
    }
}
