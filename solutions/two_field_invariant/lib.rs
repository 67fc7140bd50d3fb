//! A range `lo..=hi` that many threads move at once, and whose two ends must always agree.
//!
//! Reference solution: both ends behind one Mutex, so every check, change and read of the pair
//! is one critical section.

use harness::sync::Mutex;

/// A range of numbers `lo..=hi`, shared between threads (put it in an `Arc`).
///
/// The invariant `lo <= hi` holds at every moment: a change that would break it is refused.
///
/// ```
/// use two_field_invariant::Range;
///
/// let range = Range::new(0, 10);
/// assert!(range.set_lo(4));
/// assert!(!range.set_hi(3)); // 3 is below lo = 4: refused
/// assert_eq!(range.get(), (4, 10));
/// ```
pub struct Range {
    /// `(lo, hi)`: one lock for the pair, because the promise is about the pair.
    ends: Mutex<(u32, u32)>,
}

impl Range {
    /// The range `lo..=hi`.
    ///
    /// # Panics
    ///
    /// If `lo > hi`, with a message that says so.
    pub fn new(lo: u32, hi: u32) -> Self {
        assert!(lo <= hi, "Range::new({lo}, {hi}): lo must not be above hi");
        Range {
            ends: Mutex::new((lo, hi)).named("range ends"),
        }
    }

    /// Moves the lower end to `lo`, if `lo <= hi` for the `hi` of that moment; returns whether
    /// it did. A refused change changes nothing.
    pub fn set_lo(&self, lo: u32) -> bool {
        // The check and the change under one guard: `hi` cannot move in between.
        let mut ends = self.ends.lock().unwrap();
        if lo > ends.1 {
            return false;
        }
        ends.0 = lo;
        true
    }

    /// Moves the upper end to `hi`, if `lo <= hi` for the `lo` of that moment; returns whether
    /// it did. A refused change changes nothing.
    pub fn set_hi(&self, hi: u32) -> bool {
        let mut ends = self.ends.lock().unwrap();
        if hi < ends.0 {
            return false;
        }
        ends.1 = hi;
        true
    }

    /// Returns `(lo, hi)`, both read at one instant: a pair the range really held, never one
    /// end from before a change and the other from after it. So `lo <= hi` always.
    pub fn get(&self) -> (u32, u32) {
        // Readers lock too: a reader that reads the ends one at a time can see half a change.
        *self.ends.lock().unwrap()
    }
}
