//! Atomic types with std's API, recorded: each operation appears in a failing check's trace
//! with the value it read or wrote.
//!
//! ```
//! use harness::sync::atomic::{AtomicUsize, Ordering};
//!
//! let hits = AtomicUsize::new(0);
//! assert_eq!(hits.fetch_add(1, Ordering::Relaxed), 0);
//! assert_eq!(hits.load(Ordering::Relaxed), 1);
//! ```

use std::fmt;
use std::panic::Location;

use crate::backend::atomic as engine;
use crate::protocol::Op;
use crate::trace::{self, Resource};

pub use crate::backend::atomic::{fence, Ordering};

/// Records a write or read-modify-write: `read` is the value a read-modify-write read (`None`
/// for a store), `now` the value it left, where known. The atomic's name is reached only when
/// recording (see [`Name`]).
#[track_caller]
#[inline]
fn record<'a, T: fmt::Debug>(
    op: Op,
    name: impl FnOnce() -> &'a Name,
    detail: impl FnOnce() -> String,
    read: Option<T>,
    now: impl FnOnce() -> Option<T>,
) {
    if trace::atomics_in_full() {
        let read = read.map(|value| format!("{value:?}"));
        let now = now().map(|value| format!("{value:?}"));
        let resource = name().resource();
        trace::record_write(op, resource, detail(), read, now, Location::caller());
    }
}

/// Records a load of `seen`.
#[track_caller]
#[inline]
fn record_load<'a, T: fmt::Debug>(name: impl FnOnce() -> &'a Name, seen: &T) {
    if trace::atomics_in_full() {
        let resource = name().resource();
        trace::record_load(resource, format!("{seen:?}"), Location::caller());
    }
}

/// An atomic's name in traces. Another thread may free the atomic as soon as an operation's
/// atomic step is done (the last owner of an `Arc` whose count this is), while the operation
/// still runs: so the name is read only when recording, and the atomic holds nothing but atomic
/// words, which a shared reference to it does not freeze (std's atomics are made so, and Miri
/// holds code to it): the name lives on the heap, behind an atomic pointer.
struct Name(std::sync::atomic::AtomicPtr<Resource>);

impl Name {
    #[track_caller]
    fn new(kind: &'static str) -> Self {
        let resource = Box::new(Resource::new(kind));
        Name(std::sync::atomic::AtomicPtr::new(Box::into_raw(resource)))
    }

    fn resource(&self) -> &Resource {
        // SAFETY: set from `Box::into_raw` when the atomic was made, before any thread could
        // share it, and freed only when the atomic is dropped.
        unsafe { &*self.0.load(std::sync::atomic::Ordering::Relaxed) }
    }

    fn label(&mut self, label: String) {
        // SAFETY: as in `resource`, and `&mut self` is the only reference.
        unsafe { &mut **self.0.get_mut() }.label(label);
    }
}

impl Drop for Name {
    fn drop(&mut self) {
        // SAFETY: made by `Box::into_raw` in `new`, freed only here.
        drop(unsafe { Box::from_raw(*self.0.get_mut()) });
    }
}

fn exchanged<T: fmt::Debug>(current: T, new: T, result: &Result<T, T>) -> String {
    match result {
        Ok(_) => format!("cas {current:?}→{new:?} ok"),
        Err(seen) => format!("cas {current:?}→{new:?} failed, saw {seen:?}"),
    }
}

