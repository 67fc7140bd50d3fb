//! A range `lo..=hi` that many threads move at once, and whose two ends must always agree.
//!
//! Read `README.md` beside this crate for the lesson. Run `cargo xtask check two_field_invariant`
//! to see what the checks think of this file.

use harness::sync::atomic::{AtomicU32, Ordering};

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
    // TODO: two separate atomics cannot keep a promise about both of them together.
    lo: AtomicU32,
    hi: AtomicU32,
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
            lo: AtomicU32::new(lo),
            hi: AtomicU32::new(hi),
        }
    }

    /// Moves the lower end to `lo`, if `lo <= hi` for the `hi` of that moment; returns whether
    /// it did. A refused change changes nothing.
    pub fn set_lo(&self, lo: u32) -> bool {
        // TODO: check-then-act across two variables: `hi` may change between this check and
        // the store, and then lo ends up above hi.
        if lo > self.hi.load(Ordering::SeqCst) {
            return false;
        }
        self.lo.store(lo, Ordering::SeqCst);
        true
    }

    /// Moves the upper end to `hi`, if `lo <= hi` for the `lo` of that moment; returns whether
    /// it did. A refused change changes nothing.
    pub fn set_hi(&self, hi: u32) -> bool {
        // TODO: the same check-then-act as in `set_lo`.
        if hi < self.lo.load(Ordering::SeqCst) {
            return false;
        }
        self.hi.store(hi, Ordering::SeqCst);
        true
    }

    /// Returns `(lo, hi)`, both read at one instant: a pair the range really held, never one
    /// end from before a change and the other from after it. So `lo <= hi` always.
    pub fn get(&self) -> (u32, u32) {
        // TODO: a change can land between these two loads (a torn read).
        (
            self.lo.load(Ordering::SeqCst),
            self.hi.load(Ordering::SeqCst),
        )
    }
}
