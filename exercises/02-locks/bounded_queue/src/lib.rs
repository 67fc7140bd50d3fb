//! A first-in, first-out queue with a capacity, shared by producers and consumers. Read
//! `README.md` beside this folder's `src/` first.
//!
//! Build it from `harness::sync::{Mutex, Condvar}` (the same API as `std::sync`); a
//! `std::collections::VecDeque` is a good home for the items.

/// A first-in, first-out queue that holds at most `capacity` items, shared between threads (for
/// example in an [`Arc`](harness::sync::Arc)).
///
/// [`push`](BoundedQueue::push) waits while the queue is full, [`pop`](BoundedQueue::pop) waits
/// while it is empty: a fast producer is slowed down to the pace of its consumers instead of
/// filling the memory.
///
/// ```no_run
/// use bounded_queue::BoundedQueue;
///
/// let queue = BoundedQueue::new(2);
/// queue.push("a");
/// queue.push("b");
/// assert_eq!(queue.len(), 2); // full: a third push would wait for a pop
/// assert_eq!(queue.pop(), "a");
/// assert_eq!(queue.pop(), "b");
/// assert!(queue.is_empty()); // a pop now would wait for a push
/// ```
pub struct BoundedQueue<T> {
    // TODO: the capacity, the items (behind a `Mutex`), and a `Condvar` for each reason to
    // wait: producers wait for room, consumers wait for an item.
    _items: std::marker::PhantomData<T>,
}

impl<T> BoundedQueue<T> {
    /// An empty queue that holds at most `capacity` items.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0: no item could ever be pushed.
    pub fn new(capacity: usize) -> Self {
        // TODO: refuse capacity 0 with a clear panic message, then make an empty queue.
        todo!("make an empty queue for {capacity} items")
    }

    /// Adds `item` at the back of the queue, first waiting while the queue is full.
    pub fn push(&self, item: T) {
        // TODO: wait while the queue is full, add the item, wake a consumer.
        let _ = item;
        todo!("push an item, waiting while the queue is full")
    }

    /// Takes the item at the front of the queue (the oldest one), first waiting while the queue
    /// is empty.
    pub fn pop(&self) -> T {
        // TODO: wait while the queue is empty, take the oldest item, wake a producer.
        todo!("pop the oldest item, waiting while the queue is empty")
    }

    /// How many items the queue holds at this moment.
    pub fn len(&self) -> usize {
        // TODO
        todo!("count the items")
    }

    /// Whether the queue holds no item at this moment.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most items the queue ever holds, as given to [`BoundedQueue::new`].
    pub fn capacity(&self) -> usize {
        // TODO
        todo!("return the capacity")
    }
}
