//! Mutant: an enqueuer that finds the tail lagging waits for the enqueue that linked the node
//! to swing it, instead of swinging it itself: if that thread is not scheduled, nobody gets on.
//! Expect: livelock

use std::mem::MaybeUninit;
use std::ptr;

use crossbeam_epoch::{self as epoch, Shared};
use harness::cell::UnsafeCell;
use harness::sync::atomic::{AtomicPtr, Ordering};

/// A first-in, first-out queue that many threads enqueue to and dequeue from at once, without
/// a lock.
///
/// ```
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
    tail: AtomicPtr<Node<T>>,
}

/// One value and the node after it.
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
        let node = Node::new(MaybeUninit::new(value));
        // While this thread is pinned, no node it reads can be freed under it.
        let _guard = epoch::pin();
        loop {
            let tail = self.tail.load(Ordering::Acquire);
            // SAFETY: `tail` was in the queue after this thread pinned, so it is not freed yet.
            let next = unsafe { &(*tail).next };
            let after = next.load(Ordering::Acquire);
            if !after.is_null() {
                // Wait for the enqueue that linked the node to swing the tail.
                continue;
            }
            // Release: whoever reads this link with Acquire sees the node's value.
            if next
                .compare_exchange(ptr::null_mut(), node, Ordering::Release, Ordering::Relaxed)
                .is_ok()
            {
                // Linked: the enqueue has taken effect. Swing the tail; if another thread
                // already did, so much the better.
                let _ =
                    self.tail
                        .compare_exchange(tail, node, Ordering::Release, Ordering::Relaxed);
                return;
            }
        }
    }

    /// Takes the value at the front of the queue, or `None` when the queue is empty.
    pub fn dequeue(&self) -> Option<T> {
        let guard = epoch::pin();
        loop {
            let head = self.head.load(Ordering::Acquire);
            // SAFETY: `head` was in the queue after this thread pinned, so it is not freed yet.
            // Acquire: pairs with the Release link, so the value behind it is visible.
            let first = unsafe { (*head).next.load(Ordering::Acquire) };
            if first.is_null() {
                return None;
            }
            let tail = self.tail.load(Ordering::Acquire);
            if head == tail {
                // The tail still points at the dummy although a node is linked after it: swing
                // it first, or the head would pass the tail, and the tail would point at a node
                // that is freed.
                let _ =
                    self.tail
                        .compare_exchange(tail, first, Ordering::Release, Ordering::Relaxed);
                continue;
            }
            if self
                .head
                .compare_exchange(head, first, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                // SAFETY: the exchange made `first` the dummy: this thread alone takes its
                // value, once; `first` cannot be freed while this thread is pinned.
                let value = unsafe { (*first).value.with(|value| ptr::read(value).assume_init()) };
                // SAFETY: `head` is out of the queue: no thread pinned from now on can reach
                // it; the collector frees it once every thread pinned now has unpinned.
                unsafe { guard.defer_destroy(Shared::from(head as *const Node<T>)) };
                return Some(value);
            }
        }
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
