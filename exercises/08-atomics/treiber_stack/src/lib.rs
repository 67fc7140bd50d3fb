//! Treiber stack: a lock-free stack whose head is one atomic pointer, changed only by
//! compare-and-swap.
//!
//! Read `README.md` beside this crate for the lesson. Run `cargo xtask check treiber_stack` to
//! see what the checks think of this file.

use std::mem::ManuallyDrop;
use std::ptr;

use crossbeam_epoch as epoch;
use harness::sync::atomic::{AtomicPtr, Ordering};

/// A last-in, first-out stack that many threads push to and pop from at once, without a lock.
///
/// ```
/// let stack = treiber_stack::Stack::new();
/// stack.push(1);
/// stack.push(2);
/// assert_eq!(stack.pop(), Some(2));
/// assert_eq!(stack.pop(), Some(1));
/// assert_eq!(stack.pop(), None);
/// ```
pub struct Stack<T> {
    /// The top node, or null when the stack is empty.
    head: AtomicPtr<Node<T>>,
}

/// One value on the stack and the node below it.
#[allow(dead_code)] // until push and pop use it
struct Node<T> {
    /// Moved out by the `pop` that takes the node off (the node itself is freed later).
    value: ManuallyDrop<T>,
    /// The node below; written before the node is published, never after.
    next: *mut Node<T>,
}

// SAFETY: the values move between threads (pushed on one, popped on another), hence `T: Send`;
// nodes are shared only through `head`, with the orderings below.
unsafe impl<T: Send> Send for Stack<T> {}
// SAFETY: see above; `&Stack<T>` only pushes and pops whole values.
unsafe impl<T: Send> Sync for Stack<T> {}

impl<T: Send> Stack<T> {
    /// An empty stack.
    pub fn new() -> Self {
        Stack {
            head: AtomicPtr::new(ptr::null_mut()).named("head"),
        }
    }

    /// Puts `value` on top of the stack.
    pub fn push(&self, value: T) {
        // TODO put `value` in a new node (`Box::into_raw`), link the node to the head and make
        // it the head with one compare-exchange, trying again (linked to the head that is there
        // now) when another thread got in first.
        let _ = value;
        todo!("push a node with a compare-exchange loop")
    }

    /// Takes the value on top of the stack off, or `None` when the stack is empty.
    pub fn pop(&self) -> Option<T> {
        // While this thread is pinned, no node it reads can be freed under it.
        let _guard = epoch::pin();
        // TODO read the head and swing it to the node below with one compare-exchange, trying
        // again when another thread got in first; move the value out of the node taken off
        // (`ptr::read`), and hand the node to the collector instead of freeing it yourself:
        // `guard.defer_destroy(Shared::from(node as *const Node<T>))`.
        todo!("pop the top node with a compare-exchange loop")
    }

    /// Whether the stack is empty; with other threads pushing and popping, a snapshot that may
    /// be out of date when it returns.
    pub fn is_empty(&self) -> bool {
        self.head.load(Ordering::Relaxed).is_null()
    }
}

impl<T: Send> Default for Stack<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for Stack<T> {
    fn drop(&mut self) {
        // `&mut self`: no other thread can reach the nodes any more.
        // TODO free every node still on the stack, and drop the value in it (a `ManuallyDrop`
        // is not dropped with its node).
    }
}
