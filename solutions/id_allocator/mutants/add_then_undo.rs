//! Mutant: `next` does fetch_add and, past the end, gives the 1 back with fetch_sub: while it is taken, the counter is past the end (wrapped to 0 at u64::MAX), and another thread hands out what it finds there.
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
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        if id < self.end {
            return Some(id);
        }
        // Too late to undo: between the add and the sub, others see the moved counter.
        self.next.fetch_sub(1, Ordering::SeqCst);
        None
    }
}
