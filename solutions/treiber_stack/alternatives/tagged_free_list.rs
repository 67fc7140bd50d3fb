//! Treiber stack.
//!
//! Alternative: no epochs, and no node freed while the stack lives. A popped node goes onto a
//! free list (a second Treiber stack) and the next push reuses it, so a thread that read a head
//! may well find the same address at the head again, with another node below it: the ABA
//! problem, certain here. Each head therefore carries a tag in the high bits of its pointer,
//! and every successful exchange adds one to the tag: an exchange that expects an old head
//! fails even when the address came back. Since reused nodes are rewritten while a late
//! thread may still read them, a node's `next` is atomic and its value is read only by the
//! thread whose exchange took the node off.
//!
//! The tag has 16 bits (addresses use the low 48 bits of a word on x86-64 and AArch64): it
//! comes back to the same number after 65,536 exchanges, which a thread would have to sleep
//! through between its read of the head and its exchange. Wider tags need a double-word
//! compare-and-swap, which Rust's stable atomics do not offer.

use std::mem::MaybeUninit;
use std::ptr;

use harness::cell::UnsafeCell;
use harness::sync::atomic::{AtomicPtr, Ordering};

/// Bits of a head word that hold the node's address; the bits above hold the tag.
const TAG_SHIFT: u32 = 48;
const ADDRESS_MASK: usize = (1 << TAG_SHIFT) - 1;

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
    /// The nodes that hold values.
    items: TaggedList<T>,
    /// Nodes popped already, kept for the next pushes; their values were moved out.
    free: TaggedList<T>,
}

/// One value slot and the node below it; freed only when the stack is dropped.
struct Node<T> {
    /// Written by the push that (re)uses the node, read by the pop that takes it off.
    value: UnsafeCell<MaybeUninit<T>>,
    /// The node below. Atomic: a thread that read an old head may read it while a push that
    /// reused the node writes it (its exchange then fails on the tag).
    next: AtomicPtr<Node<T>>,
}

/// A list of nodes whose head is the top node's address with a tag in its high bits.
struct TaggedList<T> {
    head: AtomicPtr<Node<T>>,
}

/// `node` with `tag` in the high bits of its address (never dereferenced as it is).
fn pack<T>(node: *mut Node<T>, tag: usize) -> *mut Node<T> {
    debug_assert_eq!(node.addr() & !ADDRESS_MASK, 0, "addresses fit in 48 bits");
    node.map_addr(|address| address | (tag << TAG_SHIFT))
}

/// The node a tagged head points to.
fn address<T>(head: *mut Node<T>) -> *mut Node<T> {
    head.map_addr(|address| address & ADDRESS_MASK)
}

/// The head that replaces `head` with `node` on top: the tag one more.
fn next_head<T>(head: *mut Node<T>, node: *mut Node<T>) -> *mut Node<T> {
    let tag = (head.addr() >> TAG_SHIFT).wrapping_add(1) & (usize::MAX >> TAG_SHIFT);
    pack(node, tag)
}

impl<T> TaggedList<T> {
    fn new(name: &str) -> Self {
        TaggedList {
            head: AtomicPtr::new(ptr::null_mut()).named(name),
        }
    }

    /// Puts `node` on top; the node is this thread's alone until then.
    fn push_node(&self, node: *mut Node<T>) {
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            // SAFETY: nodes are freed only by the stack's drop.
            unsafe { (*node).next.store(address(head), Ordering::Relaxed) };
            // Release: publishes the node's value and `next` to the thread that takes it off.
            match self.head.compare_exchange(
                head,
                next_head(head, node),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(seen) => head = seen,
            }
        }
    }

    /// Takes the top node off, or `None` when the list is empty.
    fn pop_node(&self) -> Option<*mut Node<T>> {
        // Acquire: pairs with the Release of the push that put the node on.
        let mut head = self.head.load(Ordering::Acquire);
        loop {
            let node = address(head);
            if node.is_null() {
                return None;
            }
            // SAFETY: nodes are freed only by the stack's drop. The node may have been taken
            // off and reused since `head` was read: then `next` is stale, and the exchange
            // fails, because the tag moved on.
            let next = unsafe { (*node).next.load(Ordering::Relaxed) };
            match self.head.compare_exchange(
                head,
                next_head(head, next),
                Ordering::Relaxed,
                Ordering::Acquire,
            ) {
                Ok(_) => return Some(node),
                Err(seen) => head = seen,
            }
        }
    }

    fn is_empty(&self) -> bool {
        address(self.head.load(Ordering::Relaxed)).is_null()
    }

    /// The nodes on the list, top first; `&mut self`: no other thread uses it any more.
    fn drain(&mut self) -> Vec<*mut Node<T>> {
        let mut nodes = Vec::new();
        let mut node = address(self.head.load(Ordering::Relaxed));
        while !node.is_null() {
            nodes.push(node);
            // SAFETY: every node on the list is alive until the stack's drop frees it.
            node = unsafe { (*node).next.load(Ordering::Relaxed) };
        }
        nodes
    }
}

// SAFETY: the values move between threads (pushed on one, popped on another), hence `T: Send`;
// nodes are shared only through the two lists, with the orderings above.
unsafe impl<T: Send> Send for Stack<T> {}
// SAFETY: see above; `&Stack<T>` only pushes and pops whole values.
unsafe impl<T: Send> Sync for Stack<T> {}

impl<T: Send> Stack<T> {
    /// An empty stack.
    pub fn new() -> Self {
        Stack {
            items: TaggedList::new("head"),
            free: TaggedList::new("free list"),
        }
    }

    /// Puts `value` on top of the stack.
    pub fn push(&self, value: T) {
        let node = self.free.pop_node().unwrap_or_else(|| {
            Box::into_raw(Box::new(Node {
                value: UnsafeCell::new(MaybeUninit::uninit()),
                next: AtomicPtr::new(ptr::null_mut()).named("a node's next"),
            }))
        });
        // SAFETY: the node is off both lists: only this thread can reach its value.
        unsafe { (*node).value.with_mut(|slot| (*slot).write(value)) };
        self.items.push_node(node);
    }

    /// Takes the value on top of the stack off, or `None` when the stack is empty.
    pub fn pop(&self) -> Option<T> {
        let node = self.items.pop_node()?;
        // SAFETY: the exchange took the node off: this thread alone owns its value, written by
        // the push that put it on, and moves it out once.
        let value = unsafe { (*node).value.with(|slot| ptr::read(slot).assume_init()) };
        self.free.push_node(node);
        Some(value)
    }

    /// Whether the stack is empty; with other threads pushing and popping, a snapshot that may
    /// be out of date when it returns.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<T: Send> Default for Stack<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for Stack<T> {
    fn drop(&mut self) {
        for node in self.items.drain() {
            // SAFETY: a node on the stack holds a value never moved out; each node was made
            // by `Box::into_raw` and is on one list only.
            unsafe {
                (*node).value.with_mut(|slot| (*slot).assume_init_drop());
                drop(Box::from_raw(node));
            }
        }
        for node in self.free.drain() {
            // SAFETY: a free node's value was moved out already.
            drop(unsafe { Box::from_raw(node) });
        }
    }
}
