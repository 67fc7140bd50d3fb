//! Mutant: pop frees the node it took off at once, with `Box::from_raw`, instead of handing it
//! to the epoch collector; another popper that read the same head before the exchange may still
//! read the node's `next`, and the allocator may hand the same address to the next push.
//! Expect: race
//! Expect under Miri: undefined-behavior

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
        let node = Box::into_raw(Box::new(Node {
            value: ManuallyDrop::new(value),
            next: ptr::null_mut(),
        }));
        // Relaxed: the head is only linked to, never read through.
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            // SAFETY: the node is not published yet: only this thread can see it.
            unsafe { (*node).next = head };
            // Release: whoever reads this head with Acquire sees the node's value and `next`.
            match self
                .head
                .compare_exchange(head, node, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => return,
                // Another thread pushed or popped since `head` was read: link to the new head.
                Err(seen) => head = seen,
            }
        }
    }

    /// Takes the value on top of the stack off, or `None` when the stack is empty.
    pub fn pop(&self) -> Option<T> {
        // While this thread is pinned, no node it reads can be freed under it.
        let _guard = epoch::pin();
        // Acquire: pairs with the Release of the push that published the node, so its value
        // and `next` are visible here.
        let mut head = self.head.load(Ordering::Acquire);
        loop {
            if head.is_null() {
                return None;
            }
            // SAFETY: `head` was on the stack after this thread pinned, so it is not freed yet
            // (another `pop` may take it off meanwhile, but only defers its destruction).
            let next = unsafe { (*head).next };
            // Relaxed on success: `head` was read with Acquire already. Acquire on failure: the
            // head seen is read through on the next turn.
            match self
                .head
                .compare_exchange(head, next, Ordering::Relaxed, Ordering::Acquire)
            {
                Ok(_) => {
                    // SAFETY: the exchange took `head` off the stack: this thread alone owns
                    // its value, and moves it out once.
                    let value = unsafe { ManuallyDrop::into_inner(ptr::read(&(*head).value)) };
                    // Off the stack: free it now.
                    drop(unsafe { Box::from_raw(head) });
                    return Some(value);
                }
                Err(seen) => head = seen,
            }
        }
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
        let mut node = self.head.load(Ordering::Relaxed);
        while !node.is_null() {
            // SAFETY: every node still on the stack was made by `Box::into_raw` in `push` and
            // still holds its value; nothing else frees it.
            let mut boxed = unsafe { Box::from_raw(node) };
            node = boxed.next;
            // SAFETY: the value was never moved out (it is still on the stack).
            unsafe { ManuallyDrop::drop(&mut boxed.value) };
        }
    }
}