macro_rules! atomic_common {
    ($name:ident, $value:ty) => {
        impl $name {
            /// Creates the atomic holding `value`.
            #[inline]
            #[track_caller]
            pub fn new(value: $value) -> Self {
                $name {
                    resource: Name::new(stringify!($name)),
                    inner: engine::$name::new(value),
                }
            }

            /// Names the atomic in traces and explanations. Not part of std's API.
            pub fn named(mut self, name: impl Into<String>) -> Self {
                self.resource.label(name.into());
                self
            }

            /// Consumes the atomic and returns its value.
            #[inline]
            pub fn into_inner(self) -> $value {
                self.inner.into_inner()
            }

            /// Reads the value.
            #[inline]
            #[track_caller]
            pub fn load(&self, order: Ordering) -> $value {
                let value = self.inner.load(order);
                record_load(|| &self.resource, &value);
                value
            }

            /// Writes `value`.
            #[inline]
            #[track_caller]
            pub fn store(&self, value: $value, order: Ordering) {
                self.inner.store(value, order);
                record(
                    Op::Store,
                    || &self.resource,
                    || format!("store {value:?}"),
                    None,
                    || Some(value),
                );
            }

            /// Writes `value` and returns the previous value, as one step.
            #[inline]
            #[track_caller]
            pub fn swap(&self, value: $value, order: Ordering) -> $value {
                let old = self.inner.swap(value, order);
                record(
                    Op::Update,
                    || &self.resource,
                    || format!("swap {value:?}, was {old:?}"),
                    Some(old),
                    || Some(value),
                );
                old
            }

            /// Writes `new` if the value is `current`, as one step; returns the value seen.
            #[inline]
            #[track_caller]
            pub fn compare_exchange(
                &self,
                current: $value,
                new: $value,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$value, $value> {
                let result = self.inner.compare_exchange(current, new, success, failure);
                record(
                    Op::Update,
                    || &self.resource,
                    || exchanged(current, new, &result),
                    Some(result.unwrap_or_else(|seen| seen)),
                    || {
                        Some(if result.is_ok() {
                            new
                        } else {
                            result.unwrap_or_else(|seen| seen)
                        })
                    },
                );
                result
            }

            /// Like [`Self::compare_exchange`], but may fail even when the value is `current`.
            #[inline]
            #[track_caller]
            pub fn compare_exchange_weak(
                &self,
                current: $value,
                new: $value,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$value, $value> {
                let result = self
                    .inner
                    .compare_exchange_weak(current, new, success, failure);
                record(
                    Op::Update,
                    || &self.resource,
                    || exchanged(current, new, &result),
                    Some(result.unwrap_or_else(|seen| seen)),
                    || {
                        Some(if result.is_ok() {
                            new
                        } else {
                            result.unwrap_or_else(|seen| seen)
                        })
                    },
                );
                result
            }

            /// Applies `f` until it succeeds without interference, or until `f` returns `None`.
            #[inline]
            #[track_caller]
            pub fn fetch_update<F>(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                f: F,
            ) -> Result<$value, $value>
            where
                F: FnMut($value) -> Option<$value>,
            {
                let result = self.inner.fetch_update(set_order, fetch_order, f);
                // The closure's new value is not seen here, so the value left is unknown.
                let unknown = || None::<$value>;
                record(
                    Op::Update,
                    || &self.resource,
                    || match result {
                        Ok(old) => format!("fetch_update, was {old:?}"),
                        Err(seen) => format!("fetch_update refused, saw {seen:?}"),
                    },
                    Some(result.unwrap_or_else(|seen| seen)),
                    unknown,
                );
                result
            }

            /// `fetch_and`: bitwise and, returning the previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_and(&self, value: $value, order: Ordering) -> $value {
                let old = self.inner.fetch_and(value, order);
                record(
                    Op::Update,
                    || &self.resource,
                    || format!("fetch_and {value:?}, was {old:?}"),
                    Some(old),
                    || Some(old & value),
                );
                old
            }

            /// `fetch_or`: bitwise or, returning the previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_or(&self, value: $value, order: Ordering) -> $value {
                let old = self.inner.fetch_or(value, order);
                record(
                    Op::Update,
                    || &self.resource,
                    || format!("fetch_or {value:?}, was {old:?}"),
                    Some(old),
                    || Some(old | value),
                );
                old
            }

            /// `fetch_xor`: bitwise exclusive or, returning the previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_xor(&self, value: $value, order: Ordering) -> $value {
                let old = self.inner.fetch_xor(value, order);
                record(
                    Op::Update,
                    || &self.resource,
                    || format!("fetch_xor {value:?}, was {old:?}"),
                    Some(old),
                    || Some(old ^ value),
                );
                old
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("name", &self.resource.resource().name())
                    .finish_non_exhaustive()
            }
        }

        impl Default for $name {
            #[track_caller]
            fn default() -> Self {
                $name::new(Default::default())
            }
        }

        impl From<$value> for $name {
            #[track_caller]
            fn from(value: $value) -> Self {
                $name::new(value)
            }
        }
    };
}

macro_rules! atomic_int {
    ($($name:ident($value:ty)),* $(,)?) => {$(
        /// An integer shared between threads, with std's API.
        pub struct $name {
            resource: Name,
            inner: engine::$name,
        }

        atomic_common!($name, $value);

        impl $name {
            /// Adds `value` (wrapping) and returns the previous value, as one step.
            #[inline]
            #[track_caller]
            pub fn fetch_add(&self, value: $value, order: Ordering) -> $value {
                let old = self.inner.fetch_add(value, order);
                record(Op::Update, || &self.resource, || format!("fetch_add {value}, was {old}"), Some(old), || Some(old.wrapping_add(value)));
                old
            }

            /// Subtracts `value` (wrapping) and returns the previous value, as one step.
            #[inline]
            #[track_caller]
            pub fn fetch_sub(&self, value: $value, order: Ordering) -> $value {
                let old = self.inner.fetch_sub(value, order);
                record(Op::Update, || &self.resource, || format!("fetch_sub {value}, was {old}"), Some(old), || Some(old.wrapping_sub(value)));
                old
            }

            /// Stores the maximum of the value and `value`; returns the previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_max(&self, value: $value, order: Ordering) -> $value {
                let old = self.inner.fetch_max(value, order);
                record(Op::Update, || &self.resource, || format!("fetch_max {value}, was {old}"), Some(old), || Some(old.max(value)));
                old
            }

            /// Stores the minimum of the value and `value`; returns the previous value.
            #[inline]
            #[track_caller]
            pub fn fetch_min(&self, value: $value, order: Ordering) -> $value {
                let old = self.inner.fetch_min(value, order);
                record(Op::Update, || &self.resource, || format!("fetch_min {value}, was {old}"), Some(old), || Some(old.min(value)));
                old
            }
        }
    )*};
}

