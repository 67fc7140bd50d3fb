//! Mutant: `next` does an unconditional fetch_add and returns the old value if it is below the end: every call past the end still moves the counter, which wraps from u64::MAX to 0 and hands out ids outside the range again.
//! Expect: wrong-result

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
        // Indivisible, but it counts on past the end: after u64::MAX comes 0.
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        (id < self.end).then_some(id)
    }
}
