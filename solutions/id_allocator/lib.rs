//! Hands out the ids of a range, each exactly once, to many threads at once.
//!
//! Reference solution: a compare_exchange loop (`fetch_update`) that moves the counter only
//! while it is below the end, so it can never pass the end, let alone wrap around.

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
    /// The next id to hand out (if it is below `end`). Never above `max(start, end)`.
    next: AtomicU64,
    /// One past the last id.
    end: u64,
}

impl IdAllocator {
    /// An allocator for the ids in `ids`. An empty range (`start >= end`) hands out no id.
    /// The range may end anywhere, up to `u64::MAX`.
    pub fn new(ids: Range<u64>) -> Self {
        IdAllocator {
            next: AtomicU64::new(ids.start).named("next id"),
            end: ids.end,
        }
    }

    /// Hands out an id that no call has handed out before, or `None` when the range is used
    /// up. Called from many threads at once: no id is ever handed out twice, none is skipped,
    /// and no id outside the range is ever handed out, however many calls are made.
    pub fn next(&self) -> Option<u64> {
        // fetch_update loads the counter, asks the closure for the new value and installs it
        // with compare_exchange, retrying from the fresh value if another thread got there
        // first. At the end the closure says no, and the counter is left alone: it never
        // passes `end`, so it cannot wrap. Relaxed is enough: an id publishes no other data.
        self.next
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |id| {
                (id < self.end).then(|| id + 1)
            })
            .ok()
    }
}
