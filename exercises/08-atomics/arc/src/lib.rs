//! Arc: a pointer that shares one value between threads and frees it when the last handle is
//! dropped.
//!
//! Read `README.md` beside this crate for the lesson. Run `cargo xtask check arc` to see what
//! the checks think of this file.

use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;

use harness::sync::atomic::{AtomicUsize, Ordering};

/// More handles than this and [`Arc::clone`] aborts the process (see [`too_many_handles`]).
const MAX_COUNT: usize = isize::MAX as usize;

/// A shared handle to a value on the heap. Cloning makes one more handle to the same value;
/// the value is dropped, and its memory freed, when the last handle is dropped, on whatever
/// thread that happens.
///
/// ```
/// use arc::Arc;
///
/// let first = Arc::new(String::from("shared"));
/// let second = Arc::clone(&first);
/// assert_eq!(Arc::strong_count(&first), 2);
/// assert_eq!(*second, "shared");
/// drop(first);
/// assert_eq!(Arc::strong_count(&second), 1);
/// ```
pub struct Arc<T> {
    inner: NonNull<Inner<T>>,
    /// The handles own the `Inner` together: dropping an `Arc` may drop a `T`.
    _owns: PhantomData<Inner<T>>,
}

/// The heap allocation every handle points at.
struct Inner<T> {
    /// How many handles exist.
    count: AtomicUsize,
    value: T,
}

// SAFETY: a handle gives every thread that holds one `&T` (so `T: Sync`), and the last handle
// drops the `T` on whatever thread it is dropped (so `T: Send`).
unsafe impl<T: Send + Sync> Send for Arc<T> {}
// SAFETY: see above; `&Arc<T>` can be cloned into an `Arc<T>` on another thread.
unsafe impl<T: Send + Sync> Sync for Arc<T> {}

impl<T> Arc<T> {
    /// Moves `value` to the heap, behind a first handle: the count is 1.
    pub fn new(value: T) -> Self {
        let inner = Box::new(Inner {
            count: AtomicUsize::new(1).named("count"),
            value,
        });
        Arc {
            inner: NonNull::from(Box::leak(inner)),
            _owns: PhantomData,
        }
    }

    fn inner(&self) -> &Inner<T> {
        // SAFETY: while this handle exists the count is at least 1, so the allocation is alive.
        unsafe { self.inner.as_ref() }
    }

    /// How many handles to this value exist. Exact while no other thread clones or drops one;
    /// otherwise a snapshot that may be out of date when it returns.
    pub fn strong_count(this: &Self) -> usize {
        this.inner().count.load(Ordering::Relaxed)
    }

    /// `&mut` access to the value when `this` is its only handle; `None` while another handle
    /// exists.
    pub fn get_mut(this: &mut Self) -> Option<&mut T> {
        // TODO: `Some` only when this is the only handle, with the ordering that makes what the
        // holders of dropped handles did with the value happen before this `&mut` access.
        let _ = this;
        todo!("give &mut access only to the only handle")
    }
}

impl<T> Deref for Arc<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner().value
    }
}

impl<T> Clone for Arc<T> {
    /// One more handle to the same value.
    ///
    /// # Aborts
    ///
    /// If more than `isize::MAX` handles would exist (only `mem::forget` in a loop gets there).
    fn clone(&self) -> Self {
        // TODO: count one more handle (which ordering does an increment need?), and call
        // `too_many_handles()` when the count was already past `MAX_COUNT`.
        let _ = (MAX_COUNT, too_many_handles);
        todo!("count one more handle")
    }
}

impl<T> Drop for Arc<T> {
    fn drop(&mut self) {
        // TODO: count one handle less; the drop that takes the count from 1 to 0 drops the value
        // and frees the allocation (`Box::from_raw(self.inner.as_ptr())`), and only after
        // everything the other handles' threads did with the value (an ordering, or
        // `harness::sync::atomic::fence`).
        todo!("count one handle less, and free the value after the last")
    }
}

/// Aborts the process: the count is past `isize::MAX`, so a few more clones could wrap it to 0
/// and let a handle free the value while others still use it. A panic would not do: it can be
/// caught, and the caller could clone again and again. Real code calls
/// `std::process::abort()`, which this kata's code policy keeps out of reach; a panic that
/// tries to unwind out of an `extern "C"` function aborts the process just the same.
#[cold]
fn too_many_handles() -> ! {
    extern "C" fn cannot_unwind() -> ! {
        panic!("Arc::clone: more than isize::MAX handles; aborting before the count overflows");
    }
    cannot_unwind()
}
