//! Alternative: the std `Range` iterator itself behind a Mutex: `next()` under the lock takes an id and moves on in one critical section, and a used-up Range stays used up.

use std::ops::Range;

use harness::sync::Mutex;

/// Hands out the ids of a range, each exactly once.
pub struct IdAllocator {
    /// The ids not handed out yet.
    left: Mutex<Range<u64>>,
}

impl IdAllocator {
    /// An allocator for the ids in `ids`; an empty range hands out no id.
    pub fn new(ids: Range<u64>) -> Self {
        IdAllocator {
            left: Mutex::new(ids).named("ids left"),
        }
    }

    /// Hands out an id that no call has handed out before, or `None` when the range is used up.
    pub fn next(&self) -> Option<u64> {
        // `Range::next` never moves `start` past `end`, so nothing can wrap.
        self.left.lock().unwrap().next()
    }
}
