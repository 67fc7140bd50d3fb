//! Mutant: `next` loads the counter and stores counter + 1 as two separate steps, so two threads can load the same id and both hand it out.
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
        let id = self.next.load(Ordering::SeqCst);
        if id >= self.end {
            return None;
        }
        // Another thread may have loaded the same `id` since.
        self.next.store(id + 1, Ordering::SeqCst);
        Some(id)
    }
}
