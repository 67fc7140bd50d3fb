//! Michael–Scott queue: a lock-free first-in, first-out queue, a linked list with a dummy node
//! at the head, whose head and tail are atomic pointers changed only by compare-and-swap.
//!
//! Read `README.md` beside this crate for the lesson. Run `cargo xtask check ms_queue` to see
//! what the checks think of this file.

use std::mem::MaybeUninit;
use std::ptr;

use crossbeam_epoch as epoch;
use harness::cell::UnsafeCell;
use harness::sync::atomic::{AtomicPtr, Ordering};

/// A first-in, first-out queue that many threads enqueue to and dequeue from at once, without
/// a lock.
///
/// ```no_run
/// let queue = ms_queue::Queue::new();
/// queue.enqueue(1);
/// queue.enqueue(2);
/// assert_eq!(queue.dequeue(), Some(1));
/// assert_eq!(queue.dequeue(), Some(2));
/// assert_eq!(queue.dequeue(), None);
/// ```
pub struct Queue<T> {
    /// The dummy node: its value was taken (or never was); the first value is in its `next`.
    head: AtomicPtr<Node<T>>,
    /// The last node, or one just before it while an enqueue has linked but not swung it yet.
    #[allow(dead_code)] // until enqueue and dequeue use it
    tail: AtomicPtr<Node<T>>,
}

/// One value and the node after it.
#[allow(dead_code)] // until enqueue and dequeue use it
struct Node<T> {
    /// Written before the node is linked; moved out by the dequeue that makes this node the
    /// dummy. Uninitialised in the first dummy.
    value: UnsafeCell<MaybeUninit<T>>,
    /// The node after this one, or null at the end.
    next: AtomicPtr<Node<T>>,
}

impl<T> Node<T> {
    fn new(value: MaybeUninit<T>) -> *mut Node<T> {
        Box::into_raw(Box::new(Node {
            value: UnsafeCell::new(value),
            next: AtomicPtr::new(ptr::null_mut()).named("next"),
        }))
    }
}

// SAFETY: values move between threads (enqueued on one, dequeued on another), hence `T: Send`;
// nodes are shared only through `head`, `tail` and `next`, with the orderings below.
unsafe impl<T: Send> Send for Queue<T> {}
// SAFETY: see above; `&Queue<T>` only moves whole values in and out.
unsafe impl<T: Send> Sync for Queue<T> {}

impl<T: Send> Queue<T> {
    /// An empty queue: head and tail at one dummy node.
    pub fn new() -> Self {
        let dummy = Node::new(MaybeUninit::uninit());
        Queue {
            head: AtomicPtr::new(dummy).named("head"),
            tail: AtomicPtr::new(dummy).named("tail"),
        }
    }

    /// Puts `value` at the back of the queue.
    pub fn enqueue(&self, value: T) {
        let _node = Node::new(MaybeUninit::new(value));
        // While this thread is pinned, no node it reads can be freed under it.
        let _guard = epoch::pin();
        // TODO link the node after the last one with one compare-exchange on the last node's
        // `next` (from null to the node), then swing `tail` to it. When the last node's `next`
        // is not null, the tail lags behind a node another enqueue linked: swing the tail
        // yourself, then try again.
        todo!("link the node at the back with a compare-exchange loop")
    }

    /// Takes the value at the front of the queue, or `None` when the queue is empty.
    pub fn dequeue(&self) -> Option<T> {
        let _guard = epoch::pin();
        // TODO the first value is in the node after the dummy (`head`): swing `head` to that
        // node with a compare-exchange, which makes it the new dummy, and take its value
        // (`ptr::read`) once the exchange succeeded. If `head == tail` while a node is linked
        // after it, swing the tail first. Hand the old dummy to the collector instead of
        // freeing it: `guard.defer_destroy(Shared::from(old as *const Node<T>))`.
        todo!("take the first value with a compare-exchange loop")
    }
}

impl<T: Send> Default for Queue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for Queue<T> {
    fn drop(&mut self) {
        // `&mut self`: no other thread can reach the nodes any more. The dummy's value is gone
        // (or never was); every node after it still holds one.
        let mut node = self.head.load(Ordering::Relaxed);
        let mut dummy = true;
        while !node.is_null() {
            // SAFETY: every node still in the queue was made by `Box::into_raw` in `Node::new`
            // and is freed only here.
            let boxed = unsafe { Box::from_raw(node) };
            node = boxed.next.load(Ordering::Relaxed);
            if !dummy {
                // SAFETY: a node after the dummy still holds the value it was enqueued with.
                boxed
                    .value
                    .with_mut(|value| unsafe { (*value).assume_init_drop() });
            }
            dummy = false;
        }
    }
}
