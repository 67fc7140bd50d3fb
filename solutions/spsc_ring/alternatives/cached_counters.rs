//! Alternative: cached counters (the design of Rigtorp's and folly's SPSC queues). Each side keeps its own counter in a local field (nobody else writes it) and a copy of the other side's counter as last read, and loads the other side's counter from the shared storage only when the copy says full (or empty). Fewer loads of the cache line the other side writes; the same Release/Acquire pairs.

use harness::sync::atomic::Ordering;
use spsc_ring_support::{Counter, Storage};

/// `push` found the ring full; the value is handed back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full(pub u64);

/// The producing end of a ring: the only one that puts items in.
pub struct Producer<S: Storage> {
    storage: S,
    /// Our own counter: nobody else writes `tail`, so the copy is always exact.
    tail: usize,
    /// The consumer's `head` as last read: it only grows, so the ring has at least
    /// `capacity - (tail - head_seen)` free slots.
    head_seen: usize,
}

/// The consuming end of a ring: the only one that takes items out.
pub struct Consumer<S: Storage> {
    storage: S,
    /// Our own counter.
    head: usize,
    /// The producer's `tail` as last read: at least that many items were published.
    tail_seen: usize,
}

impl<S: Storage> Producer<S> {
    /// The producing end of the ring kept in `storage`.
    ///
    /// # Safety
    ///
    /// At most one `Producer` may use a ring at a time, in all processes together: two
    /// producers would write the same slot at once.
    pub unsafe fn new(storage: S) -> Producer<S> {
        let tail = storage.tail().load(Ordering::Relaxed);
        let head_seen = storage.head().load(Ordering::Acquire);
        Producer {
            storage,
            tail,
            head_seen,
        }
    }

    /// Puts `value` at the back of the ring, or hands it back in `Err(Full(value))` if the ring
    /// already holds `capacity` items. Never waits.
    pub fn push(&mut self, value: u64) -> Result<(), Full> {
        let capacity = self.storage.capacity();
        if self.tail.wrapping_sub(self.head_seen) == capacity {
            // Full as far as we knew: look at the consumer's counter again, only now.
            self.head_seen = self.storage.head().load(Ordering::Acquire);
            if self.tail.wrapping_sub(self.head_seen) == capacity {
                return Err(Full(value));
            }
        }
        // SAFETY: the slot was freed by the consumer (its read happened before its Release
        // store of `head`, which we acquired), and it is not published yet.
        unsafe { self.storage.write(self.tail % capacity, value) };
        self.tail = self.tail.wrapping_add(1);
        self.storage.tail().store(self.tail, Ordering::Release);
        Ok(())
    }
}

impl<S: Storage> Consumer<S> {
    /// The consuming end of the ring kept in `storage`.
    ///
    /// # Safety
    ///
    /// At most one `Consumer` may use a ring at a time, in all processes together: two
    /// consumers would take the same item.
    pub unsafe fn new(storage: S) -> Consumer<S> {
        let head = storage.head().load(Ordering::Relaxed);
        let tail_seen = storage.tail().load(Ordering::Acquire);
        Consumer {
            storage,
            head,
            tail_seen,
        }
    }

    /// Takes the item at the front of the ring, or `None` if it is empty. Never waits.
    pub fn pop(&mut self) -> Option<u64> {
        if self.head == self.tail_seen {
            // Empty as far as we knew: look at the producer's counter again, only now.
            self.tail_seen = self.storage.tail().load(Ordering::Acquire);
            if self.head == self.tail_seen {
                return None;
            }
        }
        // SAFETY: the slot was published by the producer (its write happened before its
        // Release store of `tail`, which we acquired), and we have not freed it yet.
        let value = unsafe { self.storage.read(self.head % self.storage.capacity()) };
        self.head = self.head.wrapping_add(1);
        self.storage.head().store(self.head, Ordering::Release);
        Some(value)
    }
}
