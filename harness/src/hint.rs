//! `std::hint`, for spin loops the engines can see.

/// Tells the processor (or the model checker) that this thread is spinning: under loom and
/// shuttle it lets other threads run, so a spin loop does not explore forever.
///
/// ```
/// use harness::sync::atomic::{AtomicBool, Ordering};
///
/// let ready = AtomicBool::new(true);
/// while !ready.load(Ordering::Acquire) {
///     harness::hint::spin_loop();
/// }
/// ```
pub fn spin_loop() {
    crate::backend::hint::spin_loop();
}
