//! Mutant: the last `drop` drops the value in place and then frees the `Box`, which drops the value a second time (a double free for a `String`): `Box::from_raw` then `drop` already drops the value and frees the memory.
//! Expect: wrong-result

use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;

use harness::sync::atomic::{self, AtomicUsize, Ordering};

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
        // Acquire pairs with the Release decrements of the handles dropped before: what their
        // holders did with the value happens before anything done through the `&mut T`.
        if this.inner().count.load(Ordering::Acquire) != 1 {
            return None;
        }
        // SAFETY: this is the only handle and `&mut self` borrows it, so no other reference to
        // the value exists, and none can be made (a clone needs a handle) while this borrow lasts.
        Some(unsafe { &mut (*this.inner.as_ptr()).value })
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
        // Relaxed: the caller holds a handle, so the count is at least 1 and cannot reach 0
        // meanwhile, and a new handle publishes nothing: whoever gets it was handed it by a
        // thread that already synchronised with this one (a spawn, a channel, a lock).
        let old = self.inner().count.fetch_add(1, Ordering::Relaxed);
        if old > MAX_COUNT {
            too_many_handles();
        }
        Arc {
            inner: self.inner,
            _owns: PhantomData,
        }
    }
}

impl<T> Drop for Arc<T> {
    fn drop(&mut self) {
        // Release: what this thread did with the value happens before the decrement, so before
        // the free that follows whichever decrement comes last.
        if self.inner().count.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        // This was the last handle. Acquire: every other handle's Release decrement happens
        // before this fence, so everything their threads did with the value happens before the
        // drop below.
        atomic::fence(Ordering::Acquire);
        // SAFETY: the count reached 0, so no other handle exists and none can be made; the
        // allocation came from `Box::leak` in `new`.
        unsafe { std::ptr::drop_in_place(&mut (*self.inner.as_ptr()).value) };
        drop(unsafe { Box::from_raw(self.inner.as_ptr()) });
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
