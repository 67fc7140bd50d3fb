//! Mutant: the producer announces its item (signals `items`) before putting it in the ring, so a
//! consumer can wake up and take from a slot that is still empty.
//! Expect: race

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
        let permits = self
            .permits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut permits = self
            .released
            .wait_while(permits, |permits| *permits == 0)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *permits -= 1;
    }

    /// Gives a permit back and wakes one waiter.
    fn signal(&self) {
        *self
            .permits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) += 1;
        self.released.notify_one();
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
/// ```
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
        self.spaces.wait();
        // Announce the item at once: it is as good as there.
        self.items.signal();
        self.mutex.wait();
        self.ring.with_mut(|ring| {
            // SAFETY: we hold the `mutex` semaphore, so no other thread touches the ring.
            let ring = unsafe { &mut *ring };
            let tail = (ring.head + ring.len) % ring.slots.len();
            ring.slots[tail] = Some(item);
            ring.len += 1;
        });
        self.mutex.signal();
    }

    /// Takes the oldest item out of the buffer, first waiting while the buffer is empty.
    pub fn take(&self) -> T {
        self.items.wait();
        self.mutex.wait();
        let item = self.ring.with_mut(|ring| {
            // SAFETY: we hold the `mutex` semaphore, so no other thread touches the ring.
            let ring = unsafe { &mut *ring };
            let item = ring.slots[ring.head]
                .take()
                .expect("`items` counted an item, so the oldest slot holds one");
            ring.head = (ring.head + 1) % ring.slots.len();
            ring.len -= 1;
            item
        });
        self.mutex.signal();
        self.spaces.signal();
        item
    }
}
