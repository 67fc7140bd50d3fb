//! Atomics for memory that several processes share (a `MAP_SHARED` file mapping), which stress
//! mode's schedule noise reaches in every process.
//!
//! The facade's atomics ([`crate::sync::atomic`]) carry a name and a handle to their process's
//! trace, pointers into one address space, so they cannot live in a file that other processes
//! map. These are `#[repr(transparent)]` over std's: exactly the bytes of the integer, which any
//! process that maps the file sees as the same word and the kernel's futex can sleep on
//! ([`AtomicU32::as_std`]). What they add is a noise point before each operation: in a noisy
//! stress round, in the check process and in every child it starts, a process now and then
//! yields or sleeps just before an atomic step, so that another process runs in the window
//! between two steps (a load and the store meant to go with it, a wake and the write it
//! announces) that real timing almost never opens. Elsewhere they are std's atomics.
//!
//! ```
//! use harness::shm::{AtomicU32, Ordering};
//!
//! let mut word = 0u32;
//! // SAFETY: `word` is aligned, outlives `free`, and is only accessed atomically meanwhile.
//! let free = unsafe { AtomicU32::from_ptr(&mut word) };
//! assert_eq!(free.fetch_add(2, Ordering::Release), 0);
//! assert_eq!(free.compare_exchange(2, 1, Ordering::Acquire, Ordering::Relaxed), Ok(2));
//! ```

pub use std::sync::atomic::Ordering;

/// Defines one shared-memory atomic over std's atomic `$std` of integer `$int`.
macro_rules! shared_atomic {
    ($name:ident, $std:ident, $int:ty) => {
        #[doc = concat!("A `", stringify!($int), "` in shared memory, updated atomically, with ")]
        #[doc = concat!("the layout of a `", stringify!($int), "`: std's `", stringify!($std), "`")]
        /// with a noise point before each operation (see the [module](self)).
        #[repr(transparent)]
        #[derive(Debug, Default)]
        pub struct $name(std::sync::atomic::$std);

        impl $name {
            /// A new atomic holding `value` (in this process's memory: put shared ones in a
            /// mapping and reach them with [`Self::from_ptr`]).
            pub const fn new(value: $int) -> Self {
                Self(std::sync::atomic::$std::new(value))
            }

            /// The atomic at `ptr`, such as a word of a shared mapping.
            ///
            /// # Safety
            ///
            #[doc = concat!("As `std::sync::atomic::", stringify!($std), "::from_ptr`: `ptr` is aligned")]
            /// for this type, valid for reads and writes for the lifetime `'a`, and every access
            /// to it meanwhile, from any thread or process, is atomic.
            pub unsafe fn from_ptr<'a>(ptr: *mut $int) -> &'a Self {
                // SAFETY: the caller keeps std's contract, and `Self` is `#[repr(transparent)]`
                // over std's atomic, so the reference may be reinterpreted.
                unsafe { &*(std::sync::atomic::$std::from_ptr(ptr) as *const _ as *const Self) }
            }

            /// std's atomic underneath, for the kernel's futex calls and other interfaces that
            /// take it; operations through it skip the noise point.
            pub fn as_std(&self) -> &std::sync::atomic::$std {
                &self.0
            }

            /// Loads the value.
            pub fn load(&self, order: Ordering) -> $int {
                crate::noise::shared_memory_point();
                self.0.load(order)
            }

            /// Stores `value`.
            pub fn store(&self, value: $int, order: Ordering) {
                crate::noise::shared_memory_point();
                self.0.store(value, order)
            }

            /// Stores `value`, returning the previous value.
            pub fn swap(&self, value: $int, order: Ordering) -> $int {
                crate::noise::shared_memory_point();
                self.0.swap(value, order)
            }

            /// Stores `new` if the value is `current`; the previous value either way.
            pub fn compare_exchange(
                &self,
                current: $int,
                new: $int,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$int, $int> {
                crate::noise::shared_memory_point();
                self.0.compare_exchange(current, new, success, failure)
            }

            /// As [`Self::compare_exchange`], but it may fail even when the value is `current`.
            pub fn compare_exchange_weak(
                &self,
                current: $int,
                new: $int,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$int, $int> {
                crate::noise::shared_memory_point();
                self.0.compare_exchange_weak(current, new, success, failure)
            }

            /// Adds `value` (wrapping), returning the previous value.
            pub fn fetch_add(&self, value: $int, order: Ordering) -> $int {
                crate::noise::shared_memory_point();
                self.0.fetch_add(value, order)
            }

            /// Subtracts `value` (wrapping), returning the previous value.
            pub fn fetch_sub(&self, value: $int, order: Ordering) -> $int {
                crate::noise::shared_memory_point();
                self.0.fetch_sub(value, order)
            }
        }
    };
}

shared_atomic!(AtomicU32, AtomicU32, u32);
shared_atomic!(AtomicU64, AtomicU64, u64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_has_the_layout_of_its_integer() {
        assert_eq!(std::mem::size_of::<AtomicU32>(), 4);
        assert_eq!(std::mem::align_of::<AtomicU64>(), 8);
        let mut word = 7u64;
        // SAFETY: `word` is aligned, outlives `counter`, and only accessed through it.
        let counter = unsafe { AtomicU64::from_ptr(&mut word) };
        assert_eq!(counter.swap(9, Ordering::SeqCst), 7);
        assert_eq!(counter.fetch_sub(2, Ordering::SeqCst), 9);
        assert_eq!(counter.as_std().load(Ordering::SeqCst), 7);
        assert_eq!(word, 7);
    }
}
