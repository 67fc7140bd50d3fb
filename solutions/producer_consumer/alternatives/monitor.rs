//! Alternative: a monitor instead of semaphores. One lock guards a `VecDeque` of items, and two
//! condition variables say why a thread sleeps: producers wait on `not_full`, consumers on
//! `not_empty`, and each side wakes the other after changing the queue.

use std::collections::VecDeque;

use harness::sync::{Condvar, Mutex};

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
    capacity: usize,
    items: Mutex<VecDeque<T>>,
    not_full: Condvar,
    not_empty: Condvar,
}

impl<T> Buffer<T> {
    /// An empty buffer with room for `capacity` items.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0.
    pub fn new(capacity: usize) -> Self {
        assert!(
            capacity > 0,
            "a buffer of capacity 0 could never hold an item; give it at least 1"
        );
        Buffer {
            capacity,
            items: Mutex::new(VecDeque::with_capacity(capacity)).named("buffer"),
            not_full: Condvar::new().named("not full"),
            not_empty: Condvar::new().named("not empty"),
        }
    }

    /// Adds `item` after every item already in the buffer, first waiting while the buffer is
    /// full.
    pub fn put(&self, item: T) {
        let items = self
            .items
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut items = self
            .not_full
            .wait_while(items, |items| items.len() == self.capacity)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        items.push_back(item);
        drop(items);
        self.not_empty.notify_one();
    }

    /// Takes the oldest item out of the buffer, first waiting while the buffer is empty.
    pub fn take(&self) -> T {
        let items = self
            .items
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut items = self
            .not_empty
            .wait_while(items, |items| items.is_empty())
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let item = items
            .pop_front()
            .expect("the wait ends only when an item is there");
        drop(items);
        self.not_full.notify_one();
        item
    }
}
