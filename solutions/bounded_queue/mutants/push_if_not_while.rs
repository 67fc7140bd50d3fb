//! Mutant: `push` checks for room with `if` instead of `while`, so a woken producer adds its item without looking again, even when another producer took the free place between the wake-up and getting the lock back: the queue holds more than its capacity.
//! Expect: race

use std::collections::VecDeque;

use harness::sync::{Condvar, Mutex};

/// A first-in, first-out queue that holds at most `capacity` items, shared between threads (for
/// example in an [`Arc`](harness::sync::Arc)).
///
/// [`push`](BoundedQueue::push) waits while the queue is full, [`pop`](BoundedQueue::pop) waits
/// while it is empty: a fast producer is slowed down to the pace of its consumers instead of
/// filling the memory.
///
/// ```
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
    capacity: usize,
    items: Mutex<VecDeque<T>>,
    not_full: Condvar,
    not_empty: Condvar,
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
            "a bounded queue needs a capacity of at least 1: with capacity 0 every push would \
             wait for ever"
        );
        BoundedQueue {
            capacity,
            items: Mutex::new(VecDeque::with_capacity(capacity)).named("items"),
            not_full: Condvar::new().named("not_full"),
            not_empty: Condvar::new().named("not_empty"),
        }
    }

    /// Adds `item` at the back of the queue, first waiting while the queue is full.
    pub fn push(&self, item: T) {
        let mut items = self.items.lock().unwrap();
        // `while`, not `if`: another producer may take the room between our wake-up and the
        // moment we hold the lock again.
        if items.len() == self.capacity {
            items = self.not_full.wait(items).unwrap();
        }
        items.push_back(item);
        drop(items);
        // One more item: one waiting consumer can go on.
        self.not_empty.notify_one();
    }

    /// Takes the item at the front of the queue (the oldest one), first waiting while the queue
    /// is empty.
    pub fn pop(&self) -> T {
        let mut items = self.items.lock().unwrap();
        while items.is_empty() {
            items = self.not_empty.wait(items).unwrap();
        }
        let item = items
            .pop_front()
            .expect("the loop above waited for an item");
        drop(items);
        // One more free place: one waiting producer can go on.
        self.not_full.notify_one();
        item
    }

    /// How many items the queue holds at this moment.
    pub fn len(&self) -> usize {
        self.items.lock().unwrap().len()
    }

    /// Whether the queue holds no item at this moment.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most items the queue ever holds, as given to [`BoundedQueue::new`].
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}
