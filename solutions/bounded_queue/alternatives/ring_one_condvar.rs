//! Alternative: a fixed ring of slots with a head index and a count, and one Condvar that both
//! producers and consumers sleep on; every change wakes all sleepers (`notify_all`), and each one
//! looks again whether it can go on.

use harness::sync::{Condvar, Mutex};

/// A first-in, first-out queue that holds at most `capacity` items, shared between threads (for
/// example in an [`Arc`](harness::sync::Arc)).
///
/// [`push`](BoundedQueue::push) waits while the queue is full, [`pop`](BoundedQueue::pop) waits
/// while it is empty.
pub struct BoundedQueue<T> {
    ring: Mutex<Ring<T>>,
    changed: Condvar,
}

/// The slots, guarded by the queue's mutex.
struct Ring<T> {
    slots: Vec<Option<T>>,
    /// The slot of the oldest item.
    head: usize,
    /// How many items are stored, from `head` on (wrapping around).
    count: usize,
}

impl<T> BoundedQueue<T> {
    /// An empty queue that holds at most `capacity` items.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0: no item could ever be pushed.
    pub fn new(capacity: usize) -> Self {
        assert!(
            capacity > 0,
            "BoundedQueue::new(0): the capacity must be at least 1"
        );
        BoundedQueue {
            ring: Mutex::new(Ring {
                slots: (0..capacity).map(|_| None).collect(),
                head: 0,
                count: 0,
            })
            .named("ring"),
            changed: Condvar::new().named("changed"),
        }
    }

    /// Adds `item` at the back of the queue, first waiting while the queue is full.
    pub fn push(&self, item: T) {
        let ring = self.ring.lock().unwrap();
        let mut ring = self
            .changed
            .wait_while(ring, |ring| ring.count == ring.slots.len())
            .unwrap();
        let tail = (ring.head + ring.count) % ring.slots.len();
        ring.slots[tail] = Some(item);
        ring.count += 1;
        drop(ring);
        // Producers and consumers share the Condvar: wake them all, so the one that can go on
        // is surely among them.
        self.changed.notify_all();
    }

    /// Takes the item at the front of the queue (the oldest one), first waiting while the queue
    /// is empty.
    pub fn pop(&self) -> T {
        let ring = self.ring.lock().unwrap();
        let mut ring = self
            .changed
            .wait_while(ring, |ring| ring.count == 0)
            .unwrap();
        let head = ring.head;
        let item = ring.slots[head]
            .take()
            .expect("a stored item is in its slot");
        ring.head = (head + 1) % ring.slots.len();
        ring.count -= 1;
        drop(ring);
        self.changed.notify_all();
        item
    }

    /// How many items the queue holds at this moment.
    pub fn len(&self) -> usize {
        self.ring.lock().unwrap().count
    }

    /// Whether the queue holds no item at this moment.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most items the queue ever holds, as given to [`BoundedQueue::new`].
    pub fn capacity(&self) -> usize {
        self.ring.lock().unwrap().slots.len()
    }
}
