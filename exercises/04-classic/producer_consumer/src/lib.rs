//! Producers and consumers around a bounded buffer. Read `README.md` beside this folder's
//! `src/` first.
//!
//! Two steps, as in Downey's *Little Book of Semaphores*: first finish the counting `Semaphore`,
//! built from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`); then write `put`
//! and `take` with three semaphores. The ring of slots is ready: it lives in an `UnsafeCell`, so
//! the model checker sees every touch of it, and it must only be touched while holding `mutex`.

// The starting code does not use all of its parts yet; delete this line when it does.
#![allow(dead_code)]

use harness::cell::UnsafeCell;
use harness::sync::{Condvar, Mutex};

/// A counting semaphore, as in Downey's book: `wait` takes a permit (waiting while there is
/// none), `signal` gives one back and wakes a waiter.
struct Semaphore {
    permits: Mutex<usize>,
    released: Condvar,
}

impl Semaphore {
    fn new(permits: usize, name: &str) -> Self {
        Semaphore {
            permits: Mutex::new(permits).named(name),
            released: Condvar::new().named(format!("{name} signalled")),
        }
    }

    /// Takes a permit, first waiting while there is none.
    fn wait(&self) {
        // TODO: wait on `released` while there are no permits, then take one.
        todo!("take a permit, waiting while there is none")
    }

    /// Gives a permit back and wakes one waiter.
    fn signal(&self) {
        // TODO: give a permit back, and wake a thread that may be waiting for one.
        todo!("give a permit back")
    }
}

/// The slots and where the items in them start; only touched while holding `Buffer::mutex`.
struct Ring<T> {
    slots: Vec<Option<T>>,
    /// The slot of the oldest item.
    head: usize,
    /// How many items the ring holds.
    len: usize,
}

/// A first-in, first-out buffer of at most `capacity` items between producer and consumer
/// threads (share it in an [`Arc`](harness::sync::Arc)).
///
/// ```no_run
/// use producer_consumer::Buffer;
///
/// let buffer = Buffer::new(2);
/// buffer.put("bread");
/// buffer.put("milk");
/// assert_eq!(buffer.take(), "bread");
/// assert_eq!(buffer.take(), "milk");
/// ```
pub struct Buffer<T> {
    mutex: Semaphore,
    items: Semaphore,
    spaces: Semaphore,
    ring: UnsafeCell<Ring<T>>,
}

// SAFETY: items move from the producer's thread to a consumer's (so `T: Send`), and the ring is
// only touched by the thread holding the `mutex` semaphore.
unsafe impl<T: Send> Send for Buffer<T> {}
// SAFETY: see above; no `&T` is ever shared between threads.
unsafe impl<T: Send> Sync for Buffer<T> {}

impl<T> Buffer<T> {
    /// An empty buffer with room for `capacity` items.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0: no item could ever be put in.
    pub fn new(capacity: usize) -> Self {
        assert!(
            capacity > 0,
            "a buffer of capacity 0 could never hold an item; give it at least 1"
        );
        Buffer {
            mutex: Semaphore::new(1, "mutex"),
            items: Semaphore::new(0, "items"),
            spaces: Semaphore::new(capacity, "spaces"),
            ring: UnsafeCell::new(Ring {
                slots: (0..capacity).map(|_| None).collect(),
                head: 0,
                len: 0,
            }),
        }
    }

    /// Adds `item` after every item already in the buffer, first waiting while the buffer is
    /// full.
    pub fn put(&self, item: T) {
        // TODO: wait for a space, then add the item at the tail of the ring while holding
        // `mutex`, then announce the new item. The ring's tail is `(head + len) % slots.len()`;
        // touch the ring through `self.ring.with_mut(|ring| ...)`.
        let _ = item;
        todo!("put an item in, waiting while the buffer is full")
    }

    /// Takes the oldest item out of the buffer, first waiting while the buffer is empty.
    pub fn take(&self) -> T {
        // TODO: wait for an item, take it from the head of the ring while holding `mutex`, then
        // announce the free space.
        todo!("take the oldest item out, waiting while the buffer is empty")
    }
}
