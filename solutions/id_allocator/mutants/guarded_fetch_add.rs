//! Mutant: `next` checks that the counter is below the end and then does fetch_add, two steps: threads that passed the check together all add, the counter overshoots the end, and at u64::MAX it wraps to 0.
//! Expect: race

use std::ops::Range;

use harness::sync::atomic::{AtomicU64, Ordering};

/// Hands out the ids of a range, each exactly once.
pub struct IdAllocator {
    next: AtomicU64,
    end: u64,
}

impl IdAllocator {
    /// An allocator for the ids in `ids`; an empty range hands out no id.
    pub fn new(ids: Range<u64>) -> Self {
        IdAllocator {
            next: AtomicU64::new(ids.start),
            end: ids.end,
        }
    }

    /// Hands out an id that no call has handed out before, or `None` when the range is used up.
    pub fn next(&self) -> Option<u64> {
        // Check, then act: by the time of the fetch_add the counter may have reached the end.
        if self.next.load(Ordering::SeqCst) >= self.end {
            return None;
        }
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        (id < self.end).then_some(id)
    }
}
