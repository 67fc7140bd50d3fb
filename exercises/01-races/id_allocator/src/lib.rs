//! Hands out the ids of a range, each exactly once, to many threads at once.
//!
//! Read `README.md` beside this crate for the lesson. Run `cargo xtask check id_allocator` to
//! see what the checks think of this file.

use std::ops::Range;

use harness::sync::atomic::{AtomicU64, Ordering};

/// Hands out the ids of a range, for example the ids `1000..2000` a shard of a database owns.
///
/// Share one allocator between threads with an `Arc`. Each id of the range is handed out
/// exactly once, in increasing order; once they are all gone, [`next`](Self::next) returns
/// `None`, forever.
///
/// ```
/// use id_allocator::IdAllocator;
///
/// let ids = IdAllocator::new(7..10);
/// assert_eq!(ids.next(), Some(7));
/// assert_eq!(ids.next(), Some(8));
/// assert_eq!(ids.next(), Some(9));
/// assert_eq!(ids.next(), None);
/// assert_eq!(ids.next(), None);
/// ```
pub struct IdAllocator {
    /// The next id to hand out (if it is below `end`).
    next: AtomicU64,
    /// One past the last id.
    end: u64,
}

impl IdAllocator {
    /// An allocator for the ids in `ids`. An empty range (`start >= end`) hands out no id.
    /// The range may end anywhere, up to `u64::MAX`.
    pub fn new(ids: Range<u64>) -> Self {
        IdAllocator {
            next: AtomicU64::new(ids.start),
            end: ids.end,
        }
    }

    /// Hands out an id that no call has handed out before, or `None` when the range is used
    /// up. Called from many threads at once: no id is ever handed out twice, none is skipped,
    /// and no id outside the range is ever handed out, however many calls are made.
    pub fn next(&self) -> Option<u64> {
        // TODO: two threads can both load the same id before either stores the next one, and
        // both hand it out. Make "take the id and move on" one indivisible step, without ever
        // moving the counter past the end of the range (a counter that keeps counting wraps
        // around to 0 at u64::MAX).
        let id = self.next.load(Ordering::SeqCst);
        if id >= self.end {
            return None;
        }
        self.next.store(id + 1, Ordering::SeqCst);
        Some(id)
    }
}
