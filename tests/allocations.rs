//! Counting what a thread allocates and frees, so that a check can see memory never freed (a
//! node leaked by every operation) without Miri, whatever the code's design.
//!
//! A check binary installs the counter as its global allocator, then compares
//! [`live_allocations`] before and after a loop of operations:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: checks::allocations::Counting = checks::allocations::Counting;
//!
//! let before = checks::allocations::live_allocations();
//! // ... many operations that should free what they allocate ...
//! assert!(checks::allocations::live_allocations() - before < 100);
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting each thread's allocations that are still live.
pub struct Counting;

thread_local! {
    /// Allocations this thread made, less those it freed.
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

// SAFETY: every call is passed to the system allocator unchanged; the count is a thread-local
// `Cell` with a constant initialiser and no destructor, which allocates nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.try_with(|live| live.set(live.get() + 1));
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|live| live.set(live.get() - 1));
        System.dealloc(ptr, layout)
    }
}

/// Allocations this thread made and has not freed (it may free others' too: then fewer).
pub fn live_allocations() -> isize {
    LIVE.with(Cell::get)
}
