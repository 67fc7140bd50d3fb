//! A counter shared by processes.

use std::io;
use std::path::Path;

/// A `u64` counter in a file that several processes map into memory and update atomically.
pub struct SharedCounter {
    _todo: (),
}

impl SharedCounter {
    /// Creates the counter's file at `path` (a new file, or an existing one truncated), sized
    /// for the counter and set to zero, and maps it.
    pub fn create(path: &Path) -> io::Result<SharedCounter> {
        // TODO
        let _ = path;
        todo!()
    }

    /// Maps the counter's existing file at `path` (created by [`SharedCounter::create`], maybe
    /// by another process): the value it holds is the counter's.
    pub fn open(path: &Path) -> io::Result<SharedCounter> {
        // TODO
        let _ = path;
        todo!()
    }

    /// Adds `n` to the counter, as one indivisible step for every process that shares it;
    /// returns the value before.
    pub fn add(&self, n: u64) -> u64 {
        // TODO
        let _ = n;
        todo!()
    }

    /// The counter's value now.
    pub fn get(&self) -> u64 {
        // TODO
        todo!()
    }
}
