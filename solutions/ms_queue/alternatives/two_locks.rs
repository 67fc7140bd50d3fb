//! Alternative: Michael and Scott's other queue, from the same paper: two locks, one for each
//! end, and the same dummy node at the head, so that an enqueue and a dequeue never wait for
//! each other. Only the `next` link is shared between the ends (when the queue holds one
//! value, the enqueuer writes the link the dequeuer reads), so it alone is atomic.

use std::ptr;

use harness::cell::UnsafeCell;
use harness::sync::atomic::{AtomicPtr, Ordering};
use harness::sync::Mutex;

/// A first-in, first-out queue that many threads enqueue to and dequeue from at once.
pub struct Queue<T> {
    /// The dummy node, whose value was taken (or never was).
    head: Mutex<End<T>>,
    /// The last node.
    tail: Mutex<End<T>>,
}

/// A pointer to a node, owned by the lock that holds it.
struct End<T>(*mut Node<T>);

// SAFETY: an `End` is only used under its lock, and the nodes it points at hold `T`s that move
// between threads.
unsafe impl<T: Send> Send for End<T> {}

/// One value and the node after it.
struct Node<T> {
    /// Written before the node is linked; taken by the dequeue that makes this node the dummy.
    value: UnsafeCell<Option<T>>,
    /// The node after this one, or null at the end.
    next: AtomicPtr<Node<T>>,
}

impl<T> Node<T> {
    fn new(value: Option<T>) -> *mut Node<T> {
        Box::into_raw(Box::new(Node {
            value: UnsafeCell::new(value),
            next: AtomicPtr::new(ptr::null_mut()).named("next"),
        }))
    }
}

impl<T: Send> Queue<T> {
    /// An empty queue: both ends at one dummy node.
    pub fn new() -> Self {
        let dummy = Node::new(None);
        Queue {
            head: Mutex::new(End(dummy)).named("head lock"),
            tail: Mutex::new(End(dummy)).named("tail lock"),
        }
    }

    /// Puts `value` at the back of the queue.
    pub fn enqueue(&self, value: T) {
        let node = Node::new(Some(value));
        let mut tail = self
            .tail
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // SAFETY: the tail node is never freed while it is the tail (a dequeue frees only the
        // old dummy, which is never the tail once a node is linked after it). Release: a
        // dequeuer that reads this link with Acquire sees the node's value.
        unsafe { (*tail.0).next.store(node, Ordering::Release) };
        tail.0 = node;
    }

    /// Takes the value at the front of the queue, or `None` when the queue is empty.
    pub fn dequeue(&self) -> Option<T> {
        let mut head = self
            .head
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let dummy = head.0;
        // SAFETY: the dummy is freed only below, under this lock.
        let first = unsafe { (*dummy).next.load(Ordering::Acquire) };
        if first.is_null() {
            return None;
        }
        // SAFETY: `first` was linked (its value written) before the Release store just read.
        let value = unsafe { (*first).value.with_mut(|value| (*value).take()) };
        head.0 = first;
        drop(head);
        // SAFETY: the old dummy is out of the queue, and the tail is past it (`first` was
        // linked after it, and the tail moves to a node before linking the next).
        drop(unsafe { Box::from_raw(dummy) });
        value
    }
}

impl<T: Send> Default for Queue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for Queue<T> {
    fn drop(&mut self) {
        let mut node = self
            .head
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .0;
        while !node.is_null() {
            // SAFETY: `&mut self`: every node left was made by `Node::new` and is freed only
            // here; dropping it drops the value it still holds, if any.
            let boxed = unsafe { Box::from_raw(node) };
            node = boxed.next.load(Ordering::Relaxed);
        }
    }
}