atomic_int!(
    AtomicUsize(usize),
    AtomicIsize(isize),
    AtomicU64(u64),
    AtomicI64(i64),
    AtomicU32(u32),
    AtomicI32(i32),
);

/// A boolean shared between threads, with std's API.
pub struct AtomicBool {
    resource: Name,
    inner: engine::AtomicBool,
}

atomic_common!(AtomicBool, bool);

/// A raw pointer shared between threads, with std's API: the head of a lock-free list, say.
/// Traces show the addresses.
///
/// ```
/// use harness::sync::atomic::{AtomicPtr, Ordering};
///
/// let mut value = 5;
/// let head = AtomicPtr::new(std::ptr::null_mut());
/// assert!(head.swap(&mut value, Ordering::AcqRel).is_null());
/// assert_eq!(head.load(Ordering::Acquire), &mut value as *mut i32);
/// ```
pub struct AtomicPtr<T> {
    resource: Name,
    inner: engine::AtomicPtr<T>,
}

impl<T> AtomicPtr<T> {
    /// Creates the atomic holding `pointer`.
    #[inline]
    #[track_caller]
    pub fn new(pointer: *mut T) -> Self {
        AtomicPtr {
            resource: Name::new("AtomicPtr"),
            inner: engine::AtomicPtr::new(pointer),
        }
    }

    /// Names the atomic in traces and explanations. Not part of std's API.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.resource.label(name.into());
        self
    }

    /// Consumes the atomic and returns its pointer.
    #[inline]
    pub fn into_inner(self) -> *mut T {
        self.inner.into_inner()
    }

    /// Reads the pointer.
    #[inline]
    #[track_caller]
    pub fn load(&self, order: Ordering) -> *mut T {
        let pointer = self.inner.load(order);
        record_load(|| &self.resource, &Address::of(pointer));
        pointer
    }

    /// Writes `pointer`.
    #[inline]
    #[track_caller]
    pub fn store(&self, pointer: *mut T, order: Ordering) {
        self.inner.store(pointer, order);
        let detail = || format!("store {:?}", Address::of(pointer));
        let now = || Some(Address::of(pointer));
        record(Op::Store, || &self.resource, detail, None, now);
    }

    /// Writes `pointer` and returns the previous one, as one step.
    #[inline]
    #[track_caller]
    pub fn swap(&self, pointer: *mut T, order: Ordering) -> *mut T {
        let old = self.inner.swap(pointer, order);
        let (new, was) = (Address::of(pointer), Address::of(old));
        let detail = || format!("swap {new:?}, was {was:?}");
        record(
            Op::Update,
            || &self.resource,
            detail,
            Some(was),
            || Some(new),
        );
        old
    }

    /// Writes `new` if the pointer is `current`, as one step; returns the pointer seen.
    #[inline]
    #[track_caller]
    pub fn compare_exchange(
        &self,
        current: *mut T,
        new: *mut T,
        success: Ordering,
        failure: Ordering,
    ) -> Result<*mut T, *mut T> {
        let result = self.inner.compare_exchange(current, new, success, failure);
        self.record_exchange(current, new, &result);
        result
    }

    /// Like [`Self::compare_exchange`], but may fail even when the pointer is `current`.
    #[inline]
    #[track_caller]
    pub fn compare_exchange_weak(
        &self,
        current: *mut T,
        new: *mut T,
        success: Ordering,
        failure: Ordering,
    ) -> Result<*mut T, *mut T> {
        let result = self
            .inner
            .compare_exchange_weak(current, new, success, failure);
        self.record_exchange(current, new, &result);
        result
    }

    #[track_caller]
    fn record_exchange(&self, current: *mut T, new: *mut T, result: &Result<*mut T, *mut T>) {
        let seen = Address::of(result.unwrap_or_else(|seen| seen));
        let left = if result.is_ok() {
            Address::of(new)
        } else {
            seen
        };
        let shown = result.map(Address::of).map_err(Address::of);
        let detail = || exchanged(Address::of(current), Address::of(new), &shown);
        record(
            Op::Update,
            || &self.resource,
            detail,
            Some(seen),
            || Some(left),
        );
    }
}

/// An address as traces show it (see [`trace::address_name`]).
#[derive(Clone, Copy, PartialEq)]
struct Address(usize);

impl Address {
    fn of<T>(pointer: *mut T) -> Address {
        Address(pointer as usize)
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&trace::address_name(self.0))
    }
}

impl<T> fmt::Debug for AtomicPtr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtomicPtr")
            .field("name", &self.resource.resource().name())
            .finish_non_exhaustive()
    }
}

impl<T> Default for AtomicPtr<T> {
    #[track_caller]
    fn default() -> Self {
        AtomicPtr::new(std::ptr::null_mut())
    }
}
