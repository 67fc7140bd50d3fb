//! `UnsafeCell` with loom's API, so the model checker can see every access.
//!
//! Under loom, a [`ConstPtr`] or [`MutPtr`] counts as an access for as long as it lives: keep it
//! inside a guard and loom reports a writer that overlaps a reader as a causality violation.
//! Elsewhere these are thin wrappers around a raw pointer.
//!
//! ```
//! use harness::cell::UnsafeCell;
//!
//! let cell = UnsafeCell::new(1);
//! cell.with_mut(|value| unsafe { *value += 1 });
//! assert_eq!(cell.with(|value| unsafe { *value }), 2);
//! let reading = cell.get();
//! assert_eq!(unsafe { *reading.deref() }, 2);
//! ```

#[cfg(feature = "model")]
pub use crate::backend::{ConstPtr, MutPtr, UnsafeCell};

#[cfg(not(feature = "model"))]
pub use plain::{ConstPtr, MutPtr, UnsafeCell};

#[cfg(not(feature = "model"))]
mod plain {
    /// A cell whose contents threads may reach through raw pointers; see the module docs.
    #[derive(Debug, Default)]
    pub struct UnsafeCell<T: ?Sized>(std::cell::UnsafeCell<T>);

    /// A read access to an [`UnsafeCell`]'s contents.
    #[derive(Debug)]
    pub struct ConstPtr<T: ?Sized>(*const T);

    /// A write access to an [`UnsafeCell`]'s contents.
    #[derive(Debug)]
    pub struct MutPtr<T: ?Sized>(*mut T);

    impl<T> UnsafeCell<T> {
        /// Wraps `value`.
        pub const fn new(value: T) -> Self {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }

        /// Unwraps the value.
        pub fn into_inner(self) -> T {
            self.0.into_inner()
        }
    }

    impl<T: ?Sized> UnsafeCell<T> {
        /// Runs `f` with a pointer for reading.
        pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        /// Runs `f` with a pointer for writing.
        pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }

        /// A read access that lasts as long as the returned value.
        pub fn get(&self) -> ConstPtr<T> {
            ConstPtr(self.0.get())
        }

        /// A write access that lasts as long as the returned value.
        pub fn get_mut(&self) -> MutPtr<T> {
            MutPtr(self.0.get())
        }
    }

    impl<T: ?Sized> ConstPtr<T> {
        /// The value behind the pointer.
        ///
        /// # Safety
        ///
        /// The cell must be alive and no write access may overlap this read.
        pub unsafe fn deref(&self) -> &T {
            &*self.0
        }

        /// Runs `f` with the raw pointer, which must not escape `f`.
        pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0)
        }
    }

    impl<T: ?Sized> MutPtr<T> {
        /// The value behind the pointer, for writing.
        ///
        /// # Safety
        ///
        /// The cell must be alive and no other access may overlap this one.
        #[allow(clippy::mut_from_ref)]
        pub unsafe fn deref(&self) -> &mut T {
            &mut *self.0
        }

        /// Runs `f` with the raw pointer, which must not escape `f`.
        pub fn with<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0)
        }
    }
}
